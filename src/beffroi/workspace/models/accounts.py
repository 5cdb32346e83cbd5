"""A commune's accounts on each platform, and the authors of items."""

from __future__ import annotations

from typing import Any

from django.db import models

from beffroi.core.models import Commune


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "connecté"
    BROKEN = "broken", "connexion cassée"
    DISABLED = "disabled", "désactivé"


class Account(models.Model):
    """One account of the commune on a platform (a Facebook Page, a Mastodon account, an RSS feed …).

    Credentials are stored encrypted (beffroi.core.crypto); use :meth:`get_credentials` /
    :meth:`set_credentials`, never the raw field.
    """

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField("plateforme", max_length=32, db_index=True)
    external_id = models.CharField("identifiant sur la plateforme", max_length=255)
    name = models.CharField("nom", max_length=255)
    handle = models.CharField("pseudo / adresse", max_length=255, blank=True)
    url = models.URLField("adresse", max_length=500, blank=True)
    owned = models.BooleanField(
        "compte de la commune", default=True, help_text="False for watched sources (RSS feeds, searches)."
    )
    credentials_encrypted = models.TextField(blank=True, default="")
    options = models.JSONField("options", default=dict, blank=True)
    status = models.CharField(max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    status_detail = models.TextField(blank=True, default="")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cursor = models.JSONField(default=dict, blank=True, help_text="Where the last fetch stopped.")
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    rate_state = models.JSONField(default=dict, blank=True, help_text="Quota and rate-limit accounting.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("commune", "platform", "external_id")]
        ordering = ["platform", "name"]
        verbose_name = "compte"
        verbose_name_plural = "comptes"

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"

    def get_credentials(self) -> dict[str, Any]:
        from beffroi.core.crypto import decrypt_json

        return decrypt_json(self.credentials_encrypted)

    def set_credentials(self, credentials: dict[str, Any]) -> None:
        from beffroi.core.crypto import encrypt_json

        self.credentials_encrypted = encrypt_json(credentials) if credentials else ""


class Author(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="authors")
    platform = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text="Account age, followers, location …")
    is_blocked = models.BooleanField(default=False)
    blocked_until = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("commune", "platform", "external_id")]
        verbose_name = "auteur"

    def __str__(self) -> str:
        return self.display_name or self.handle or self.external_id
