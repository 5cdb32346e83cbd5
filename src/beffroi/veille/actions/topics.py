"""Topics grouped automatically and volumes over time, on the commune's mentions (the pure functions
of ``beffroi.domain.rumour.topics`` over the database).

Topics are computed over the last ``VEILLE_TOPICS_DAYS`` days and kept in a :class:`TopicSnapshot`,
recomputed when new mentions arrived and the snapshot is more than ``STALE`` old (the periodic job
does it; a screen does it only when there is no snapshot yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Max
from django.utils import timezone

from beffroi import conf
from beffroi.core.models import Commune
from beffroi.domain.rumour import Post
from beffroi.domain.rumour.topics import Topic, group_topics, volumes
from beffroi.domain.rumour.types import load_zone
from beffroi.veille.models import Mention, TopicSnapshot

STALE = dt.timedelta(minutes=15)
MAX_POSTS = 3000


def _post(mention_id: int, published: dt.datetime, platform: str, text: str = "") -> Post:
    return Post(id=str(mention_id), created_at=published, platform=platform, author="", text=text)


def refresh_topics(commune: Commune, *, now: dt.datetime | None = None) -> TopicSnapshot:
    now = now or timezone.now()
    since = now - dt.timedelta(days=int(conf.get("VEILLE_TOPICS_DAYS")))
    rows = list(
        Mention.objects.filter(commune=commune, published_at__gte=since)
        .order_by("-published_at", "-id")
        .values_list("pk", "published_at", "platform", "item__text", "sentiment")[:MAX_POSTS]
    )
    rows.reverse()
    posts = [_post(pk, published, platform, text or "") for pk, published, platform, text, _ in rows]
    topics, _ = group_topics(posts, min_size=3, max_topics=15)
    sentiment = {str(pk): s for pk, _, _, _, s in rows}
    data = []
    for topic in topics:
        counts: dict[str, int] = {}
        for pid in topic.post_ids:
            label = sentiment.get(pid, "neutral")
            counts[label] = counts.get(label, 0) + 1
        data.append(
            {
                "id": topic.id,
                "label": topic.label,
                "terms": list(topic.terms),
                "mention_ids": [int(p) for p in topic.post_ids],
                "sentiment": counts,
            }
        )
    last = Mention.objects.filter(commune=commune).aggregate(m=Max("id"))["m"] or 0
    snapshot = TopicSnapshot.objects.create(
        commune=commune, since=since, until=now, mentions=len(rows), last_mention_id=last, topics=data
    )
    TopicSnapshot.objects.filter(commune=commune).exclude(pk=snapshot.pk).delete()
    return snapshot


def current_topics(commune: Commune, *, refresh_if_missing: bool = True) -> TopicSnapshot | None:
    snapshot = TopicSnapshot.objects.filter(commune=commune).order_by("-computed_at", "-id").first()
    if snapshot is None and refresh_if_missing:
        return refresh_topics(commune)
    return snapshot


def refresh_stale_topics(now: dt.datetime | None = None) -> int:
    """Recompute the topics of the communes whose snapshot is old and who received new mentions."""
    now = now or timezone.now()
    done = 0
    latest = Mention.objects.values("commune_id").annotate(last=Max("id"))
    for row in latest:
        snapshot = TopicSnapshot.objects.filter(commune_id=row["commune_id"]).order_by("-computed_at", "-id").first()
        if snapshot is not None and (snapshot.last_mention_id >= row["last"] or now - snapshot.computed_at < STALE):
            continue
        refresh_topics(Commune.objects.get(pk=row["commune_id"]), now=now)
        done += 1
    return done


def topic_objects(snapshot: TopicSnapshot | None) -> list[Topic]:
    if snapshot is None:
        return []
    return [
        Topic(id=t["id"], label=t["label"], terms=list(t["terms"]), post_ids=[str(i) for i in t["mention_ids"]])
        for t in snapshot.topics
    ]


def volume_series(
    mentions: Iterable[Mention] | Any,
    commune: Commune,
    *,
    bucket: str = "day",
    by: str = "platform",
    snapshot: TopicSnapshot | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """Counts per bucket (local time of the commune) per source, per topic or in total."""
    rows = mentions.values_list("pk", "published_at", "platform") if hasattr(mentions, "values_list") else [
        (m.pk, m.published_at, m.platform) for m in mentions
    ]
    posts = [_post(pk, published, platform) for pk, published, platform in rows]
    zone = load_zone(commune.timezone or "Europe/Paris")
    return volumes(posts, zone, bucket=bucket, by=by, topics=topic_objects(snapshot) if by == "topic" else None)


def rising_topics(snapshot: TopicSnapshot | None, commune: Commune, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Topics with more mentions in the last 24 hours than their daily average over the window."""
    if snapshot is None:
        return []
    now = now or timezone.now()
    day_ago = now - dt.timedelta(days=1)
    days = max(1.0, (snapshot.until - snapshot.since).total_seconds() / 86400)
    out = []
    for topic in snapshot.topics:
        ids = topic["mention_ids"]
        recent = Mention.objects.filter(pk__in=ids, published_at__gte=day_ago).count()
        average = len(ids) / days
        if recent >= 3 and recent >= 2 * average:
            out.append({**topic, "recent": recent, "average": round(average, 1)})
    out.sort(key=lambda t: -t["recent"])
    return out
