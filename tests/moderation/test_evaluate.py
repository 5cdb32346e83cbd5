"""`beffroi eval` reads the formats labelled sets come in: MLMA, HateCheck-style functional tests,
binary toxicity files, and the project's own {text, labels} JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beffroi.domain.moderation import Engine
from beffroi.domain.moderation.evaluate import EvalFormatError, evaluate, format_report, read_examples


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def test_hatecheck_csv_is_scored_on_the_hate_label_per_functionality(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "hatecheck.csv"
    path.write_text(
        "functionality,test_case,label_gold\n"
        "derog_dehum_h,Les immigrés sont des rats.,hateful\n"
        "derog_dehum_h,Les musulmans sont des parasites.,hateful\n"
        "target_indiv_nh,Tu es un menteur et un voleur.,non-hateful\n"
        "ident_pos_nh,J'adore les musulmans.,non-hateful\n",
        encoding="utf-8",
    )
    examples = list(read_examples(path))
    assert [e.hate for e in examples] == [True, True, False, False]
    assert all(e.on_hate for e in examples)
    report = evaluate(engine.judge, examples)
    # the insult aimed at one person is flagged but is not hate: right for a hate test
    assert report.groups == {"derog_dehum_h": (2, 2), "target_indiv_nh": (1, 1), "ident_pos_nh": (1, 1)}
    text = format_report(report)
    assert "macro-F1 (hate / non-hate) : 1.000" in text and "groupe le plus faible" in text


def test_binary_toxicity_files_in_csv_and_jsonl(tmp_path: Path, engine: Engine) -> None:
    csv_path = tmp_path / "tox.csv"
    csv_path.write_text("text,label\nferme ta gueule espèce de clown,1\nbon courage pour tes exams,0\n", encoding="utf-8")
    jsonl_path = tmp_path / "tox.jsonl"
    rows = [{"text": "sale merde", "toxic": True, "kind": "insulte"}, {"text": "merci pour le marché", "toxic": False}]
    jsonl_path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    for path in (csv_path, jsonl_path):
        examples = list(read_examples(path))
        assert [e.flagged for e in examples] == [True, False] and not any(e.on_hate for e in examples)
        report = evaluate(engine.judge, examples)
        assert report.flagged.tp == 1 and report.flagged.fp == 0
    assert evaluate(engine.judge, read_examples(jsonl_path)).groups == {"insulte": (1, 1)}


def test_unreadable_labels_and_unknown_columns_are_clear_errors(tmp_path: Path) -> None:
    bad_label = tmp_path / "bad.csv"
    bad_label.write_text("text,label\nbonjour,peut-être\n", encoding="utf-8")
    with pytest.raises(EvalFormatError, match="peut-être"):
        list(read_examples(bad_label))
    no_text = tmp_path / "cols.csv"
    no_text.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(EvalFormatError, match="colonnes attendues"):
        list(read_examples(no_text))
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"text": "x", "labels": ["inconnue"]}\n', encoding="utf-8")
    with pytest.raises(EvalFormatError, match="inconnue"):
        list(read_examples(bad_json))
