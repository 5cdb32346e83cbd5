"""The Mastodon user stream listener against the local server's server-sent events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from beffroi.connectors.base import AuthError, FetchedItem
from beffroi.connectors.http import Backoff
from beffroi.connectors.mastodon.connector import MastodonConnector
from beffroi.connectors.mastodon.stream import MastodonStream
from beffroi.connectors.mastodon.tests.fakeserver import FakeMastodon, StreamConnection, fixture

Make = Callable[..., MastodonConnector]


def events(*names: str) -> list[tuple[str, Any]]:
    notifications = {n["status"]["id"]: n for n in fixture("notifications.json") if n.get("status")}
    statuses = fixture("statuses.json")
    out: list[tuple[str, Any]] = []
    for name in names:
        kind, _, key = name.partition(":")
        if kind == "heartbeat":
            out.append(("", None))
        elif kind == "notification":
            out.append(("notification", notifications[statuses[key]["id"]]))
        elif kind == "update":
            out.append(("update", statuses[key]))
        elif kind == "delete":
            out.append(("delete", statuses[key]["id"]))
    return out


def run(stream: MastodonStream, stop: threading.Event, timeout: float = 20.0) -> Any:
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["stats"] = stream.run(stop)
        except BaseException as exc:  # handed to the test
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    stop.set()
    thread.join(5)
    assert not thread.is_alive(), "the listener did not stop"
    if "error" in result:
        raise result["error"]
    return result["stats"]


def test_mentions_and_replies_arrive_and_the_listener_reconnects_after_a_drop(
    fake: FakeMastodon, make_connector: Make
) -> None:
    fake.stream.append(
        StreamConnection(
            events("heartbeat", "notification:insult", "update:question", "delete:answer"), then="close"
        )
    )
    fake.stream.append(
        StreamConnection(events("update:answer", "notification:mention", "update:old"), then="close")
    )
    received: list[FetchedItem] = []
    stream = MastodonStream(
        make_connector(), received.extend, backoff=Backoff(base=0.01, cap=0.05, seed=3), max_connections=2
    )
    stats = run(stream, threading.Event())

    ids = [i.external_id for i in received]
    # jean's answer to the troll is a home-timeline update that concerns neither the commune nor its
    # statuses: left out (polling finds it in the thread); the commune's own old status is kept.
    assert ids == ["112540000000000002", "112540000000000004", "112540000000000005", "112000000000000100"]
    insult = received[0]
    # a reply to the commune: its parent is looked up (GET /api/v1/statuses/:id) to tell a comment on a post
    assert insult.kind == "comment" and insult.parent_external_id == "112540000000000001"
    assert insult.thread_external_id == "112540000000000001"
    assert insult.text.startswith("@mairie Bande d'incapables")
    assert received[-1].is_from_account and received[-1].kind == "post"
    assert stats.connections == 2 and stats.reconnects == 1 and stats.items == 4
    assert fake.stream_connections == 2
    calls = fake.calls("GET", "/api/v1/streaming/user")
    assert calls and calls[0].headers["authorization"].startswith("Bearer ")
    assert (
        len(fake.calls("GET", "/api/v1/accounts/verify_credentials")) == 2
    )  # the token is checked before each connection


def test_the_backoff_grows_while_connections_fail_and_restarts_after_a_healthy_one(
    fake: FakeMastodon, make_connector: Make
) -> None:
    for _ in range(3):
        fake.fail("GET", "/api/v1/streaming/user", 502)
    fake.stream.append(StreamConnection(events("notification:insult"), then="close"))
    delays: list[float] = []

    class RecordingBackoff(Backoff):
        def delay(self, attempt: int, retry_after: float | None = None) -> float:
            delays.append(attempt)
            return 0.01

    received: list[FetchedItem] = []
    stream = MastodonStream(make_connector(), received.extend, backoff=RecordingBackoff(), max_connections=5)
    stats = run(stream, threading.Event())
    assert delays == [0, 1, 2, 0]  # three failures in a row, then a healthy connection resets it
    assert stats.errors == 3 and stats.items == 1 + 0
    assert [i.external_id for i in received] == ["112540000000000002"]


def test_stop_ends_a_connection_that_stays_open(fake: FakeMastodon, make_connector: Make) -> None:
    fake.stream.append(StreamConnection(events("notification:question"), then="hold"))
    received: list[FetchedItem] = []
    stop = threading.Event()
    stream = MastodonStream(
        make_connector(), lambda items: (received.extend(items), stop.set()), backoff=Backoff(base=0.01)
    )
    stats = run(stream, stop)
    assert [i.external_id for i in received] == ["112540000000000004"]
    assert stats.connections == 1 and stats.reconnects == 0


def test_a_revoked_token_stops_the_listener_with_an_auth_error(
    fake: FakeMastodon, make_connector: Make
) -> None:
    fake.stream.append(StreamConnection(events("notification:insult"), then="close"))
    received: list[FetchedItem] = []
    stream = MastodonStream(make_connector(), received.extend, backoff=Backoff(base=0.01))
    original = fake.token

    def revoke(items: list[FetchedItem]) -> None:
        received.extend(items)
        fake.token = "revoked"  # the team revoked the application in Mastodon

    stream.on_items = revoke
    with pytest.raises(AuthError):
        run(stream, threading.Event())
    assert [i.external_id for i in received] == ["112540000000000002"]
    assert original != fake.token


@pytest.mark.django_db
def test_a_stored_account_stream_ingests_items_once(fake: FakeMastodon, commune: Any) -> None:
    from beffroi.connectors.mastodon.stream import run_account_stream
    from beffroi.workspace.models import Account, Item

    account = Account(
        commune=commune, platform="mastodon", external_id="109000000000000001", name="Mairie (Mastodon)"
    )
    account.set_credentials({"instance_url": fake.url, "access_token": fake.token})
    account.save()
    fake.stream.append(StreamConnection(events("notification:insult", "notification:insult"), then="close"))
    stop = threading.Event()
    fake.stream.append(StreamConnection([], then="hold"))

    def stopper() -> None:
        import time

        for _ in range(200):
            if fake.stream_connections >= 2:
                break
            time.sleep(0.05)
        stop.set()

    threading.Thread(target=stopper, daemon=True).start()
    stats = run_account_stream(account.pk, stop)
    assert stats.items == 2
    item = Item.objects.get(commune=commune, platform="mastodon", external_id="112540000000000002")
    assert item.author is not None and item.author.handle == "troll@autre.example"
    assert Item.objects.filter(platform="mastodon").count() == 1


@pytest.mark.django_db(transaction=True)
def test_listening_to_all_accounts_serves_each_connected_one_and_reports_a_broken_one(
    fake: FakeMastodon, commune: Any
) -> None:
    """``--all``: one listener per connected Mastodon account; a refused token marks that account broken
    without stopping the others; a disconnected (broken) account is not listened to."""
    from beffroi.connectors.mastodon.stream import StreamStats, run_all_streams
    from beffroi.workspace.models import Account, AccountStatus, Item

    def account(name: str, external_id: str, token: str, status: str = AccountStatus.ACTIVE) -> Account:
        made = Account(commune=commune, platform="mastodon", external_id=external_id, name=name, status=status)
        made.set_credentials({"instance_url": fake.url, "access_token": token})
        made.save()
        return made

    good = account("Mairie (Mastodon)", "109000000000000001", fake.token)
    revoked = account("Ancien compte", "109000000000000002", "revoked-token")
    account("Compte cassé", "109000000000000003", fake.token, status=AccountStatus.BROKEN)
    fake.stream.append(StreamConnection(events("notification:insult"), then="close"))
    fake.stream.append(StreamConnection([], then="hold"))
    stop = threading.Event()

    def stopper() -> None:
        import time

        for _ in range(300):
            if Item.objects.filter(platform="mastodon").exists() and fake.stream_connections >= 2:
                break
            time.sleep(0.05)
        stop.set()

    threading.Thread(target=stopper, daemon=True).start()
    results = run_all_streams(stop)
    assert set(results) == {good.pk, revoked.pk}
    outcome = results[good.pk]
    assert isinstance(outcome, StreamStats) and outcome.items == 1
    assert str(results[revoked.pk]).startswith("Connexion cassée")
    revoked.refresh_from_db()
    assert revoked.status == AccountStatus.BROKEN
    assert Item.objects.filter(platform="mastodon", external_id="112540000000000002").count() == 1
