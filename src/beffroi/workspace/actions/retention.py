"""Retention: how long items and evidence are kept, legal holds, and the purge.

By default (fields of ``Commune``): 15 months for hate and threats (the one-year prescription of the
1881 press law for discriminatory offences, plus a margin), 6 months for everything else. Items and
evidence under a legal hold are never purged. The purge deletes what expired inside
``core.dbguard.purge_allowed()`` (the only way to delete append-only rows) and writes one audit
record listing what went, including the purged evidence ranges with their boundary hashes, so that
``verify_chain`` can still follow the chain across the gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.core.dbguard import purge_allowed
from beffroi.core.models import Commune
from beffroi.core.roles import Perm
from beffroi.workspace.actions.checks import ActionNotFound, can_see_item, check_commune_perm
from beffroi.workspace.actions.evidence import PURGE_VERB, SEVERE_LABELS, PurgedRange, chain_head
from beffroi.workspace.models import Author, BlockRequest, EvidenceRecord, Item, LabelledExample


class RetentionError(ValueError):
    """A French message for the team."""


@dataclass
class PurgeReport:
    commune: Commune
    dry_run: bool = False
    items: int = 0
    evidence: int = 0
    examples_anonymised: int = 0
    authors: int = 0
    held_items: int = 0
    ranges: list[PurgedRange] = field(default_factory=list)
    # Personal data kept by other apps about the purged items (e.g. website comments: name, e-mail).
    related: dict[str, int] = field(default_factory=dict)

    def summary_fr(self) -> str:
        verb = "seraient supprimés" if self.dry_run else "supprimés"
        text = (
            f"« {self.commune.name} » : {self.items} élément(s) et {self.evidence} preuve(s) {verb} "
            f"(conservation échue), {self.authors} auteur(s) sans publication restante, "
            f"{self.examples_anonymised} exemple(s) d'apprentissage anonymisé(s)"
        )
        for name, count in sorted(self.related.items()):
            text += f", {count} {name}"
        if self.held_items:
            text += f" ; {self.held_items} élément(s) sous gel juridique conservé(s)"
        return text + "."


def _is_severe(labels: Any) -> bool:
    return bool(SEVERE_LABELS & {str(label) for label in (labels or [])})


def cutoffs(commune: Commune, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(severe cutoff, default cutoff): anything older is expired."""
    now = now or timezone.now()
    return (
        now - dt.timedelta(days=int(commune.retention_severe_days)),
        now - dt.timedelta(days=int(commune.retention_default_days)),
    )


def _held_item_ids(commune: Commune) -> set[int]:
    return set(Item.objects.filter(commune=commune, legal_hold=True).values_list("pk", flat=True))


def expired_items(commune: Commune, now: dt.datetime | None = None) -> list[int]:
    """Items past their retention (counted from when the commune first saw them), not held.

    An item is "severe" when its verdict or any of its evidence records carries hate or threat."""
    severe_cutoff, default_cutoff = cutoffs(commune, now)
    candidates = Item.objects.filter(commune=commune, legal_hold=False, first_seen_at__lt=default_cutoff)
    expired: list[int] = []
    rows = candidates.values_list("pk", "first_seen_at", "current_verdict__labels")
    evidence_labels: dict[int, list[str]] = {}
    for item_id, labels in EvidenceRecord.objects.filter(commune=commune, item__in=candidates).values_list(
        "item_id", "labels"
    ):
        evidence_labels.setdefault(item_id, []).extend(labels or [])
    for item_id, first_seen, verdict_labels in rows:
        severe = _is_severe(verdict_labels) or _is_severe(evidence_labels.get(item_id))
        if not severe or first_seen < severe_cutoff:
            expired.append(item_id)
    return expired


def expired_evidence(commune: Commune, now: dt.datetime | None = None) -> list[EvidenceRecord]:
    """Evidence records past their retention (counted from the decision), whose item is not held."""
    severe_cutoff, default_cutoff = cutoffs(commune, now)
    held = _held_item_ids(commune)
    expired = []
    query = EvidenceRecord.objects.filter(commune=commune, decided_at__lt=default_cutoff).order_by("seq")
    for record in query.only("pk", "seq", "item_id", "labels", "decided_at", "prev_hash", "record_hash"):
        if record.item_id is not None and record.item_id in held:
            continue
        if _is_severe(record.labels) and record.decided_at >= severe_cutoff:
            continue
        expired.append(record)
    return expired


def contiguous_ranges(records: list[EvidenceRecord]) -> list[PurgedRange]:
    """Group purged records (sorted by seq) into runs of consecutive sequence numbers."""
    ranges: list[PurgedRange] = []
    start: EvidenceRecord | None = None
    last: EvidenceRecord | None = None
    for record in records:
        if start is None or last is None:
            start = last = record
            continue
        if record.seq == last.seq + 1:
            last = record
            continue
        ranges.append(PurgedRange(start.seq, last.seq, start.prev_hash, last.record_hash))
        start = last = record
    if start is not None and last is not None:
        ranges.append(PurgedRange(start.seq, last.seq, start.prev_hash, last.record_hash))
    return ranges


def _delete_evidence_rows(ids: list[int]) -> None:
    """Evidence rows cannot be deleted through the ORM (append-only); inside ``purge_allowed()`` the
    database trigger lets this DELETE through."""
    table = EvidenceRecord._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)


def _purge_related(commune: Commune, item_ids: list[int], cutoff: dt.datetime, *, dry_run: bool) -> dict[str, int]:
    """Let the apps that keep personal data about items (website comments …) purge it with them."""
    from beffroi.workspace.signals import items_purging

    counts: dict[str, int] = {}
    for _receiver, response in items_purging.send(
        sender=Item, commune=commune, item_ids=list(item_ids), cutoff=cutoff, dry_run=dry_run
    ):
        if isinstance(response, tuple) and len(response) == 2:
            name, count = response
            counts[str(name)] = counts.get(str(name), 0) + int(count)
    return counts


