"""The transactional outbox: decisions are applied on the platforms at least once, never twice.

1. **Record.** :func:`record` writes an :class:`OutboxEntry` in the SAME transaction as the decision
   (state ``pending``, a unique idempotency key). Delivery is enqueued only once that transaction
   commits; if the process dies in between, nothing is lost: the entry is in the database.
2. **Send.** :func:`deliver` claims the entry with a compare-and-set (``pending`` → ``sending`` with
   a lease), asks the account's connector to check then perform the action, and records success
   (``applied``) — or schedules a new attempt with exponential backoff, honouring the platform's
   Retry-After, or gives up after ``OUTBOX_MAX_ATTEMPTS`` (``failed``, "échouée — réessayer").
   A rate limit ("too many requests") pauses the whole account (``ratestate.defer``) and the entry
   waits for Retry-After without spending an attempt; a refused token marks the account "connexion
   cassée" (the team gets one e-mail) and the entry waits for the reconnection, without spending an
   attempt either. The API calls of every action are counted on the account (``record_usage``).
3. **Recover.** :func:`sweep` (periodic) sends the entries whose delivery never ran (crash between
   record and send), takes back the entries whose worker died while sending (lease expired), and
   sends again the entries that failed because the account's connection was broken once it has
   been reconnected.
4. **Never twice.** When an earlier attempt may have reached the platform (a crash after sending
   but before recording success, a time-out), an action that is not idempotent on the platform (a
   reply) is first looked for with ``connector.reconcile()``: if it is there, it is recorded as
   applied without sending it again; if the platform cannot tell, the entry stops as "à vérifier"
   and a person decides. Idempotent actions (hide, delete, block) are simply sent again.

Entries of the same item are applied in order (an "unhide" never overtakes the "hide" it undoes).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from beffroi import conf
from beffroi.connectors.base import (
    ActionRequest,
    ActionResult,
    ActionTarget,
    AuthError,
    ConnectorError,
    NotAllowed,
    PermanentError,
    RateLimited,
)
from beffroi.core.audit import log_audit
from beffroi.workspace.models import (
    Account,
    AccountStatus,
    Decision,
    Item,
    OutboxEntry,
    OutboxState,
    PlatformState,
)

logger = logging.getLogger(__name__)

# Error kinds shown and used by the sweeper.
TRANSIENT = "transient"
NOT_SENT = "not_sent"  # failed before reaching the platform: a new attempt needs no reconciliation
RATE_LIMITED = "rate_limited"
AUTH = "auth"
REFUSED = "refused"
UNCERTAIN = "uncertain"

_STATE_AFTER: dict[str, str] = {"hide": PlatformState.HIDDEN, "unhide": PlatformState.VISIBLE, "delete": PlatformState.DELETED}


def _setting(name: str) -> int:
    return int(conf.get(name))


def backoff_delay(attempts: int, *, retry_after: float | None = None, rng: random.Random | None = None) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: base × 2^(attempts-1), capped, plus up to 20 % spread so
    that many entries failing together do not come back at once; never less than Retry-After."""
    base = _setting("OUTBOX_BACKOFF_SECONDS")
    cap = _setting("OUTBOX_BACKOFF_MAX_SECONDS")
    seconds = min(cap, base * 2 ** max(0, attempts - 1))
    seconds *= 1 + (rng or random).uniform(0, 0.2)
    if retry_after is not None:
        seconds = max(seconds, retry_after)
    return dt.timedelta(seconds=seconds)


# ---------------------------------------------------------------------------------------------
# What the connector is told about the item


def action_target(item: Item, *, external_id: str | None = None, before_entry: int | None = None) -> ActionTarget:
    """What the connector is told about ``item``: the actions applied to it, and those still on their way
    (pending, being sent, or failed and retried later) so that a "once per item" action (Facebook's
    private reply) is refused at decision time. ``before_entry``: only the entries recorded before that
    one (delivering an entry, which must not see itself or later ones)."""
    applied: tuple[str, ...] = getattr(item, "applied_actions", None) or ()
    pending: tuple[str, ...] = ()
    if (not hasattr(item, "applied_actions") or before_entry is not None) and item.pk:
        rows = OutboxEntry.objects.filter(item=item).exclude(state=OutboxState.CANCELLED)
        rows = rows.exclude(state=OutboxState.FAILED, error_kind=REFUSED)  # never reaches the platform
        if before_entry is not None:
            rows = rows.filter(id__lt=before_entry)
        found = list(rows.order_by("id").values_list("action", "state"))
        applied = tuple(action for action, state in found if state == OutboxState.APPLIED)
        pending = tuple(action for action, state in found if state != OutboxState.APPLIED)
    return ActionTarget(
        item_external_id=external_id or item.external_id,
        item_kind=item.kind if external_id is None else "reply",
        item_published_at=item.published_at,
        thread_external_id=item.thread_external_id,
        parent_external_id=item.parent_external_id if external_id is None else item.external_id,
        author_external_id=item.author.external_id if item.author is not None else "",
        raw=item.raw_payload if external_id is None else {},
        previous_actions=applied,
        pending_actions=pending,
    )


