"""Webhook receipts: each delivery is recorded once, so a repeated delivery is never stored twice.

A delivery's id (the platform's delivery id, or a hash of the body) is unique per platform: a signed
delivery already received is acknowledged (200) without being stored again. A delivery older than
``WEBHOOK_MAX_AGE_HOURS`` is refused as stale, so receipts only need to be kept that long
(``connectors.purge_webhook_receipts``). The body is kept until the delivery is processed by the
``connectors.process_webhook`` job, so the endpoint can answer the platform at once.
"""

from __future__ import annotations

from django.db import models

from beffroi.workspace.models import Account


class WebhookReceipt(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "reçu"
        PROCESSED = "processed", "traité"
        FAILED = "failed", "échec"

    platform = models.CharField(max_length=32)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_receipts")
    delivery_id = models.CharField(max_length=128)
    received_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the platform says it sent the delivery."
    )
    body = models.BinaryField(default=b"", blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED, db_index=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Processing attempts.")
    items_created = models.PositiveIntegerField(default=0)
    items_seen = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "delivery_id"], name="webhook_delivery_once")
        ]
        ordering = ["-received_at", "-id"]
        verbose_name = "webhook reçu"
        verbose_name_plural = "webhooks reçus"

    def __str__(self) -> str:
        return f"{self.platform}:{self.delivery_id[:16]} ({self.get_state_display()})"
