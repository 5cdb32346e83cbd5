"""Alerts raised by the rumour detector, the commune's alert webhooks and the delivery of each alert
to the crisis circle (e-mail, webhook), with its state and measured delay."""

from __future__ import annotations

from typing import Any

from django.db import models

from beffroi.core.models import Commune


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


KIND_LABELS_FR = {
    "rumour": "rumeur",
    "bad_buzz": "bad buzz",
    "spike": "sujet en hausse",
}


class Alert(models.Model):
    """One alert of :class:`beffroi.domain.rumour.Detector` (``Alert.to_dict()``), per cluster and kind."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_alerts")
    kind = models.CharField(max_length=16, db_index=True)
    cluster_id = models.CharField(max_length=32, db_index=True)
    claim = models.TextField()
    post_ids = models.JSONField(default=_empty_list, help_text="Item ids of the first posts (detector post ids).")
    at = models.DateTimeField(help_text="Stream time of the post that triggered the alert.")
    detected_at = models.DateTimeField(db_index=True, help_text="When the worker detected it (wall clock).")
    velocity = models.FloatField(default=0.0)
    baseline = models.FloatField(default=0.0)
    expected = models.FloatField(default=0.0)
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=_empty_list, blank=True)
    contradicted_fact = models.TextField(blank=True, default="")
    amplifiers = models.JSONField(default=_empty_list, blank=True)
    reach = models.JSONField(default=_empty_dict, blank=True)
    sentiment = models.JSONField(default=_empty_dict, blank=True)
    size = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)
    stale = models.BooleanField(default=False, help_text="Triggered by old posts (history): not sent.")
    crisis = models.ForeignKey(
        "veille.Crisis", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = "alerte"
        verbose_name_plural = "alertes"

    def __str__(self) -> str:
        return f"{self.kind_label} : {self.claim[:60]}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS_FR.get(self.kind, self.kind)


class WebhookFormat(models.TextChoices):
    JSON = "json", "JSON générique (passerelle SMS, outil maison)"
    SLACK = "slack", "Slack ou Mattermost (« {\"text\": … } »)"
    MATRIX = "matrix", "Matrix (salon, via l'API client-serveur)"


class AlertWebhook(models.Model):
    """Where alerts are pushed besides e-mail. Calls are signed with HMAC-SHA256
    (``X-Beffroi-Signature``). The signing secret and the Matrix token are stored encrypted."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="veille_webhooks")
    name = models.CharField("nom", max_length=100)
    url = models.URLField("adresse", max_length=500)
    format = models.CharField("format", max_length=16, choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    secrets_encrypted = models.TextField(blank=True, default="")
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "webhook d'alerte"
        verbose_name_plural = "webhooks d'alerte"

    def __str__(self) -> str:
        return self.name

    def get_secrets(self) -> dict[str, Any]:
        from beffroi.core.crypto import decrypt_json

        return decrypt_json(self.secrets_encrypted)

    def set_secrets(self, values: dict[str, Any]) -> None:
        from beffroi.core.crypto import encrypt_json

        self.secrets_encrypted = encrypt_json(values) if values else ""

    @property
    def signing_secret(self) -> str:
        return str(self.get_secrets().get("signing_secret", ""))

    @property
    def has_matrix_token(self) -> bool:
        return bool(self.get_secrets().get("matrix_token"))


class DeliveryState(models.TextChoices):
    PENDING = "pending", "en attente"
    SENT = "sent", "envoyée"
    FAILED = "failed", "échouée"


class AlertDelivery(models.Model):
    """One alert to one recipient (an e-mail address or a webhook), retried with backoff."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16)  # email | webhook
    target = models.CharField(max_length=300)  # the address, or the webhook's name
    webhook = models.ForeignKey(AlertWebhook, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    delay_seconds = models.FloatField(null=True, blank=True, help_text="From detection to delivery.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        unique_together = [("alert", "channel", "target")]
        verbose_name = "envoi d'alerte"
        verbose_name_plural = "envois d'alerte"

    def __str__(self) -> str:
        return f"{self.channel} → {self.target} ({self.get_state_display()})"
