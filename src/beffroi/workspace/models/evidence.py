"""Immutable evidence records, hash-chained per commune so that tampering is detectable."""

from __future__ import annotations

from django.db import models

from beffroi.core.models import AppendOnlyModel, Commune
from beffroi.workspace.models.decisions import Decision
from beffroi.workspace.models.items import Item

GENESIS_HASH = "0" * 64


class EvidenceRecord(AppendOnlyModel):
    """Written once when an item is acted on. ``record_hash`` = SHA-256 over the canonical JSON of the
    record's content and ``prev_hash`` (the previous record of the same commune): changing or removing
    any record breaks the chain, which ``beffroi verify-evidence`` detects.

    ``platform_ids`` also carries the item's kind (``kind``), so that private messages stay hidden from
    roles that may not read them even after the item itself was purged."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="evidence")
    seq = models.PositiveIntegerField()
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence")
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence")
    platform = models.CharField(max_length=32)
    platform_ids = models.JSONField(default=dict)
    url = models.URLField(max_length=1000, blank=True, default="")
    raw_payload = models.JSONField(default=dict)
    rendered_text = models.TextField()
    author_label = models.CharField(max_length=255, blank=True, default="")
    published_at = models.DateTimeField()
    first_seen_at = models.DateTimeField()
    decided_at = models.DateTimeField()
    decision_kind = models.CharField(max_length=20)
    labels = models.JSONField(default=list)
    article = models.CharField(max_length=64, blank=True, default="")
    content_sha256 = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)
    retain_until = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("commune", "seq")]
        ordering = ["commune", "seq"]
        verbose_name = "preuve"
        verbose_name_plural = "preuves"

    def __str__(self) -> str:
        return f"preuve n° {self.seq} ({self.platform})"

    @property
    def kind(self) -> str:
        return str(self.platform_ids.get("kind", "")) if isinstance(self.platform_ids, dict) else ""

    @property
    def is_private(self) -> bool:
        return self.kind == "private_message"


class EvidenceChainHead(models.Model):
    """The last link of a commune's evidence chain (sequence number and hash).

    Written in the same transaction as each record, under the commune's lock: it gives the next
    sequence number and lets the verification notice a record removed from the END of the chain,
    which a walk over the remaining records alone could not see."""

    commune = models.OneToOneField(Commune, on_delete=models.CASCADE, related_name="evidence_head")
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "tête de la chaîne de preuves"
