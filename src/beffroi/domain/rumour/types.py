"""Value types of the watch pipeline: a post, an alert, a commune's configuration."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RUMOUR = "rumour"
BAD_BUZZ = "bad_buzz"
SPIKE = "spike"
ALERT_KINDS = (RUMOUR, BAD_BUZZ, SPIKE)

#: The keys of an alert as printed by ``beffroi veille replay`` (the public JSON contract).
ALERT_JSON_KEYS = ("at", "kind", "cluster_id", "claim", "post_ids")


class PostError(ValueError):
    """A post cannot be read; the message is in French, for the user."""


def load_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_time(value: Any, zone: tzinfo = UTC) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (naive times are in the commune's zone)."""
    if not isinstance(value, str) or not value.strip():
        raise PostError("« created_at » manquant ou vide (date ISO 8601 attendue)")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise PostError(f"« created_at » n'est pas une date ISO 8601 : {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return dt


def _count(obj: dict[str, Any], key: str) -> int:
    raw = obj.get(key)
    if raw is None or isinstance(raw, bool):
        return 0
    if isinstance(raw, int | float) and math.isfinite(raw):
        return max(0, int(raw))
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    raise PostError(f"« {key} » doit être un nombre entier, reçu {raw!r}")


@dataclass(frozen=True)
class Post:
    """One mention in the stream (a post, a comment or a reply on any platform)."""

    id: str
    created_at: datetime
    platform: str
    author: str
    text: str
    url: str = ""
    reply_to: str | None = None
    likes: int = 0
    shares: int = 0
    followers: int = 0
    author_created_at: datetime | None = None
    author_location: str = ""

    @property
    def iso(self) -> str:
        return self.created_at.isoformat()

    @classmethod
    def from_dict(cls, obj: Any, zone: tzinfo = UTC) -> Post:
        """Read a post from its JSON object; raises :class:`PostError` (French message)."""
        if not isinstance(obj, dict):
            raise PostError("chaque ligne doit être un objet JSON")
        pid = obj.get("id")
        if pid is None or isinstance(pid, bool | dict | list) or str(pid).strip() == "":
            raise PostError("« id » manquant")
        text = obj.get("text")
        if not isinstance(text, str):
            raise PostError(f"« text » manquant ou non textuel (message {pid})")
        created = parse_time(obj.get("created_at"), zone)
        author_raw = obj.get("author")
        followers = _count(obj, "followers")
        author_created: datetime | None = None
        location = str(obj.get("author_location") or "")
        if isinstance(author_raw, dict):
            author = str(author_raw.get("id") or author_raw.get("name") or author_raw.get("handle") or "")
            followers = followers or _count(author_raw, "followers")
            if author_raw.get("created_at"):
                author_created = parse_time(author_raw.get("created_at"), zone)
            location = location or str(author_raw.get("location") or "")
        else:
            author = "" if author_raw is None else str(author_raw)
        if obj.get("author_created_at"):
            author_created = parse_time(obj.get("author_created_at"), zone)
        reply = obj.get("reply_to")
        return cls(
            id=str(pid),
            created_at=created,
            platform=str(obj.get("platform") or ""),
            author=author or "anonyme",
            text=text,
            url=str(obj.get("url") or ""),
            reply_to=None if reply in (None, "") else str(reply),
            likes=_count(obj, "likes"),
            shares=_count(obj, "shares"),
            followers=followers,
            author_created_at=author_created,
            author_location=location,
        )


@dataclass
class Alert:
    """An alert raised by the detector.

    ``to_json()`` gives the public contract (exactly :data:`ALERT_JSON_KEYS`); the other fields are
    for the web screens and the e-mail/webhook alerts.
    """

    at: str
    kind: str
    cluster_id: str
    claim: str
    post_ids: list[str]
    velocity: float = 0.0  # posts of the cluster per hour, over the last hour
    baseline: float = 0.0  # posts per hour the commune usually sees at this hour
    expected: float = 0.0  # posts per hour a single ordinary conversation reaches at this hour
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    contradicted_fact: str | None = None
    amplifiers: list[dict[str, str]] = field(default_factory=list)
    reach: dict[str, int] = field(default_factory=dict)
    sentiment: dict[str, int] = field(default_factory=dict)
    size: int = 0
    authors: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "kind": self.kind,
            "cluster_id": self.cluster_id,
            "claim": self.claim,
            "post_ids": list(self.post_ids),
        }

    def to_dict(self) -> dict[str, Any]:
        out = self.to_json()
        out.update(
            velocity=round(self.velocity, 3),
            baseline=round(self.baseline, 3),
            expected=round(self.expected, 3),
            score=round(self.score, 3),
            reasons=list(self.reasons),
            contradicted_fact=self.contradicted_fact,
            amplifiers=[dict(a) for a in self.amplifiers],
            reach=dict(self.reach),
            sentiment=dict(self.sentiment),
            size=self.size,
            authors=self.authors,
        )
        return out


@dataclass
class CommuneConfig:
    """What the detector knows about one commune.

    - ``facts``: official statements, one sentence each ("La piscine municipale est ouverte à toutes
      et à tous, aux horaires habituels.");
    - ``watch_terms``: names the commune is known by (places, services, people) — posts that mention
      them are weighted as local; optional;
    - ``official_accounts``: author ids/names of the commune, the préfecture, the local press…;
    - ``local_places``: words of locations that count as "inside the commune" for account locations;
    - ``posts_per_day``: prior volume of mentions when there is no history yet.
    """

    slug: str
    name: str = ""
    timezone: str = "Europe/Paris"
    facts: list[str] = field(default_factory=list)
    watch_terms: list[str] = field(default_factory=list)
    official_accounts: list[str] = field(default_factory=list)
    local_places: list[str] = field(default_factory=list)
    posts_per_day: float = 40.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "timezone": self.timezone,
            "facts": list(self.facts),
            "watch_terms": list(self.watch_terms),
            "official_accounts": list(self.official_accounts),
            "local_places": list(self.local_places),
            "posts_per_day": self.posts_per_day,
        }

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> CommuneConfig:
        return cls(
            slug=str(obj["slug"]),
            name=str(obj.get("name", "")),
            timezone=str(obj.get("timezone", "Europe/Paris")),
            facts=[str(f) for f in obj.get("facts", [])],
            watch_terms=[str(t) for t in obj.get("watch_terms", [])],
            official_accounts=[str(a) for a in obj.get("official_accounts", [])],
            local_places=[str(p) for p in obj.get("local_places", [])],
            posts_per_day=float(obj.get("posts_per_day", 40.0)),
        )
