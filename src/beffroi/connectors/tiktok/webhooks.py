"""TikTok webhooks: the ``TikTok-Signature`` check and the event envelope.

Signature (TikTok for Developers, "Webhooks — Check the signature"): the header is
``TikTok-Signature: t=<unix seconds>,s=<hex>`` where ``s = HMAC-SHA256(client secret, "<t>.<raw body>")``.
The timestamp is part of the signed payload, so a delivery whose timestamp is too far from now is refused
(replay protection), and the same body delivered twice is refused by the framework's receipts.

Envelope (TikTok webhooks): ``{"client_key", "event", "create_time", "user_openid", "content"}`` where
``content`` is a JSON string. Comment events of business accounts (``comment.update``) carry in their
content ``comment_id``, ``video_id``, ``parent_comment_id`` (replies), ``comment_type`` and
``comment_action`` (``insert``, ``delete``, ``set_to_hidden``, ``set_to_public``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from beffroi.connectors.base import WebhookRejected, WebhookRequest

HEADER = "tiktok-signature"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The header value TikTok sends for ``body`` (used by tests and the local tools)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def _parts(header: str) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {}
    for element in header.split(","):
        key, sep, value = element.strip().partition("=")
        if sep:
            parts.setdefault(key.strip(), []).append(value.strip())
    return parts


def webhook_time(request: WebhookRequest) -> dt.datetime | None:
    raw = (_parts(request.headers.get(HEADER, "")).get("t") or [""])[0]
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError):
        return None


def verify_signature(request: WebhookRequest, *, secret: str, tolerance: int) -> None:
    """Raise WebhookRejected unless the delivery is signed with ``secret`` and recent."""
    if request.method.upper() != "POST":
        raise WebhookRejected("TikTok webhooks are POST", message_fr="TikTok n'envoie que des notifications POST.")
    if not secret:
        raise WebhookRejected("no client secret", message_fr="La clé secrète de l'application TikTok n'est pas renseignée.")
    header = request.headers.get(HEADER, "")
    parts = _parts(header)
    timestamps, signatures = parts.get("t") or [], parts.get("s") or []
    if not timestamps or not signatures:
        raise WebhookRejected("missing TikTok-Signature", message_fr="Signature TikTok absente : notification refusée.")
    try:
        timestamp = int(timestamps[0])
    except ValueError:
        raise WebhookRejected("bad timestamp", message_fr="Signature TikTok illisible : notification refusée.") from None
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate.lower()) for candidate in signatures):
        raise WebhookRejected("bad TikTok signature", message_fr="Signature TikTok invalide : notification refusée.")
    age = request.received_at.timestamp() - timestamp
    if abs(age) > tolerance:
        raise WebhookRejected(
            f"TikTok timestamp off by {age:.0f} s",
            message_fr="Notification TikTok trop ancienne (ou horloge décalée) : refusée.",
        )


@dataclass(frozen=True)
class CommentEvent:
    event: str
    business_id: str
    action: str
    comment_id: str
    video_id: str
    parent_comment_id: str
    create_time: int
    text: str | None
    user_id: str
    username: str


def parse_event(body: bytes) -> CommentEvent | None:
    """The comment event in a delivery, or None for another kind of event or a garbled body."""
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(envelope, dict) or not str(envelope.get("event") or "").startswith("comment"):
        return None
    content: Any = envelope.get("content")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return None
    if not isinstance(content, dict):
        return None
    parent = str(content.get("parent_comment_id") or "")
    comment_id = str(content.get("comment_id") or "")
    return CommentEvent(
        event=str(envelope.get("event")),
        business_id=str(envelope.get("user_openid") or ""),
        action=str(content.get("comment_action") or "").lower(),
        comment_id=comment_id,
        video_id=str(content.get("video_id") or ""),
        parent_comment_id="" if parent in ("", "0", comment_id) else parent,
        create_time=int(content.get("timestamp") or envelope.get("create_time") or 0),
        text=str(content["text"]) if isinstance(content.get("text"), str) else None,
        user_id=str(content.get("user_id") or content.get("unique_identifier") or ""),
        username=str(content.get("username") or ""),
    )
