"""Working-hour deadlines (pure domain): French public holidays computed, the commune's working days
and hours, part-time weeks, closures, time zones and daylight-saving time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beffroi.domain.deadlines import (
    DeadlineError,
    WorkingSchedule,
    add_working_hours,
    easter_sunday,
    french_public_holidays,
    is_alsace_moselle,
    is_working_time,
    next_working_start,
    working_hours_between,
)

PARIS = ZoneInfo("Europe/Paris")
WEEK = WorkingSchedule.weekly([0, 1, 2, 3, 4], dt.time(9), dt.time(17))


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, zone: ZoneInfo = PARIS) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=zone)


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2008, (3, 23)), (2019, (4, 21)), (2024, (3, 31)), (2025, (4, 20)), (2026, (4, 5)), (2027, (3, 28)), (2038, (4, 25))],
)
def test_easter_sunday(year: int, easter: tuple[int, int]) -> None:
    assert easter_sunday(year) == dt.date(year, *easter)


def test_french_public_holidays_fixed_and_moveable() -> None:
    days = french_public_holidays(2025)
    assert sorted(days) == [
        dt.date(2025, 1, 1), dt.date(2025, 4, 21), dt.date(2025, 5, 1), dt.date(2025, 5, 8), dt.date(2025, 5, 29),
        dt.date(2025, 6, 9), dt.date(2025, 7, 14), dt.date(2025, 8, 15), dt.date(2025, 11, 1), dt.date(2025, 11, 11),
        dt.date(2025, 12, 25),
    ]
    assert days[dt.date(2025, 5, 29)] == "Ascension" and days[dt.date(2025, 6, 9)] == "Lundi de Pentecôte"
    assert french_public_holidays(2026)[dt.date(2026, 5, 14)] == "Ascension"


def test_alsace_moselle_has_good_friday_and_saint_stephen() -> None:
    local = french_public_holidays(2025, alsace_moselle=True)
    assert local[dt.date(2025, 4, 18)] == "Vendredi saint" and local[dt.date(2025, 12, 26)] == "Saint-Étienne"
    assert dt.date(2025, 4, 18) not in french_public_holidays(2025)
    assert is_alsace_moselle("67482") and is_alsace_moselle("57463") and is_alsace_moselle("68224")
    assert not is_alsace_moselle("75056") and not is_alsace_moselle("2A004") and not is_alsace_moselle("")


def test_a_weekend_is_skipped() -> None:
    friday = at(2025, 3, 14, 16)
    assert add_working_hours(friday, 2, WEEK) == at(2025, 3, 17, 10)


def test_the_default_48_hours_across_may_holidays() -> None:
    # Wednesday 7 May 2025, 16:00 — Thursday 8 May (Victoire 1945) is a holiday.
    start = at(2025, 5, 7, 16)
    assert add_working_hours(start, 48, WEEK) == at(2025, 5, 16, 16)
    assert working_hours_between(start, at(2025, 5, 16, 16), WEEK) == pytest.approx(48)


def test_ascension_thursday_is_skipped() -> None:
    assert add_working_hours(at(2025, 5, 28, 16), 8, WEEK) == at(2025, 5, 30, 16)


def test_whit_monday_and_easter_monday_are_skipped() -> None:
    assert add_working_hours(at(2025, 6, 6, 16), 2, WEEK) == at(2025, 6, 10, 10)  # Friday → Tuesday
    assert add_working_hours(at(2025, 4, 18, 16), 2, WEEK) == at(2025, 4, 22, 10)


def test_alsace_moselle_schedule_skips_good_friday() -> None:
    alsace = WorkingSchedule.weekly([0, 1, 2, 3, 4], dt.time(9), dt.time(17), alsace_moselle=True)
    assert add_working_hours(at(2025, 4, 17, 16), 2, alsace) == at(2025, 4, 22, 10)


def test_part_time_secretary_four_days_a_week() -> None:
    no_wednesday = WorkingSchedule.weekly([0, 1, 3, 4], dt.time(9), dt.time(17))
    assert no_wednesday.weekly_hours == 32
    tuesday = at(2025, 3, 11, 16)
    assert add_working_hours(tuesday, 2, no_wednesday) == at(2025, 3, 13, 10)
    # 48 working hours: 1 h on Tuesday, then Thu, Fri, Mon, Tue, Thu (40 h), and 7 h on Friday 21 March.
    assert add_working_hours(tuesday, 48, no_wednesday) == at(2025, 3, 21, 16)


def test_different_hours_each_day_and_lunch_break() -> None:
    mornings_and_wednesday = WorkingSchedule(
        hours={0: ((dt.time(9), dt.time(12)),), 2: ((dt.time(14), dt.time(18)),)}
    )
    assert mornings_and_wednesday.weekly_hours == 7
    assert add_working_hours(at(2025, 3, 10, 11), 3, mornings_and_wednesday) == at(2025, 3, 12, 16)
    lunch = WorkingSchedule.weekly([0, 1, 2, 3, 4], dt.time(9), dt.time(17), lunch_break=(dt.time(12), dt.time(13, 30)))
    assert add_working_hours(at(2025, 3, 10, 11), 2, lunch) == at(2025, 3, 10, 14, 30)
    assert not is_working_time(at(2025, 3, 10, 12, 45), lunch)


def test_town_hall_closures_are_skipped() -> None:
    pont = WorkingSchedule.weekly([0, 1, 2, 3, 4], dt.time(9), dt.time(17), closed_dates=[dt.date(2025, 5, 2)])
    # Wednesday 30 April 16:00: 1 May is a holiday, 2 May the town hall's "pont".
    assert add_working_hours(at(2025, 4, 30, 16), 2, pont) == at(2025, 5, 5, 10)


def test_start_outside_working_hours() -> None:
    assert add_working_hours(at(2025, 3, 15, 10), 1, WEEK) == at(2025, 3, 17, 10)  # Saturday
    assert add_working_hours(at(2025, 3, 17, 7), 1, WEEK) == at(2025, 3, 17, 10)  # before opening
    assert add_working_hours(at(2025, 3, 17, 20), 0, WEEK) == at(2025, 3, 18, 9)
    assert next_working_start(at(2025, 3, 17, 10), WEEK) == at(2025, 3, 17, 10)
    assert next_working_start(at(2025, 12, 24, 18), WEEK) == at(2025, 12, 26, 9)


def test_daylight_saving_time() -> None:
    always = WorkingSchedule.always()
    # 30 March 2025: 02:00 → 03:00. Two real hours after 01:00 CET is 04:00 CEST.
    assert add_working_hours(at(2025, 3, 30, 1), 2, always) == at(2025, 3, 30, 4)
    # 26 October 2025: 03:00 → 02:00. Three real hours after 01:00 CEST is 03:00 CET.
    assert add_working_hours(at(2025, 10, 26, 1), 3, always).astimezone(dt.UTC) == dt.datetime(2025, 10, 26, 2, tzinfo=dt.UTC)
    # A 9–17 working day keeps its eight hours on both sides of the change.
    assert working_hours_between(at(2025, 3, 31), at(2025, 4, 1), WEEK) == pytest.approx(8)
    assert working_hours_between(at(2025, 10, 27), at(2025, 10, 28), WEEK) == pytest.approx(8)
    # A whole day of clock time on the change days: 23 h and 25 h.
    assert working_hours_between(at(2025, 3, 30), at(2025, 3, 31), always) == pytest.approx(23)
    assert working_hours_between(at(2025, 10, 26), at(2025, 10, 27), always) == pytest.approx(25)


def test_another_time_zone() -> None:
    cayenne = ZoneInfo("America/Cayenne")
    guyane = WorkingSchedule.weekly([0, 1, 2, 3, 4], dt.time(8), dt.time(16), timezone="America/Cayenne")
    friday = dt.datetime(2025, 3, 14, 15, tzinfo=cayenne)
    assert add_working_hours(friday, 2, guyane) == dt.datetime(2025, 3, 17, 9, tzinfo=cayenne)
    # The same instant seen from Paris gives the same answer.
    assert add_working_hours(friday.astimezone(PARIS), 2, guyane) == dt.datetime(2025, 3, 17, 9, tzinfo=cayenne)


def test_errors_are_french_and_clear() -> None:
    with pytest.raises(DeadlineError, match="fuseau horaire"):
        add_working_hours(dt.datetime(2025, 3, 14, 9), 1, WEEK)
    with pytest.raises(DeadlineError, match="avant de commencer"):
        WorkingSchedule(hours={0: ((dt.time(17), dt.time(9)),)})
    with pytest.raises(DeadlineError, match="chevauchent"):
        WorkingSchedule(hours={0: ((dt.time(9), dt.time(12)), (dt.time(11), dt.time(14)))})
    with pytest.raises(DeadlineError, match="Fuseau horaire inconnu"):
        WorkingSchedule(timezone="Europe/Atlantide")
    with pytest.raises(DeadlineError, match="Aucun horaire"):
        add_working_hours(at(2025, 3, 14), 1, WorkingSchedule())
    with pytest.raises(DeadlineError, match="au moins un jour"):
        WorkingSchedule.weekly([], dt.time(9), dt.time(17))
    with pytest.raises(DeadlineError, match="négatif"):
        add_working_hours(at(2025, 3, 14), -1, WEEK)


def test_between_is_signed() -> None:
    a, b = at(2025, 3, 14, 10), at(2025, 3, 17, 11)
    assert working_hours_between(a, b, WEEK) == pytest.approx(9)
    assert working_hours_between(b, a, WEEK) == pytest.approx(-9)


SCHEDULES = [
    WEEK,
    WorkingSchedule.weekly([0, 1, 3, 4], dt.time(8, 30), dt.time(12, 30)),
    WorkingSchedule.weekly([0, 2, 4], dt.time(9), dt.time(17), lunch_break=(dt.time(12), dt.time(14)), alsace_moselle=True),
    WorkingSchedule.always(),
]


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31)),
    hours=st.floats(min_value=0, max_value=200, allow_nan=False),
    which=st.integers(min_value=0, max_value=len(SCHEDULES) - 1),
)
def test_adding_then_measuring_gives_the_hours_back(start: dt.datetime, hours: float, which: int) -> None:
    schedule = SCHEDULES[which]
    begin = start.replace(tzinfo=dt.UTC)
    end = add_working_hours(begin, hours, schedule)
    assert end >= begin
    assert working_hours_between(begin, end, schedule) == pytest.approx(hours, abs=1e-6)
    if hours >= 0.001:
        assert is_working_time(end - dt.timedelta(seconds=1), schedule)
