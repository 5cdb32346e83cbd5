"""French behaviour cases for the moderation engine (tests/moderation/cases/*.jsonl).

Each line of a case file is one JSON object::

    {"id": "neg-003", "text": "...", "expect": ["hate"], "forbid": ["insult"],
     "action": "hide", "kind": "structure:negation", "why": "explication courte en français"}

- ``expect``: labels that must be in the verdict;
- ``forbid``: labels that must NOT be in the verdict;
- ``action`` (optional): the action the default charter must decide (hide / review / keep);
- ``kind``: what the case exercises (``label:<label>``, ``obfuscation:<kind>``,
  ``structure:<kind>`` or ``bad_input``); ``why``: why the expectation is right.

The engine is built once for the whole module and every case is a separate test, so a failure
names the case, its text, and the labels, scores and action the engine returned.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

CASES_DIR = Path(__file__).parent / "cases"
REMOVAL_WORTHY = ("hate", "insult", "threat", "harassment", "sexual", "personal_data", "spam")
ALL_LABELS = (*REMOVAL_WORTHY, "criticism", "question", "praise", "shouting")
ACTIONS = ("hide", "review", "keep")
OBFUSCATION_KINDS = (
    "leetspeak",
    "spaces",
    "punctuation",
    "deleted_letters",
    "swapped_letters",
    "repeated_letters",
    "missing_accents",
    "homoglyphs",
    "zero_width",
    "emoji_letters",
)
STRUCTURE_KINDS = (
    "negation",
    "negated_positive",
    "counter_quote",
    "counter_report",
    "identity_neutral",
    "identity_positive",
    "profanity_no_target",
    "abuse_object",
    "abuse_individual",
    "abuse_nonprotected_group",
    "question_hate",
    "opinion_hate",
    "pronoun_reference",
)


def _load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            case["_where"] = f"{path.name}:{number}"
            cases.append(case)
    return cases


CASES = _load_cases()


def _short(text: str, limit: int = 160) -> str:
    shown = text if len(text) <= limit else f"{text[:limit]}… ({len(text)} caractères)"
    return ascii(shown) if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in shown) else shown


@pytest.fixture(scope="module")
def engine() -> Any:
    from beffroi.domain.moderation import Engine

    return Engine()


# --- the case files themselves -------------------------------------------------------------------


def test_there_are_at_least_400_cases() -> None:
    assert len(CASES) >= 400, f"only {len(CASES)} cases in {CASES_DIR}"


def test_case_ids_are_unique() -> None:
    counts = Counter(case["id"] for case in CASES)
    duplicates = sorted(case_id for case_id, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate case ids: {duplicates}"


def test_cases_are_well_formed() -> None:
    problems = []
    for case in CASES:
        where = f"{case['_where']} ({case.get('id')})"
        if not isinstance(case.get("id"), str) or not case["id"]:
            problems.append(f"{where}: missing id")
        if not isinstance(case.get("text"), str):
            problems.append(f"{where}: text must be a string")
        for key in ("expect", "forbid"):
            labels = case.get(key)
            if not isinstance(labels, list) or any(label not in ALL_LABELS for label in labels):
                problems.append(f"{where}: {key} must be a list of known labels, got {labels!r}")
        if set(case.get("expect", [])) & set(case.get("forbid", [])):
            problems.append(f"{where}: a label cannot be both expected and forbidden")
        if "action" in case and case["action"] not in ACTIONS:
            problems.append(f"{where}: unknown action {case['action']!r}")
        if not case.get("kind") or not case.get("why"):
            problems.append(f"{where}: kind and why are required")
    assert not problems, "\n".join(problems)


def test_cases_cover_every_label_obfuscation_and_structure() -> None:
    kinds = Counter(case["kind"] for case in CASES)
    missing = [f"label:{label} ({kinds[f'label:{label}']})" for label in ALL_LABELS if kinds[f"label:{label}"] < 20]
    missing += [
        f"obfuscation:{kind} ({kinds[f'obfuscation:{kind}']})"
        for kind in OBFUSCATION_KINDS
        if kinds[f"obfuscation:{kind}"] < 10
    ]
    missing += [
        f"structure:{kind} ({kinds[f'structure:{kind}']})"
        for kind in STRUCTURE_KINDS
        if kinds[f"structure:{kind}"] < 12
    ]
    assert kinds["bad_input"] >= 7, "bad input cases missing"
    assert not missing, f"under-covered kinds: {missing}"


def test_training_corpus_and_demo_data_are_valid() -> None:
    from beffroi.data.corpus.stats import REMOVAL_WORTHY as RW
    from beffroi.data.corpus.stats import check_corpus, check_demo

    counts, problems = check_corpus()
    demo, demo_problems = check_demo()
    assert not problems + demo_problems, "\n".join(problems + demo_problems)
    total: Counter[str] = Counter()
    for counter in counts.values():
        total.update(counter)
    assert total["_lines"] >= 6000
    assert total["hate"] >= 900 and total["insult"] >= 900
    assert all(total[label] >= 400 for label in RW), {label: total[label] for label in RW}
    assert total["_nothing_to_remove"] >= 2000
    assert demo["items"] >= 350 and demo["mentions"] >= 120 and 10 <= demo["saved_replies"] <= 15


# --- the engine against every case ---------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(engine: Any, case: dict[str, Any]) -> None:
    verdict = engine.judge(case["text"])
    got = {label.value for label in verdict.labels}
    scores = {label.value: round(score, 3) for label, score in verdict.scores.items() if score >= 0.05}
    missing = sorted(set(case["expect"]) - got)
    unwanted = sorted(set(case["forbid"]) & got)
    problems = []
    if missing:
        problems.append(f"étiquettes attendues absentes : {missing}")
    if unwanted:
        problems.append(f"étiquettes interdites présentes : {unwanted}")
    if "action" in case and verdict.action.value != case["action"]:
        problems.append(f"action attendue {case['action']!r}, obtenue {verdict.action.value!r}")
    assert not problems, (
        f"\ncas {case['id']} ({case['kind']}, {case['_where']}) : {case['why']}\n"
        f"texte : {_short(case['text'])}\n"
        + "\n".join(problems)
        + f"\nobtenu : labels={sorted(got)} action={verdict.action.value} scores={scores}"
    )
