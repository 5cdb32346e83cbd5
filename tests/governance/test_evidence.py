"""Evidence records: hashes, chaining, tamper detection (the verify command names the record), and
concurrency (two workers recording at once never fork the chain)."""

from __future__ import annotations

import argparse
import hashlib
import threading
from typing import Any

import pytest
from django.db import connection, connections

from beffroi.cli import workspace as cli
from beffroi.core.dbguard import purge_allowed
from beffroi.core.models import AppendOnlyError
from beffroi.workspace.actions.evidence import (
    canonical_json,
    content_bytes,
    record_bytes,
    record_evidence,
    verify_chain,
)
from beffroi.workspace.models import EvidenceChainHead, EvidenceRecord
from beffroi.workspace.models.evidence import GENESIS_HASH


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="beffroi")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


def raw_sql(sql: str, params: list[Any]) -> None:
    """Change the table behind the application's back (what an intruder with database access does)."""
    with purge_allowed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_records_are_numbered_chained_and_hash_their_exact_content(commune: Any, record: Any) -> None:
    first = record(commune, "Vous êtes des incapables", ("insult",), raw={"id": "1", "message": "Vous êtes des incapables", "n": 1.5})
    second = record(commune, "Rentrez chez vous", ("hate",))
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.record_hash
    stored = EvidenceRecord.objects.get(pk=first.pk)  # read back from the database
    expected_content = canonical_json({"raw_payload": stored.raw_payload, "text": "Vous êtes des incapables"})
    assert stored.content_sha256 == hashlib.sha256(expected_content).hexdigest() == hashlib.sha256(content_bytes(stored)).hexdigest()
    assert stored.record_hash == hashlib.sha256(record_bytes(stored)).hexdigest()
    assert b'"seq":1' in record_bytes(stored) and stored.content_sha256.encode() in record_bytes(stored)
    assert stored.platform_ids["kind"] == "comment" and stored.decision_kind == "hide"
    head = EvidenceChainHead.objects.get(commune=commune)
    assert (head.last_seq, head.last_hash) == (2, second.record_hash)
    report = verify_chain(commune)
    assert report.ok and report.checked == 2 and report.head_hash == second.record_hash
    assert "intacte" in report.summary_fr() and "2 enregistrement(s)" in report.summary_fr()


@pytest.mark.django_db
def test_each_commune_has_its_own_chain(commune: Any, other_commune: Any, record: Any) -> None:
    a1, b1, a2 = record(commune), record(other_commune), record(commune)
    assert (a1.seq, b1.seq, a2.seq) == (1, 1, 2)
    assert b1.prev_hash == GENESIS_HASH and a2.prev_hash == a1.record_hash
    assert verify_chain(commune).ok and verify_chain(other_commune).ok


@pytest.mark.django_db
def test_records_cannot_be_changed_or_deleted_through_the_application(commune: Any, record: Any) -> None:
    rec = record(commune)
    rec.rendered_text = "autre chose"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        EvidenceRecord.objects.filter(pk=rec.pk).update(rendered_text="x")
    with pytest.raises(AppendOnlyError):
        EvidenceRecord.objects.filter(pk=rec.pk).delete()
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE workspace_evidencerecord SET rendered_text = 'forged' WHERE id = %s", [rec.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE workspace_evidencerecord SET rendered_text = 'Texte anodin' WHERE commune_id = %s AND seq = 2", "contenu"),
        ("UPDATE workspace_evidencerecord SET author_label = 'Quelqu''un d''autre' WHERE commune_id = %s AND seq = 2", "champ"),
        ("UPDATE workspace_evidencerecord SET decided_at = '2020-01-01 00:00:00' WHERE commune_id = %s AND seq = 2", "champ"),
    ],
)
def test_a_changed_record_is_detected_and_named(commune: Any, record: Any, capsys: Any, sql: str, problem: str) -> None:
    for n in range(4):
        record(commune, f"Insulte numéro {n}")
    target = EvidenceRecord.objects.get(commune=commune, seq=2)
    raw_sql(sql, [commune.pk])
    report = verify_chain(commune)
    assert not report.ok and report.broken_seq == 2 and report.broken_id == target.pk
    assert problem in report.problem
    assert run_cli("verify-evidence", "--commune", commune.slug) == 1
    out = capsys.readouterr().out
    assert "ALTÉRATION DÉTECTÉE" in out and "enregistrement n° 2" in out and f"identifiant {target.pk}" in out


