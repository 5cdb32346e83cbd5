"""The commune's own rhythm: how many mentions per hour it usually sees at this hour of this day.

Learned online from the stream itself:

- a *level* (mentions per day): the median of the last completed days, so that a single burst day
  does not move it; before the first full day, a blend of the configured prior and the observed rate;
- a *shape* over the 24 hours of the day, and one for each day of the week once enough weeks are
  seen: exponentially weighted means of hourly counts, each count clipped to ``m + 3·√m + 3`` before
  it is learned (a burst hour teaches almost nothing), starting from a French day/night prior.

``rate(t)`` is the expected number of mentions per hour at time ``t``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from statistics import median
from typing import Any

# Share of a day's mentions in each local hour (typical French social-media day), normalised below.
_PRIOR_SHAPE = [
    0.014, 0.008, 0.005, 0.004, 0.004, 0.007, 0.018, 0.034,
    0.048, 0.052, 0.054, 0.056, 0.062, 0.056, 0.050, 0.048,
    0.050, 0.055, 0.060, 0.066, 0.068, 0.062, 0.046, 0.028,
]  # fmt: skip
_TOTAL = sum(_PRIOR_SHAPE)
PRIOR_SHAPE = [v / _TOTAL for v in _PRIOR_SHAPE]


class RhythmBaseline:
    def __init__(self, posts_per_day: float = 40.0, alpha: float = 0.12) -> None:
        self.prior_level = max(1.0, posts_per_day)
        self.alpha = alpha
        # hour-of-day profile, as a share of the day (sums to about 1)
        self.shape = list(PRIOR_SHAPE)
        self.shape_n = [0] * 24
        # hour-of-week profile in posts/hour, used once a slot has been seen 3 times
        self.week = [0.0] * 168
        self.week_n = [0] * 168
        self.daily: list[int] = []  # completed local days' totals (last 28)
        self.current_hour: int | None = None  # local hour index (hours since epoch, local time)
        self.current_count = 0
        self.current_day: int | None = None
        self.day_count = 0
        self.first_hour: int | None = None
        self.total = 0

    # -- learning -------------------------------------------------------------------------------
    @staticmethod
    def _local_hour_index(local: datetime) -> int:
        naive = local.replace(tzinfo=None)
        return int((naive - datetime(1970, 1, 1)).total_seconds() // 3600)

    def observe(self, local: datetime) -> None:
        """Count one mention at local time ``local`` (aware or naive, in the commune's zone)."""
        hour = self._local_hour_index(local)
        if self.current_hour is None:
            self.current_hour = hour
            self.first_hour = hour
            self.current_day = hour // 24
        if hour > self.current_hour:
            self._close_hours_until(hour)
        self.current_count += 1
        self.day_count += 1
        self.total += 1

    def advance(self, local: datetime) -> None:
        """Move the clock without counting a mention (closes the hours in between)."""
        hour = self._local_hour_index(local)
        if self.current_hour is not None and hour > self.current_hour:
            self._close_hours_until(hour)

    def _close_hours_until(self, hour: int) -> None:
        assert self.current_hour is not None
        steps = hour - self.current_hour
        if steps > 24 * 14:  # a long silence: jump
            self._learn_hour(self.current_hour, self.current_count)
            self._close_day()
            self.current_hour = hour
            self.current_day = hour // 24
            self.current_count = 0
            self.day_count = 0
            return
        h = self.current_hour
        count = self.current_count
        while h < hour:
            self._learn_hour(h, count)
            count = 0
            h += 1
            if h // 24 != self.current_day:
                self._close_day()
                self.current_day = h // 24
        self.current_hour = hour
        self.current_count = 0

    def _close_day(self) -> None:
        if (
            self.first_hour is not None
            and self.current_day is not None
            and self.first_hour <= self.current_day * 24
        ):
            self.daily.append(self.day_count)
            self.daily = self.daily[-28:]
        self.day_count = 0

    def _learn_hour(self, hour: int, count: int) -> None:
        level = self.level()
        hod = hour % 24
        expected = self.shape[hod] * level
        cap = expected + 3.0 * math.sqrt(expected) + 3.0
        share = min(float(count), cap) / max(level, 1.0)
        a = max(self.alpha, 1.0 / (self.shape_n[hod] + 2))
        self.shape[hod] = (1 - a) * self.shape[hod] + a * share
        self.shape_n[hod] += 1
        total = sum(self.shape)
        if total > 0:
            self.shape = [v / total for v in self.shape]
        how = (hour // 24 + 3) % 7 * 24 + hod  # 1970-01-01 was a Thursday: 0 = Monday
        wexp = self.week[how] if self.week_n[how] else expected
        wcap = wexp + 3.0 * math.sqrt(wexp) + 3.0
        wa = max(0.3, 1.0 / (self.week_n[how] + 1))
        self.week[how] = (1 - wa) * self.week[how] + wa * min(float(count), wcap)
        self.week_n[how] += 1

    # -- reading --------------------------------------------------------------------------------
    def level(self) -> float:
        """Expected mentions per day."""
        if len(self.daily) >= 2:
            return max(1.0, float(median(self.daily[-14:])))
        if self.first_hour is None or self.current_hour is None:
            return self.prior_level
        hours = self.current_hour - self.first_hour + 1
        seen = self.total
        observed = seen / max(hours, 1) * 24
        w = min(1.0, hours / 36.0)
        if self.daily:
            w = max(w, 0.6)
        return max(1.0, (1 - w) * self.prior_level + w * observed)

    def rate(self, local: datetime) -> float:
        """Expected mentions per hour at local time ``local``."""
        hod = local.hour
        level = self.level()
        value = self.shape[hod] * level
        how = local.weekday() * 24 + hod
        if self.week_n[how] >= 3:
            value = 0.5 * value + 0.5 * self.week[how]
        return max(value, 0.05)

    def history_hours(self) -> int:
        if self.first_hour is None or self.current_hour is None:
            return 0
        return self.current_hour - self.first_hour

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "prior_level": self.prior_level,
            "alpha": self.alpha,
            "shape": self.shape,
            "shape_n": self.shape_n,
            "week": self.week,
            "week_n": self.week_n,
            "daily": self.daily,
            "current_hour": self.current_hour,
            "current_count": self.current_count,
            "current_day": self.current_day,
            "day_count": self.day_count,
            "first_hour": self.first_hour,
            "total": self.total,
        }

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> RhythmBaseline:
        b = cls(float(obj["prior_level"]), float(obj["alpha"]))
        b.shape = [float(v) for v in obj["shape"]]
        b.shape_n = [int(v) for v in obj["shape_n"]]
        b.week = [float(v) for v in obj["week"]]
        b.week_n = [int(v) for v in obj["week_n"]]
        b.daily = [int(v) for v in obj["daily"]]
        b.current_hour = obj["current_hour"]
        b.current_count = int(obj["current_count"])
        b.current_day = obj["current_day"]
        b.day_count = int(obj["day_count"])
        b.first_hour = obj["first_hour"]
        b.total = int(obj["total"])
        return b


def hours_between(a: datetime, b: datetime) -> float:
    return (b - a) / timedelta(hours=1)