def purge_commune(commune: Commune, *, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete the commune's expired items and evidence (not those under legal hold) and audit it."""
    now = now or timezone.now()
    report = PurgeReport(commune=commune, dry_run=dry_run)
    report.held_items = Item.objects.filter(commune=commune, legal_hold=True).count()
    with transaction.atomic():
        item_ids = expired_items(commune, now)
        records = expired_evidence(commune, now)
        report.items, report.evidence = len(item_ids), len(records)
        report.ranges = contiguous_ranges(records)
        severe_cutoff, default_cutoff = cutoffs(commune, now)
        stale_examples = LabelledExample.objects.filter(commune=commune).exclude(text="")
        stale_examples = stale_examples.filter(
            Q(item_id__in=item_ids) | Q(item__isnull=True, created_at__lt=default_cutoff)
        )
        related = _purge_related(commune, item_ids, default_cutoff, dry_run=True)
        if dry_run:
            report.examples_anonymised = stale_examples.count()
            report.related = related
            return report
        if not item_ids and not records and not any(related.values()):
            report.related = related
            return report
        with purge_allowed():
            report.examples_anonymised = stale_examples.update(text="", trainable=False)
            # Before the items go (their links would be lost): the same schedule for related data.
            report.related = _purge_related(commune, item_ids, default_cutoff, dry_run=False)
            if records:
                _delete_evidence_rows([r.pk for r in records])
            for start in range(0, len(item_ids), 500):
                chunk = item_ids[start : start + 500]
                Item.objects.filter(pk__in=chunk).delete()
            orphans = (
                Author.objects.filter(commune=commune, items__isnull=True, is_blocked=False)
                .exclude(pk__in=BlockRequest.objects.filter(commune=commune).values("author_id"))
                .values_list("pk", flat=True)
            )
            orphan_ids = list(orphans)
            report.authors = len(orphan_ids)
            Author.objects.filter(pk__in=orphan_ids).delete()
        head_seq, head_hash = chain_head(commune)
        log_audit(
            PURGE_VERB,
            commune=commune,
            items=report.items,
            evidence=report.evidence,
            authors=report.authors,
            examples_anonymised=report.examples_anonymised,
            related=report.related,
            severe_cutoff=severe_cutoff.isoformat(),
            default_cutoff=default_cutoff.isoformat(),
            item_ids=[min(item_ids), max(item_ids)] if item_ids else [],
            evidence_ranges=[r.to_json() for r in report.ranges],
            purged_up_to_seq=max((r.last_seq for r in report.ranges), default=0),
            head_seq=head_seq,
            head_hash=head_hash,
        )
    return report


def purge_all(*, now: dt.datetime | None = None, dry_run: bool = False, slug: str | None = None) -> list[PurgeReport]:
    communes = Commune.objects.all().order_by("slug")
    if slug:
        communes = communes.filter(slug=slug)
    return [purge_commune(commune, now=now, dry_run=dry_run) for commune in communes]


# ---------------------------------------------------------------------------------------------
# Legal hold


def do_set_legal_hold(item: Item, *, held: bool, actor: Any, reason: str = "") -> Item:
    """Put an item (and its evidence) under legal hold, or lift it. A hold needs a reason.

    The actor's role must allow legal holds (``Perm.LEGAL_HOLD``) and, for a private message, seeing
    private messages (``actor=None``: Beffroi itself)."""
    role = check_commune_perm(actor, item.commune, Perm.LEGAL_HOLD, "poser ou lever un gel juridique")
    if role is not None and not can_see_item(role, item):
        raise ActionNotFound("Élément introuvable.")
    reason = reason.strip()
    if held and not reason:
        raise RetentionError("Indiquez le motif du gel (par exemple : plainte déposée le 3 mars, n° de procès-verbal).")
    with transaction.atomic():
        updated = Item.objects.filter(pk=item.pk).exclude(legal_hold=held).update(legal_hold=held)
        item.legal_hold = held
        if updated:
            log_audit(
                "item.legal_hold" if held else "item.legal_hold_lifted",
                commune=item.commune,
                actor=actor,
                target=item,
                reason=reason,
            )
    return item


# ---------------------------------------------------------------------------------------------
# Retention settings

MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3660


def do_set_retention(commune: Commune, *, actor: Any, severe_days: int, default_days: int) -> bool:
    """Set how long the commune keeps items and evidence (hate and threats; everything else).

    Needs ``Perm.EDIT_CHARTER`` (the retention screen's permission). Returns False when nothing
    changed (no audit record then)."""
    check_commune_perm(actor, commune, Perm.EDIT_CHARTER, "modifier les durées de conservation")
    severe_days, default_days = int(severe_days), int(default_days)
    for days in (severe_days, default_days):
        if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
            raise RetentionError("Choisissez une durée de conservation entre 1 mois et 10 ans.")
    if severe_days < default_days:
        raise RetentionError("La haine et les menaces doivent être conservées au moins aussi longtemps que le reste.")
    with transaction.atomic():
        current = Commune.objects.select_for_update().get(pk=commune.pk)
        old = (current.retention_severe_days, current.retention_default_days)
        if old == (severe_days, default_days):
            return False
        Commune.objects.filter(pk=commune.pk).update(retention_severe_days=severe_days, retention_default_days=default_days)
        commune.retention_severe_days, commune.retention_default_days = severe_days, default_days
        log_audit(
            "retention.settings_changed",
            commune=commune,
            actor=actor,
            target=commune,
            old=list(old),
            new=[severe_days, default_days],
        )
    return True
