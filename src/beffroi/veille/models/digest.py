"""The digest by e-mail: each member chooses (opt-in) a daily or weekly summary."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune


class DigestFrequency(models.TextChoices):
    NONE = "none", "aucun résumé"
    DAILY = "daily", "chaque jour"
    WEEKLY = "weekly", "chaque semaine (le lundi)"


class DigestSubscription(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_digests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="veille_digests")
    frequency = models.CharField(max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.NONE)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [("commune", "user")]
        verbose_name = "abonnement au résumé"
        verbose_name_plural = "abonnements au résumé"

    def __str__(self) -> str:
        return f"résumé {self.get_frequency_display()} de {self.user} ({self.commune})"
