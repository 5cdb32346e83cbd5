"""Reading history files: columns, dates, French errors with line numbers, Meta's mojibake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from beffroi.connectors.base import AccountConfig, ActionTarget
from beffroi.connectors.importer import connector as importer_connector
from beffroi.connectors.importer.connector import ImportConnector
from beffroi.connectors.importer.formats import (
    ImportFileError,
    detect_format,
    fix_mojibake,
    parse_bytes,
    parse_file,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_jsonl_with_french_or_english_columns_and_local_dates() -> None:
    result = parse_file(FIXTURES / "exemple.jsonl", "jsonl")
    assert result.ok, result.problems
    first, second, reply, anonymous = result.items
    assert first.external_id == "facebook:c1" and first.kind == "comment" and first.likes == 3
    assert (
        first.author is not None
        and first.author.external_id == "facebook:501"
        and first.author.display_name == "Parent Exemple"
    )
    assert first.thread_external_id == "facebook:p1"
    assert first.published_at == dt.datetime(2024, 5, 31, 12, 3, tzinfo=dt.UTC)
    assert second.published_at == dt.datetime(2024, 5, 31, 13, 10, tzinfo=dt.UTC)  # 15:10 in Paris (summer)
    assert (
        reply.kind == "reply"
        and reply.parent_external_id == "facebook:c2"
        and reply.text == "Réponse : le 15 juin."
    )
    assert reply.published_at == dt.datetime(2024, 5, 31, 14, 0, tzinfo=dt.UTC)
    assert anonymous.published_at == dt.datetime.fromtimestamp(1717171200, tz=dt.UTC)
    assert anonymous.external_id.startswith("h:") and anonymous.raw["source_platform"] == "instagram"
    # Stable ids: the same file gives the same ids (re-import stores nothing twice).
    assert [i.external_id for i in parse_file(FIXTURES / "exemple.jsonl", "jsonl").items] == [
        i.external_id for i in result.items
    ]


def test_jsonl_problems_are_listed_in_french_with_their_line() -> None:
    result = parse_file(FIXTURES / "erreurs.jsonl", "jsonl")
    messages = [str(p) for p in result.problems]
    assert [p.line for p in result.problems] == [2, 3, 4, 5, 6, 7]
    assert messages[0] == "Ligne 2 : la colonne « texte » est vide ou absente."
    assert "la date « 32/13/2024 » n'est pas reconnue" in messages[1]
    assert messages[2].startswith("Ligne 4 : JSON invalide")
    assert "objet JSON" in messages[3]
    assert "le type « tweet » est inconnu" in messages[4]
    assert "nombres" in messages[5]
    assert len(result.items) == 1


def test_csv_semicolons_french_dates_and_cells_on_two_lines() -> None:
    result = parse_file(FIXTURES / "exemple.csv", "csv")
    assert result.ok, result.problems
    question, answer, review = result.items
    assert question.text == "Le marché est-il maintenu samedi ?"
    assert question.published_at == dt.datetime(2024, 6, 1, 7, 15, tzinfo=dt.UTC)
    assert answer.kind == "reply" and answer.likes == 2 and answer.text == "Merci, oui ; il est maintenu"
    assert review.text == "Un avis sur\ndeux lignes" and review.likes == 0


def test_csv_problems_point_at_the_lines() -> None:
    result = parse_file(FIXTURES / "erreurs.csv", "csv")
    assert [(p.line, p.message_fr) for p in result.problems] == [
        (3, "la colonne « texte » est vide ou absente."),
        (4, "la colonne « date » est vide ou absente."),
        (5, "cette ligne a plus de colonnes que l'en-tête (un séparateur en trop ?)."),
    ]
    missing = parse_file(FIXTURES / "sans_colonne_date.csv", "csv")
    assert (
        len(missing.problems) == 1
        and missing.problems[0].line == 1
        and "« date »" in missing.problems[0].message_fr
    )


def test_csv_saved_by_a_french_spreadsheet_in_windows_encoding() -> None:
    data = 'texte;date\n"Très bien, à bientôt";01/06/2024\n'.encode("cp1252")
    result = parse_bytes(data, "csv")
    assert result.ok and result.items[0].text == "Très bien, à bientôt"


def test_facebook_export_mojibake_is_fixed_and_photo_only_entries_skipped() -> None:
    result = parse_file(FIXTURES / "comments.json", "facebook")
    assert result.ok and result.skipped == 1
    first, second = result.items
    assert first.text == "Très bonne initiative, déjà inscrite 😀"
    assert first.author is not None and first.author.display_name == "Céline Exemple"
    assert first.raw["title"] == "Céline Exemple a commenté la publication de Mairie de Saint-Aubin."
    assert first.published_at == dt.datetime.fromtimestamp(1717228800, tz=dt.UTC)
    assert second.text == "Où trouver le formulaire ?"
    assert first.external_id.startswith("fbexport:") and first.external_id != second.external_id
    assert first.raw["line"] == 3 and second.raw["line"] > first.raw["line"]


def test_facebook_export_errors() -> None:
    broken = parse_bytes(b'{"comments_v2": [\n  {"timestamp": 1,\n', "facebook")
    assert broken.problems[0].line == 3 and "JSON invalide" in broken.problems[0].message_fr
    other = parse_bytes(b'{"likes": []}', "facebook")
    assert "comments_v2" in other.problems[0].message_fr


def test_mojibake_fix_leaves_sound_text_alone() -> None:
    assert fix_mojibake("d\u00c3\u00a9j\u00c3\u00a0") == "déjà"
    assert fix_mojibake("déjà") == "déjà"
    assert fix_mojibake("São Tomé — 5 €") == "São Tomé — 5 €"
    assert fix_mojibake("plain") == "plain"


def test_format_detection() -> None:
    assert detect_format("export.jsonl", b"{}") == "jsonl"
    assert detect_format("Historique.CSV", b"") == "csv"
    assert detect_format("comments.json", b'{"comments_v2": [') == "facebook"
    assert detect_format("notes.docx", b"") is None


def test_import_connector_pages_through_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer_connector, "PAGE_SIZE", 3)
    config = AccountConfig(
        platform="import",
        external_id="x",
        options={"path": str(FIXTURES / "exemple.jsonl"), "format": "jsonl"},
    )
    connector = ImportConnector(config)
    first = connector.fetch({})
    assert len(first.items) == 3 and first.has_more and first.cursor == {"offset": 3, "total": 4}
    last = connector.fetch(first.cursor)
    assert len(last.items) == 1 and not last.has_more
    refused = connector.check("hide", ActionTarget())
    assert not refused.allowed and "fichier importé" in refused.reason_fr


def test_import_connector_refuses_a_file_with_errors() -> None:
    config = AccountConfig(
        platform="import",
        external_id="x",
        options={"path": str(FIXTURES / "erreurs.jsonl"), "format": "jsonl"},
    )
    with pytest.raises(ImportFileError) as err:
        ImportConnector(config).fetch({})
    assert err.value.problems[0].line == 2
