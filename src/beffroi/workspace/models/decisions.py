"""Decisions on items (by a person or automatic), the outbox that applies them on the platform,
block requests that need a second person's approval, and the on-call ("astreinte") roster."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beffroi.core.models import Commune
from beffroi.workspace.models.accounts import Account, Author
from beffroi.workspace.models.items import Item


class DecisionKind(models.TextChoices):
    HIDE = "hide", "masquer"
    UNHIDE = "unhide", "rendre visible"
    DELETE = "delete", "supprimer"
    KEEP = "keep", "conserver"
    REPLY = "reply", "répondre"
    PRIVATE_REPLY = "private_reply", "répondre en privé"
    ESCALATE = "escalate", "transmettre"
    BLOCK_AUTHOR = "block_author", "bloquer l'auteur"
    UNBLOCK_AUTHOR = "unblock_author", "débloquer l'auteur"
    REPORT = "report", "signaler à la plateforme"
    LIKE = "like", "aimer"
    ROUTE = "route", "transmettre à un service"
    UNDO = "undo", "annuler"
    # Mastodon only (capabilities FILTER and MUTE): for the commune's own account.
    FILTER_STATUS = "filter_status", "filtrer pour le compte de la commune"
    MUTE_AUTHOR = "mute_author", "mettre l'auteur en sourdine"


class Decision(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="decisions", null=True, blank=True)
    author = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    automatic = models.BooleanField(default=False)
    article = models.CharField("article de la charte", max_length=64, blank=True, default="")
    message = models.TextField("message", blank=True, default="")
    note = models.TextField("note interne", blank=True, default="")
    label = models.CharField(
        "motif retenu", max_length=32, blank=True, default="", help_text="The label the moderator chose (hide)."
    )
    data = models.JSONField(default=dict, blank=True, help_text="Details: service routed to, previous status …")
    undoes = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undone_by")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "décision"

    def __str__(self) -> str:
        who = "automatique" if self.automatic else (str(self.actor) if self.actor_id else "système")
        return f"{self.get_kind_display()} ({who})"

    @property
    def actor_label(self) -> str:
        if self.automatic:
            return "Beffroi (automatique)"
        if self.actor is None:
            return "système"
        return self.actor.get_full_name() or self.actor.get_username()


class OutboxState(models.TextChoices):
    PENDING = "pending", "en attente"
    SENDING = "sending", "en cours d'envoi"
    APPLIED = "applied", "appliquée"
    FAILED = "failed", "échouée"
    CANCELLED = "cancelled", "annulée"


class OutboxEntry(models.Model):
    """An action to apply on a platform, recorded BEFORE it is sent (transactional outbox).

    The idempotency key makes delivery at-least-once but never applied twice: connectors use it to
    recognise an action they already applied (reconcile) after a crash between send and record.
    """

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="outbox")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="outbox", null=True, blank=True)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="outbox", null=True, blank=True)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, related_name="outbox", null=True, blank=True)
    action = models.CharField(max_length=20)
    payload = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=128, unique=True)
    state = models.CharField(max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    error_kind = models.CharField(
        max_length=16, blank=True, default="", help_text="transient | rate_limited | auth | refused | uncertain"
    )
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "action en attente d'envoi"
        verbose_name_plural = "file d'envoi (outbox)"
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.action} ({self.get_state_display()})"

    @property
    def state_label(self) -> str:
        """What the team sees: "en attente", "appliquée", "échouée — réessayer"."""
        if self.state in (OutboxState.PENDING, OutboxState.SENDING):
            return "en attente"
        if self.state == OutboxState.FAILED:
            return "échouée — réessayer"
        return str(self.get_state_display())

    @property
    def badge_state(self) -> str:
        return {OutboxState.SENDING: "pending", OutboxState.CANCELLED: "cancelled"}.get(self.state, self.state)


class BlockRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "en attente d'approbation"
        APPROVED = "approved", "approuvé"
        REJECTED = "rejected", "refusé"
        LIFTED = "lifted", "levé"

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="block_requests")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="block_requests")
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField("motif")
    duration_days = models.PositiveIntegerField("durée (jours)")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField("motif de la décision", blank=True, default="")
    expires_at = models.DateTimeField("fin du blocage", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande de blocage"

    def __str__(self) -> str:
        return f"blocage de {self.author} ({self.get_state_display()})"


class OnCallShift(models.Model):
    """A member on call ("d'astreinte") for a period; both ends empty = on call until removed.

    Outside working hours, hate and threats alert the members on call now and the crisis circle."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="oncall_shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField("début", null=True, blank=True)
    ends_at = models.DateTimeField("fin", null=True, blank=True)
    note = models.CharField("note", max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commune", "starts_at", "id"]
        verbose_name = "astreinte"
        verbose_name_plural = "astreintes"

    def __str__(self) -> str:
        return f"astreinte de {self.user} ({self.commune})"
