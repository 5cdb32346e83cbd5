"""Evidence: an immutable, hash-chained record of every item the team acted on.

Each record holds the item as it was (raw payload, rendered text, URL, platform ids, dates, labels,
charter article) and two SHA-256 digests, both over canonical JSON (keys sorted, no spaces, UTF-8):

- ``content_sha256`` = SHA-256 of the *content document* ``{"raw_payload": …, "text": …}``;
- ``record_hash`` = SHA-256 of the *record document* (every hashed field, including
  ``content_sha256``, the sequence number and ``prev_hash``, the previous record's ``record_hash``).

The exact bytes of both documents go into evidence packs, so anyone can recompute them with
``sha256sum``. Records are numbered 1, 2, 3 … per commune under a per-commune lock, so two workers
recording at once never fork the chain. :func:`verify_chain` recomputes everything and names the
first broken record; gaps are accepted only where the retention purge attested them in the audit
trail (``retention.purged`` with the purged ranges and their boundary hashes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.core.models import AuditRecord, Commune
from beffroi.workspace.models import Decision, EvidenceChainHead, EvidenceRecord, Item
from beffroi.workspace.models.evidence import GENESIS_HASH

RECORD_FORMAT = 1
SEVERE_LABELS = frozenset({"hate", "threat"})
PURGE_VERB = "retention.purged"

# Fields of the record document, in the order they are explained to readers (the JSON itself is
# sorted by key).
HASHED_FIELDS = (
    "format",
    "commune_id",
    "seq",
    "platform",
    "platform_ids",
    "url",
    "author_label",
    "published_at",
    "first_seen_at",
    "decided_at",
    "decision_kind",
    "labels",
    "article",
    "content_sha256",
    "prev_hash",
)


# ---------------------------------------------------------------------------------------------
# Canonical documents


def canonical_json(value: Any) -> bytes:
    """The one byte form that is hashed: sorted keys, no insignificant spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iso_utc(value: dt.datetime) -> str:
    """Datetimes in hashed documents: UTC, ISO 8601, microseconds, e.g. 2026-03-01T08:15:00.000000Z."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise_payload(value: Any) -> Any:
    """A JSON-safe copy that survives a database round trip unchanged (JSON / jsonb)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def content_document(raw_payload: Any, text: str) -> dict[str, Any]:
    return {"raw_payload": raw_payload, "text": text}


def content_bytes(record: EvidenceRecord) -> bytes:
    return canonical_json(content_document(record.raw_payload, record.rendered_text))


def record_document(record: EvidenceRecord) -> dict[str, Any]:
    return {
        "format": RECORD_FORMAT,
        "commune_id": record.commune_id,
        "seq": record.seq,
        "platform": record.platform,
        "platform_ids": record.platform_ids,
        "url": record.url,
        "author_label": record.author_label,
        "published_at": iso_utc(record.published_at),
        "first_seen_at": iso_utc(record.first_seen_at),
        "decided_at": iso_utc(record.decided_at),
        "decision_kind": record.decision_kind,
        "labels": list(record.labels),
        "article": record.article,
        "content_sha256": record.content_sha256,
        "prev_hash": record.prev_hash,
    }


def record_bytes(record: EvidenceRecord) -> bytes:
    return canonical_json(record_document(record))


# ---------------------------------------------------------------------------------------------
# Retention of a record


def retention_days(commune: Commune, labels: Iterable[str]) -> int:
    """15 months (by default) for hate and threats — one-year prescription plus a margin —,
    6 months otherwise; both configurable per commune."""
    if SEVERE_LABELS & set(labels):
        return int(commune.retention_severe_days)
    return int(commune.retention_default_days)


# ---------------------------------------------------------------------------------------------
# Recording


def _lock_chain(commune_id: int) -> EvidenceChainHead:
    """Serialise writers of one commune's chain and return its head (locked).

    PostgreSQL: ``SELECT … FOR UPDATE`` on the commune row (then on the head row). SQLite has no row
    locks but serialises writers: the first statement is a write (an UPDATE of the head row), which
    takes the database write lock before anything is read, so the head read next is current.
    """
    if connection.features.has_select_for_update:
        Commune.objects.select_for_update().filter(pk=commune_id).values_list("pk", flat=True).first()
    now = timezone.now()
    if not EvidenceChainHead.objects.filter(commune_id=commune_id).update(updated_at=now):
        try:
            with transaction.atomic():
                EvidenceChainHead.objects.create(commune_id=commune_id, last_seq=0, last_hash=GENESIS_HASH)
        except IntegrityError:
            pass  # created by a concurrent writer: locked below
    query = EvidenceChainHead.objects.filter(commune_id=commune_id)
    if connection.features.has_select_for_update:
        query = query.select_for_update()
    return query.get()


def _platform_ids(item: Item) -> dict[str, str]:
    ids = {
        "external_id": item.external_id,
        "kind": item.kind,
        "account": item.account.external_id if item.account_id and item.account else "",
        "author": item.author.external_id if item.author_id and item.author else "",
        "parent": item.parent_external_id,
        "thread": item.thread_external_id,
    }
    return {key: str(value) for key, value in ids.items()}


