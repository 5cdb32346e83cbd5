"""The crisis room of an alert: the posts of the cascade, the playbook checklist, the reports made to
the platforms, the replies to residents and the information sheet about fake accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune


class CrisisStatus(models.TextChoices):
    OPEN = "open", "ouverte"
    CLOSED = "closed", "close"


class Crisis(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_crises")
    cluster_id = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=16)  # kind of the latest alert (rumour, bad_buzz, spike)
    title = models.TextField("affirmation")
    contradicted_fact = models.TextField(blank=True, default="")
    status = models.CharField(max_length=8, choices=CrisisStatus.choices, default=CrisisStatus.OPEN, db_index=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closing_note = models.TextField("bilan", blank=True, default="")
    info_sheet = models.TextField("fiche d'information sur les faux comptes", blank=True, default="")
    info_sheet_updated_at = models.DateTimeField(null=True, blank=True)
    info_sheet_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "cellule de crise"
        verbose_name_plural = "cellules de crise"

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def is_open(self) -> bool:
        return self.status == CrisisStatus.OPEN


class CrisisPost(models.Model):
    """A post of the cascade (member of the alerted cluster)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="posts")
    item = models.ForeignKey("workspace.Item", on_delete=models.CASCADE, related_name="+")
    carries_claim = models.BooleanField(default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("crisis", "item")]
        ordering = ["item__published_at", "id"]


class ChecklistEntry(models.Model):
    """A step of the playbook, ticked (or unticked) by a person; the audit trail keeps each change."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="checklist")
    step = models.CharField(max_length=32)
    done = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        unique_together = [("crisis", "step")]


class PostReport(models.Model):
    """A false post reported to its platform: through the outbox (``report`` action) where the
    connector can, otherwise recorded as done by hand."""

    class Method(models.TextChoices):
        PLATFORM = "platform", "signalé par Beffroi"
        MANUAL = "manual", "signalé à la main"

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="reports")
    item = models.ForeignKey("workspace.Item", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=16, choices=Method.choices)
    decision = models.ForeignKey(
        "workspace.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("crisis", "item")]
        ordering = ["at", "id"]


class CrisisReply(models.Model):
    """A reply to a resident with the facts (sent through Beffroi where the platform allows, else
    written on the platform by hand and recorded here)."""

    class Method(models.TextChoices):
        PLATFORM = "platform", "envoyée par Beffroi"
        MANUAL = "manual", "publiée à la main"

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="replies")
    item = models.ForeignKey("workspace.Item", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    method = models.CharField(max_length=16, choices=Method.choices)
    decision = models.ForeignKey(
        "workspace.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    warnings = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