# ---------------------------------------------------------------------------------------------
# 1. Record


def record(
    decision: Decision,
    action: str,
    *,
    item: Item | None = None,
    account: Account | None = None,
    payload: Mapping[str, Any] | None = None,
) -> OutboxEntry:
    """Record an action to apply on the platform, in the caller's transaction; delivery starts once
    it commits."""
    item = item if item is not None else decision.item
    account = account if account is not None else (item.account if item is not None else None)
    entry = OutboxEntry.objects.create(
        commune=decision.commune,
        account=account,
        decision=decision,
        item=item,
        action=action,
        payload=dict(payload or {}),
        idempotency_key=f"beffroi-{decision.commune_id}-{uuid.uuid4().hex}",
        max_attempts=_setting("OUTBOX_MAX_ATTEMPTS"),
        next_attempt_at=timezone.now(),
    )
    entry_id = entry.pk
    transaction.on_commit(lambda: _enqueue(entry_id))
    return entry


def _enqueue(entry_id: int) -> None:
    from beffroi.tasks import enqueue

    try:
        enqueue("workspace.outbox_deliver", entry_id=entry_id)
    except Exception:  # the sweeper will send it: never lose the user's request over a queue error
        logger.exception("could not enqueue outbox entry %s; the sweeper will send it", entry_id)


# ---------------------------------------------------------------------------------------------
# 2. Send


@dataclass(frozen=True)
class Claim:
    entry: OutboxEntry
    in_doubt: bool  # an earlier attempt may have reached the platform


def _blocked_by_older(entry: OutboxEntry) -> bool:
    if entry.item_id is None:
        return False
    return OutboxEntry.objects.filter(
        item_id=entry.item_id, id__lt=entry.pk, state__in=[OutboxState.PENDING, OutboxState.SENDING]
    ).exists()