def _labels_for(item: Item, extra: Iterable[str] = ()) -> list[str]:
    labels: list[str] = []
    verdict = item.current_verdict
    if verdict is not None:
        labels.extend(str(label) for label in verdict.labels)
    for label in extra:
        if label and label not in labels:
            labels.append(str(label))
    return labels


def record_evidence(item: Item, decision: Decision, *, labels: Iterable[str] = ()) -> EvidenceRecord:
    """Append the evidence of ``decision`` on ``item`` to the commune's chain and return the record.

    Called by the decisions layer after each decision that acts on an item. ``labels`` adds labels
    the moderator chose to the engine's (e.g. the label picked when hiding)."""
    item = Item.objects.select_related("account", "author", "current_verdict", "commune").get(pk=item.pk)
    commune = item.commune
    record_labels = _labels_for(item, [*labels, str(getattr(decision, "label", "") or "")])
    verdict = item.current_verdict
    article = decision.article or (verdict.article if verdict is not None else "")
    decided_at = decision.created_at or timezone.now()
    payload = normalise_payload(item.raw_payload or {})
    text = item.text or ""
    author = item.author
    author_label = ""
    if author is not None:
        author_label = author.display_name or author.handle or author.external_id
        if author.handle and author.display_name and author.handle != author.display_name:
            author_label = f"{author.display_name} (@{author.handle.lstrip('@')})"
    with transaction.atomic():
        head = _lock_chain(commune.pk)
        record = EvidenceRecord(
            commune=commune,
            seq=head.last_seq + 1,
            item=item,
            decision=decision,
            platform=item.platform,
            platform_ids=_platform_ids(item),
            url=item.url or "",
            raw_payload=payload,
            rendered_text=text,
            author_label=author_label[:255],
            published_at=item.published_at,
            first_seen_at=item.first_seen_at,
            decided_at=decided_at,
            decision_kind=str(decision.kind),
            labels=record_labels,
            article=article or "",
            prev_hash=head.last_hash,
            retain_until=decided_at + dt.timedelta(days=retention_days(commune, record_labels)),
        )
        record.content_sha256 = sha256_hex(content_bytes(record))
        record.record_hash = sha256_hex(record_bytes(record))
        record.save()
        EvidenceChainHead.objects.filter(pk=head.pk).update(
            last_seq=record.seq, last_hash=record.record_hash, updated_at=timezone.now()
        )
        log_audit(
            "evidence.recorded",
            commune=commune,
            target=record,
            seq=record.seq,
            record_hash=record.record_hash,
            item=item.pk,
            decision=decision.pk,
        )
    return record


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class PurgedRange:
    """Records ``first_seq``..``last_seq`` deleted by the retention purge: the first one's
    ``prev_hash`` and the last one's ``record_hash`` let the chain be followed across the gap."""

    first_seq: int
    last_seq: int
    prev_hash: str
    last_hash: str

    def to_json(self) -> list[Any]:
        return [self.first_seq, self.last_seq, self.prev_hash, self.last_hash]


@dataclass
class ChainReport:
    commune: Commune
    ok: bool = True
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    head_hash: str = GENESIS_HASH
    purged: int = 0
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""
    details: list[str] = field(default_factory=list)

    def summary_fr(self) -> str:
        name = self.commune.name
        if not self.ok:
            where = f"enregistrement n° {self.broken_seq}" if self.broken_seq is not None else "fin de chaîne"
            if self.broken_id is not None:
                where += f" (identifiant {self.broken_id})"
            return f"ALTÉRATION DÉTECTÉE dans la chaîne de preuves de « {name} » : {where} — {self.problem}"
        if self.checked == 0 and self.purged == 0:
            return f"Chaîne de preuves de « {name} » : aucune preuve enregistrée pour l'instant."
        parts = [f"Chaîne de preuves de « {name} » intacte : {self.checked} enregistrement(s) vérifié(s)"]
        if self.first_seq is not None:
            parts[0] += f" (n° {self.first_seq} à {self.last_seq})"
        if self.purged:
            parts.append(f"{self.purged} enregistrement(s) ancien(s) supprimé(s) par la purge de conservation, attestée(s)")
        parts.append(f"empreinte de tête : {self.head_hash}")
        return " ; ".join(parts) + "."


def purged_ranges(commune: Commune) -> dict[int, PurgedRange]:
    """Ranges attested by the retention purge (audit trail), by first sequence number."""
    ranges: dict[int, PurgedRange] = {}
    for data in AuditRecord.objects.filter(commune=commune, verb=PURGE_VERB).values_list("data", flat=True):
        for raw in (data or {}).get("evidence_ranges", []):
            try:
                first, last, prev, last_hash = int(raw[0]), int(raw[1]), str(raw[2]), str(raw[3])
            except (TypeError, ValueError, IndexError):
                continue
            ranges[first] = PurgedRange(first, last, prev, last_hash)
    return ranges


