"""Versions of a commune's moderation charter (the TOML text the engine reads)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune


class Charter(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField()
    content = models.TextField(help_text="The charter file (TOML).")
    digest = models.CharField(max_length=64, blank=True, default="")
    note = models.CharField("note de version", max_length=255, blank=True, default="")
    published = models.BooleanField("publiée", default=False, help_text="Shown on the public charter page.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("commune", "version")]
        ordering = ["commune", "-version"]
        verbose_name = "charte"
