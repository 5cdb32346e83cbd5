"""Synchronising an account: fetch pages from the stored cursor, ingest, save the cursor.

Guarantees:
- every item goes through ``do_ingest_item`` (idempotent), so retries, overlapping pages and webhooks
  delivering the same items never store an item twice;
- each page's items and the cursor after that page are committed in ONE transaction: a crash between
  pages loses nothing and repeats nothing but the page in flight;
- the transaction starts by locking the account row and checks that the cursor is still the one the
  page was fetched from, so two workers syncing the same account cannot move the cursor backwards;
- time-outs and 5xx are retried with backoff (in the HTTP client, then per page here); a 429 with a
  long Retry-After defers the account (``rate_state.blocked_until``) instead of holding a worker;
- an expired or revoked token marks the account "connexion cassée" and e-mails the team once (also
  when the connector refuses the stored credentials before any call, e.g. Mastodon without its
  instance address); a successful sync after a reconnection clears it — one that committed its own
  pages, not one that found the cursor already moved by another worker;
- database conflicts (SQLite "database is locked", PostgreSQL deadlocks with a concurrent webhook) roll
  the page back and try it again.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django.db import OperationalError, transaction
from django.utils import timezone

from beffroi import conf
from beffroi.connectors.base import (
    AuthError,
    Capability,
    Connector,
    ConnectorError,
    FetchedItem,
    FetchPage,
    RateLimited,
    TransientError,
)
from beffroi.connectors.http import Backoff, HttpClient, safe_message
from beffroi.connectors.notify import connection_broken, connection_restored
from beffroi.connectors.ratestate import blocked_until, defer, failure_backoff, last_sync_at, record_sync
from beffroi.connectors.runtime import connector_for
from beffroi.core.crypto import SecretError
from beffroi.workspace.models import Account, AccountStatus, Item

logger = logging.getLogger(__name__)
T = TypeVar("T")

QUOTA_PAUSE_PERCENT = 90.0  # usage reported by the platform above which polling pauses
QUOTA_PAUSE_SECONDS = 600.0
PAGE_ATTEMPTS = 4  # fetch attempts per page after the HTTP client's own retries
DB_ATTEMPTS = 8


class CursorMoved(Exception):
    """Another sync of the same account committed a page meanwhile."""


@dataclass
class SyncResult:
    account_id: int
    status: str  # ok | more | deferred | broken | failed | skipped
    pages: int = 0
    items_seen: int = 0
    items_created: int = 0
    retries: int = 0  # page-level retries (the HTTP client's own are in its stats)
    db_retries: int = 0
    duration_s: float = 0.0
    retry_at: dt.datetime | None = None
    detail_fr: str = ""

    @property
    def has_more(self) -> bool:
        return self.status == "more"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["retry_at"] = self.retry_at.isoformat() if self.retry_at else None
        return data


def with_db_retry(
    fn: Callable[[], T],
    *,
    attempts: int = DB_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[], None] | None = None,
) -> T:
    """Run ``fn`` (which opens its own transaction) again when the database reports a conflict."""
    backoff = Backoff(base=0.05, cap=2.0)
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if attempt == attempts - 1:
                raise
            logger.info("database conflict (%s), retrying", type(exc).__name__)
            if on_retry:
                on_retry()
            sleep(backoff.delay(attempt))
    raise AssertionError("unreachable")


def ingest_items(account: Account, items: list[FetchedItem]) -> int:
    """Ingest items for this account (inside the caller's transaction); returns how many were new."""
    from beffroi.workspace.actions.ingest import do_ingest_item

    created = 0
    for fetched in items:
        _, new = do_ingest_item(
            commune=account.commune, fetched=fetched, account=account, moderated=fetched.moderated
        )
        created += int(new)
    return created


def commit_page(account: Account, cursor_before: dict[str, Any], page: FetchPage) -> int:
    """Store the page's items and its cursor atomically (see the module doc). Returns new items."""
    with transaction.atomic():
        # First statement = a write: takes the row lock (PostgreSQL) / the write lock (SQLite) before
        # any read, so the check below and the inserts see a stable state.
        Account.objects.filter(pk=account.pk).update(last_fetch_at=timezone.now())
        current = Account.objects.only("cursor").get(pk=account.pk).cursor or {}
        if current != cursor_before:
            raise CursorMoved()
        created = ingest_items(account, page.items)
        Account.objects.filter(pk=account.pk).update(cursor=page.cursor)
    account.cursor = page.cursor
    return created


def _fetch_page(
    connector: Connector,
    cursor: dict[str, Any],
    result: SyncResult,
    backoff: Backoff,
    sleep: Callable[[float], None],
    max_wait: float,
) -> FetchPage:
    attempt = 0
    while True:
        try:
            return connector.fetch(cursor)
        except RateLimited as exc:
            wait = exc.retry_after
            if wait is None or wait > max_wait or attempt + 1 >= PAGE_ATTEMPTS:
                raise
            delay = backoff.delay(attempt, wait)
        except TransientError:
            if attempt + 1 >= PAGE_ATTEMPTS:
                raise
            delay = backoff.delay(attempt + 2)  # the HTTP client already retried quickly
        result.retries += 1
        sleep(delay)
        attempt += 1


def sync_account(
    account: Account | int,
    *,
    http: Any | None = None,
    max_pages: int | None = None,
    force: bool = False,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: dt.datetime | None = None,
) -> SyncResult:
    """Fetch new items for the account, from its stored cursor, until the platform has no more or
    ``max_pages`` (``SYNC_MAX_PAGES``) pages were read (status ``more``: call again)."""
    if not isinstance(account, Account):
        account = Account.objects.select_related("commune").get(pk=account)
    else:
        account.refresh_from_db()
    started = time.monotonic()
    result = SyncResult(account_id=account.pk, status="ok")
    now = now or timezone.now()
    if account.status == AccountStatus.DISABLED:
        result.status, result.detail_fr = "skipped", "Compte désactivé."
        return result
    if account.status == AccountStatus.BROKEN and not force:
        result.status, result.detail_fr = "skipped", account.status_detail or "Connexion cassée."
        return result
    until = blocked_until(account, now)
    if until is not None and not force:
        result.status, result.retry_at = "deferred", until
        result.detail_fr = (account.rate_state or {}).get(
            "blocked_reason"
        ) or "Limite d'appels de la plateforme."
        return result
    try:
        connector = connector_for(account, http=http)
    except SecretError:
        # The stored token cannot be decrypted (encryption key changed or lost): only a reconnection helps.
        connection_broken(
            account, "impossible de déchiffrer le jeton enregistré (clé de chiffrement changée ?)"
        )
        result.status, result.detail_fr = "broken", account.status_detail
        return result
    except AuthError as exc:
        # Refused before any call (e.g. Mastodon without its instance or token): a broken connection that
        # only the team can repair, not a failure to retry.
        connection_broken(account, exc)
        result.status, result.detail_fr = "broken", account.status_detail
        _record(account, result, started, None, ok=False, error_fr=result.detail_fr)
        return result
    except ConnectorError as exc:
        return _fail(account, result, exc, started)
    except (KeyError, ImportError, AttributeError, TypeError) as exc:
        logger.error("no usable connector for account %s (%s): %s", account.pk, account.platform, exc)
        return _fail(
            account, result, exc, started, detail_fr="Le connecteur de cette plateforme est indisponible."
        )
    if Capability.FETCH not in connector.capabilities:
        result.status, result.detail_fr = "skipped", "Cette plateforme ne permet pas de lire les messages."
        return result
    max_pages = max_pages or int(conf.get("SYNC_MAX_PAGES"))
    backoff = backoff or Backoff(base=1.0, cap=120.0)
    api: HttpClient | None = getattr(connector, "api", None)
    calls_before = api.stats.requests if api else 0
    max_wait = float(conf.get("HTTP_MAX_INLINE_WAIT"))
    cursor = _json_copy(account.cursor or {})

    def count_db_retry() -> None:
        result.db_retries += 1

    moved = False
    try:
        for _ in range(max_pages):
            page = _fetch_page(connector, cursor, result, backoff, sleep, max_wait)
            page = FetchPage(items=page.items, cursor=_json_copy(page.cursor), has_more=page.has_more)
            created = with_db_retry(
                functools.partial(commit_page, account, cursor, page), sleep=sleep, on_retry=count_db_retry
            )
            result.pages += 1
            result.items_seen += len(page.items)
            result.items_created += created
            cursor = dict(page.cursor)
            if not page.has_more:
                break
        else:
            result.status = "more"
    except CursorMoved:
        moved = True
        result.detail_fr = "Une autre synchronisation de ce compte était en cours."
    except AuthError as exc:
        connection_broken(account, exc)
        result.status, result.detail_fr = "broken", account.status_detail
        _record(account, result, started, connector, ok=False, error_fr=result.detail_fr)
        return result
    except RateLimited as exc:
        reason = exc.message_fr or "Limite d'appels de la plateforme."
        result.retry_at = defer(account, exc.retry_after, reason)
        result.status, result.detail_fr = "deferred", reason
        _record(account, result, started, connector, ok=False, error_fr="")
        return result
    except ConnectorError as exc:
        return _fail(account, result, exc, started, connector)
    except Exception as exc:  # an import file with errors, a parsing bug: recorded, never silent
        from beffroi.connectors.importer.formats import ImportFileError

        if isinstance(exc, ImportFileError):
            return _fail(
                account,
                result,
                exc,
                started,
                connector,
                detail_fr="Le fichier contient des erreurs : " + str(exc),
            )
        logger.exception("sync of account %s failed", account.pk)
        return _fail(
            account,
            result,
            exc,
            started,
            connector,
            detail_fr="Erreur inattendue pendant la synchronisation.",
        )
    # Restored only by a sync that committed its own pages: when another worker moved the cursor first,
    # this one proved nothing about the connection (the other sync decides).
    if account.status == AccountStatus.BROKEN and not moved:
        connection_restored(account)
    _record(
        account,
        result,
        started,
        connector,
        ok=True,
        calls=(api.stats.requests - calls_before) if api else result.pages,
    )
    _pause_if_quota_nearly_spent(account, connector, result)
    return result


def _pause_if_quota_nearly_spent(account: Account, connector: Connector, result: SyncResult) -> None:
    """Honour usage headers (Meta's X-App-Usage / X-Business-Use-Case-Usage …): when the platform says
    the quota is nearly spent, pause polling before it starts refusing calls (actions keep their share)."""
    usage = connector.usage()
    percent = float(usage.get("max_percent") or 0)
    if percent < QUOTA_PAUSE_PERCENT:
        return
    wait = float(usage.get("regain_seconds") or 0) or QUOTA_PAUSE_SECONDS * (
        1 + (percent - QUOTA_PAUSE_PERCENT) / 5
    )
    reason = f"Quota de la plateforme presque épuisé ({percent:.0f} %) : pause préventive."
    result.retry_at = defer(account, wait, reason)
    result.detail_fr = reason


def _json_copy(value: Any) -> dict[str, Any]:
    """The cursor as the database will give it back (tuples become lists …), for exact comparison."""
    return dict(json.loads(json.dumps(value)))


def _fail(
    account: Account,
    result: SyncResult,
    exc: BaseException,
    started: float,
    connector: Connector | None = None,
    *,
    detail_fr: str | None = None,
) -> SyncResult:
    secrets = _secrets(account)
    message = detail_fr or (exc.message_fr if isinstance(exc, ConnectorError) else safe_message(exc, secrets))
    logger.warning("sync of account %s failed: %s", account.pk, safe_message(exc, secrets))
    result.status, result.detail_fr = "failed", message
    result.retry_at = timezone.now() + failure_backoff(account)
    _record(account, result, started, connector, ok=False, error_fr=message)
    return result


def _secrets(account: Account) -> list[str]:
    try:
        return [str(v) for v in account.get_credentials().values() if isinstance(v, str)]
    except Exception:
        return []


def _record(
    account: Account,
    result: SyncResult,
    started: float,
    connector: Connector | None,
    *,
    ok: bool,
    error_fr: str = "",
    calls: int | None = None,
) -> None:
    result.duration_s = round(time.monotonic() - started, 3)
    summary = {
        "pages": result.pages,
        "items_seen": result.items_seen,
        "items_created": result.items_created,
        "retries": result.retries,
        "status": result.status,
        "duration_s": result.duration_s,
    }
    usage = dict(connector.usage()) if connector is not None else {}
    units = int(usage.pop("units", 0) or 0)
    api: HttpClient | None = getattr(connector, "api", None) if connector is not None else None
    if calls is None:
        calls = api.stats.requests if api else result.pages
    record_sync(
        account, ok=ok, summary=summary, error_fr=error_fr, calls=calls, units=units, usage=usage or None
    )


def due_for_sync(
    account: Account, *, now: dt.datetime | None = None, every: dt.timedelta | None = None
) -> bool:
    """Should the periodic job poll this account now?"""
    now = now or timezone.now()
    if account.status != AccountStatus.ACTIVE or account.platform == "import":
        return False
    if blocked_until(account, now) is not None:
        return False
    last = last_sync_at(account)
    if last is None:
        return True
    wait = max(every or dt.timedelta(), failure_backoff(account))
    return now - last >= wait - dt.timedelta(seconds=5)


def ingest_webhook_items(account: Account, items: list[FetchedItem], *, receipt_id: int | None = None) -> int:
    """Ingest items delivered by a webhook, with the same conflict handling as the sync."""
    from beffroi.connectors.models import WebhookReceipt

    def run() -> int:
        with transaction.atomic():
            if receipt_id is not None:  # a write first: takes the lock before the reads (see commit_page)
                WebhookReceipt.objects.filter(pk=receipt_id).update(items_seen=len(items))
            return ingest_items(account, items)

    return with_db_retry(run)


def items_count(account: Account) -> int:
    return Item.objects.filter(account=account).count()
