"""Per-account accounting of rate limits, quotas and sync health, in ``Account.rate_state`` (JSON).

Keys (all optional)::

    blocked_until      ISO time before which nothing is sent to the platform for this account
    blocked_reason     French reason shown in the accounts screen
    rate_limited_count how many times the platform answered "too many requests" (today)
    day                the day (UTC) the counters below are for
    calls_today        API calls made today (sync and actions)
    units_today        quota units spent today (platforms with a unit quota, e.g. YouTube)
    usage              the platform's own usage figures (e.g. Meta's X-App-Usage), ``usage_at`` when seen
    last_sync_at, last_success_at, last_error, last_error_at, consecutive_failures
    last_sync          {"pages", "items_seen", "items_created", "retries", "duration_s"}
    platform_blocks    the account's blocked list on the platform (``connectors.blocklist``)

Writes go through :func:`update_rate_state` (read-modify-write under a row lock), so the sync and the
outbox can both record usage on the same account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from beffroi.workspace.models import Account

DEFAULT_RATE_WAIT = 300.0


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def parse_iso(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def update_rate_state(account: Account, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply ``change`` to the stored rate_state under a row lock; refresh ``account.rate_state``."""
    with transaction.atomic():
        row = Account.objects.select_for_update().only("id", "rate_state").get(pk=account.pk)
        state = dict(row.rate_state or {})
        change(state)
        Account.objects.filter(pk=account.pk).update(rate_state=state)
    account.rate_state = state
    return state


def _roll_day(state: dict[str, Any], now: dt.datetime) -> None:
    day = now.astimezone(dt.UTC).date().isoformat()
    if state.get("day") != day:
        state.update(day=day, calls_today=0, units_today=0, rate_limited_count=0)


def blocked_until(account: Account, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the account may be called again, if a rate limit is still running."""
    now = now or timezone.now()
    until = parse_iso((account.rate_state or {}).get("blocked_until"))
    return until if until and until > now else None


def defer(
    account: Account, seconds: float | None, reason_fr: str, *, now: dt.datetime | None = None
) -> dt.datetime:
    """Record a rate limit: nothing is sent for this account until now + seconds."""
    now = now or timezone.now()
    until = now + dt.timedelta(seconds=max(1.0, seconds if seconds is not None else DEFAULT_RATE_WAIT))

    def change(state: dict[str, Any]) -> None:
        _roll_day(state, now)
        state["blocked_until"] = _iso(until)
        state["blocked_reason"] = reason_fr
        state["rate_limited_count"] = int(state.get("rate_limited_count") or 0) + 1
        state["last_rate_limit_at"] = _iso(now)

    update_rate_state(account, change)
    return until


def record_usage(
    account: Account,
    *,
    calls: int = 0,
    units: int = 0,
    usage: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Count API calls and quota units spent (by a sync or an action) and keep the platform's figures."""
    now = now or timezone.now()

    def change(state: dict[str, Any]) -> None:
        _roll_day(state, now)
        state["calls_today"] = int(state.get("calls_today") or 0) + max(0, calls)
        state["units_today"] = int(state.get("units_today") or 0) + max(0, units)
        if usage:
            state["usage"] = dict(usage)
            state["usage_at"] = _iso(now)

    update_rate_state(account, change)


def record_sync(
    account: Account,
    *,
    ok: bool,
    summary: Mapping[str, Any],
    error_fr: str = "",
    calls: int = 0,
    units: int = 0,
    usage: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    now = now or timezone.now()

    def change(state: dict[str, Any]) -> None:
        _roll_day(state, now)
        state["calls_today"] = int(state.get("calls_today") or 0) + max(0, calls)
        state["units_today"] = int(state.get("units_today") or 0) + max(0, units)
        if usage:
            state["usage"] = dict(usage)
            state["usage_at"] = _iso(now)
        state["last_sync_at"] = _iso(now)
        state["last_sync"] = dict(summary)
        if ok:
            state["last_success_at"] = _iso(now)
            state["consecutive_failures"] = 0
            state.pop("last_error", None)
            state.pop("last_error_at", None)
            until = parse_iso(state.get("blocked_until"))
            if until is None or until <= now:
                state.pop("blocked_until", None)
                state.pop("blocked_reason", None)
        else:
            state["consecutive_failures"] = int(state.get("consecutive_failures") or 0) + 1
            if error_fr:
                state["last_error"] = error_fr
                state["last_error_at"] = _iso(now)

    update_rate_state(account, change)


def failure_backoff(account: Account) -> dt.timedelta:
    """How long to wait before polling an account that keeps failing (5xx, time-outs): doubles up to 6 h."""
    failures = int((account.rate_state or {}).get("consecutive_failures") or 0)
    if failures <= 1:
        return dt.timedelta()
    return dt.timedelta(minutes=min(360, 5 * 2 ** min(failures - 1, 7)))


def last_sync_at(account: Account) -> dt.datetime | None:
    return parse_iso((account.rate_state or {}).get("last_sync_at"))