@pytest.mark.django_db
def test_a_rewritten_record_with_recomputed_hashes_breaks_the_link_to_the_next(commune: Any, record: Any) -> None:
    """Even an intruder who recomputes the record's own digests cannot hide it: the next record points
    to the old hash."""
    for n in range(3):
        record(commune, f"Message {n}")
    rec = EvidenceRecord.objects.get(commune=commune, seq=2)
    rec.rendered_text = "Texte réécrit"
    new_content = hashlib.sha256(content_bytes(rec)).hexdigest()
    rec.content_sha256 = new_content
    new_hash = hashlib.sha256(record_bytes(rec)).hexdigest()
    raw_sql(
        "UPDATE workspace_evidencerecord SET rendered_text = %s, content_sha256 = %s, record_hash = %s WHERE id = %s",
        ["Texte réécrit", new_content, new_hash, rec.pk],
    )
    report = verify_chain(commune)
    assert not report.ok and report.broken_seq == 3 and "chaînage" in report.problem


@pytest.mark.django_db
def test_a_deleted_record_is_detected(commune: Any, record: Any, capsys: Any) -> None:
    for n in range(5):
        record(commune, f"Message {n}")
    raw_sql("DELETE FROM workspace_evidencerecord WHERE commune_id = %s AND seq = 3", [commune.pk])
    report = verify_chain(commune)
    assert not report.ok and report.broken_seq == 3 and "manquant" in report.problem and "avant le n° 4" in report.problem
    assert run_cli("verify-evidence", "--commune", commune.slug) == 1
    assert "enregistrement n° 3" in capsys.readouterr().out


@pytest.mark.django_db
def test_deleting_the_last_records_is_detected_through_the_chain_head(commune: Any, record: Any) -> None:
    for n in range(4):
        record(commune, f"Message {n}")
    raw_sql("DELETE FROM workspace_evidencerecord WHERE commune_id = %s AND seq >= 3", [commune.pk])
    report = verify_chain(commune)
    assert not report.ok and report.broken_seq == 3 and "fin de la chaîne" in report.problem


@pytest.mark.django_db
def test_reordered_records_are_detected(commune: Any, record: Any) -> None:
    for n in range(4):
        record(commune, f"Message {n}")
    r2 = EvidenceRecord.objects.get(commune=commune, seq=2)
    r3 = EvidenceRecord.objects.get(commune=commune, seq=3)
    raw_sql("UPDATE workspace_evidencerecord SET seq = 1000 WHERE id = %s", [r2.pk])
    raw_sql("UPDATE workspace_evidencerecord SET seq = 2 WHERE id = %s", [r3.pk])
    raw_sql("UPDATE workspace_evidencerecord SET seq = 3 WHERE id = %s", [r2.pk])
    report = verify_chain(commune)
    assert not report.ok and report.broken_seq == 2 and report.broken_id == r3.pk


@pytest.mark.django_db
def test_verify_command_succeeds_with_a_french_summary(commune: Any, other_commune: Any, record: Any, capsys: Any) -> None:
    record(commune)
    record(commune)
    assert run_cli("verify-evidence") == 0
    out = capsys.readouterr().out
    assert "Chaîne de preuves de « Saint-Aubin » intacte : 2 enregistrement(s) vérifié(s) (n° 1 à 2)" in out
    assert "« Villeneuve » : aucune preuve enregistrée" in out
    assert run_cli("verify-evidence", "--commune", "inconnue") == 2


@pytest.mark.django_db
def test_evidence_labels_include_the_label_the_moderator_chose(commune: Any, make_item: Any, make_decision: Any) -> None:
    item = make_item(commune, "Texte limite", ("criticism",), "keep")
    rec = record_evidence(item, make_decision(item, "hide", label="insult", article="art-2"))
    assert rec.labels == ["criticism", "insult"] and rec.article == "art-2"
    assert rec.retain_until.date() == (rec.decided_at.date() + __import__("datetime").timedelta(days=183))
    severe = record_evidence(make_item(commune, "Menace", ("threat",), "hide"), make_decision(item, "hide"))
    assert (severe.retain_until - severe.decided_at).days == 456


@pytest.mark.django_db(transaction=True)
def test_concurrent_recording_never_forks_the_chain(commune: Any, make_item: Any, make_decision: Any) -> None:
    """Eight workers record at the same time (each thread has its own database connection): the
    sequence stays 1..N without gap or duplicate and the chain verifies."""
    pairs = []
    for n in range(24):
        item = make_item(commune, f"Commentaire {n}", ("insult",), "review")
        pairs.append((item, make_decision(item, "hide")))
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(chunk: list[tuple[Any, Any]]) -> None:
        try:
            barrier.wait()
            for item, decision in chunk:
                record_evidence(item, decision)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(pairs[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    seqs = sorted(EvidenceRecord.objects.filter(commune=commune).values_list("seq", flat=True))
    assert seqs == list(range(1, 25))
    report = verify_chain(commune)
    assert report.ok and report.checked == 24
