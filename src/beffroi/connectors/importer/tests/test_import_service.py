"""Importing into a commune: idempotent, resumable, history only; the `beffroi import` command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from beffroi.connectors import cli
from beffroi.connectors.importer import connector as importer_connector
from beffroi.connectors.importer.service import prepare_import, run_import
from beffroi.core.models import AuditRecord
from beffroi.workspace.models import Account, Item

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

pytestmark = pytest.mark.django_db


def test_import_is_idempotent_and_history_only(commune: Any) -> None:
    data = (FIXTURES / "exemple.jsonl").read_bytes()
    prepared = prepare_import(commune, data, "exemple.jsonl")
    assert prepared.account is not None and prepared.items == 4 and prepared.fmt == "jsonl"
    result = run_import(prepared.account)
    assert result.status == "ok" and result.items_created == 4
    items = Item.objects.filter(commune=commune)
    assert items.count() == 4 and {i.platform for i in items} == {"import"}
    assert not any(i.moderated for i in items)  # history: not sent to the review queue
    reply = items.get(external_id="facebook:c3")
    assert reply.parent is not None and reply.parent.external_id == "facebook:c2"
    assert reply.raw_payload["source_platform"] == "facebook"
    # The same file again: same account, nothing new.
    again = prepare_import(commune, data, "copie.jsonl")
    assert again.account is not None and again.account.pk == prepared.account.pk
    assert run_import(again.account).items_created == 0
    assert Item.objects.filter(commune=commune).count() == 4
    assert AuditRecord.objects.filter(verb="import.completed").count() == 2
    prepared.account.refresh_from_db()
    assert prepared.account.options["completed_at"] and not prepared.account.owned


def test_a_large_import_resumes_where_it_stopped(commune: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer_connector, "PAGE_SIZE", 2)
    prepared = prepare_import(commune, (FIXTURES / "exemple.jsonl").read_bytes(), "exemple.jsonl")
    assert prepared.account is not None
    from beffroi.connectors.sync import sync_account

    first = sync_account(prepared.account, max_pages=1, force=True)
    assert first.status == "more" and first.items_created == 2
    prepared.account.refresh_from_db()
    assert prepared.account.cursor == {"offset": 2, "total": 4}
    rest = run_import(prepared.account)
    assert rest.items_created == 2 and Item.objects.count() == 4


def test_a_file_with_problems_is_refused_whole(commune: Any) -> None:
    prepared = prepare_import(commune, (FIXTURES / "erreurs.csv").read_bytes(), "erreurs.csv")
    assert prepared.account is None and [p.line for p in prepared.problems] == [3, 4, 5]
    assert not Account.objects.exists() and not Item.objects.exists()
    unknown = prepare_import(commune, b"x", "notes.docx")
    assert unknown.account is None and "Format non reconnu" in str(unknown.problems[0])


def test_size_limit(commune: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_IMPORT_MAX_MB", "0")
    prepared = prepare_import(commune, b'{"texte": "a", "date": "2024-01-01"}\n', "a.jsonl")
    assert prepared.account is None and "taille maximale" in str(prepared.problems[0])


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="beffroi")
    cli.register(top.add_subparsers(dest="command"))
    return top


def test_beffroi_import_command(commune: Any, capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["import", str(FIXTURES / "comments.json"), "--commune", commune.slug])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert (
        "Import terminé : 2 nouveau(x) message(s), 0 déjà connu(s)" in out and "1 entrée(s) sans texte" in out
    )
    assert Item.objects.filter(text="Très bonne initiative, déjà inscrite 😀").exists()
    args = parser().parse_args(
        ["import", str(FIXTURES / "comments.json"), "--commune", commune.slug, "--format", "facebook"]
    )
    assert args.handler(args) == 0
    assert "0 nouveau(x) message(s), 2 déjà connu(s)" in capsys.readouterr().out


def test_beffroi_import_command_reports_problems(commune: Any, capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["import", str(FIXTURES / "erreurs.jsonl"), "--commune", commune.slug])
    assert args.handler(args) == 1
    err = capsys.readouterr().err
    assert (
        "Le fichier n'a pas été importé" in err
        and "Ligne 3 : la date « 32/13/2024 » n'est pas reconnue" in err
    )
    check = parser().parse_args(
        ["import", str(FIXTURES / "exemple.csv"), "--commune", commune.slug, "--check"]
    )
    assert check.handler(check) == 0 and "3 message(s) lisible(s), 0 problème(s)" in capsys.readouterr().out
    assert not Item.objects.exists()
    nowhere = parser().parse_args(["import", str(FIXTURES / "exemple.csv"), "--commune", "inconnue"])
    assert nowhere.handler(nowhere) == 2 and "Commune inconnue" in capsys.readouterr().err
