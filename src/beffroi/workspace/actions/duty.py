"""Deadlines and on-call settings ("Délais et astreinte"): the team's working days and hours, the
review deadline and its reminder, on-call duty for the gravest labels, and the on-call roster.

Managed by the communication director (``Perm.MANAGE_TEAM``, the screen's permission, checked again
here). Every change is written to the audit trail; saving the settings can recompute the deadlines
of the items still waiting (review and "à traiter").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune, Membership
from beffroi.core.roles import Perm
from beffroi.workspace.actions.checks import ActionError, check_commune_perm
from beffroi.workspace.actions.deadlines import DEADLINE_STATUSES, compute_deadline
from beffroi.workspace.actions.verdicts import REMOVAL_LABELS
from beffroi.workspace.models import Item, OnCallShift

SETTINGS_FIELDS = (
    "working_days",
    "work_start",
    "work_end",
    "review_deadline_hours",
    "reminder_before_hours",
    "oncall_enabled",
    "oncall_deadline_hours",
    "oncall_labels",
)


def check_manage_duty(actor: Any, commune: Commune) -> None:
    check_commune_perm(actor, commune, Perm.MANAGE_TEAM, "modifier les délais et l'astreinte")


def duty_settings(commune: Commune) -> dict[str, Any]:
    """The commune's current deadline and on-call settings."""
    return {name: getattr(commune, name) for name in SETTINGS_FIELDS}


def recompute_deadlines(commune: Commune) -> int:
    """Recompute the deadline of every item still waiting (after a change of schedule); returns how
    many changed."""
    count = 0
    waiting = Item.objects.filter(commune=commune, status__in=DEADLINE_STATUSES).select_related("commune", "current_verdict")
    for item in waiting:
        item.commune = commune  # the new settings, even if the caller holds a fresher object
        deadline, oncall = compute_deadline(item)
        if deadline != item.deadline_at or oncall != item.oncall:
            Item.objects.filter(pk=item.pk).update(deadline_at=deadline, oncall=oncall)
            count += 1
    return count


def do_save_duty_settings(
    commune: Commune,
    *,
    actor: Any,
    working_days: Iterable[int],
    work_start: dt.time,
    work_end: dt.time,
    review_deadline_hours: int,
    reminder_before_hours: int,
    oncall_enabled: bool,
    oncall_deadline_hours: int,
    oncall_labels: Iterable[str],
    recompute: bool = True,
) -> int:
    """Save the settings (and, with ``recompute``, the deadlines of the waiting items). Returns the
    number of deadlines recomputed."""
    check_manage_duty(actor, commune)
    days = sorted({int(day) for day in working_days})
    labels = sorted(set(oncall_labels))
    if not days or any(day not in range(7) for day in days):
        raise ActionError("Cochez au moins un jour de travail.")
    if work_end <= work_start:
        raise ActionError("La fin de journée doit être après son début.")
    if not 1 <= int(review_deadline_hours) <= 720:
        raise ActionError("Le délai pour décider doit être compris entre 1 et 720 heures ouvrées.")
    if not 0 <= int(reminder_before_hours) <= 240:
        raise ActionError("Le rappel doit être compris entre 0 et 240 heures ouvrées.")
    if not 1 <= int(oncall_deadline_hours) <= 72:
        raise ActionError("Le délai d'astreinte doit être compris entre 1 et 72 heures.")
    if any(label not in REMOVAL_LABELS for label in labels):
        raise ActionError("Motif d'astreinte inconnu.")
    if oncall_enabled and not labels:
        raise ActionError("Choisissez au moins un motif pour l'astreinte.")
    with transaction.atomic():
        before = duty_settings(commune)
        commune.working_days = days
        commune.work_start, commune.work_end = work_start, work_end
        commune.review_deadline_hours = int(review_deadline_hours)
        commune.reminder_before_hours = int(reminder_before_hours)
        commune.oncall_enabled = bool(oncall_enabled)
        commune.oncall_deadline_hours = int(oncall_deadline_hours)
        commune.oncall_labels = labels
        commune.save(update_fields=list(SETTINGS_FIELDS))
        changed = recompute_deadlines(commune) if recompute else 0
        log_audit(
            "commune.duty_settings",
            commune=commune,
            actor=actor,
            target=commune,
            before={k: str(v) for k, v in before.items()},
            after={k: str(v) for k, v in duty_settings(commune).items()},
            recomputed=changed,
        )
    return changed


def do_add_shift(
    commune: Commune,
    *,
    actor: Any,
    user: Any,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    note: str = "",
) -> OnCallShift:
    """Put a member of the commune's team on call (both ends empty: until removed)."""
    check_manage_duty(actor, commune)
    if user is None or not Membership.objects.filter(commune=commune, user=user).exists():
        raise ActionError("Choisissez une personne de l'équipe de la commune.")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ActionError("La fin doit être après le début.")
    with transaction.atomic():
        shift = OnCallShift.objects.create(
            commune=commune,
            user=user,
            starts_at=starts_at,
            ends_at=ends_at,
            note=(note or "").strip()[:200],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log_audit("oncall.shift_added", commune=commune, actor=actor, target=shift, user=user.pk)
    return shift


def do_remove_shift(shift: OnCallShift, *, actor: Any) -> None:
    check_manage_duty(actor, shift.commune)
    with transaction.atomic():
        log_audit("oncall.shift_removed", commune=shift.commune, actor=actor, target=shift, user=shift.user_id)
        shift.delete()
