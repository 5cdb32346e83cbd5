"""Real-time items from Mastodon's user stream, for a long-running worker.

``MastodonStream(connector, on_items).run(stop)`` listens to ``GET /api/v1/streaming/user`` (server-sent
events, Mastodon.py's ``stream_user``): ``notification`` events of type ``mention`` and ``update`` /
``status.update`` events that answer the commune (or are its own statuses) become items, handed to
``on_items``. When the connection drops (network, server restart, read time-out with no heartbeat)
it reconnects after a backoff (exponential with jitter, deterministic under a seed, reset after a
connection that received events). Before each connection the token is checked
(``verify_credentials``): a revoked token raises :class:`AuthError` and stops the listener.

The stream only brings items sooner: the periodic polling (``fetch``) stays the source of truth and
catches what a dropped connection missed. Run one listener per account with::

    python -m beffroi.connectors.mastodon.stream --account 12
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mastodon import StreamListener
from mastodon import errors as mde

from beffroi.connectors.base import AuthError, ConnectorError, FetchedItem
from beffroi.connectors.http import Backoff
from beffroi.connectors.mastodon.connector import MastodonConnector, map_error
from beffroi.connectors.mastodon.convert import status_item

logger = logging.getLogger(__name__)


class _Stopped(Exception):
    """Raised inside the listener to leave the blocking stream when asked to stop."""


@dataclass
class StreamStats:
    connections: int = 0
    reconnects: int = 0
    events: int = 0
    items: int = 0
    errors: int = 0
    last_error: str = ""


class _Listener(StreamListener):
    def __init__(self, stream: MastodonStream, stop: threading.Event) -> None:
        super().__init__()
        self.stream = stream
        self.stop = stop
        self.events = 0

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise _Stopped()

    def handle_heartbeat(self) -> None:
        self._check_stop()

    def on_any_event(self, name: str, data: Any | None = None, for_stream: str | None = None) -> None:
        self.events += 1
        self.stream.stats.events += 1
        self._check_stop()

    def on_notification(self, notification: Mapping[str, Any]) -> None:
        status = notification.get("status")
        if notification.get("type") == "mention" and isinstance(status, Mapping):
            self.stream.deliver(status)

    def on_update(self, status: Mapping[str, Any]) -> None:
        # The home timeline also carries statuses of followed accounts: keep what concerns the commune.
        me = self.stream.connector.account_id
        account = status.get("account") or {}
        if str(status.get("in_reply_to_account_id") or "") == me or str(account.get("id") or "") == me:
            self.stream.deliver(status)

    def on_status_update(self, status: Mapping[str, Any]) -> None:
        self.on_update(status)  # an edit: ingestion judges the new text again

    def on_unknown_event(self, name: str, unknown_event: Any = None) -> None:
        logger.debug("mastodon stream: unknown event %s", name)


class MastodonStream:
    def __init__(
        self,
        connector: MastodonConnector,
        on_items: Callable[[list[FetchedItem]], Any],
        *,
        backoff: Backoff | None = None,
        read_timeout: float = 90.0,
        max_connections: int | None = None,
    ) -> None:
        self.connector = connector
        self.on_items = on_items
        self.backoff = backoff or Backoff(base=1.0, factor=2.0, cap=300.0)
        self.read_timeout = read_timeout  # Mastodon sends a heartbeat every ~15 s
        self.max_connections = max_connections
        self.stats = StreamStats()

    def deliver(self, status: Mapping[str, Any]) -> None:
        # An answer to the commune: a comment if the status answered is one of its posts (one call).
        roots = self.connector.commune_posts_answered([status], known={})
        item = status_item(status, account_id=self.connector.account_id, roots=roots)
        self.on_items([item])
        self.stats.items += 1

    def run(self, stop: threading.Event) -> StreamStats:
        """Listen until ``stop`` is set (or ``max_connections`` connections ended). Raises AuthError when
        the token is refused."""
        attempt = 0
        while not stop.is_set():
            if self.max_connections is not None and self.stats.connections >= self.max_connections:
                break
            listener = _Listener(self, stop)
            try:
                self.connector.identify()  # a revoked token → AuthError, which ends the listener
                self.stats.connections += 1
                self.connector.mastodon.stream_user(listener, run_async=False, timeout=self.read_timeout)
            except _Stopped:
                break
            except AuthError:
                raise
            except ConnectorError as exc:
                self._failed(exc)
            except mde.MastodonError as exc:
                mapped = map_error(exc, self.connector.mastodon)
                if isinstance(mapped, AuthError):
                    raise mapped from exc
                self._failed(mapped)
            except Exception as exc:  # a delivery failed (database …): polling will bring the item later
                logger.exception("mastodon stream: delivery failed")
                self._failed(exc)
            if listener.events:
                attempt = 0  # a healthy connection: start the backoff again from its base
            if stop.is_set() or (
                self.max_connections is not None and self.stats.connections >= self.max_connections
            ):
                break
            delay = self.backoff.delay(attempt)
            attempt += 1
            self.stats.reconnects += 1
            logger.info("mastodon stream: reconnecting in %.1f s", delay)
            if stop.wait(delay):
                break
        return self.stats

    def _failed(self, exc: BaseException) -> None:
        self.stats.errors += 1
        self.stats.last_error = type(exc).__name__
        logger.warning("mastodon stream: connection lost (%s)", type(exc).__name__)


def run_account_stream(account_id: int, stop: threading.Event | None = None) -> StreamStats:
    """Listen for one stored account: items go through the same ingestion as webhooks; a refused token
    marks the account « connexion cassée » and e-mails the team."""
    from beffroi.connectors.notify import connection_broken
    from beffroi.connectors.runtime import connector_for
    from beffroi.connectors.sync import ingest_webhook_items
    from beffroi.workspace.models import Account

    account = Account.objects.select_related("commune").get(pk=account_id, platform="mastodon")
    connector = connector_for(account)
    assert isinstance(connector, MastodonConnector)
    stream = MastodonStream(connector, lambda items: ingest_webhook_items(account, items))
    try:
        return stream.run(stop or threading.Event())
    except AuthError as exc:
        connection_broken(account, exc)
        raise


def run_all_streams(stop: threading.Event, account_ids: list[int] | None = None) -> dict[int, StreamStats | str]:
    """Listen to every connected Mastodon account (or those given), one thread each, until ``stop``.

    An account whose token is refused is marked « connexion cassée » (its thread ends, the others go on).
    Returns, per account, its statistics or the French reason it stopped."""
    from django.db import connection

    from beffroi.workspace.models import Account, AccountStatus

    if account_ids is None:
        account_ids = list(
            Account.objects.filter(platform="mastodon", status=AccountStatus.ACTIVE).values_list("pk", flat=True)
        )
    results: dict[int, StreamStats | str] = {}

    def listen(account_id: int) -> None:
        try:
            results[account_id] = run_account_stream(account_id, stop)
        except AuthError as exc:
            results[account_id] = f"Connexion cassée : {exc.message_fr}"
        except Exception as exc:  # one account's failure must not stop the others
            logger.exception("mastodon stream for account %s stopped", account_id)
            results[account_id] = f"Arrêt sur erreur : {type(exc).__name__}"
        finally:
            connection.close()  # this thread's own database connection

    threads = [threading.Thread(target=listen, args=(pk,), name=f"mastodon-{pk}", daemon=True) for pk in account_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Écoute en direct les comptes Mastodon connectés à Beffroi.")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--account", type=int, help="identifiant du compte dans Beffroi")
    which.add_argument("--all", action="store_true", help="tous les comptes Mastodon connectés, de toutes les communes")
    args = parser.parse_args(argv)
    import os
    import signal

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beffroi.web.settings")
    import django

    django.setup()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.all:
        results = run_all_streams(stop)
        if not results:
            print("Aucun compte Mastodon connecté.")
        for account_id, outcome in sorted(results.items()):
            if isinstance(outcome, StreamStats):
                outcome = f"{outcome.connections} connexion(s), {outcome.items} élément(s) reçu(s)"
            print(f"Compte {account_id} : {outcome}")
        return 0
    try:
        stats = run_account_stream(args.account, stop)
    except AuthError as exc:
        print(f"Connexion cassée : {exc.message_fr}")
        return 2
    print(f"Arrêt : {stats.connections} connexion(s), {stats.items} élément(s) reçu(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
