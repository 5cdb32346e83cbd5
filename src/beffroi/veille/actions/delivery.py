"""Delivering an alert to the crisis circle: e-mail (Django mail, SMTP) and webhooks (generic JSON,
Slack-compatible ``{"text": …}``, Matrix ``m.room.message``).

Every webhook call is signed so the receiver can check it came from Beffroi::

    X-Beffroi-Timestamp: 1735689600
    X-Beffroi-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the webhook's secret>
    X-Beffroi-Delivery: <delivery id, the same on every retry>

A delivery is claimed with a compare-and-set (two workers never send it together), retried with
exponential backoff on network errors, time-outs, 5xx and 429, and marked failed after
``VEILLE_DELIVERY_MAX_ATTEMPTS`` or at once on a refusal (4xx: wrong address or token). Its state,
error and measured delay (detection → delivery) are recorded and shown on the alert settings screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import random
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from beffroi import conf
from beffroi.core.audit import log_audit
from beffroi.veille.models import Alert, AlertDelivery, AlertWebhook, DeliveryState, WebhookFormat
from beffroi.workspace.models import Item

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=90)
SIGNATURE_HEADER = "X-Beffroi-Signature"
TIMESTAMP_HEADER = "X-Beffroi-Timestamp"
DELIVERY_HEADER = "X-Beffroi-Delivery"
USER_AGENT = "Beffroi-alertes/1.0"
MAX_POSTS = 5


class DeliveryError(Exception):
    """A failed attempt; ``retry`` says whether trying again may help. ``message`` is French."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


# ---------------------------------------------------------------------------------------------
# Content


def absolute(path: str) -> str:
    return str(django_settings.BEFFROI_BASE_URL).rstrip("/") + path


def crisis_url(alert: Alert) -> str:
    if alert.crisis_id:
        return absolute(reverse("veille:crisis", kwargs={"commune": alert.commune.slug, "crisis_id": alert.crisis_id}))
    return absolute(reverse("veille:alerts", kwargs={"commune": alert.commune.slug}))


@dataclass(frozen=True)
class FirstPost:
    id: str
    author: str
    platform: str
    published_at: dt.datetime
    text: str
    url: str


def first_posts(alert: Alert, limit: int = MAX_POSTS) -> list[FirstPost]:
    ids = [int(p) for p in alert.post_ids if str(p).isdigit()][:limit]
    items = {i.pk: i for i in Item.objects.filter(commune=alert.commune, pk__in=ids).select_related("author")}
    out = []
    for pk in ids:
        item = items.get(pk)
        if item is None:
            continue
        text = item.text.strip()
        out.append(
            FirstPost(
                id=str(pk),
                author=str(item.author) if item.author is not None else "auteur inconnu",
                platform=item.platform,
                published_at=item.published_at,
                text=text if len(text) <= 280 else text[:279] + "…",
                url=item.url,
            )
        )
    return out


def summary_fr(alert: Alert) -> str:
    """One short French paragraph for SMS, Slack and Matrix."""
    what = {
        "rumour": "Une rumeur se propage",
        "bad_buzz": "Un bad buzz monte",
        "spike": "Un sujet est en forte hausse",
    }.get(alert.kind, "Alerte")
    lines = [
        f"[Beffroi] {what} à {alert.commune.name}.",
        f"Ce qui circule : « {alert.claim[:200]} »",
        f"{alert.velocity:.0f} message(s) dans la dernière heure (habituellement {alert.baseline:.1f}/h).",
    ]
    if alert.contradicted_fact:
        lines.append(f"Fait officiel : {alert.contradicted_fact}")
    lines.append(f"Cellule de crise : {crisis_url(alert)}")
    return "\n".join(lines)


