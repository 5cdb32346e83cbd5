"""The commune's dashboard: what needs someone now, in plain words, for every role."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from beffroi.connectors.registry import platform_label
from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions.deadlines import schedule_for
from beffroi.workspace.models import (
    Account,
    AccountStatus,
    BlockRequest,
    Decision,
    DecisionKind,
    ItemStatus,
    OutboxEntry,
    OutboxState,
)
from beffroi.workspace.views.common import commune_of, items_for, role_of


@commune_view(Perm.VIEW_ITEMS)
def dashboard(request: HttpRequest) -> HttpResponse:
    commune, role = commune_of(request), role_of(request)
    items = items_for(request)
    now = timezone.now()
    zone = schedule_for(commune).zone
    today = dt.datetime.combine(now.astimezone(zone).date(), dt.time(0), tzinfo=zone)
    end_of_day = today + dt.timedelta(days=1)
    open_review = items.filter(status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED])
    week = now - dt.timedelta(days=7)
    context = {
        "to_review": items.filter(status=ItemStatus.REVIEW).count(),
        "escalated": items.filter(status=ItemStatus.ESCALATED).count(),
        "late": open_review.filter(deadline_at__lte=now).count(),
        "due_today": open_review.filter(deadline_at__gt=now, deadline_at__lt=end_of_day).count(),
        "oncall_open": open_review.filter(oncall=True).count(),
        "to_do": items.filter(status=ItemStatus.TODO).count(),
        "received_today": items.filter(first_seen_at__gte=today).count(),
        "total": items.count(),
        "auto_hidden_week": Decision.objects.filter(
            commune=commune, kind=DecisionKind.HIDE, automatic=True, created_at__gte=week, undone_by__isnull=True, item__in=items
        ).count(),
        "decided_week": Decision.objects.filter(commune=commune, automatic=False, created_at__gte=week, item__in=items)
        .exclude(kind=DecisionKind.UNDO)
        .count(),
        "failed_sends": OutboxEntry.objects.filter(commune=commune, state=OutboxState.FAILED, item__in=items).count()
        if has_perm(role, Perm.MODERATE)
        else 0,
        "pending_blocks": BlockRequest.objects.filter(commune=commune, state=BlockRequest.State.PENDING).count()
        if has_perm(role, Perm.REQUEST_BLOCK)
        else 0,
        "broken_accounts": list(Account.objects.filter(commune=commune, status=AccountStatus.BROKEN))
        if has_perm(role, Perm.MODERATE) or has_perm(role, Perm.MANAGE_ACCOUNTS)
        else [],
        "by_platform": [
            (platform_label(row["platform"]), row["n"])
            for row in items.filter(first_seen_at__gte=week).values("platform").annotate(n=Count("id")).order_by("-n")
        ],
    }
    return render(request, "workspace/dashboard.html", context)
