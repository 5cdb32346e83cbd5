"""Every scenario of data/veille/scenarios meets the targets: each rumour alerted within its first 25
posts and 60 minutes, at most one false rumour alert per simulated month (here: none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from beffroi.domain.rumour.catalogue import SCENARIO_DIR
from beffroi.domain.rumour.evaluate import TARGET_MINUTES, TARGET_POSTS, evaluate_scenario

SCENARIOS = sorted(p.name for p in SCENARIO_DIR.iterdir() if (p / "truth.json").exists())


def test_there_are_many_varied_scenarios() -> None:
    assert len(SCENARIOS) >= 20
    assert sum(1 for s in SCENARIOS if s.startswith("h-")) >= 5  # held-out ones


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_meets_the_targets(name: str) -> None:
    result = evaluate_scenario(SCENARIO_DIR / name)
    for event in result.events:
        if event.kind != "rumour":
            continue
        assert event.detected, f"{name}: rumour {event.type} not alerted"
        assert event.posts is not None and event.posts <= TARGET_POSTS, f"{name}: {event.posts} posts"
        assert event.minutes is not None and event.minutes <= TARGET_MINUTES, f"{name}: {event.minutes} min"
    months = max(result.days / 30.0, 1.0)
    assert result.false_alerts["rumour"] / months <= 1.0, f"{name}: {result.false_alerts}"
    assert result.false_alerts["rumour"] == 0, f"{name}: false rumour alerts {result.alerts}"


def test_evaluation_counts_a_false_rumour(tmp_path: Path) -> None:
    """The evaluation itself can fail: a scenario whose truth forgets the rumour reports it as false."""
    import json
    import shutil

    src = SCENARIO_DIR / "roubaix-piscine"
    dst = tmp_path / "sans-verite"
    shutil.copytree(src, dst)
    truth = json.loads((dst / "truth.json").read_text(encoding="utf-8"))
    truth["events"] = []
    (dst / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    result = evaluate_scenario(dst)
    assert result.false_alerts["rumour"] >= 1
