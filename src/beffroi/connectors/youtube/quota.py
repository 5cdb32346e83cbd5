"""YouTube Data API quota accounting, per account and per Pacific day.

Every request costs quota units (https://developers.google.com/youtube/v3/determine_quota_cost): a list
call costs 1 unit; ``comments.setModerationStatus``, ``comments.insert``, ``comments.update`` and
``comments.delete`` cost 50. A Google Cloud project gets 10,000 units a day by default, and the day resets
at midnight Pacific time (America/Los_Angeles, 9:00 in Paris most of the year).

Beffroi spends units BEFORE each call (Google counts invalid requests too), refuses a call that would go
over the day's limit with a French explanation and the time until the reset (:class:`RateLimited`), and
keeps ``YOUTUBE_QUOTA_RESERVE`` units for moderation actions: polling stops first.

The ledger of a stored account lives in ``Account.rate_state["youtube_quota"] = {"day", "units"}``; the
check and the spending happen in one locked update, so concurrent syncs and actions never overspend.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from beffroi.connectors.base import RateLimited

PACIFIC = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")
LIST_COST = 1
WRITE_COST = 50  # setModerationStatus, insert, update, delete
STATE_KEY = "youtube_quota"


def pacific_day(now: dt.datetime) -> str:
    return now.astimezone(PACIFIC).date().isoformat()


def next_reset(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(PACIFIC)
    tomorrow = (local + dt.timedelta(days=1)).date()
    return dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=PACIFIC)


class QuotaStore(Protocol):
    def spend_if(self, day: str, units: int, ceiling: int) -> tuple[bool, int]:
        """Add ``units`` to the day's total if it stays within ``ceiling``; (spent?, total)."""

    def used(self, day: str) -> int: ...


class MemoryQuotaStore:
    """For a connector that is not bound to a stored account (identify before saving, tests)."""

    def __init__(self) -> None:
        self.days: dict[str, int] = {}
        self._lock = threading.Lock()

    def spend_if(self, day: str, units: int, ceiling: int) -> tuple[bool, int]:
        with self._lock:
            total = self.days.get(day, 0)
            if total + units > ceiling:
                return False, total
            self.days[day] = total + units
            return True, total + units

    def used(self, day: str) -> int:
        return self.days.get(day, 0)


class AccountQuotaStore:
    """The ledger in the stored account's ``rate_state`` (row-locked read-modify-write)."""

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id

    def spend_if(self, day: str, units: int, ceiling: int) -> tuple[bool, int]:
        from django.db import transaction
        from django.db.models import F

        from beffroi.workspace.models import Account

        with transaction.atomic():
            # A write first: takes the row lock (PostgreSQL) / the write lock (SQLite) before the read, so two
            # workers cannot both read the same total and overspend.
            Account.objects.filter(pk=self.account_id).update(rate_state=F("rate_state"))
            row = Account.objects.select_for_update().only("id", "rate_state").get(pk=self.account_id)
            state = dict(row.rate_state or {})
            ledger = dict(state.get(STATE_KEY) or {})
            total = int(ledger.get("units") or 0) if ledger.get("day") == day else 0
            if total + units > ceiling:
                return False, total
            state[STATE_KEY] = {"day": day, "units": total + units}
            Account.objects.filter(pk=self.account_id).update(rate_state=state)
            return True, total + units

    def used(self, day: str) -> int:
        from beffroi.workspace.models import Account

        state = Account.objects.filter(pk=self.account_id).values_list("rate_state", flat=True).first() or {}
        ledger = state.get(STATE_KEY) or {}
        return int(ledger.get("units") or 0) if ledger.get("day") == day else 0


def _fmt(units: int) -> str:
    return f"{units:,}".replace(",", "\u202f")  # French thousands separator (narrow no-break space)


class QuotaBook:
    """Spend units against the day's limit; polling cannot eat the reserve kept for actions."""

    def __init__(self, store: QuotaStore, *, limit: int, reserve: int, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.limit = limit
        self.reserve = min(max(0, reserve), limit)
        self.clock = clock
        self.spent = 0  # by this connector instance (reported to the sync)
        self.last_total: int | None = None

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)

    def ceiling(self, *, for_action: bool) -> int:
        return self.limit if for_action else self.limit - self.reserve

    def spend(self, units: int, *, for_action: bool, what: str) -> None:
        now = self._now()
        ok, total = self.store.spend_if(pacific_day(now), units, self.ceiling(for_action=for_action))
        self.last_total = total
        if not ok:
            raise self.exhausted(units, total, for_action=for_action, what=what, now=now)
        self.spent += units

    def can_spend(self, units: int, *, for_action: bool) -> tuple[bool, int]:
        total = self.store.used(pacific_day(self._now()))
        return total + units <= self.ceiling(for_action=for_action), total

    def exhausted(self, units: int, total: int, *, for_action: bool, what: str, now: dt.datetime | None = None) -> RateLimited:
        now = now or self._now()
        reset = next_reset(now)
        wait = max(60.0, (reset - now).total_seconds())
        return RateLimited(
            f"YouTube quota: {total}+{units} > {self.ceiling(for_action=for_action)} ({what})",
            retry_after=wait,
            message_fr=self.explain(units, total, for_action=for_action, now=now),
        )

    def explain(self, units: int, total: int, *, for_action: bool, now: dt.datetime | None = None) -> str:
        now = now or self._now()
        paris = next_reset(now).astimezone(PARIS)
        reset_paris = f"{paris.hour} h" if not paris.minute else f"{paris.hour} h {paris.minute:02d}"
        if for_action:
            return (
                f"Le quota quotidien de l'API YouTube est presque épuisé ({_fmt(total)} unités sur {_fmt(self.limit)} "
                f"utilisées) : cette action en coûte {units}. Elle sera possible après la remise à zéro, à minuit heure "
                f"de Californie ({reset_paris} à Paris)."
            )
        return (
            f"Lecture des commentaires YouTube en pause : {_fmt(total)} unités de quota sur {_fmt(self.limit)} sont "
            f"utilisées, et {_fmt(self.reserve)} sont gardées pour les actions de modération. Reprise après minuit heure "
            f"de Californie ({reset_paris} à Paris)."
        )

    def figures(self) -> dict[str, Any]:
        now = self._now()
        day = pacific_day(now)
        used = self.last_total if self.last_total is not None else self.store.used(day)
        return {"quota_day": day, "quota_used": used, "quota_limit": self.limit, "quota_reserve": self.reserve}
