"""Review deadlines and on-call duty ("astreinte").

Each item to review gets a deadline counted in the commune's WORKING hours from when it was first
seen (``Commune.review_deadline_hours``, 48 by default), skipping French public holidays and the days
the team does not work (``beffroi.domain.deadlines``). For the gravest labels (hate, threats: the
commune's ``oncall_labels``), when on-call is enabled, the deadline is at most
``oncall_deadline_hours`` CLOCK hours, and an item arriving outside working hours alerts at once the
members on call and the crisis circle; :func:`sweep_oncall` (periodic) does the same, once, for an
on-call item that arrived during the day and is still waiting when working hours end.

:func:`sweep_deadlines` (periodic) sends a reminder when an item to review, or a question waiting for
its answer ("à traiter"), nears its deadline and escalates it when the deadline passes (status
"transmis", e-mail to the communication director).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.domain.deadlines import (
    DeadlineError,
    WorkingSchedule,
    add_working_hours,
    is_alsace_moselle,
    is_working_time,
    working_hours_between,
)
from beffroi.workspace.models import Item, ItemStatus, OnCallShift

DEADLINE_STATUSES = (ItemStatus.REVIEW, ItemStatus.TODO)


def schedule_for(commune: Commune) -> WorkingSchedule:
    """The commune's working schedule (falls back to Monday–Friday 9:00–17:00 if misconfigured)."""
    try:
        return WorkingSchedule.weekly(
            commune.working_days or [0, 1, 2, 3, 4],
            commune.work_start,
            commune.work_end,
            timezone=commune.timezone or "Europe/Paris",
            alsace_moselle=is_alsace_moselle(commune.insee_code or ""),
        )
    except DeadlineError:
        return WorkingSchedule.weekly([0, 1, 2, 3, 4], dt.time(9), dt.time(17))


def is_oncall_item(item: Item) -> bool:
    commune = item.commune
    verdict = item.current_verdict
    if not commune.oncall_enabled or verdict is None:
        return False
    return bool(set(verdict.labels) & set(commune.oncall_labels or []))


def compute_deadline(item: Item, *, schedule: WorkingSchedule | None = None) -> tuple[dt.datetime, bool]:
    """(deadline, under on-call) for an item to handle."""
    commune = item.commune
    schedule = schedule or schedule_for(commune)
    start = item.first_seen_at or timezone.now()
    deadline = add_working_hours(start, commune.review_deadline_hours, schedule)
    if is_oncall_item(item):
        return min(deadline, start + dt.timedelta(hours=commune.oncall_deadline_hours)), True
    return deadline, False


def assign_deadline(item: Item, *, alert: bool = True) -> None:
    """Set the item's deadline (and, for an on-call item seen outside working hours, alert now).
    Called by the routing of new items, inside the ingestion transaction."""
    schedule = schedule_for(item.commune)
    deadline, oncall = compute_deadline(item, schedule=schedule)
    item.deadline_at = deadline
    item.oncall = oncall
    item.reminder_sent_at = None
    item.oncall_alerted_at = None
    item.save(update_fields=["deadline_at", "oncall", "reminder_sent_at", "oncall_alerted_at", "updated_at"])
    if alert:
        alert_if_oncall(item, schedule=schedule)


def alert_if_oncall(item: Item, *, schedule: WorkingSchedule | None = None, now: dt.datetime | None = None) -> bool:
    """An on-call item to review, outside working hours: e-mail the on-call members and the crisis
    circle once the transaction commits. Returns True if an alert is scheduled."""
    if not item.oncall or item.status != ItemStatus.REVIEW or item.oncall_alerted_at is not None:
        return False
    schedule = schedule or schedule_for(item.commune)
    now = now or timezone.now()
    if is_working_time(now, schedule):
        return False
    # claim the alert (compare-and-set): a sweep running beside the routing alerts once
    if not Item.objects.filter(pk=item.pk, oncall_alerted_at__isnull=True).update(oncall_alerted_at=now):
        return False
    item.oncall_alerted_at = now
    from beffroi.workspace.actions import notifications

    item_id = item.pk
    transaction.on_commit(lambda: notifications.oncall_alert(item_id))
    return True


def sweep_oncall(*, now: dt.datetime | None = None) -> list[int]:
    """On-call items still waiting for review when working hours end (they came in during the day
    and nobody handled them): alert the on-call members once, as if they had arrived now."""
    now = now or timezone.now()
    alerted: list[int] = []
    pending = Item.objects.filter(
        status=ItemStatus.REVIEW, oncall=True, oncall_alerted_at__isnull=True, commune__is_active=True
    ).select_related("commune")
    schedules: dict[int, WorkingSchedule] = {}
    for item in pending.order_by("commune_id", "deadline_at", "id"):
        schedule = schedules.get(item.commune_id)
        if schedule is None:
            schedule = schedules[item.commune_id] = schedule_for(item.commune)
        with transaction.atomic():
            if alert_if_oncall(item, schedule=schedule, now=now):
                alerted.append(item.pk)
    return alerted


