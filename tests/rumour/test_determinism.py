"""Same input, same output; a snapshot restored mid-stream continues exactly."""

from __future__ import annotations

import json
import random
from pathlib import Path

from beffroi.domain.rumour import CommuneConfig, Detector
from beffroi.domain.rumour.catalogue import SCENARIO_DIR
from beffroi.domain.rumour.replay import read_facts, read_stream
from beffroi.domain.rumour.types import load_zone

SCENARIO = SCENARIO_DIR / "saint-aubin-mois"
ZONE = load_zone("Europe/Paris")


def _config() -> CommuneConfig:
    facts = read_facts((SCENARIO / "facts.txt").read_text(encoding="utf-8"))
    return CommuneConfig(slug="saint-aubin-sur-loire", facts=facts)


def _lines() -> list[str]:
    return (SCENARIO / "stream.jsonl").read_text(encoding="utf-8").splitlines()


def _alerts(lines: list[str]) -> list[str]:
    det = Detector(_config())
    stream = read_stream(lines, ZONE)
    return [json.dumps(a.to_dict(), ensure_ascii=False) for p in stream.posts for a in det.observe(p)]


def test_same_input_same_alerts() -> None:
    first = _alerts(_lines())
    assert first, "the scenario has rumours: alerts expected"
    assert _alerts(_lines()) == first


def test_input_order_does_not_matter() -> None:
    lines = _lines()
    shuffled = list(lines)
    random.Random(4).shuffle(shuffled)
    assert _alerts(shuffled) == _alerts(lines)


def test_snapshot_restore_continues_identically(tmp_path: Path) -> None:
    posts = read_stream(_lines(), ZONE).posts
    cut = len(posts) // 2
    whole = Detector(_config())
    expected = [a.to_dict() for p in posts for a in whole.observe(p)]

    first = Detector(_config())
    got = [a.to_dict() for p in posts[:cut] for a in first.observe(p)]
    state = tmp_path / "state.json"
    state.write_text(json.dumps(first.snapshot()), encoding="utf-8")  # JSON-serialisable
    restored = Detector.restore(json.loads(state.read_text(encoding="utf-8")))
    got += [a.to_dict() for p in posts[cut:] for a in restored.observe(p)]
    assert got == expected
    assert restored.snapshot() == whole.snapshot()


def test_restore_rejects_an_unknown_version() -> None:
    snap = Detector(_config()).snapshot()
    snap["version"] = 999
    try:
        Detector.restore(snap)
    except ValueError as exc:
        assert "version" in str(exc)
    else:
        raise AssertionError("an unknown snapshot version must be refused")