def _iter_records(commune: Commune) -> Iterator[EvidenceRecord]:
    return EvidenceRecord.objects.filter(commune=commune).order_by("seq", "id").iterator(chunk_size=500)


def verify_chain(commune: Commune) -> ChainReport:
    """Recompute every hash and link of the commune's chain; stop at the first broken record."""
    report = ChainReport(commune=commune)
    ranges = purged_ranges(commune)
    expected_seq, expected_prev = 1, GENESIS_HASH

    def fail(seq: int | None, record_id: int | None, problem: str) -> ChainReport:
        report.ok, report.broken_seq, report.broken_id, report.problem = False, seq, record_id, problem
        return report

    def skip_purged(until: int) -> bool:
        """Follow attested purged ranges from expected_seq up to ``until`` (exclusive)."""
        nonlocal expected_seq, expected_prev
        while expected_seq < until:
            gap = ranges.get(expected_seq)
            if gap is None or gap.prev_hash != expected_prev or gap.last_seq >= until:
                return False
            report.purged += gap.last_seq - gap.first_seq + 1
            expected_seq, expected_prev = gap.last_seq + 1, gap.last_hash
        return True

    for record in _iter_records(commune):
        if record.seq < expected_seq:
            return fail(record.seq, record.pk, "numéro d'ordre en double ou dans le désordre.")
        if record.seq > expected_seq and not skip_purged(record.seq):
            missing = f"n° {expected_seq}" if record.seq == expected_seq + 1 else f"n° {expected_seq} à {record.seq - 1}"
            return fail(
                expected_seq,
                None,
                f"enregistrement(s) {missing} manquant(s) avant le n° {record.seq}, sans purge de conservation "
                "attestée : une preuve a été supprimée.",
            )
        content_hash = sha256_hex(content_bytes(record))
        if content_hash != record.content_sha256:
            return fail(
                record.seq,
                record.pk,
                f"le contenu (texte ou données brutes) ne correspond plus à son empreinte SHA-256 "
                f"(enregistrée {record.content_sha256[:16]}…, recalculée {content_hash[:16]}…).",
            )
        record_hash = sha256_hex(record_bytes(record))
        if record_hash != record.record_hash:
            return fail(
                record.seq,
                record.pk,
                f"un champ de l'enregistrement (dates, adresse, auteur, décision, étiquettes ou numéro) a été "
                f"modifié : empreinte enregistrée {record.record_hash[:16]}…, recalculée {record_hash[:16]}….",
            )
        if record.prev_hash != expected_prev:
            return fail(
                record.seq,
                record.pk,
                "le chaînage est rompu : l'empreinte du précédent enregistrement ne correspond pas "
                "(enregistrement déplacé, inséré ou précédent modifié).",
            )
        if report.first_seq is None:
            report.first_seq = record.seq
        report.last_seq = record.seq
        report.checked += 1
        expected_seq, expected_prev = record.seq + 1, record.record_hash

    head = EvidenceChainHead.objects.filter(commune=commune).first()
    head_seq = head.last_seq if head is not None else 0
    if head_seq >= expected_seq:
        # Records after the last one still there: only acceptable if the purge removed them.
        while expected_seq <= head_seq:
            gap = ranges.get(expected_seq)
            if gap is None or gap.prev_hash != expected_prev:
                return fail(
                    expected_seq,
                    None,
                    f"les enregistrements n° {expected_seq} à {head_seq} (fin de la chaîne) ont disparu "
                    "sans purge de conservation attestée.",
                )
            report.purged += gap.last_seq - gap.first_seq + 1
            expected_seq, expected_prev = gap.last_seq + 1, gap.last_hash
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return fail(
            None,
            None,
            f"la tête de chaîne enregistrée (n° {head.last_seq}) ne correspond pas au dernier "
            f"enregistrement vérifié (n° {expected_seq - 1}).",
        )
    if head is None and expected_seq > 1:
        return fail(None, None, "la tête de chaîne a été supprimée.")
    report.head_hash = expected_prev
    return report


def do_verify_chain(commune: Commune, *, actor: Any) -> ChainReport:
    """Verify the commune's chain for a person allowed to see the evidence, and write the check (and
    its result) to the audit trail."""
    from beffroi.core.roles import Perm
    from beffroi.workspace.actions.checks import check_commune_perm

    check_commune_perm(actor, commune, Perm.EXPORT_EVIDENCE, "vérifier les preuves")
    report = verify_chain(commune)
    log_audit(
        "evidence.verified",
        commune=commune,
        actor=actor,
        ok=report.ok,
        checked=report.checked,
        broken_seq=report.broken_seq,
    )
    return report


def chain_head(commune: Commune) -> tuple[int, str]:
    head = EvidenceChainHead.objects.filter(commune=commune).first()
    return (head.last_seq, head.last_hash) if head is not None else (0, GENESIS_HASH)


def verify_record(record: EvidenceRecord) -> bool:
    """The record's own digests (not its place in the chain) still match its content."""
    return (
        sha256_hex(content_bytes(record)) == record.content_sha256
        and sha256_hex(record_bytes(record)) == record.record_hash
    )