def payload_json(alert: Alert) -> dict[str, Any]:
    return {
        "event": "beffroi.alert",
        "commune": {"slug": alert.commune.slug, "name": alert.commune.name},
        "alert": {
            "at": alert.at.isoformat(),
            "kind": alert.kind,
            "cluster_id": alert.cluster_id,
            "claim": alert.claim,
            "post_ids": list(alert.post_ids),
        },
        "kind_label": alert.kind_label,
        "detected_at": alert.detected_at.isoformat(),
        "velocity": round(alert.velocity, 2),
        "baseline": round(alert.baseline, 2),
        "reasons": list(alert.reasons),
        "contradicted_fact": alert.contradicted_fact or None,
        "reach": dict(alert.reach),
        "first_posts": [
            {"id": p.id, "author": p.author, "platform": p.platform, "published_at": p.published_at.isoformat(),
             "text": p.text, "url": p.url}
            for p in first_posts(alert)
        ],
        "crisis_url": crisis_url(alert),
        "text": summary_fr(alert),
    }


def payload_for(alert: Alert, fmt: str) -> dict[str, Any]:
    if fmt == WebhookFormat.SLACK:
        return {"text": summary_fr(alert)}
    if fmt == WebhookFormat.MATRIX:
        return {"msgtype": "m.text", "body": summary_fr(alert)}
    return payload_json(alert)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (documented; used by the tests)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


# ---------------------------------------------------------------------------------------------
# Safety of webhook addresses


