"""Template helpers of the moderation screens."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``offers|get:"hide"``"""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def label_fr(label: str) -> str:
    from beffroi.workspace.actions.verdicts import label_fr as translate

    return translate(str(label))


@register.filter
def platform_name(platform: str) -> str:
    from beffroi.connectors.registry import platform_label

    return platform_label(str(platform))


@register.simple_tag(takes_context=True)
def nav_counts(context: Any) -> dict[str, int]:
    """Counters for the navigation (to review, late, questions), computed once per request."""
    request = context.get("request")
    commune = context.get("current_commune")
    if request is None or commune is None or not getattr(request, "role", None):
        return {}
    cached = getattr(request, "_beffroi_nav_counts", None)
    if cached is not None:
        return cached
    from beffroi.core.roles import Perm, has_perm
    from beffroi.workspace.actions.checks import visible_items
    from beffroi.workspace.models import Item, ItemStatus

    items = visible_items(Item.objects.filter(commune=commune), request.role)
    counts: dict[str, int] = {}
    if has_perm(request.role, Perm.MODERATE):
        counts["review"] = items.filter(status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED]).count()
        counts["late"] = items.filter(
            status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED], deadline_at__lte=timezone.now()
        ).count()
    if has_perm(request.role, Perm.REPLY):
        counts["todo"] = items.filter(status=ItemStatus.TODO).count()
    request._beffroi_nav_counts = counts
    return counts


@register.simple_tag
def removal_labels() -> list[tuple[str, str]]:
    from beffroi.workspace.actions.verdicts import REMOVAL_LABELS
    from beffroi.workspace.actions.verdicts import label_fr as translate

    return [(label, translate(label)) for label in REMOVAL_LABELS]
