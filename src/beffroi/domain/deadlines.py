"""Working-hour deadlines for the review of items, with French public holidays.

Pure Python (no Django): a :class:`WorkingSchedule` says when the team works (the commune's working
days and hours in its time zone, a four-day week for a part-time secretary, different hours per day,
a lunch break, days the town hall is closed), and the functions below count in *working* time:

- :func:`add_working_hours` — the moment when N working hours will have elapsed after a start
  (an item first seen on Friday at 16:00 with a 48-hour deadline is due six working days later);
- :func:`working_hours_between` — how many working hours lie between two moments (what is left);
- :func:`is_working_time`, :func:`next_working_start`.

French public holidays are computed, never listed by hand: the fixed dates (1 January, 1 May,
8 May, 14 July, 15 August, 1 November, 11 November, 25 December) and the moveable ones derived from
Easter (Easter Monday, Ascension Thursday, Whit Monday), plus Good Friday and 26 December in
Alsace-Moselle (departments 57, 67, 68: local law).

Time zones and daylight-saving time: working hours are wall-clock times in the commune's zone;
each working interval is converted to UTC on its own date, so a 9:00-17:00 day lasts eight hours on
both sides of a DST change, and durations are counted in real elapsed time. Every datetime given or
returned is timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "ALSACE_MOSELLE_DEPARTMENTS",
    "DeadlineError",
    "WorkingSchedule",
    "add_working_hours",
    "easter_sunday",
    "french_public_holidays",
    "is_alsace_moselle",
    "is_working_time",
    "next_working_start",
    "working_hours_between",
    "working_intervals",
]

ALSACE_MOSELLE_DEPARTMENTS = frozenset({"57", "67", "68"})
# A deadline further than this is a configuration error (a schedule with no working time at all).
_MAX_SEARCH_DAYS = 366 * 3

Interval = tuple[dt.time, dt.time]


class DeadlineError(ValueError):
    """The schedule or the arguments cannot give a deadline (message in French)."""


# ---------------------------------------------------------------------------------------------
# Public holidays


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    if year < 1583:
        raise DeadlineError("Le calcul de Pâques ne vaut que pour le calendrier grégorien (après 1582).")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=256)
def _holidays(year: int, alsace_moselle: bool) -> tuple[tuple[dt.date, str], ...]:
    easter = easter_sunday(year)
    days: dict[dt.date, str] = {
        dt.date(year, 1, 1): "Jour de l'an",
        easter + dt.timedelta(days=1): "Lundi de Pâques",
        dt.date(year, 5, 1): "Fête du Travail",
        dt.date(year, 5, 8): "Victoire 1945",
        easter + dt.timedelta(days=39): "Ascension",
        easter + dt.timedelta(days=50): "Lundi de Pentecôte",
        dt.date(year, 7, 14): "Fête nationale",
        dt.date(year, 8, 15): "Assomption",
        dt.date(year, 11, 1): "Toussaint",
        dt.date(year, 11, 11): "Armistice 1918",
        dt.date(year, 12, 25): "Noël",
    }
    if alsace_moselle:
        days[easter - dt.timedelta(days=2)] = "Vendredi saint"
        days[dt.date(year, 12, 26)] = "Saint-Étienne"
    return tuple(sorted(days.items()))


def french_public_holidays(year: int, *, alsace_moselle: bool = False) -> dict[dt.date, str]:
    """The French public holidays ("jours fériés") of ``year``: date -> French name."""
    return dict(_holidays(year, alsace_moselle))


def is_alsace_moselle(insee_code: str) -> bool:
    """True for a commune of Moselle, Bas-Rhin or Haut-Rhin (INSEE code 57xxx, 67xxx, 68xxx)."""
    return insee_code.strip()[:2] in ALSACE_MOSELLE_DEPARTMENTS


# ---------------------------------------------------------------------------------------------
# The schedule


def _check_intervals(weekday: int, intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    if weekday not in range(7):
        raise DeadlineError(f"Jour de semaine invalide : {weekday} (0 = lundi … 6 = dimanche).")
    ordered = tuple(sorted(intervals))
    previous_end: dt.time | None = None
    for start, end in ordered:
        if end <= start:
            raise DeadlineError(f"L'horaire {start:%H:%M}–{end:%H:%M} se termine avant de commencer.")
        if previous_end is not None and start < previous_end:
            raise DeadlineError("Deux plages horaires du même jour se chevauchent.")
        previous_end = end
    return ordered


@dataclass(frozen=True)
class WorkingSchedule:
    """When the team works. ``hours`` maps a weekday (0 = Monday) to its working intervals in local
    wall-clock time; a weekday missing from the mapping (or with no interval) is not worked."""

    timezone: str = "Europe/Paris"
    hours: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)
    alsace_moselle: bool = False
    closed_dates: frozenset[dt.date] = frozenset()  # the town hall's own closures (pont, congés)
    public_holidays: bool = True  # False only for a 24/7 duty schedule

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError
            raise DeadlineError(f"Fuseau horaire inconnu : {self.timezone!r}.") from exc
        checked = {day: _check_intervals(day, intervals) for day, intervals in self.hours.items() if intervals}
        object.__setattr__(self, "hours", checked)

    @classmethod
    def weekly(
        cls,
        working_days: Iterable[int],
        start: dt.time,
        end: dt.time,
        *,
        timezone: str = "Europe/Paris",
        alsace_moselle: bool = False,
        closed_dates: Iterable[dt.date] = (),
        lunch_break: Interval | None = None,
    ) -> WorkingSchedule:
        """The same hours on every working day (the commune's settings), optionally with a lunch break."""
        if end <= start:
            raise DeadlineError("La fin de journée doit être après son début.")
        if lunch_break is not None:
            pause_start, pause_end = lunch_break
            if not (start < pause_start < pause_end < end):
                raise DeadlineError("La pause de midi doit se situer à l'intérieur de la journée.")
            day: tuple[Interval, ...] = ((start, pause_start), (pause_end, end))
        else:
            day = ((start, end),)
        days = sorted(set(working_days))
        if not days:
            raise DeadlineError("Choisissez au moins un jour ouvré.")
        return cls(
            timezone=timezone,
            hours={d: day for d in days},
            alsace_moselle=alsace_moselle,
            closed_dates=frozenset(closed_dates),
        )

    @classmethod
    def always(cls, timezone: str = "Europe/Paris") -> WorkingSchedule:
        """Every hour of every day (on-call deadlines are counted in clock hours)."""
        whole_day = ((dt.time(0, 0), dt.time.max),)
        return cls(timezone=timezone, hours={d: whole_day for d in range(7)}, public_holidays=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def weekly_hours(self) -> float:
        """Working hours in an ordinary week (without holidays)."""
        total = 0.0
        for intervals in self.hours.values():
            for start, end in intervals:
                total += _seconds_of_day(end) - _seconds_of_day(start)
        return total / 3600

    def is_working_day(self, day: dt.date) -> bool:
        if not self.hours.get(day.weekday()):
            return False
        if day in self.closed_dates:
            return False
        return not (self.public_holidays and day in _holiday_set(day.year, self.alsace_moselle))

    def intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals of a local date, as aware UTC datetimes."""
        if not self.is_working_day(day):
            return []
        zone = self.zone
        result = []
        for start, end in self.hours[day.weekday()]:
            begin = _local_to_utc(day, start, zone)
            finish = _local_to_utc(day, end, zone) if end != dt.time.max else _local_to_utc(
                day + dt.timedelta(days=1), dt.time(0, 0), zone
            )
            if finish > begin:
                result.append((begin, finish))
        return result


@lru_cache(maxsize=256)
def _holiday_set(year: int, alsace_moselle: bool) -> frozenset[dt.date]:
    return frozenset(day for day, _ in _holidays(year, alsace_moselle))


def _seconds_of_day(t: dt.time) -> float:
    if t == dt.time.max:
        return 86400.0
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _local_to_utc(day: dt.date, t: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A local wall-clock time as UTC. A time that does not exist (the hour skipped when clocks go
    forward) maps to the first instant after the gap; an ambiguous one (clocks go back) to its first
    occurrence."""
    wall = dt.datetime.combine(day, t)
    utc = wall.replace(tzinfo=zone).astimezone(dt.UTC)  # fold=0: first occurrence when ambiguous
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return utc
    # Non-existent wall time (in the gap): the transition instant, i.e. the first UTC minute whose
    # local time is at or after the requested wall time. fold=1 gives an instant before the gap.
    candidate = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    for _ in range(24 * 60):
        if candidate.astimezone(zone).replace(tzinfo=None) >= wall:
            return candidate
        candidate += dt.timedelta(minutes=1)
    return utc


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DeadlineError(f"{name} doit porter un fuseau horaire (datetime « aware »).")


# ---------------------------------------------------------------------------------------------
# Counting working time


def working_intervals(
    schedule: WorkingSchedule, start: dt.datetime, *, max_days: int = _MAX_SEARCH_DAYS
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The working intervals from ``start`` on (the first one clipped to start), in UTC, in order."""
    _require_aware(start, "Le début")
    start_utc = start.astimezone(dt.UTC)
    day = start.astimezone(schedule.zone).date() - dt.timedelta(days=1)  # an interval may cross midnight in UTC
    for _ in range(max_days + 2):
        for begin, finish in schedule.intervals_on(day):
            if finish <= start_utc:
                continue
            yield max(begin, start_utc), finish
        day += dt.timedelta(days=1)


def add_working_hours(start: dt.datetime, hours: float, schedule: WorkingSchedule) -> dt.datetime:
    """The moment when ``hours`` working hours will have elapsed after ``start`` (UTC, aware).

    ``hours == 0`` gives ``start`` itself if it lies in working time, else the next working start.
    """
    _require_aware(start, "Le début")
    if hours < 0:
        raise DeadlineError("Le délai ne peut pas être négatif.")
    if not schedule.hours:
        raise DeadlineError("Aucun horaire de travail n'est défini : impossible de calculer une échéance.")
    remaining = dt.timedelta(hours=hours)
    for begin, finish in working_intervals(schedule, start):
        length = finish - begin
        if remaining <= length:
            return begin + remaining
        remaining -= length
    raise DeadlineError("Aucune heure ouvrée dans les trois années à venir : vérifiez les jours et horaires de travail.")


def working_hours_between(start: dt.datetime, end: dt.datetime, schedule: WorkingSchedule) -> float:
    """Working hours from ``start`` to ``end``; negative when ``end`` is before ``start``."""
    _require_aware(start, "Le début")
    _require_aware(end, "La fin")
    if end < start:
        return -working_hours_between(end, start, schedule)
    if not schedule.hours:
        return 0.0
    end_utc = end.astimezone(dt.UTC)
    span_days = (end_utc - start.astimezone(dt.UTC)).days + 2
    total = dt.timedelta()
    for begin, finish in working_intervals(schedule, start, max_days=span_days):
        if begin >= end_utc:
            break
        total += min(finish, end_utc) - begin
    return total.total_seconds() / 3600


def is_working_time(moment: dt.datetime, schedule: WorkingSchedule) -> bool:
    _require_aware(moment, "Le moment")
    utc = moment.astimezone(dt.UTC)
    day = moment.astimezone(schedule.zone).date()
    for candidate in (day - dt.timedelta(days=1), day):
        for begin, finish in schedule.intervals_on(candidate):
            if begin <= utc < finish:
                return True
    return False


def next_working_start(moment: dt.datetime, schedule: WorkingSchedule) -> dt.datetime:
    """``moment`` if it is working time, else the start of the next working interval."""
    for begin, _finish in working_intervals(schedule, moment):
        return begin
    raise DeadlineError("Aucune heure ouvrée dans les trois années à venir : vérifiez les jours et horaires de travail.")
