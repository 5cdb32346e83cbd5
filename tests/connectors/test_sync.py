"""Synchronising an account: idempotent ingestion, cursor committed with its page, rate limits,
transient failures, broken connections (state + one e-mail), tokens never logged, encrypted at rest."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.utils import timezone

from beffroi.connectors import registry
from beffroi.connectors.base import Capability, Connector, FetchPage
from beffroi.connectors.http import HttpClient, json_of
from beffroi.connectors.sync import CursorMoved, commit_page, due_for_sync, sync_account
from beffroi.connectors.testing import Router
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.tasks import run_task
from beffroi.workspace.models import Account, AccountStatus, Item

FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/facebook/fixtures"
PAGE = "104820123456789"
POST2 = f"{PAGE}_801000000000002"
TOKEN = "EAAPAGETOKENFIXTURE123"
V = "/v21.0"

pytestmark = pytest.mark.django_db


def fx(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def graph() -> Router:
    router = Router()
    router.add(
        "GET",
        f"{V}/{PAGE}/feed",
        httpx.Response(200, json=fx("feed_page1.json")),
        httpx.Response(200, json=fx("feed_page2.json")),
    )
    router.add("GET", f"{V}/{POST2}/comments", json=fx("comments_post2.json"))
    return router


@pytest.fixture
def account(commune: Any) -> Account:
    acc = Account(commune=commune, platform="facebook", external_id=PAGE, name="Page de la mairie")
    acc.set_credentials({"access_token": TOKEN, "app_secret": "s3cr3t-app"})
    acc.save()
    return acc


def test_sync_stores_each_item_once_and_saves_the_cursor(account: Account) -> None:
    router = graph()
    result = sync_account(account, http=router.http())
    assert result.status == "ok" and result.pages == 3
    assert result.items_created == 6 == Item.objects.filter(account=account).count()
    account.refresh_from_db()
    assert account.cursor["last_round"] is not None and account.cursor["round_start"] is None
    reply = Item.objects.get(external_id="801000000000002_900000000000003")
    assert reply.parent is not None and reply.parent.external_id == "801000000000002_900000000000001"
    assert Item.objects.get(external_id="801000000000002_900000000000002").platform_state == "hidden"
    assert not Item.objects.get(external_id=POST2).moderated  # the Page's own post
    assert Item.objects.get(external_id="801000000000002_900000000000002").moderated
    rate = account.rate_state
    assert (
        rate["calls_today"] == 3
        and rate["last_sync"]["items_created"] == 6
        and rate["consecutive_failures"] == 0
    )
    # Polling again (the platform still lists the same items): nothing new, nothing twice.
    again = sync_account(account, http=graph().http())
    assert again.status == "ok" and again.items_created == 0
    assert Item.objects.filter(account=account).count() == 6


def test_items_and_cursor_are_committed_together(account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.workspace.actions import ingest

    real = ingest.do_ingest_item
    calls = {"n": 0}

    def flaky(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:  # second item of the comments page
            raise RuntimeError("crash in the middle of a page")
        return real(**kwargs)

    monkeypatch.setattr(ingest, "do_ingest_item", flaky)
    result = sync_account(account, http=graph().http())
    assert result.status == "failed"
    account.refresh_from_db()
    # Page 1 (two posts) is committed with its cursor; nothing of the failed page is.
    assert set(Item.objects.values_list("external_id", flat=True)) == {POST2, f"{PAGE}_801000000000001"}
    assert account.cursor["pending"] == [POST2] and account.cursor["current"] is None
    monkeypatch.setattr(ingest, "do_ingest_item", real)
    router = Router()
    router.add("GET", f"{V}/{POST2}/comments", json=fx("comments_post2.json"))
    router.add("GET", f"{V}/{PAGE}/feed", json=fx("feed_page2.json"))
    resumed = sync_account(account, http=router.http())
    assert resumed.status == "ok"
    assert [r.url.path for r in router.requests] == [
        f"{V}/{POST2}/comments",
        f"{V}/{PAGE}/feed",
    ]  # resumed, not restarted
    assert router.requests[1].url.params["after"] == "QVFIUmFmdGVyMQZDZD"
    assert Item.objects.count() == 6


def test_a_stale_cursor_cannot_overwrite_a_newer_one(account: Account) -> None:
    account.cursor = {"offset": 5}
    account.save()
    page = FetchPage(items=[], cursor={"offset": 3})
    with pytest.raises(CursorMoved):
        commit_page(account, {"offset": 0}, page)
    account.refresh_from_db()
    assert account.cursor == {"offset": 5}


def test_a_database_conflict_replays_the_page(account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.connectors import sync

    real = sync.ingest_items
    failures = {"left": 1}

    def locked_once(acc: Account, items: list[Any]) -> int:
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("database is locked")
        return real(acc, items)

    monkeypatch.setattr(sync, "ingest_items", locked_once)
    result = sync_account(account, http=graph().http(), sleep=lambda s: None)
    assert result.status == "ok" and result.db_retries == 1 and Item.objects.count() == 6


def test_a_long_rate_limit_defers_the_account(account: Account) -> None:
    buc = json.dumps(
        {
            PAGE: [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 5,
                    "total_time": 5,
                    "estimated_time_to_regain_access": 10,
                }
            ]
        }
    )
    router = Router().add(
        "GET",
        f"{V}/{PAGE}/feed",
        json=fx("error_rate_limit.json"),
        status=400,
        headers={"X-Business-Use-Case-Usage": buc},
    )
    before = timezone.now()
    result = sync_account(account, http=router.http())
    assert result.status == "deferred" and result.retry_at is not None
    assert dt.timedelta(minutes=9) < result.retry_at - before < dt.timedelta(minutes=11)
    account.refresh_from_db()
    assert account.rate_state["rate_limited_count"] == 1 and "limite" in account.rate_state["blocked_reason"]
    assert account.status == AccountStatus.ACTIVE  # a pause, not a broken connection
    calls = len(router.requests)
    assert (
        sync_account(account, http=router.http()).status == "deferred" and len(router.requests) == calls
    )  # nothing sent
    assert not due_for_sync(account)
    later = sync_account(account, http=graph().http(), now=result.retry_at + dt.timedelta(seconds=1))
    assert later.status == "ok" and Item.objects.count() == 6


def test_transient_failures_are_retried_then_recorded_without_moving_the_cursor(account: Account) -> None:
    router = Router().add("GET", f"{V}/{PAGE}/feed", httpx.Response(502))
    slept: list[float] = []
    result = sync_account(account, http=router.http(), sleep=slept.append)
    assert result.status == "failed" and result.retries == 3 and len(slept) == 3
    assert len(router.requests) == 4 * 4  # 4 page attempts × (1 + 3 HTTP retries)
    account.refresh_from_db()
    assert account.cursor == {} and account.rate_state["consecutive_failures"] == 1
    assert "ne répond pas" in account.rate_state["last_error"]
    assert account.status == AccountStatus.ACTIVE


def test_expired_token_breaks_the_connection_and_emails_once(account: Account, make_member: Any) -> None:
    direction = make_member(account.commune, Role.DIRECTION_COM)
    cm = make_member(account.commune, Role.COMMUNITY_MANAGER)
    secretary = make_member(account.commune, Role.SECRETAIRE)
    for user, address in (
        (direction, "direction@mairie.example"),
        (cm, "cm@mairie.example"),
        (secretary, "secretariat@mairie.example"),
    ):
        user.email = address
        user.save()
    expired = Router().add("GET", f"{V}/{PAGE}/feed", json=fx("error_expired_token.json"), status=400)
    result = sync_account(account, http=expired.http())
    assert result.status == "broken"
    account.refresh_from_db()
    assert account.status == AccountStatus.BROKEN
    assert account.status_detail.startswith("Connexion cassée : meta refuse le jeton")
    assert account.status_detail.endswith("Reconnectez le compte.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["cm@mairie.example", "direction@mairie.example"]
    assert "Page de la mairie" in message.subject and "/c/saint-aubin/comptes/" in message.body
    assert TOKEN not in message.body
    # Still broken: no second e-mail, whoever tries (forced sync, periodic job).
    assert sync_account(account, http=expired.http(), force=True).status == "broken"
    assert sync_account(account, http=expired.http()).status == "skipped"
    assert run_task("connectors.sync_all", {}) == []
    assert len(mail.outbox) == 1
    assert AuditRecord.objects.filter(verb="account.broken").count() == 1
    # Reconnected (a new token that works): connected again.
    result = sync_account(account, http=graph().http(), force=True)
    assert result.status == "ok"
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and account.status_detail == ""
    assert AuditRecord.objects.filter(verb="account.restored").count() == 1
    # A new breakage later is a new e-mail.
    sync_account(account, http=expired.http())
    assert len(mail.outbox) == 2


def test_sync_all_enqueues_only_due_accounts(account: Account, other_commune: Any, commune: Any) -> None:
    broken = Account.objects.create(
        commune=commune, platform="facebook", external_id="2", name="b", status=AccountStatus.BROKEN
    )
    imported = Account.objects.create(commune=commune, platform="import", external_id="3", name="i")
    Account.objects.create(
        commune=commune, platform="facebook", external_id="4", name="d", status=AccountStatus.DISABLED
    )
    recent = Account.objects.create(
        commune=commune,
        platform="facebook",
        external_id="5",
        name="r",
        rate_state={"last_sync_at": timezone.now().isoformat()},
    )
    assert (
        due_for_sync(account)
        and not due_for_sync(broken)
        and not due_for_sync(imported)
        and due_for_sync(recent)
    )
    assert not due_for_sync(recent, every=dt.timedelta(minutes=5))
    failing = Account.objects.create(
        commune=commune,
        platform="facebook",
        external_id="6",
        name="f",
        rate_state={
            "last_sync_at": (timezone.now() - dt.timedelta(minutes=6)).isoformat(),
            "consecutive_failures": 4,
        },
    )
    assert not due_for_sync(failing, every=dt.timedelta(minutes=5))  # backs off after repeated failures


# ---------------------------------------------------------------------------------------------
# Secrets


class TokenInUrlConnector(Connector):
    """A platform that wants its key in the query string (many do): the framework must still keep it
    out of logs and error messages."""

    platform = "tokenurl"
    label = "Plateforme à clé dans l'URL"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        self.api = HttpClient.from_injected(http, secrets=[str(config.credentials.get("api_key", ""))])

    def fetch(self, cursor: Any) -> FetchPage:
        key = self.config.credentials["api_key"]
        json_of(
            self.api.request(
                "GET", f"https://api.tokenurl.example/v1/items?api_key={key}&access_token={key}&since=0"
            )
        )
        return FetchPage(items=[], cursor={})


def test_tokens_never_reach_logs_and_are_encrypted_at_rest(
    commune: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "tokenurl", f"{__name__}:TokenInUrlConnector")
    key = "TOPSECRETKEY-9f8e7d6c5b"
    acc = Account(commune=commune, platform="tokenurl", external_id="x", name="x")
    acc.set_credentials({"api_key": key})
    acc.save()
    router = Router().add(
        "GET",
        "/v1/items",
        httpx.Response(500),
        httpx.ReadTimeout(f"timed out on https://api.tokenurl.example/v1/items?api_key={key}"),
    )
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "beffroi"):
        caplog.set_level(logging.DEBUG, logger=name)
    result = sync_account(acc, http=router.http())
    assert result.status == "failed"
    assert key in str(router.requests[0].url)  # it really travelled in the URL…
    assert caplog.records
    assert key not in caplog.text  # …but no log line shows it
    acc.refresh_from_db()
    assert key not in json.dumps(acc.rate_state) and key not in result.detail_fr
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_encrypted FROM workspace_account WHERE id = %s", [acc.pk])
        stored = cursor.fetchone()[0]
    assert stored and key not in stored
    assert acc.get_credentials() == {"api_key": key}


def test_facebook_sync_never_logs_the_page_token(account: Account, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    router = Router()
    router.add("GET", f"{V}/{PAGE}/feed", json=fx("feed_page1.json"))  # its paging.next carries the token
    router.add(
        "GET", f"{V}/{POST2}/comments", httpx.Response(500), json=fx("error_expired_token.json"), status=400
    )
    result = sync_account(account, http=router.http())
    assert result.status in ("failed", "broken")
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(r.url) for r in router.requests)


def test_polling_pauses_when_the_platform_says_the_quota_is_nearly_spent(account: Account) -> None:
    router = graph()
    router.add(
        "GET",
        f"{V}/{POST2}/comments",
        json=fx("comments_post2.json"),
        headers={"X-App-Usage": '{"call_count": 96, "total_time": 20, "total_cputime": 20}'},
    )
    result = sync_account(account, http=router.http())
    assert result.status == "ok" and result.items_created == 6  # the work is done…
    assert result.retry_at is not None and "96 %" in result.detail_fr  # …then a pause before Meta refuses
    account.refresh_from_db()
    assert account.rate_state["usage"]["app"]["call_count"] == 96
    assert not due_for_sync(account)


# ---------------------------------------------------------------------------------------------
# Broken connections found before any call, and concurrent syncs


def test_credentials_refused_when_building_the_connector_break_the_connection(commune: Any) -> None:
    """Mastodon without its instance address or token: the connector refuses to start (AuthError). That is
    a broken connection the team must repair ("connexion cassée", one e-mail), not a failure to retry."""
    acc = Account(commune=commune, platform="mastodon", external_id="109000000000000001", name="Mastodon mairie")
    acc.set_credentials({"access_token": "only-a-token"})
    acc.save()
    result = sync_account(acc)
    assert result.status == "broken"
    acc.refresh_from_db()
    assert acc.status == AccountStatus.BROKEN
    assert acc.status_detail.startswith("Connexion cassée : il manque l'adresse de l'instance")
    assert AuditRecord.objects.filter(verb="account.broken").count() == 1
    assert sync_account(acc).status == "skipped"  # no retry loop on a connection only a person can repair


class CursorRaceConnector(Connector):
    """Fetches a page fine, but another worker commits a page of the same account meanwhile."""

    platform = "cursorrace"
    label = "Plateforme en concurrence"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})

    def fetch(self, cursor: Any) -> FetchPage:
        Account.objects.filter(platform="cursorrace").update(cursor={"offset": 99})  # the other worker
        return FetchPage(items=[], cursor={"offset": 1})


def test_a_sync_that_lost_the_race_does_not_declare_a_broken_account_restored(
    commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "cursorrace", f"{__name__}:CursorRaceConnector")
    acc = Account.objects.create(
        commune=commune, platform="cursorrace", external_id="r", name="r", status=AccountStatus.BROKEN, status_detail="Connexion cassée : jeton refusé."
    )
    result = sync_account(acc, force=True)
    assert "autre synchronisation" in result.detail_fr
    acc.refresh_from_db()
    assert acc.status == AccountStatus.BROKEN and acc.cursor == {"offset": 99}  # the other worker's cursor kept
    assert not AuditRecord.objects.filter(verb="account.restored").exists()
    # The same connector without a concurrent worker does restore it.
    monkeypatch.setattr(CursorRaceConnector, "fetch", lambda self, cursor: FetchPage(items=[], cursor={"offset": 100}))
    assert sync_account(acc, force=True).status == "ok"
    acc.refresh_from_db()
    assert acc.status == AccountStatus.ACTIVE and acc.cursor == {"offset": 100}