def claim(entry_id: int, *, now: dt.datetime | None = None) -> Claim | None:
    """Take the entry for sending if it is due (compare-and-set: two workers never both get it)."""
    now = now or timezone.now()
    entry = OutboxEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        return None
    due = (entry.state == OutboxState.PENDING and entry.next_attempt_at <= now) or (
        entry.state == OutboxState.SENDING and entry.locked_until is not None and entry.locked_until < now
    )
    if not due:
        return None
    if _blocked_by_older(entry):
        OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.PENDING).update(
            next_attempt_at=now + dt.timedelta(seconds=5)
        )
        return None
    was_sending = entry.state == OutboxState.SENDING
    taken = (
        OutboxEntry.objects.filter(pk=entry.pk, state=entry.state, attempts=entry.attempts)
        .filter(Q(state=OutboxState.PENDING) | Q(locked_until__lt=now))
        .update(
            state=OutboxState.SENDING,
            locked_until=now + dt.timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS")),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    if not taken:
        return None
    previous_kind = entry.error_kind
    entry.refresh_from_db()
    in_doubt = entry.attempts > 1 and (was_sending or previous_kind not in (NOT_SENT, RATE_LIMITED, REFUSED, AUTH, ""))
    return Claim(entry, in_doubt=in_doubt)


def deliver(entry_id: int, *, now: dt.datetime | None = None, connector: Any | None = None) -> OutboxEntry | None:
    """Try to apply one entry on its platform. Returns the entry as it ends up (or None if it was not
    due or another worker has it)."""
    taken = claim(entry_id, now=now)
    if taken is None:
        return None
    entry = taken.entry
    paused = _account_paused_until(entry)
    if paused is not None:
        # The platform asked this account to slow down (seen by the sync or an earlier action):
        # wait without spending an attempt.
        OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.SENDING).update(
            state=OutboxState.PENDING, attempts=F("attempts") - 1, locked_until=None, next_attempt_at=paused,
            error_kind=RATE_LIMITED, updated_at=timezone.now(),
            last_error=f"La plateforme limite le nombre d'appels de ce compte : envoi vers {timezone.localtime(paused):%H:%M}.",
        )
        entry.refresh_from_db()
        return entry
    try:
        return _send(entry, in_doubt=taken.in_doubt, connector=connector)
    except ConnectorError as exc:
        return _failed_attempt(entry, exc)
    except Exception as exc:  # a bug or an unexpected answer: retried like a transient failure
        logger.exception("outbox entry %s: unexpected error", entry.pk)
        return _failed_attempt(entry, exc)


def _request(entry: OutboxEntry) -> ActionRequest:
    payload = entry.payload or {}
    item = entry.item
    if item is None:
        target = ActionTarget(
            item_external_id=str(payload.get("target_external_id", "")),
            author_external_id=str(payload.get("author_external_id", "")),
        )
    else:
        target = action_target(item, external_id=payload.get("target_external_id") or None, before_entry=entry.pk)
        if payload.get("author_external_id"):
            target = ActionTarget(**{**target.__dict__, "author_external_id": str(payload["author_external_id"])})
    return ActionRequest(
        action=entry.action,
        target=target,
        idempotency_key=entry.idempotency_key,
        text=str(payload.get("text", "")),
        reason=str(payload.get("reason", "")),
        duration_days=payload.get("duration_days"),
    )


def _account_paused_until(entry: OutboxEntry) -> dt.datetime | None:
    if entry.account is None:
        return None
    try:
        from beffroi.connectors.ratestate import blocked_until
    except ImportError:
        return None
    return blocked_until(entry.account)


def _send(entry: OutboxEntry, *, in_doubt: bool, connector: Any | None) -> OutboxEntry:
    account = entry.account
    if account is None:
        raise PermanentError("no account", message_fr="Aucun compte connecté ne porte cet élément.")
    if account.status == AccountStatus.DISABLED:
        raise PermanentError("account disabled", message_fr="Le compte a été déconnecté de Beffroi.")
    if account.status == AccountStatus.BROKEN:
        # No call with a token the platform already refused: the action waits for the reconnection.
        raise AuthError("account broken", message_fr=account.status_detail or "La connexion au compte est cassée.")
    if connector is None:
        from beffroi.connectors.runtime import connector_for

        connector = connector_for(account)
    request = _request(entry)
    calls_before = _calls_made(connector)
    try:
        if in_doubt and entry.action not in connector.idempotent_actions:
            found = connector.reconcile(request)
            if found is None:
                return _mark_uncertain(entry)
            if found.applied:
                return _mark_applied(entry, found, reconciled=True)
        check = connector.check(entry.action, request.target)
        if not check.allowed:
            raise NotAllowed(f"{entry.action} not allowed", message_fr=check.reason_fr or "La plateforme ne permet pas cette action.")
        result = connector.perform(request)
    finally:
        # Actions spend the account's quota like the sync does: count them, success or not.
        _record_usage(account, connector, calls_before)
    return _mark_applied(entry, result)


def _calls_made(connector: Any) -> int | None:
    stats = getattr(getattr(connector, "api", None), "stats", None)
    requests = getattr(stats, "requests", None)
    return requests if isinstance(requests, int) else None


def _record_usage(account: Account, connector: Any, calls_before: int | None) -> None:
    """Per-account accounting (``Account.rate_state``): API calls, quota units, the platform's usage."""
    try:
        from beffroi.connectors.ratestate import record_usage

        calls_after = _calls_made(connector)
        calls = (calls_after - calls_before) if calls_after is not None and calls_before is not None else 1
        usage = dict(connector.usage() or {}) if callable(getattr(connector, "usage", None)) else {}
        units = int(usage.pop("units", 0) or 0)
        record_usage(account, calls=max(0, calls), units=units, usage=usage or None)
    except Exception:  # accounting must never lose the action
        logger.exception("could not record the API usage of account %s", account.pk)


def _mark_applied(entry: OutboxEntry, result: ActionResult, *, reconciled: bool = False) -> OutboxEntry:
    now = timezone.now()
    data = {"remote_id": result.remote_id, "detail": result.detail, **dict(result.data)}
    if reconciled:
        data["reconciled"] = True
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk).exclude(state=OutboxState.APPLIED).update(
            state=OutboxState.APPLIED,
            applied_at=now,
            locked_until=None,
            last_error="",
            error_kind="",
            result=data,
            updated_at=now,
        )
        item = entry.item
        if item is not None and entry.action in _STATE_AFTER and not entry.payload.get("target_external_id"):
            Item.objects.filter(pk=item.pk).update(platform_state=_STATE_AFTER[entry.action], updated_at=now)
        decision = entry.decision
        if decision is not None and result.remote_id and entry.action in ("reply", "private_reply"):
            decision.data = {**decision.data, "remote_id": result.remote_id}
            decision.save(update_fields=["data"])
        log_audit(
            "outbox.applied",
            commune=entry.commune,
            target=entry,
            action=entry.action,
            item=entry.item_id,
            attempts=entry.attempts,
            reconciled=reconciled,
            remote_id=result.remote_id,
        )
    if entry.account is not None and entry.account.status == AccountStatus.BROKEN:
        _restored(entry.account)
    entry.refresh_from_db()
    return entry


