"""Storing the detector's alerts: the alert itself, its crisis room and its deliveries.

- a rumour or a bad buzz opens a crisis room (or joins the room already open for the same cluster:
  a spike that becomes a rumour is the same story, and a closed room is reopened);
- a spike (benign surge) is shown among the rising topics; it opens no room and reaches no one
  unless the commune asked for it (``VeilleSettings.notify_kinds``);
- an alert triggered by old posts (history imported at the first synchronisation) is kept but sent
  to no one;
- deliveries go to the members of the crisis circle who have an e-mail address, the extra addresses
  and the active webhooks, each recorded with its state.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone

from beffroi import conf
from beffroi.core.audit import log_audit
from beffroi.core.models import Commune, Membership
from beffroi.domain.rumour import RUMOUR, Detector
from beffroi.domain.rumour import Alert as DomainAlert
from beffroi.domain.rumour.clusters import MARK_CLAIM, MARK_OFFICIAL
from beffroi.veille.models import (
    Alert,
    AlertDelivery,
    AlertWebhook,
    Crisis,
    CrisisPost,
    CrisisStatus,
    Mention,
    VeilleSettings,
)
from beffroi.workspace.models import Item

logger = logging.getLogger(__name__)

CRISIS_KINDS = frozenset({RUMOUR, "bad_buzz"})


def _parse_at(value: str, fallback: dt.datetime) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return fallback
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _item_ids(post_ids: list[str]) -> list[int]:
    return [int(p) for p in post_ids if str(p).isdigit()]


def store_alert(
    commune: Commune,
    raw: DomainAlert,
    detector: Detector | None,
    *,
    settings: VeilleSettings | None = None,
    now: dt.datetime | None = None,
) -> tuple[Alert, list[int]]:
    """Store one alert of the detector; returns it and the ids of the deliveries to send (after commit)."""
    now = now or timezone.now()
    settings = settings or VeilleSettings.for_commune(commune)
    at = _parse_at(raw.at, now)
    max_age = dt.timedelta(hours=int(conf.get("VEILLE_ALERT_MAX_AGE_HOURS")))
    stale = at < now - max_age
    alert = Alert.objects.create(
        commune=commune,
        kind=raw.kind,
        cluster_id=raw.cluster_id,
        claim=raw.claim,
        post_ids=list(raw.post_ids),
        at=at,
        detected_at=now,
        velocity=raw.velocity,
        baseline=raw.baseline,
        expected=raw.expected,
        score=raw.score,
        reasons=list(raw.reasons),
        contradicted_fact=raw.contradicted_fact or "",
        amplifiers=[dict(a) for a in raw.amplifiers],
        reach=dict(raw.reach),
        sentiment=dict(raw.sentiment),
        size=raw.size,
        authors=raw.authors,
        stale=stale,
    )
    log_audit(
        "veille.alert",
        commune=commune,
        target=alert,
        kind=alert.kind,
        cluster=alert.cluster_id,
        stale=stale,
        velocity=round(alert.velocity, 2),
    )
    crisis = None
    if not stale:
        existing = Crisis.objects.filter(commune=commune, cluster_id=raw.cluster_id).order_by("-id").first()
        if existing is not None:
            crisis = _attach(existing, alert)
        elif raw.kind in CRISIS_KINDS:
            crisis = open_crisis(alert)
    if crisis is not None:
        Alert.objects.filter(pk=alert.pk).update(crisis=crisis)
        alert.crisis = crisis
        add_crisis_posts(crisis, _item_ids(raw.post_ids), claim_ids=set(_item_ids(raw.post_ids)))
        if detector is not None:
            sync_crisis_posts(crisis, detector)
    deliveries: list[int] = []
    if not stale and raw.kind in (settings.notify_kinds or []):
        deliveries = plan_deliveries(alert, settings)
    return alert, deliveries


def open_crisis(alert: Alert, *, actor: Any = None) -> Crisis:
    """A crisis room for this alert's cluster (audited)."""
    from beffroi.veille.actions.crisis import default_info_sheet

    crisis = Crisis.objects.create(
        commune=alert.commune,
        cluster_id=alert.cluster_id,
        kind=alert.kind,
        title=alert.claim,
        contradicted_fact=alert.contradicted_fact,
        opened_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        info_sheet=default_info_sheet(alert.commune),
    )
    log_audit("veille.crisis_opened", commune=alert.commune, actor=actor, target=crisis, alert=alert.pk, kind=alert.kind)
    return crisis


