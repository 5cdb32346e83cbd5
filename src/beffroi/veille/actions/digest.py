"""The digest by e-mail for small communes: what was said, what needs an answer, what was hidden,
what is rising — readable without opening Beffroi (HTML and plain text).

Members opt in (daily or weekly, on Mondays) from the "Mon résumé" screen. The periodic job sends
each digest once its slot (``VEILLE_DIGEST_HOUR``, commune's time zone) has passed. Private messages
are only counted, never quoted; hidden messages are counted by reason, never quoted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from beffroi import conf
from beffroi.core.audit import log_audit
from beffroi.core.models import Commune, Membership
from beffroi.core.roles import Perm, has_perm
from beffroi.domain.rumour.types import load_zone
from beffroi.veille.actions.delivery import absolute
from beffroi.veille.actions.topics import current_topics, rising_topics
from beffroi.veille.models import Alert, Crisis, CrisisStatus, DigestFrequency, DigestSubscription, Mention
from beffroi.workspace.models import Decision, DecisionKind, Item, ItemStatus

logger = logging.getLogger(__name__)

SENTIMENT_FR = {"positive": "positif", "neutral": "neutre", "negative": "négatif"}
LABELS_FR = {
    "hate": "haine", "insult": "insultes", "threat": "menaces", "harassment": "harcèlement",
    "sexual": "contenu sexuel", "personal_data": "données personnelles", "spam": "spam",
}


@dataclass
class Digest:
    commune: Commune
    frequency: str
    since: dt.datetime
    until: dt.datetime
    mentions: int = 0
    sentiment: dict[str, int] = field(default_factory=dict)
    topics: list[dict[str, Any]] = field(default_factory=list)
    notable: list[dict[str, Any]] = field(default_factory=list)
    to_review: int = 0
    to_answer: int = 0
    late: int = 0
    hidden: int = 0
    hidden_auto: int = 0
    hidden_reasons: list[tuple[str, int]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    open_crises: list[dict[str, Any]] = field(default_factory=list)
    rising: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def period_fr(self) -> str:
        zone = load_zone(self.commune.timezone or "Europe/Paris")
        a, b = self.since.astimezone(zone), self.until.astimezone(zone)
        return gettext("du %(start_day)s à %(start_time)s au %(end_day)s à %(end_time)s") % {
            "start_day": f"{a:%d/%m}",
            "start_time": f"{a:%H:%M}",
            "end_day": f"{b:%d/%m}",
            "end_time": f"{b:%H:%M}",
        }

    @property
    def is_quiet(self) -> bool:
        return not (self.mentions or self.to_review or self.to_answer or self.hidden or self.alerts or self.open_crises)


def _url(name: str, commune: Commune, **kwargs: Any) -> str:
    return absolute(reverse(name, kwargs={"commune": commune.slug, **kwargs}))


def build_digest(commune: Commune, role: str, since: dt.datetime, until: dt.datetime, frequency: str) -> Digest:
    from beffroi.workspace.actions.checks import visible_items

    d = Digest(commune=commune, frequency=frequency, since=since, until=until)
    mentions = Mention.objects.filter(commune=commune, published_at__gte=since, published_at__lt=until)
    d.mentions = mentions.count()
    d.sentiment = dict(Counter(mentions.values_list("sentiment", flat=True)))
    snapshot = current_topics(commune, refresh_if_missing=d.mentions > 0)
    ids_in_period = set(mentions.values_list("pk", flat=True))
    if snapshot is not None:
        for topic in snapshot.topics:
            n = len(ids_in_period.intersection(topic["mention_ids"]))
            if n:
                d.topics.append({"label": topic["label"], "count": n})
        d.topics.sort(key=lambda t: -t["count"])
        d.topics = d.topics[:5]
        d.rising = rising_topics(snapshot, commune, now=until)[:3]
    top = (
        mentions.exclude(item__kind="private_message")
        .select_related("item", "item__author")
        .annotate(engagement=F("item__likes") + F("item__shares"))
        .order_by("-engagement", "-published_at")[:5]
    )
    for m in top:
        text = m.item.text.strip()
        d.notable.append(
            {
                "author": str(m.item.author) if m.item.author is not None else "auteur inconnu",
                "platform": m.platform,
                "sentiment": SENTIMENT_FR.get(m.sentiment, m.sentiment),
                "text": text if len(text) <= 240 else text[:239] + "…",
                "url": m.item.url,
                "likes": m.item.likes,
                "shares": m.item.shares,
            }
        )
    items = visible_items(Item.objects.filter(commune=commune), role)
    d.to_review = items.filter(status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED]).count()
    d.to_answer = items.filter(status=ItemStatus.TODO).count()
    d.late = items.filter(status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED], deadline_at__lte=until).count()
    hides = Decision.objects.filter(
        commune=commune, kind=DecisionKind.HIDE, created_at__gte=since, created_at__lt=until, undone_by__isnull=True
    )
    d.hidden = hides.count()
    d.hidden_auto = hides.filter(automatic=True).count()
    reasons = Counter(LABELS_FR.get(label, label) for label in hides.exclude(label="").values_list("label", flat=True))
    d.hidden_reasons = reasons.most_common(5)
    if has_perm(role, Perm.VIEW_ALERTS):
        for alert in Alert.objects.filter(commune=commune, detected_at__gte=since, detected_at__lt=until, stale=False).order_by("detected_at")[:10]:
            d.alerts.append(
                {
                    "kind": alert.kind,
                    "kind_label": alert.kind_label,
                    "claim": alert.claim if len(alert.claim) <= 200 else alert.claim[:199] + "…",
                    "velocity": alert.velocity,
                    "url": _url("veille:crisis", commune, crisis_id=alert.crisis_id) if alert.crisis_id else _url("veille:alerts", commune),
                }
            )
        for crisis in Crisis.objects.filter(commune=commune, status=CrisisStatus.OPEN).order_by("-opened_at")[:5]:
            d.open_crises.append(
                {"title": crisis.title[:200], "url": _url("veille:crisis", commune, crisis_id=crisis.pk), "posts": crisis.posts.count()}
            )
    d.links = {
        "veille": _url("veille:home", commune),
        "mentions": _url("veille:mentions", commune),
        "queue": _url("workspace:queue", commune) if has_perm(role, Perm.MODERATE) else _url("workspace:dashboard", commune),
        "todo": _url("workspace:todo", commune) if has_perm(role, Perm.REPLY) else _url("workspace:dashboard", commune),
        "settings": _url("veille:digest", commune),
    }
    return d


def render_digest(digest: Digest) -> tuple[str, str, str]:
    """(subject, text, html) of a digest."""
    label = gettext("du jour") if digest.frequency == DigestFrequency.DAILY else gettext("de la semaine")
    subject = f"[Beffroi] Résumé {label} — {digest.commune.name}"
    if digest.alerts:
        subject += " — alerte en cours" if len(digest.alerts) == 1 else f" — {len(digest.alerts)} alertes"
    context = {"d": digest, "label": label}
    return subject, render_to_string("veille/email/digest.txt", context), render_to_string("veille/email/digest.html", context)


def slot_for(frequency: str, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The latest time a digest of this frequency was due (<= now)."""
    hour = int(conf.get("VEILLE_DIGEST_HOUR"))
    local = now.astimezone(zone)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= dt.timedelta(days=1)
    if frequency == DigestFrequency.WEEKLY:
        slot -= dt.timedelta(days=slot.weekday())
    return slot


