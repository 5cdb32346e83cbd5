"""X Account Activity API webhooks: the CRC challenge, the delivery signature and the events.

- CRC (challenge-response check): X sends ``GET <webhook URL>?crc_token=…`` when the webhook is registered,
  then about hourly; the answer is ``{"response_token": "sha256=<base64(HMAC-SHA256(consumer secret,
  crc_token))>"}``, or X marks the webhook invalid and stops delivering.
- Every POST carries ``x-twitter-webhooks-signature: sha256=<base64(HMAC-SHA256(consumer secret, raw
  body))>``.
- Deliveries are ``{"for_user_id": "<subscribed account>", "tweet_create_events": [<v1.1 tweet>, …], …}``:
  tweets that mention the account, replies to it, and the account's own tweets. Other event types
  (favorites, follows, blocks …) bring no text to moderate and are ignored.
- When: X's payloads carry no delivery time in a header, but each event says when it happened
  (Account Activity data objects: ``timestamp_ms`` on tweets, ``favorite_events`` and
  ``tweet_delete_events``, ``created_timestamp`` on ``follow_events``, ``block_events``,
  ``direct_message_events`` …, epoch milliseconds; a tweet's ``created_at`` otherwise). X sends an event
  when it happens, so a delivery was sent no earlier than its newest event: :func:`delivery_time` is that
  time, and a delivery whose newest event is older than ``WEBHOOK_MAX_AGE_HOURS`` is refused as stale.
  A delivery without any of these fields relies on its receipt alone (see ``connectors.views``).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from beffroi.connectors.base import WebhookRejected, WebhookRequest, WebhookResponse

SIGNATURE_HEADER = "x-twitter-webhooks-signature"


def _digest(secret: str, message: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def crc_response_token(crc_token: str, secret: str) -> str:
    return _digest(secret, crc_token.encode())


def sign_body(body: bytes, secret: str) -> str:
    """The x-twitter-webhooks-signature X sends for ``body`` (tests and local tools)."""
    return _digest(secret, body)


def verify(request: WebhookRequest, *, secret: str) -> WebhookResponse | None:
    if not secret:
        raise WebhookRejected("no consumer secret", message_fr="La clé secrète de l'application X (API Key Secret) n'est pas renseignée.")
    if request.method.upper() == "GET":
        token = request.query.get("crc_token", "")
        if not token:
            raise WebhookRejected("GET without crc_token", message_fr="Requête de vérification X incomplète.")
        body = json.dumps({"response_token": crc_response_token(token, secret)}).encode()
        return WebhookResponse(status=200, body=body, content_type="application/json")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given or not hmac.compare_digest(given.strip(), sign_body(request.body, secret)):
        raise WebhookRejected("bad x-twitter-webhooks-signature", message_fr="Signature X invalide : notification refusée.")
    return None


def parse_v1_time(value: str) -> dt.datetime:
    """v1.1 dates: ``Wed Oct 10 20:19:24 +0000 2018``."""
    parsed = email.utils.parsedate_to_datetime(_to_rfc2822(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _to_rfc2822(value: str) -> str:
    parts = value.split()
    if len(parts) == 6:  # Wed Oct 10 20:19:24 +0000 2018 -> Wed, 10 Oct 2018 20:19:24 +0000
        weekday, month, day, clock, zone, year = parts
        return f"{weekday}, {day} {month} {year} {clock} {zone}"
    return value


def delivery_events(body: bytes) -> tuple[str, list[Mapping[str, Any]]]:
    """(for_user_id, tweet_create_events) of a delivery; ("", []) when it has none."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "", []
    if not isinstance(payload, dict):
        return "", []
    events = payload.get("tweet_create_events") or []
    return str(payload.get("for_user_id") or ""), [e for e in events if isinstance(e, dict)]


def v1_to_v2(tweet: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A v1.1 tweet (webhook) in the v2 shape the connector maps: (tweet, user)."""
    user = tweet.get("user") or {}
    text = str((tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("full_text") or tweet.get("text") or "")
    referenced = []
    if tweet.get("in_reply_to_status_id_str"):
        referenced.append({"type": "replied_to", "id": str(tweet["in_reply_to_status_id_str"])})
    if tweet.get("quoted_status_id_str"):
        referenced.append({"type": "quoted", "id": str(tweet["quoted_status_id_str"])})
    created = parse_v1_time(str(tweet.get("created_at") or ""))
    v2: dict[str, Any] = {
        "id": str(tweet.get("id_str") or tweet.get("id")),
        "text": text,
        "author_id": str(user.get("id_str") or user.get("id") or ""),
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "public_metrics": {
            "like_count": int(tweet.get("favorite_count") or 0),
            "retweet_count": int(tweet.get("retweet_count") or 0),
            "quote_count": int(tweet.get("quote_count") or 0),
            "reply_count": int(tweet.get("reply_count") or 0),
        },
        "source_format": "v1.1 webhook",
    }
    if referenced:
        v2["referenced_tweets"] = referenced
    if tweet.get("in_reply_to_user_id_str"):
        v2["in_reply_to_user_id"] = str(tweet["in_reply_to_user_id_str"])
    v2_user = {
        "id": v2["author_id"],
        "username": str(user.get("screen_name") or ""),
        "name": str(user.get("name") or ""),
        "public_metrics": {"followers_count": int(user.get("followers_count") or 0)},
    }
    if user.get("created_at"):
        v2_user["created_at"] = parse_v1_time(str(user["created_at"])).isoformat().replace("+00:00", "Z")
    return v2, v2_user


def _event_time(event: Mapping[str, Any]) -> dt.datetime | None:
    for name in ("timestamp_ms", "created_timestamp"):
        raw = event.get(name)
        if raw is None or raw == "":
            continue
        try:
            return dt.datetime.fromtimestamp(int(str(raw)) / 1000, tz=dt.UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
    created = event.get("created_at")
    if isinstance(created, str) and created:
        try:
            return parse_v1_time(created)
        except (TypeError, ValueError, IndexError):
            return None
    return None


def delivery_time(body: bytes) -> dt.datetime | None:
    """When X sent the delivery: the time of its newest event (None when no event carries one)."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    times = [
        when
        for name, events in payload.items()
        if name.endswith("_events") and isinstance(events, list)
        for event in events
        if isinstance(event, dict) and (when := _event_time(event)) is not None
    ]
    return max(times) if times else None
