"""The command-line contract: `beffroi classify`, `beffroi eval`, `beffroi bench classify`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from beffroi.cli.moderation import MAX_LINE_BYTES, RecentTexts, classify_stream, judge_line, read_lines
from beffroi.domain.moderation.engine import Engine

REPO = Path(__file__).resolve().parents[2]
BEFFROI = [sys.executable, "-m", "beffroi.cli.main"]


def _run(engine: Engine, lines: list[bytes | str]) -> list[dict[str, object]]:
    out = io.StringIO()
    classify_stream(engine, iter(lines), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_verdict_per_line_in_order(full_engine: Engine) -> None:
    lines = [
        json.dumps({"id": i, "text": t})
        for i, t in enumerate(["Merci !", "connard", "Les juifs sont des rats", "Bonjour ?"])
    ]
    results = _run(full_engine, lines)
    assert [r["id"] for r in results] == [0, 1, 2, 3]
    assert "insult" in results[1]["labels"] and results[2]["action"] == "hide"
    for r in results:
        assert set(r) >= {"id", "labels", "action", "scores", "reasons"}


def test_output_streams_before_the_input_ends(full_engine: Engine) -> None:
    out = io.StringIO()
    written_before: list[int] = []

    def producer() -> Iterator[bytes]:
        for i in range(5):
            written_before.append(out.getvalue().count("\n"))
            yield json.dumps({"id": i, "text": f"commentaire {i}"}).encode()

    classify_stream(full_engine, producer(), out)
    assert written_before == [0, 1, 2, 3, 4]  # each verdict is written before the next line is read


def test_malformed_lines_get_an_error_and_processing_goes_on(full_engine: Engine) -> None:
    lines: list[bytes | str] = [
        "pas du json",
        json.dumps([1, 2]),
        json.dumps({"id": "a"}),
        json.dumps({"id": "b", "text": 12}),
        json.dumps({"id": "c", "text": "ok", "is_private": "oui"}),
        b'{"id": "d", "text": "caf\xe9"}',
        json.dumps({"id": "e", "text": "Merci pour tout"}),
    ]
    results = _run(full_engine, lines)
    assert len(results) == 7
    assert results[0]["id"] is None and "JSON invalide" in str(results[0]["error"])
    assert "objet JSON" in str(results[1]["error"])
    assert results[2]["id"] == "a" and "text" in str(results[2]["error"])
    assert results[3]["id"] == "b" and "error" in results[3]
    assert results[4]["id"] == "c" and "true ou false" in str(results[4]["error"])
    assert results[5]["id"] == "d" and "UTF-8" in str(results[5]["error"])
    assert results[6]["id"] == "e" and "labels" in results[6]


def test_hostile_texts_get_a_verdict(full_engine: Engine) -> None:
    texts = [
        "",
        "\u202eLes juifs sont des rats",
        "e" + "\u0301" * 20_000,
        "x" * 100_000,
        "\\ud800",
        "🙂" * 5000,
    ]
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)]
    lines.append('{"id": "s", "text": "\\ud800 seul"}')
    results = _run(full_engine, lines)
    assert len(results) == len(lines)
    assert all("action" in r for r in results), [r for r in results if "action" not in r]
    assert "hate" in results[1]["labels"]


def test_context_fields_are_read(full_engine: Engine) -> None:
    line = json.dumps(
        {"id": 1, "text": "Vous pouvez me joindre au 06 12 34 56 78", "context": {"is_private": True}}
    )
    private = judge_line(full_engine, line)
    public = judge_line(
        full_engine, json.dumps({"id": 1, "text": "Vous pouvez me joindre au 06 12 34 56 78"})
    )
    assert private["scores"]["personal_data"] < public["scores"]["personal_data"]  # type: ignore[index]


def test_repeated_posts_are_detected_in_the_stream(full_engine: Engine) -> None:
    text = "Découvrez ma nouvelle page de recettes, abonnez-vous et partagez autour de vous"
    results = _run(full_engine, [json.dumps({"id": i, "text": text}) for i in range(4)])
    assert "spam" in results[-1]["labels"]
    memory = RecentTexts(size=2)
    assert [
        memory.seen("a" * 40),
        memory.seen("a" * 40),
        memory.seen("b" * 40),
        memory.seen("c" * 40),
        memory.seen("a" * 40),
    ] == [0, 1, 0, 0, 0]


def test_oversized_lines_are_skipped_with_an_error() -> None:
    data = b'{"id": 1, "text": "ok"}\n' + b"x" * (MAX_LINE_BYTES + 10) + b"\n" + b'{"id": 2, "text": "ok"}\n'
    lines = list(read_lines(io.BytesIO(data)))
    assert len(lines) == 3 and lines[1] is None and lines[2] is not None and b'"id": 2' in lines[2]


def test_classify_command_end_to_end() -> None:
    data = (
        "\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(["Merci !", "va te pendre"]))
        + "\n{bad\n"
    )
    proc = subprocess.run(
        [*BEFFROI, "classify", "--no-model"],
        input=data.encode(),
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    results = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r.get("id") for r in results[:2]] == [0, 1]
    assert "harassment" in results[1]["labels"]
    assert len(results) == 3 and "error" in results[2]


def test_classify_refuses_an_invalid_charter(tmp_path: Path) -> None:
    charter = tmp_path / "charte.toml"
    charter.write_text('[charter]\nname = "x"\n', encoding="utf-8")
    proc = subprocess.run(
        [*BEFFROI, "classify", "--charter", str(charter)],
        input=b"",
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 2 and "au moins un article" in proc.stderr.decode()


def test_eval_command_on_jsonl_and_mlma_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "eval.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps({"text": t, "labels": labels})
            for t, labels in [
                ("Les juifs sont des rats", ["hate"]),
                ("Merci pour la fête", ["praise"]),
                ("connard", ["insult"]),
                ("Je déteste les lundis", []),
            ]
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [*BEFFROI, "eval", str(jsonl), "--no-model"], capture_output=True, cwd=REPO, timeout=120, check=True
    )
    out = proc.stdout.decode()
    assert "macro-F1" in out and "précision" in out and "hate" in out
    csv_file = tmp_path / "mlma.csv"
    csv_file.write_text(
        "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n"
        "1,sale bougnoule,hateful,direct,anger,origin,arabs\n2,il fait beau à la plage,normal,indirect,indifference,other,other\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [*BEFFROI, "eval", str(csv_file), "--no-model"],
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    assert "hate / non-hate" in proc.stdout.decode() and "1.000" in proc.stdout.decode()


def test_bench_prints_figures() -> None:
    proc = subprocess.run(
        [*BEFFROI, "bench", "classify", "--count", "300", "--json"],
        capture_output=True,
        cwd=REPO,
        timeout=300,
        check=True,
    )
    figures = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert figures["comments"] == 300
    assert figures["comments_per_second"] > 0 and figures["p99_ms"] >= figures["p50_ms"] > 0
    assert figures["peak_memory_mb"] > 0


def test_bench_corpus_is_deterministic() -> None:
    from beffroi.domain.moderation.bench import corpus

    assert corpus(500, seed=3) == corpus(500, seed=3)
    assert corpus(500, seed=3) != corpus(500, seed=4)


def test_a_broken_line_keeps_its_id_when_it_can_be_read(full_engine: Engine) -> None:
    lines: list[bytes | str] = [
        '{"id": "x1", "text": "coupé',
        '{"id": 42, "text": ',
        '{"text": "x", "id": "z"',
        "{}",
    ]
    results = _run(full_engine, lines)
    assert [r.get("id") for r in results] == ["x1", 42, None, None]
    assert all("JSON invalide" in str(r["error"]) for r in results[:3])
