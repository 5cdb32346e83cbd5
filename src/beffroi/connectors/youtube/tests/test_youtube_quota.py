"""YouTube quota accounting per account and per Pacific day, and the refusal when it would be exceeded."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import httpx
import pytest

from beffroi.connectors.base import AccountConfig, ActionRequest, ActionTarget, RateLimited
from beffroi.connectors.testing import Router, load_fixture
from beffroi.connectors.youtube.connector import YouTubeConnector
from beffroi.connectors.youtube.quota import (
    STATE_KEY,
    AccountQuotaStore,
    MemoryQuotaStore,
    QuotaBook,
    next_reset,
    pacific_day,
)

CH = "UCmairieSaintAubin00000a"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)  # 05:00 in California, 14:00 in Paris
CREDS = {"client_id": "id", "client_secret": "secret", "refresh_token": "refresh"}


def book(store: Any = None, *, limit: int = 10_000, reserve: int = 1_000, at: dt.datetime = NOW) -> QuotaBook:
    return QuotaBook(store or MemoryQuotaStore(), limit=limit, reserve=reserve, clock=lambda: at.timestamp())


def test_the_day_is_the_pacific_day() -> None:
    assert pacific_day(dt.datetime(2024, 6, 2, 6, 59, tzinfo=dt.UTC)) == "2024-06-01"  # 23:59 in California
    assert pacific_day(dt.datetime(2024, 6, 2, 7, 0, tzinfo=dt.UTC)) == "2024-06-02"
    assert next_reset(NOW) == dt.datetime(2024, 6, 3, 7, 0, tzinfo=dt.UTC)  # summer: UTC-7
    assert next_reset(dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC)) == dt.datetime(2024, 1, 16, 8, 0, tzinfo=dt.UTC)  # winter: UTC-8


def test_polling_stops_before_the_reserve_but_actions_may_use_it() -> None:
    quota = book()
    for _ in range(9):
        quota.spend(1000, for_action=False, what="list")
    with pytest.raises(RateLimited) as caught:
        quota.spend(1, for_action=False, what="commentThreads.list")
    assert caught.value.retry_after == 19 * 3600
    assert "gardées pour les actions de modération" in caught.value.message_fr and "9 h à Paris" in caught.value.message_fr
    quota.spend(950, for_action=True, what="setModerationStatus")
    with pytest.raises(RateLimited) as caught:
        quota.spend(51, for_action=True, what="setModerationStatus")
    assert "cette action en coûte 51" in caught.value.message_fr
    assert quota.spent == 9950
    assert quota.figures() == {"quota_day": "2024-06-02", "quota_used": 9950, "quota_limit": 10_000, "quota_reserve": 1000}


def test_a_new_pacific_day_starts_from_zero() -> None:
    store = MemoryQuotaStore()
    evening = dt.datetime(2024, 6, 3, 6, 30, tzinfo=dt.UTC)  # 23:30 in California
    book(store, at=evening).spend(9000, for_action=False, what="x")
    with pytest.raises(RateLimited) as caught:
        book(store, at=evening).spend(1, for_action=False, what="x")
    assert caught.value.retry_after == 30 * 60
    book(store, at=evening + dt.timedelta(hours=1)).spend(9000, for_action=False, what="x")
    assert store.days == {"2024-06-02": 9000, "2024-06-03": 9000}


def make(router: Router, store: Any = None, account_id: int | None = None) -> YouTubeConnector:
    yt = YouTubeConnector(AccountConfig(platform="youtube", external_id=CH, credentials=CREDS, account_id=account_id), http=router.client())
    yt.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    if store is not None:
        yt.quota.store = store
    return yt


def spent(units: int) -> MemoryQuotaStore:
    store = MemoryQuotaStore()
    store.days["2024-06-02"] = units
    return store


def target() -> ActionTarget:
    return ActionTarget(item_external_id="Ugz1", item_kind="comment", author_external_id="UCother", raw={"snippet": {"authorChannelId": {"value": "UCother"}}})


def test_polling_is_refused_without_calling_youtube_when_only_the_reserve_is_left() -> None:
    router = Router()
    with pytest.raises(RateLimited) as caught:
        make(router, spent(9000)).fetch({})
    assert "Lecture des commentaires YouTube en pause" in caught.value.message_fr
    assert router.requests == []


def test_an_action_that_would_exceed_the_quota_is_refused_with_an_explanation() -> None:
    router = Router()
    yt = make(router, spent(9960))
    check = yt.check("hide", target())
    assert not check.allowed and check.cost == 50
    assert "quota quotidien de l'API YouTube est presque épuisé (9\u202f960 unités sur 10\u202f000" in check.reason_fr
    with pytest.raises(RateLimited) as caught:  # the outbox retries after the reset instead of failing
        yt.perform(ActionRequest("hide", target(), "k"))
    assert caught.value.retry_after == 19 * 3600
    assert router.requests == []
    assert make(Router(), spent(9950)).check("hide", target()).allowed


def test_a_quota_error_from_youtube_stops_until_the_reset() -> None:
    router = Router().add("POST", "/token", json=load_fixture(__file__, "token.json"))
    router.add("GET", "/youtube/v3/commentThreads", json=load_fixture(__file__, "error_quota.json"), status=403)
    with pytest.raises(RateLimited) as caught:
        make(router).fetch({})
    assert caught.value.retry_after == 19 * 3600


@pytest.mark.django_db
def test_the_ledger_is_kept_on_the_account_and_reported_by_the_sync(commune: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.connectors.runtime import connector_for
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account

    monkeypatch.setattr(YouTubeConnector, "clock", staticmethod(lambda: NOW.timestamp()))
    account = Account.objects.create(commune=commune, platform="youtube", external_id=CH, name="Chaîne")
    account.set_credentials(CREDS)
    account.save()
    router = Router().add("POST", "/token", json=load_fixture(__file__, "token.json"))
    router.add("GET", "/youtube/v3/commentThreads", json=load_fixture(__file__, "threads_held.json"))
    router.add("POST", "/youtube/v3/comments/setModerationStatus", httpx.Response(204))
    result = sync_account(account, http=router.client(), now=NOW)
    assert result.status == "ok" and result.items_created == 1
    account.refresh_from_db()
    assert account.rate_state[STATE_KEY] == {"day": "2024-06-02", "units": 2}  # two list calls (published, heldForReview)
    assert account.rate_state["units_today"] == 2
    assert account.rate_state["usage"]["quota_used"] == 2 and account.rate_state["usage"]["quota_limit"] == 10_000

    connector = connector_for(account, http=router.client())
    assert isinstance(connector, YouTubeConnector)
    connector.perform(ActionRequest("hide", target(), "k"))
    account.refresh_from_db()
    assert account.rate_state[STATE_KEY]["units"] == 52


@pytest.mark.django_db(transaction=True)
def test_concurrent_spending_never_exceeds_the_limit(commune: Any) -> None:
    from django.db import connection

    from beffroi.workspace.models import Account

    account = Account.objects.create(commune=commune, platform="youtube", external_id=CH, name="Chaîne")
    store = AccountQuotaStore(account.pk)
    successes: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        quota = QuotaBook(store, limit=2000, reserve=0)
        try:
            for _ in range(15):
                try:
                    quota.spend(50, for_action=True, what="x")
                    successes.append(1)
                except RateLimited:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(successes) == 40  # 2000 / 50, out of 60 attempts
    account.refresh_from_db()
    assert account.rate_state[STATE_KEY]["units"] == 2000