def oncall_members(commune: Commune, *, now: dt.datetime | None = None) -> list[int]:
    """User ids on call now (roster) plus the crisis circle."""
    from beffroi.core.models import Membership

    now = now or timezone.now()
    on_call = set(
        OnCallShift.objects.filter(commune=commune)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .values_list("user_id", flat=True)
    )
    circle = set(Membership.objects.filter(commune=commune, in_crisis_circle=True).values_list("user_id", flat=True))
    members = set(Membership.objects.filter(commune=commune).values_list("user_id", flat=True))
    return sorted((on_call | circle) & members)


# ---------------------------------------------------------------------------------------------
# What is left, for the screens


def remaining_label(item: Item, *, now: dt.datetime | None = None, schedule: WorkingSchedule | None = None) -> str:
    """"dans 5 h ouvrées", "dans 2 j ouvrés", "en retard de 3 h" …"""
    if item.deadline_at is None:
        return ""
    now = now or timezone.now()
    if item.deadline_at <= now:
        late = (now - item.deadline_at).total_seconds() / 3600
        return f"en retard de {_hours(late)}"
    if item.oncall:
        return f"dans {_hours((item.deadline_at - now).total_seconds() / 3600)}"
    schedule = schedule or schedule_for(item.commune)
    hours = working_hours_between(now, item.deadline_at, schedule)
    if hours < 1:
        return "dans moins d'une heure ouvrée"
    return f"dans {round(hours)} h ouvrée{'s' if round(hours) >= 2 else ''}"


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{round(hours)} h"
    return f"{round(hours / 24)} j"


# ---------------------------------------------------------------------------------------------
# The periodic sweep: reminders and escalation


@dataclass
class DeadlineSweep:
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"reminded": len(self.reminded), "escalated": len(self.escalated)}


def _reminder_due(item: Item, now: dt.datetime, schedule: WorkingSchedule) -> bool:
    assert item.deadline_at is not None
    commune = item.commune
    if item.oncall:
        lead = max(0.5, commune.oncall_deadline_hours / 4)
        return (item.deadline_at - now).total_seconds() / 3600 <= lead
    return working_hours_between(now, item.deadline_at, schedule) <= commune.reminder_before_hours


def _awaits_the_team(item: Item) -> bool:
    """An item the sweep follows: one to review, or a question still waiting for its answer ("à
    traiter"; a thank-you left without a reply is neither reminded nor escalated)."""
    if item.status == ItemStatus.REVIEW:
        return True
    verdict = item.current_verdict
    return item.status == ItemStatus.TODO and verdict is not None and "question" in (verdict.labels or [])


def sweep_deadlines(*, now: dt.datetime | None = None) -> DeadlineSweep:
    """Remind the team of the items to review and the questions to answer that near their deadline,
    and escalate those past it to the communication director (status "transmis")."""
    from beffroi.workspace.actions import notifications

    now = now or timezone.now()
    result = DeadlineSweep()
    communes = Commune.objects.filter(
        is_active=True, items__status__in=DEADLINE_STATUSES, items__deadline_at__isnull=False
    ).distinct()
    for commune in communes:
        schedule = schedule_for(commune)
        reminded, escalated = [], []
        open_items = Item.objects.filter(
            commune=commune, status__in=DEADLINE_STATUSES, deadline_at__isnull=False
        ).select_related("commune", "current_verdict")
        for item in open_items.filter(deadline_at__lte=now).order_by("deadline_at", "id"):
            if not _awaits_the_team(item):
                continue
            with transaction.atomic():
                changed = Item.objects.filter(pk=item.pk, status=item.status).update(
                    status=ItemStatus.ESCALATED, escalated_at=now, updated_at=now
                )
                if changed:
                    log_audit(
                        "deadline.escalated",
                        commune=commune,
                        actor_label="Beffroi (échéance)",
                        target=item,
                        deadline_at=item.deadline_at.isoformat(),
                        previous_status=item.status,
                    )
                    escalated.append(item.pk)
        for item in open_items.filter(deadline_at__gt=now, reminder_sent_at__isnull=True).order_by("deadline_at", "id"):
            if (
                _awaits_the_team(item)
                and _reminder_due(item, now, schedule)
                and Item.objects.filter(pk=item.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            ):
                reminded.append(item.pk)
        if reminded:
            log_audit("deadline.reminder", commune=commune, actor_label="Beffroi (échéance)", items=reminded)
            notifications.deadline_reminder(commune.pk, reminded)
        if escalated:
            notifications.deadline_escalation(commune.pk, escalated)
        result.reminded += reminded
        result.escalated += escalated
    return result
