"""Fixtures of the moderation workflow tests: a running test platform (real local HTTP service), an
account of the commune on it through the replay connector, and items with verdicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from beffroi.connectors.testplatform import PlatformStore, TestPlatformServer
from beffroi.workspace.models import Account, Author, Item, ItemKind, ItemStatus, Verdict


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Members are created in almost every test: PBKDF2 costs more than a second each on a small
    machine. The hasher is not what these tests are about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform() -> Iterator[TestPlatformServer]:
    server = TestPlatformServer(PlatformStore(page_id="page-1", page_name="Ville de Saint-Aubin")).start()
    server.store.add_post("Les travaux de la rue des Écoles commencent lundi.", post_id="post-1")
    yield server
    server.stop()


def make_account(
    commune: Any, platform: TestPlatformServer, *, external_id: str | None = None, name: str = "Page de test", **options: Any
) -> Account:
    account = Account(
        commune=commune,
        platform="replay",
        external_id=external_id or platform.store.page_id,
        name=name,
        options={"base_url": platform.url, "timeout": 5, **options},
    )
    account.set_credentials({"access_token": platform.store.token})
    account.save()
    return account


@pytest.fixture
def account(commune: Any, platform: TestPlatformServer) -> Account:
    return make_account(commune, platform)


REASONS = {
    "insult": [{"label": "insult", "source": "rule:insulte", "score": 0.93, "evidence": [], "article": "3", "detail": "Insulte visant une personne"}],
    "hate": [{"label": "hate", "source": "rule:haine", "score": 0.97, "evidence": [], "article": "2", "detail": "Propos haineux"}],
    "threat": [{"label": "threat", "source": "rule:menace", "score": 0.95, "evidence": [], "article": "2", "detail": "Menace"}],
}


@pytest.fixture
def make_item(commune: Any, account: Account, platform: TestPlatformServer) -> Callable[..., Item]:
    counter = {"n": 0}

    def make(
        text: str = "Merci pour ces informations",
        *,
        labels: tuple[str, ...] = (),
        action: str = "keep",
        kind: str = ItemKind.COMMENT,
        status: str = ItemStatus.REVIEW,
        evidence: str | None = None,
        on: Account | None = None,
        author_id: str = "u-1",
        author_name: str = "Jean Dupont",
        published_at: dt.datetime | None = None,
        **fields: Any,
    ) -> Item:
        counter["n"] += 1
        acc = on if on is not None else account
        published_at = published_at or timezone.now() - dt.timedelta(hours=1)
        author_raw = {"id": author_id, "name": author_name}
        if acc.platform == "replay" and acc.options.get("base_url") == platform.url:
            if kind == ItemKind.PRIVATE_MESSAGE:
                obj = platform.store.add_private_message(text, author=author_raw)
            else:
                obj = platform.store.add_comment("post-1", text, author=author_raw, published_at=published_at)
            external_id = obj["id"]
        else:
            external_id = f"ext-{counter['n']}"
        author, _ = Author.objects.get_or_create(
            commune=acc.commune, platform=acc.platform, external_id=author_id, defaults={"display_name": author_name}
        )
        item = Item.objects.create(
            commune=acc.commune,
            account=acc,
            platform=acc.platform,
            external_id=external_id,
            kind=kind,
            author=author,
            parent_external_id="post-1" if kind != ItemKind.PRIVATE_MESSAGE else "",
            text=text,
            published_at=published_at,
            first_seen_at=published_at,
            status=status,
            **fields,
        )
        reasons = []
        for label in labels:
            for reason in REASONS.get(label, [{"label": label, "source": "model:lineaire", "score": 0.8, "evidence": [], "article": "", "detail": ""}]):
                reason = dict(reason)
                if evidence and evidence in text:
                    start = text.index(evidence)
                    reason["evidence"] = [{"start": start, "end": start + len(evidence), "text": evidence}]
                reasons.append(reason)
        verdict = Verdict.objects.create(
            item=item,
            labels=list(labels),
            scores={label: 0.9 for label in labels},
            action=action,
            reasons=reasons,
            article=reasons[0]["article"] if reasons else "",
        )
        item.current_verdict = verdict
        item.save(update_fields=["current_verdict"])
        return item

    return make
