"""HateCheck-style functional suite (functional/hatecheck_fr.jsonl, built by make_suite.py).

Targets from the brief: macro-F1 on `hate` ≥ 0.85 and no functionality below 0.65.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from beffroi.domain.metrics import binary, binary_macro_f1
from beffroi.domain.moderation.engine import Engine
from beffroi.domain.moderation.types import Label

SUITE = Path(__file__).parent / "functional" / "hatecheck_fr.jsonl"


def _cases() -> list[dict[str, object]]:
    return [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_suite_is_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_suite", SUITE.with_name("make_suite.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == _cases()


def test_functional_targets(full_engine: Engine) -> None:
    by_functionality: dict[str, list[bool]] = defaultdict(list)
    pairs = []
    for case in _cases():
        predicted = Label.HATE in full_engine.judge(str(case["text"])).labels
        pairs.append((bool(case["hateful"]), predicted))
        by_functionality[str(case["functionality"])].append(predicted == case["hateful"])
    accuracy = {name: sum(r) / len(r) for name, r in by_functionality.items()}
    assert binary_macro_f1(binary(pairs)) >= 0.85, accuracy
    weakest = min(accuracy, key=accuracy.__getitem__)
    assert accuracy[weakest] >= 0.65, accuracy