def _mark_uncertain(entry: OutboxEntry) -> OutboxEntry:
    message = (
        "Impossible de savoir si cette action a déjà été faite sur la plateforme (l'envoi précédent a été "
        "interrompu). Vérifiez sur la plateforme, puis cliquez sur « Réessayer » si elle n'y est pas."
    )
    OutboxEntry.objects.filter(pk=entry.pk).update(
        state=OutboxState.FAILED, locked_until=None, error_kind=UNCERTAIN, last_error=message, updated_at=timezone.now()
    )
    log_audit("outbox.uncertain", commune=entry.commune, target=entry, action=entry.action, item=entry.item_id)
    entry.refresh_from_db()
    return entry


def _failed_attempt(entry: OutboxEntry, exc: Exception) -> OutboxEntry:
    now = timezone.now()
    message = getattr(exc, "message_fr", "") or "Erreur inattendue pendant l'envoi : nouvel essai plus tard."
    update: dict[str, Any] = {"locked_until": None, "last_error": message, "updated_at": now}
    final = False
    if isinstance(exc, AuthError):
        # Waits for the reconnection (the sweeper sends it again then), without spending an attempt:
        # the platform refused the token, not the action.
        update.update(state=OutboxState.FAILED, error_kind=AUTH, attempts=F("attempts") - 1)
        final = True
        if entry.account is not None:
            _broken(entry.account, exc)
    elif isinstance(exc, PermanentError) and exc.status in (404, 410) and entry.action in ("delete", "unhide", "hide"):
        return _gone(entry, exc)
    elif isinstance(exc, (NotAllowed, PermanentError)):
        update.update(state=OutboxState.FAILED, error_kind=REFUSED)
        final = True
    else:
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        kind = RATE_LIMITED if isinstance(exc, RateLimited) else (NOT_SENT if getattr(exc, "not_sent", False) else TRANSIENT)
        if isinstance(exc, RateLimited) and entry.account is not None:
            _pause_account(entry.account, retry_after, message)
        if isinstance(exc, RateLimited):
            # "Too many requests" is the platform asking to wait, not a failed attempt: the entry
            # waits for Retry-After (the whole account does) without spending one of its attempts.
            update.update(
                state=OutboxState.PENDING,
                error_kind=kind,
                attempts=F("attempts") - 1,
                next_attempt_at=now + backoff_delay(max(1, entry.attempts - 1), retry_after=retry_after),
            )
        elif entry.attempts >= entry.max_attempts:
            update.update(state=OutboxState.FAILED, error_kind=kind)
            final = True
        else:
            update.update(
                state=OutboxState.PENDING,
                error_kind=kind,
                next_attempt_at=now + backoff_delay(entry.attempts, retry_after=retry_after),
            )
    OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.SENDING).update(**update)
    if final:
        log_audit(
            "outbox.failed",
            commune=entry.commune,
            target=entry,
            action=entry.action,
            item=entry.item_id,
            attempts=entry.attempts,
            error=message,
        )
    entry.refresh_from_db()
    return entry


def _pause_account(account: Account, retry_after: float | None, reason_fr: str) -> None:
    """A rate limit concerns the whole account: the sync and the other actions wait too."""
    try:
        from beffroi.connectors.ratestate import defer
    except ImportError:
        return
    try:
        defer(account, retry_after, reason_fr)
    except Exception:  # accounting must never lose the action
        logger.exception("could not record the rate limit of account %s", account.pk)


