"""Builders shared by the governance tests and their browser tests: items with a stored verdict
(as the engine would have written it, without calling it) and decisions."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

_ids = itertools.count(1)


def make_item(
    commune: Any,
    text: str = "Un commentaire ordinaire.",
    labels: tuple[str, ...] | list[str] = (),
    action: str = "keep",
    *,
    kind: str = "comment",
    platform: str = "facebook",
    first_seen_at: dt.datetime | None = None,
    author_name: str = "Julien M.",
    raw: dict[str, Any] | None = None,
    article: str = "",
) -> Any:
    from beffroi.workspace.models import Author, Item, Verdict

    n = next(_ids)
    seen = first_seen_at or timezone.now()
    author, _ = Author.objects.get_or_create(
        commune=commune, platform=platform, external_id=f"u-{author_name}", defaults={"display_name": author_name}
    )
    item = Item.objects.create(
        commune=commune,
        platform=platform,
        external_id=f"ext-{n}",
        kind=kind,
        author=author,
        text=text,
        url=f"https://www.facebook.com/saintaubin/posts/1/{n}",
        raw_payload=raw if raw is not None else {"id": f"ext-{n}", "message": text, "from": {"name": author_name}},
        published_at=seen - dt.timedelta(minutes=5),
        first_seen_at=seen,
    )
    verdict = Verdict.objects.create(
        item=item, labels=list(labels), scores={label: 0.9 for label in labels}, action=action, article=article
    )
    item.current_verdict = verdict
    item.save(update_fields=["current_verdict"])
    return item


def make_decision(item: Any, kind: str = "hide", actor: Any = None, **fields: Any) -> Any:
    from beffroi.workspace.models import Decision

    return Decision.objects.create(commune=item.commune, item=item, author=item.author, kind=kind, actor=actor, **fields)


def make_user(username: str | None = None, **fields: Any) -> Any:
    from django.contrib.auth import get_user_model

    name = username or f"personne-{next(_ids)}"
    return get_user_model().objects.create_user(username=name, password="motdepasse-solide-42", **fields)
