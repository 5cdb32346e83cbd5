"""The `beffroi veille replay` contract: exact keys, deterministic output, malformed lines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from beffroi.cli import veille
from beffroi.domain.rumour import ALERT_JSON_KEYS
from beffroi.domain.rumour.catalogue import SCENARIO_DIR

SCENARIO = SCENARIO_DIR / "roubaix-piscine"


def _parser() -> argparse.ArgumentParser:
    """The real entry point when every area's command module is present, else this area's alone."""
    try:
        from beffroi.cli.main import build_parser

        return build_parser()
    except ModuleNotFoundError:
        parser = argparse.ArgumentParser(prog="beffroi")
        sub = parser.add_subparsers(dest="command")
        veille.register(sub)
        return parser


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    args = _parser().parse_args(argv)
    code = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_replay_prints_alerts_with_exactly_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        [
            "veille",
            "replay",
            str(SCENARIO / "stream.jsonl"),
            "--commune",
            "roubaix",
            "--facts",
            str(SCENARIO / "facts.txt"),
        ],
        capsys,
    )
    assert code == 0 and err == ""
    alerts = [json.loads(line) for line in out.splitlines()]
    assert alerts
    for alert in alerts:
        assert list(alert) == list(ALERT_JSON_KEYS)
        assert alert["kind"] in {"rumour", "bad_buzz", "spike"}
        assert isinstance(alert["post_ids"], list) and alert["post_ids"]
        assert alert["at"][:4] == "2025" and "T" in alert["at"]
    assert any(a["kind"] == "rumour" for a in alerts)


def test_replay_is_byte_identical(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "veille",
        "replay",
        str(SCENARIO / "stream.jsonl"),
        "--commune",
        "roubaix",
        "--facts",
        str(SCENARIO / "facts.txt"),
    ]
    first = _run(argv, capsys)[1]
    assert _run(argv, capsys)[1] == first


def test_malformed_lines_are_reported_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (SCENARIO / "stream.jsonl").read_text(encoding="utf-8").splitlines()
    broken = list(lines)
    broken.insert(3, '{"id": "x1", "text": ')
    broken.insert(10, '{"id": "x2", "created_at": "hier", "author": "a", "text": "bonjour"}')
    broken.insert(20, "[1, 2, 3]")
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    facts = str(SCENARIO / "facts.txt")
    code, out, err = _run(["veille", "replay", str(path), "--commune", "roubaix", "--facts", facts], capsys)
    assert code == 0
    errors = [json.loads(line) for line in err.splitlines()]
    assert [e["line"] for e in errors] == [4, 11, 21]
    assert all(isinstance(e["error"], str) and e["error"] for e in errors)
    assert "ISO 8601" in errors[1]["error"]
    clean = _run(
        ["veille", "replay", str(SCENARIO / "stream.jsonl"), "--commune", "roubaix", "--facts", facts], capsys
    )[1]
    assert out == clean  # the other lines were processed as usual


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["veille", "replay", str(tmp_path / "absent.jsonl"), "--commune", "x"], capsys)
    assert code == 2 and out == ""
    assert "illisible" in json.loads(err)["error"]


def test_config_provider_hook(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The web app plugs its database in through BEFFROI_VEILLE_CONFIG_PROVIDER (facts come from it)."""
    argv = ["veille", "replay", str(SCENARIO / "stream.jsonl"), "--commune", "roubaix", "--details"]
    without = [json.loads(line) for line in _run(argv, capsys)[1].splitlines()]
    assert all(a["contradicted_fact"] is None for a in without)
    monkeypatch.setenv("BEFFROI_VEILLE_CONFIG_PROVIDER", "tests.rumour.provider:commune_config")
    code, out, _ = _run(argv, capsys)
    assert code == 0
    with_provider = [json.loads(line) for line in out.splitlines()]
    assert any(a["kind"] == "rumour" and a["contradicted_fact"] for a in with_provider)
    assert all(isinstance(r, str) for a in with_provider for r in a["reasons"])


def test_replay_accepts_the_commune_s_written_name(capsys: pytest.CaptureFixture[str]) -> None:
    """--name is optional: the same alerts keys, and the slug alone already recognises the name."""
    base = [
        "veille",
        "replay",
        str(SCENARIO / "stream.jsonl"),
        "--commune",
        "roubaix",
        "--facts",
        str(SCENARIO / "facts.txt"),
    ]
    code, plain, _ = _run(base, capsys)
    code_named, named, err = _run([*base, "--name", "Roubaix"], capsys)
    assert code == code_named == 0 and err == ""
    assert [json.loads(line)["kind"] for line in named.splitlines()] == [
        json.loads(line)["kind"] for line in plain.splitlines()
    ]


def test_replay_does_not_read_a_local_database_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """The output of `replay` depends only on its arguments."""
    from beffroi.conf import get

    monkeypatch.delenv("BEFFROI_VEILLE_REPLAY_USE_DATABASE", raising=False)
    monkeypatch.delenv("BEFFROI_VEILLE_CONFIG_PROVIDER", raising=False)
    assert get("VEILLE_REPLAY_USE_DATABASE") is False
    assert veille._provider() is None