def _gone(entry: OutboxEntry, exc: ConnectorError) -> OutboxEntry:
    """The object no longer exists on the platform: a delete is thereby done; a hide cannot be."""
    if entry.action == "delete":
        return _mark_applied(entry, ActionResult(applied=True, detail="already gone"))
    now = timezone.now()
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk).update(
            state=OutboxState.FAILED, error_kind=REFUSED, last_error=exc.message_fr, locked_until=None, updated_at=now
        )
        if entry.item_id is not None:
            Item.objects.filter(pk=entry.item_id).update(platform_state=PlatformState.DELETED, updated_at=now)
        log_audit("outbox.failed", commune=entry.commune, target=entry, action=entry.action, item=entry.item_id, error=exc.message_fr)
    entry.refresh_from_db()
    return entry


def _broken(account: Account, exc: ConnectorError) -> None:
    try:
        from beffroi.connectors.notify import connection_broken
    except ImportError:
        from beffroi.connectors.runtime import mark_broken

        mark_broken(account, exc.message_fr)
        return
    connection_broken(account, exc)


def _restored(account: Account) -> None:
    try:
        from beffroi.connectors.notify import connection_restored
    except ImportError:
        from beffroi.connectors.runtime import mark_ok

        mark_ok(account)
        return
    connection_restored(account)


# ---------------------------------------------------------------------------------------------
# 3. Recover, retry, cancel


@dataclass
class SweepResult:
    due: int = 0
    stale: int = 0
    reconnected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"due": self.due, "stale": self.stale, "reconnected": self.reconnected}


def sweep(*, now: dt.datetime | None = None, limit: int = 200) -> SweepResult:
    """Send again what must be: entries never sent, entries whose worker died, entries that waited
    for a broken account to be reconnected."""
    from beffroi.tasks import enqueue

    now = now or timezone.now()
    result = SweepResult()
    # Auth failures of accounts reconnected since: back to pending (the platform never applied them).
    for entry in OutboxEntry.objects.filter(state=OutboxState.FAILED, error_kind=AUTH).select_related("account")[:limit]:
        account = entry.account
        if account is not None and account.status == AccountStatus.ACTIVE and (
            account.status_changed_at is None or account.status_changed_at >= entry.updated_at
        ):
            OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.FAILED).update(
                state=OutboxState.PENDING, attempts=0, error_kind=NOT_SENT, next_attempt_at=now, updated_at=now
            )
            result.reconnected += 1
    due = list(
        OutboxEntry.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    stale = list(
        OutboxEntry.objects.filter(state=OutboxState.SENDING, locked_until__lt=now).order_by("id").values_list("id", flat=True)[:limit]
    )
    result.due, result.stale = len(due), len(stale)
    for entry_id in sorted(set(due) | set(stale)):
        enqueue("workspace.outbox_deliver", entry_id=entry_id)
    return result


def retry(entry: OutboxEntry, actor: Any) -> OutboxEntry:
    """"Réessayer": a failed entry goes back to the queue (a person checked it was not applied)."""
    from beffroi.workspace.actions.checks import ActionError, check_item_access, check_perm, role_of

    entry.refresh_from_db()
    if entry.item is not None:
        check_item_access(actor, entry.item, "retry")
    else:
        check_perm(role_of(actor, entry.commune), "retry")
    if entry.action in ("block_author", "unblock_author"):
        check_perm(role_of(actor, entry.commune), "approve_block")  # blocking is for roles that may block
    if entry.state != OutboxState.FAILED:
        raise ActionError("Cette action n'a pas échoué : rien à réessayer.")
    if entry.account is not None and entry.account.status == AccountStatus.BROKEN:
        raise ActionError("La connexion au compte est cassée : reconnectez le compte, l'action repartira seule.")
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.FAILED).update(
            state=OutboxState.PENDING,
            attempts=0,
            error_kind=NOT_SENT,  # a person checked: no reconciliation needed
            last_error="",
            next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
        log_audit("outbox.retry", commune=entry.commune, actor=actor, target=entry, action=entry.action, item=entry.item_id)
        entry_id = entry.pk
        transaction.on_commit(lambda: _enqueue(entry_id))
    entry.refresh_from_db()
    return entry


def cancel(entry: OutboxEntry) -> bool:
    """Cancel an entry that has not started sending (undo before the platform saw it)."""
    cancelled = OutboxEntry.objects.filter(pk=entry.pk, state__in=[OutboxState.PENDING, OutboxState.FAILED]).update(
        state=OutboxState.CANCELLED, locked_until=None, updated_at=timezone.now()
    )
    if cancelled:
        entry.state = OutboxState.CANCELLED
    return bool(cancelled)