def _attach(crisis: Crisis, alert: Alert) -> Crisis:
    """A new alert on the cluster of an existing room: the room follows the most serious kind, and a
    closed room comes back when the story becomes a rumour or a bad buzz."""
    fields = []
    if alert.kind in CRISIS_KINDS and crisis.kind != RUMOUR:
        crisis.kind = alert.kind
        fields.append("kind")
    if alert.contradicted_fact and not crisis.contradicted_fact:
        crisis.contradicted_fact = alert.contradicted_fact
        fields.append("contradicted_fact")
    if crisis.status == CrisisStatus.CLOSED and alert.kind in CRISIS_KINDS:
        crisis.status = CrisisStatus.OPEN
        crisis.closed_at = None
        crisis.closed_by = None
        fields += ["status", "closed_at", "closed_by"]
        log_audit("veille.crisis_reopened", commune=crisis.commune, target=crisis, alert=alert.pk, automatic=True)
    if fields:
        crisis.save(update_fields=fields)
    return crisis


def add_crisis_posts(crisis: Crisis, item_ids: list[int], *, claim_ids: set[int] | None = None) -> int:
    """Add items (of the crisis's commune) to the room; returns how many were new."""
    if not item_ids:
        return 0
    known = set(CrisisPost.objects.filter(crisis=crisis, item_id__in=item_ids).values_list("item_id", flat=True))
    fresh = [
        pk
        for pk in Item.objects.filter(commune_id=crisis.commune_id, pk__in=item_ids).values_list("pk", flat=True)
        if pk not in known
    ]
    claim_ids = claim_ids or set()
    CrisisPost.objects.bulk_create(
        [CrisisPost(crisis=crisis, item_id=pk, carries_claim=pk in claim_ids) for pk in fresh],
        ignore_conflicts=True,
    )
    if fresh:
        Mention.objects.filter(item_id__in=fresh).update(cluster_id=crisis.cluster_id)
    return len(fresh)


def sync_crisis_posts(crisis: Crisis, detector: Detector) -> int:
    """Bring the room's posts up to date with the detector's cluster (posts that joined it since)."""
    cluster = detector.clusters.get(crisis.cluster_id)
    if cluster is None:
        return 0
    ids: list[int] = []
    claims: set[int] = set()
    for pid, mark in zip(cluster.ids, cluster.marks, strict=True):
        if not pid.isdigit():
            continue
        ids.append(int(pid))
        if mark & MARK_CLAIM and not mark & MARK_OFFICIAL:
            claims.add(int(pid))
    return add_crisis_posts(crisis, ids, claim_ids=claims)


def sync_open_crises(commune: Commune, detector: Detector) -> None:
    for crisis in Crisis.objects.filter(commune=commune, status=CrisisStatus.OPEN):
        sync_crisis_posts(crisis, detector)


# ---------------------------------------------------------------------------------------------
# Deliveries


def crisis_circle_emails(commune: Commune, settings: VeilleSettings | None = None) -> list[str]:
    """E-mail addresses of the crisis circle (members with ``in_crisis_circle``) and the extra ones."""
    emails: list[str] = []
    members = Membership.objects.filter(commune=commune, in_crisis_circle=True).select_related("user")
    for m in members.order_by("id"):
        if m.user.is_active and m.user.email and m.user.email not in emails:
            emails.append(m.user.email)
    settings = settings or VeilleSettings.for_commune(commune)
    for address in settings.extra_emails or []:
        if address and address not in emails:
            emails.append(str(address))
    return emails


def plan_deliveries(alert: Alert, settings: VeilleSettings | None = None) -> list[int]:
    """One delivery per e-mail address and per active webhook (idempotent)."""
    now = timezone.now()
    ids = []
    for address in crisis_circle_emails(alert.commune, settings):
        obj, _ = AlertDelivery.objects.get_or_create(
            alert=alert, channel="email", target=address, defaults={"next_attempt_at": now}
        )
        ids.append(obj.pk)
    for hook in AlertWebhook.objects.filter(commune=alert.commune, active=True).order_by("id"):
        obj, _ = AlertDelivery.objects.get_or_create(
            alert=alert, channel="webhook", target=f"{hook.name} #{hook.pk}", defaults={"next_attempt_at": now, "webhook": hook}
        )
        ids.append(obj.pk)
    if not ids:
        log_audit("veille.alert_unsent", commune=alert.commune, target=alert, reason="aucun destinataire")
    return ids


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    from beffroi.tasks import enqueue

    for delivery_id in delivery_ids:
        try:
            enqueue("veille.deliver", delivery_id=delivery_id)
        except Exception:  # the sweep sends due deliveries anyway
            logger.exception("veille: could not enqueue delivery %s", delivery_id)


def alerts_for(commune: Commune, *, kinds: list[str] | None = None, since: dt.datetime | None = None) -> Any:
    qs = Alert.objects.filter(commune=commune)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if since is not None:
        qs = qs.filter(Q(detected_at__gte=since) | Q(at__gte=since))
    return qs.select_related("crisis")