def period_for(sub: DigestSubscription, slot: dt.datetime) -> dt.datetime:
    span = dt.timedelta(days=7 if sub.frequency == DigestFrequency.WEEKLY else 1)
    start = slot - span
    if sub.last_sent_at is not None and start < sub.last_sent_at < slot:
        start = sub.last_sent_at
    return start


def send_digest(sub: DigestSubscription, *, now: dt.datetime | None = None, slot: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    membership = Membership.objects.filter(user=sub.user, commune=sub.commune).first()
    if membership is None or not has_perm(membership.role, Perm.VIEW_VEILLE):
        return False
    if not sub.user.is_active or not sub.user.email:
        return False
    zone = load_zone(sub.commune.timezone or "Europe/Paris")
    slot = slot or slot_for(sub.frequency, now, zone)
    digest = build_digest(sub.commune, membership.role, period_for(sub, slot), now, sub.frequency)
    subject, text, html = render_digest(digest)
    message = EmailMultiAlternatives(subject, text, None, [sub.user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception:
        logger.exception("veille: digest to %s failed", sub.user.email)
        return False
    DigestSubscription.objects.filter(pk=sub.pk).update(last_sent_at=now)
    log_audit("veille.digest_sent", commune=sub.commune, target=sub, user=sub.user.pk, frequency=sub.frequency)
    return True


def send_due_digests(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    subs = DigestSubscription.objects.exclude(frequency=DigestFrequency.NONE).select_related("commune", "user")
    for sub in subs.order_by("id"):
        zone = load_zone(sub.commune.timezone or "Europe/Paris")
        slot = slot_for(sub.frequency, now, zone)
        if sub.last_sent_at is not None and sub.last_sent_at >= slot:
            continue
        # claim the slot first: with several workers, one digest per slot
        claimed = DigestSubscription.objects.filter(pk=sub.pk, last_sent_at=sub.last_sent_at).update(last_sent_at=now)
        if not claimed:
            continue
        if send_digest(sub, now=now, slot=slot):
            sent += 1
        else:
            DigestSubscription.objects.filter(pk=sub.pk).update(last_sent_at=sub.last_sent_at)
    return sent


@transaction.atomic
def subscribe(commune: Commune, user: Any, frequency: str) -> DigestSubscription:
    if frequency not in DigestFrequency.values:
        raise ValueError(frequency)
    sub, _ = DigestSubscription.objects.get_or_create(commune=commune, user=user)
    if sub.frequency != frequency:
        sub.frequency = frequency
        # the first digest comes at the next slot, covering the period since the last one
        if sub.last_sent_at is None:
            sub.last_sent_at = timezone.now()
        sub.save()
        log_audit("veille.digest_subscription", commune=commune, actor=user, target=sub, frequency=frequency)
    return sub
