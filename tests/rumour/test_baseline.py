"""The commune's rhythm: priors, day/night shape, robustness to bursts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from beffroi.domain.rumour.baseline import PRIOR_SHAPE, RhythmBaseline


def _feed(
    b: RhythmBaseline,
    start: datetime,
    days: int,
    per_day: float,
    rng: random.Random,
    burst_day: int | None = None,
) -> None:
    for h in range(days * 24):
        t = start + timedelta(hours=h)
        mean = per_day * PRIOR_SHAPE[t.hour] * (2.5 if t.hour in (12, 13) else 1.0)
        count = int(mean + rng.random())
        if burst_day is not None and h == burst_day * 24 + 3:
            count += 300  # a rumour at 3 a.m.
        for k in range(count):
            b.observe(t + timedelta(minutes=k * 60 / max(count, 1)))


def test_prior_before_any_history() -> None:
    b = RhythmBaseline(posts_per_day=48)
    noon = datetime(2025, 3, 3, 12, 0)
    night = datetime(2025, 3, 3, 4, 0)
    assert b.level() == 48
    assert b.rate(noon) > 5 * b.rate(night)


def test_learns_level_and_shape_from_the_stream() -> None:
    b = RhythmBaseline(posts_per_day=10)
    _feed(b, datetime(2025, 3, 3), 10, 200, random.Random(1))
    assert 150 < b.level() < 260
    assert b.rate(datetime(2025, 3, 14, 12, 30)) > b.rate(datetime(2025, 3, 14, 18, 30))  # lunch peak learned
    assert b.rate(datetime(2025, 3, 14, 3, 0)) < 3.0


def test_a_burst_barely_moves_the_baseline() -> None:
    quiet = RhythmBaseline(posts_per_day=100)
    burst = RhythmBaseline(posts_per_day=100)
    _feed(quiet, datetime(2025, 3, 3), 9, 100, random.Random(2))
    _feed(burst, datetime(2025, 3, 3), 9, 100, random.Random(2), burst_day=5)
    night = datetime(2025, 3, 12, 3, 30)
    assert abs(burst.level() - quiet.level()) < 5
    assert burst.rate(night) < quiet.rate(night) + 1.5


def test_snapshot_round_trip() -> None:
    b = RhythmBaseline(posts_per_day=30)
    _feed(b, datetime(2025, 3, 3), 3, 30, random.Random(3))
    c = RhythmBaseline.from_dict(b.to_dict())
    t = datetime(2025, 3, 6, 9, 0)
    assert c.rate(t) == b.rate(t) and c.level() == b.level()
