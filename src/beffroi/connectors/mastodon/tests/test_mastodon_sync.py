"""The Mastodon connector through the framework: a stored account synchronised into the workspace."""

from __future__ import annotations

import time
from typing import Any

import pytest

from beffroi.connectors.mastodon.tests.fakeserver import FakeMastodon

pytestmark = pytest.mark.django_db

POST, INSULT, ANSWER = "112540000000000001", "112540000000000002", "112540000000000003"


def stored_account(commune: Any, fake: FakeMastodon, token: str | None = None) -> Any:
    from beffroi.workspace.models import Account

    # The fixtures are dated June 2024 and the framework uses the real clock: read far back.
    account = Account(
        commune=commune,
        platform="mastodon",
        external_id="109000000000000001",
        name="Mairie (Mastodon)",
        options={"backfill_days": 20000, "active_days": 20000},
    )
    account.set_credentials({"instance_url": fake.url, "access_token": token or fake.token})
    account.save()
    return account


def test_sync_stores_every_item_once_with_its_thread(fake: FakeMastodon, commune: Any) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Item

    account = stored_account(commune, fake)
    result = sync_account(account)
    assert result.status == "ok", result.detail_fr
    assert result.items_created == 7 and result.pages == 4  # notifications, statuses, two threads
    insult = Item.objects.get(commune=commune, platform="mastodon", external_id=INSULT)
    assert insult.kind == "comment" and insult.parent is not None and insult.parent.external_id == POST
    assert insult.thread_external_id == POST and insult.parent.is_from_commune
    answer = Item.objects.get(commune=commune, platform="mastodon", external_id=ANSWER)
    assert answer.parent == insult and answer.thread_external_id == POST and answer.kind == "reply"
    direct = Item.objects.get(commune=commune, platform="mastodon", external_id="112540000000000006")
    assert direct.kind == "private_message"
    account.refresh_from_db()
    assert account.cursor["since"] == "40006"
    again = sync_account(account)
    assert again.status == "ok" and again.items_created == 0
    assert Item.objects.filter(platform="mastodon").count() == 7


def test_a_revoked_token_breaks_the_connection_until_it_is_replaced(fake: FakeMastodon, commune: Any) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import AccountStatus

    account = stored_account(commune, fake, token="revoked-token")
    result = sync_account(account)
    account.refresh_from_db()
    assert result.status == "broken" and account.status == AccountStatus.BROKEN
    assert "jeton" in account.status_detail
    account.set_credentials({"instance_url": fake.url, "access_token": fake.token})
    account.save()
    assert sync_account(account, force=True).status == "ok"
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_a_rate_limit_defers_the_account(fake: FakeMastodon, commune: Any) -> None:
    from beffroi.connectors.sync import sync_account

    reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 600))
    fake.fail(
        "GET",
        "/api/v1/accounts/109000000000000001/statuses",
        429,
        {"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"},
    )
    account = stored_account(commune, fake)
    result = sync_account(account)
    assert result.status == "deferred" and result.retry_at is not None
    assert 500 < (result.retry_at.timestamp() - time.time()) < 700
    assert len(fake.calls("GET", "/api/v1/accounts/109000000000000001/statuses")) == 1
