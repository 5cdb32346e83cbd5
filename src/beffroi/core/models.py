"""Communes (tenants), memberships with roles, and the append-only audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from beffroi.core.roles import ROLE_LABELS_FR, Role


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday..Friday


def default_oncall_labels() -> list[str]:
    return ["hate", "threat"]


class Commune(models.Model):
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    name = models.CharField("nom", max_length=200)
    insee_code = models.CharField("code INSEE", max_length=5, blank=True)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    contact_email = models.EmailField("adresse de contact", blank=True)
    timezone = models.CharField("fuseau horaire", max_length=64, default="Europe/Paris")
    # Working time, used for review deadlines (a secretary present four days a week, say).
    working_days = models.JSONField("jours ouvrés", default=default_working_days)
    work_start = models.TimeField("début de journée", default=dt.time(9, 0))
    work_end = models.TimeField("fin de journée", default=dt.time(17, 0))
    review_deadline_hours = models.PositiveIntegerField(
        "délai de revue (heures ouvrées)", default=48, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    reminder_before_hours = models.PositiveIntegerField("rappel avant l'échéance (heures ouvrées)", default=8)
    # On-call ("astreinte") for the gravest labels.
    oncall_enabled = models.BooleanField("astreinte activée", default=False)
    oncall_deadline_hours = models.PositiveIntegerField("délai d'astreinte (heures)", default=4)
    oncall_labels = models.JSONField("libellés sous astreinte", default=default_oncall_labels)
    # Retention of items and evidence.
    retention_severe_days = models.PositiveIntegerField(
        "conservation haine et menaces (jours)", default=456  # one-year prescription + margin (15 months)
    )
    retention_default_days = models.PositiveIntegerField("conservation autres (jours)", default=183)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "commune"
        verbose_name_plural = "communes"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        days = self.working_days
        if not isinstance(days, list) or not days or any(d not in range(7) for d in days):
            raise ValidationError({"working_days": "Choisissez au moins un jour ouvré (0 = lundi … 6 = dimanche)."})
        if self.work_end <= self.work_start:
            raise ValidationError({"work_end": "La fin de journée doit être après son début."})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=32, choices=[(r.value, ROLE_LABELS_FR[r]) for r in Role])
    in_crisis_circle = models.BooleanField("cercle de crise", default=False)
    phone = models.CharField("téléphone (alertes SMS)", max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("user", "commune")]
        verbose_name = "membre de l'équipe"
        verbose_name_plural = "membres des équipes"

    def __str__(self) -> str:
        return f"{self.user} — {self.commune} ({self.get_role_display()})"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once and never changed or deleted through the ORM.

    On PostgreSQL a trigger (see the migration) refuses UPDATE and DELETE at the database level too;
    only the retention purge, which runs with the trigger's bypass flag, may remove expired rows.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only")


class AuditRecord(AppendOnlyModel):
    """One line of the audit trail: who did what, when, to which object. Never changed."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Name shown for the actor, e.g. 'système'.")
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_type}#{self.target_id}"