def check_url(url: str, fmt: str = WebhookFormat.JSON, *, resolve: bool = True) -> None:
    """Raise DeliveryError (French, not retryable) for an address Beffroi must not call."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError("L'adresse doit commencer par https:// (ou http://).", retry=False)
    if parts.username or parts.password:
        raise DeliveryError("L'adresse ne doit pas contenir d'identifiant ni de mot de passe.", retry=False)
    if fmt == WebhookFormat.MATRIX and (
        "/_matrix/client/" not in parts.path or not parts.path.rstrip("/").endswith("/send/m.room.message")
    ):
        raise DeliveryError(
            "Pour Matrix, indiquez l'adresse d'envoi du salon : https://serveur/_matrix/client/v3/rooms/"
            "!identifiant:serveur/send/m.room.message",
            retry=False,
        )
    if not resolve or conf.get("VEILLE_WEBHOOK_ALLOW_PRIVATE"):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror:
        raise DeliveryError(f"Le serveur « {parts.hostname} » est introuvable.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved or address.is_multicast:
            raise DeliveryError(
                "Cette adresse mène au réseau interne du serveur : elle est refusée par sécurité "
                "(réglage BEFFROI_VEILLE_WEBHOOK_ALLOW_PRIVATE pour une passerelle locale).",
                retry=False,
            )


# ---------------------------------------------------------------------------------------------
# Sending


def _post_webhook(hook: AlertWebhook, alert: Alert, delivery: AlertDelivery) -> None:
    check_url(hook.url, hook.format)
    secrets = hook.get_secrets()
    body = json.dumps(payload_for(alert, hook.format), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: f"beffroi-alert-{delivery.pk}",
    }
    secret = str(secrets.get("signing_secret", ""))
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
    method, url = "POST", hook.url
    if hook.format == WebhookFormat.MATRIX:
        token = str(secrets.get("matrix_token", ""))
        if not token:
            raise DeliveryError("Le jeton Matrix manque : modifiez le webhook pour l'ajouter.", retry=False)
        headers["Authorization"] = f"Bearer {token}"
        # the transaction id makes Matrix ignore a retry of a message it already received
        method, url = "PUT", hook.url.rstrip("/") + f"/beffroi-alert-{delivery.pk}"
    timeout = float(conf.get("VEILLE_WEBHOOK_TIMEOUT"))
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(method, url, content=body, headers=headers)
    except httpx.TimeoutException:
        raise DeliveryError("Le serveur du webhook n'a pas répondu à temps.") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"Connexion impossible au webhook ({type(exc).__name__}).") from None
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (408, 409, 425, 429) or status >= 500:
        raise DeliveryError(f"Le webhook a répondu {status} : nouvel essai plus tard.")
    raise DeliveryError(f"Le webhook a refusé l'alerte (code {status}) : vérifiez son adresse et son jeton.", retry=False)


def _send_email(address: str, alert: Alert) -> None:
    context = {
        "alert": alert,
        "commune": alert.commune,
        "posts": first_posts(alert),
        "crisis_url": crisis_url(alert),
        "reasons": list(alert.reasons)[:5],
    }
    subject = {
        "rumour": f"Alerte rumeur — {alert.commune.name}",
        "bad_buzz": f"Alerte bad buzz — {alert.commune.name}",
        "spike": f"Sujet en forte hausse — {alert.commune.name}",
    }.get(alert.kind, f"Alerte — {alert.commune.name}")
    text = render_to_string("veille/email/alert.txt", context)
    html = render_to_string("veille/email/alert.html", context)
    message = EmailMultiAlternatives(f"[Beffroi] {subject}", text, None, [address])
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except (OSError, Exception) as exc:  # SMTP down, refused recipient…
        raise DeliveryError(f"Envoi de l'e-mail impossible ({type(exc).__name__}).") from None


def backoff(attempts: int) -> dt.timedelta:
    base = float(conf.get("VEILLE_DELIVERY_BACKOFF_SECONDS"))
    seconds = min(3600.0, base * 2 ** max(0, attempts - 1)) * (1 + random.uniform(0, 0.2))
    return dt.timedelta(seconds=seconds)


def claim(delivery_id: int, now: dt.datetime) -> AlertDelivery | None:
    taken = (
        AlertDelivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    return AlertDelivery.objects.select_related("alert", "alert__commune", "alert__crisis", "webhook").get(pk=delivery_id)


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> AlertDelivery | None:
    """One attempt at one delivery (if it is due at ``now`` and nobody else is sending it)."""
    now = now or timezone.now()
    delivery = claim(delivery_id, now)
    if delivery is None:
        return None
    alert = delivery.alert
    try:
        if delivery.channel == "email":
            _send_email(delivery.target, alert)
        else:
            if delivery.webhook is None or not delivery.webhook.active:
                raise DeliveryError("Ce webhook a été supprimé ou désactivé.", retry=False)
            _post_webhook(delivery.webhook, alert, delivery)
    except DeliveryError as exc:
        give_up = not exc.retry or delivery.attempts >= int(conf.get("VEILLE_DELIVERY_MAX_ATTEMPTS"))
        AlertDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED if give_up else DeliveryState.PENDING,
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
            last_error=exc.message,
            locked_until=None,
        )
        if give_up:
            log_audit(
                "veille.delivery_failed", commune=alert.commune, target=alert, channel=delivery.channel,
                to=delivery.target, error=exc.message,
            )
        else:
            _schedule_retry(delivery.pk, timezone.now() + backoff(delivery.attempts))
        delivery.refresh_from_db()
        return delivery
    sent = timezone.now()
    delay = (sent - alert.detected_at).total_seconds()
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENT, sent_at=sent, delay_seconds=delay, last_error="", locked_until=None
    )
    log_audit(
        "veille.delivered", commune=alert.commune, target=alert, channel=delivery.channel, to=delivery.target,
        delay_seconds=round(delay, 3),
    )
    delivery.refresh_from_db()
    return delivery


def _schedule_retry(delivery_id: int, when: dt.datetime) -> None:
    from beffroi.tasks import enqueue

    if conf.get("TASKS_EAGER"):
        return  # eager runs would retry at once: the sweep retries when it is due
    try:
        enqueue("veille.deliver", delay=max(dt.timedelta(seconds=1), when - timezone.now()), delivery_id=delivery_id)
    except Exception:
        logger.exception("veille: could not schedule the retry of delivery %s", delivery_id)


def deliver_due(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send every pending delivery that is due (the periodic safety net). Returns attempts made."""
    now = now or timezone.now()
    ids = list(
        AlertDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    done = 0
    for delivery_id in ids:
        if deliver(delivery_id, now=now) is not None:
            done += 1
    return done


def retry_now(delivery: AlertDelivery, actor: Any = None) -> None:
    """Try a failed delivery again (from the screen)."""
    AlertDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, next_attempt_at=timezone.now(), attempts=0, locked_until=None
    )
    log_audit("veille.delivery_retry", commune=delivery.alert.commune, actor=actor, target=delivery.alert, to=delivery.target)
    from beffroi.veille.actions.alerts import enqueue_deliveries

    enqueue_deliveries([delivery.pk])
