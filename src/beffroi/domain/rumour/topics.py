"""Topics grouped automatically, and volumes over time per source and per topic.

Pure functions the web app can call on a window of mentions (a day, a week):

- :func:`group_topics` groups posts by co-occurring content words: the most frequent specific term
  seeds a topic, the terms that co-occur with it (by lift) describe it, every post goes to the topic
  whose terms it matches best; the label is the topic's top terms (``"piscine · femmes · mardi"``);
- :func:`volumes` counts posts per time bucket (hour or day, in the commune's time zone), per source
  (platform) or per topic, with empty buckets filled with zeros.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from beffroi.domain.rumour.features import extract, generic_terms
from beffroi.domain.rumour.types import Post
from beffroi.domain.rumour.weights import prior_weight


@dataclass
class Topic:
    id: str
    label: str
    terms: list[str]
    post_ids: list[str] = field(default_factory=list)
    sentiment: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.post_ids)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "terms": list(self.terms),
            "size": self.size,
            "post_ids": list(self.post_ids),
            "sentiment": dict(self.sentiment),
        }


def _display(term: str, surfaces: Counter[tuple[str, str]]) -> str:
    if term.startswith("C:"):
        return term[2:].replace("_", " ")
    best = [(n, s) for (t, s), n in surfaces.items() if t == term]
    if not best:
        return term
    best.sort(key=lambda x: (-x[0], x[1]))
    return best[0][1]


def group_topics(
    posts: Sequence[Post], min_size: int = 3, max_topics: int = 20, max_terms: int = 4
) -> tuple[list[Topic], list[str]]:
    """Topics of a set of posts and the ids of the posts left in no topic ("divers")."""
    generic = generic_terms()
    docs: list[tuple[str, set[str], str]] = []
    surfaces: Counter[tuple[str, str]] = Counter()
    for post in posts:
        feats = extract(post.text)
        content = {t for t in feats.subject_terms if t not in generic and (t.startswith("C:") or len(t) >= 4)}
        for t, s in feats.surface.items():
            surfaces[(t, s)] += 1
        label = feats.sentiment.label if feats.sentiment is not None else "neutral"
        docs.append((post.id, content, label))
    n = len(docs)
    df: Counter[str] = Counter()
    for _, doc_terms, _ in docs:
        df.update(doc_terms)
    remaining = list(range(n))
    topics: list[Topic] = []
    used_seeds: set[str] = set()
    while remaining and len(topics) < max_topics:
        counts: Counter[str] = Counter()
        for i in remaining:
            counts.update(docs[i][1])
        candidates = [
            (c * prior_weight(t), t) for t, c in counts.items() if c >= min_size and t not in used_seeds
        ]
        if not candidates:
            break
        candidates.sort(key=lambda x: (-x[0], x[1]))
        seed = candidates[0][1]
        used_seeds.add(seed)
        members = [i for i in remaining if seed in docs[i][1]]
        inside: Counter[str] = Counter()
        for i in members:
            inside.update(docs[i][1])
        # terms that co-occur with the seed more than chance (lift), weighted by their specificity
        scored = []
        for t, c in inside.items():
            if t == seed or c < 2:
                continue
            lift = (c / len(members)) / (df[t] / n)
            scored.append((c / len(members) * math.log(1 + lift) * prior_weight(t), t))
        scored.sort(key=lambda x: (-x[0], x[1]))
        terms = [seed] + [t for _, t in scored[: max_terms - 1]]
        # posts that share at least two of the topic's terms join it too
        term_set = set(terms)
        extra = [i for i in remaining if i not in members and len(docs[i][1] & term_set) >= 2]
        chosen = sorted(set(members) | set(extra))
        if len(chosen) < min_size:
            continue
        topic = Topic(
            id=f"t{len(topics) + 1:02d}",
            label=" · ".join(_display(t, surfaces) for t in terms),
            terms=terms,
            post_ids=[docs[i][0] for i in chosen],
            sentiment=dict(Counter(docs[i][2] for i in chosen)),
        )
        topics.append(topic)
        chosen_set = set(chosen)
        remaining = [i for i in remaining if i not in chosen_set]
    leftover = [docs[i][0] for i in remaining]
    return topics, leftover


def _bucket_start(dt: datetime, zone: tzinfo, bucket: str) -> datetime:
    local = dt.astimezone(zone)
    if bucket == "day":
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    raise ValueError(f"unknown bucket {bucket!r} (hour or day)")


def volumes(
    posts: Iterable[Post],
    zone: tzinfo,
    bucket: str = "hour",
    by: str = "platform",
    topics: Sequence[Topic] | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """Counts per bucket start (ISO, local time) for each source (``by="platform"``), each topic
    (``by="topic"``, posts in no topic under ``"divers"``) or in total (``by="all"``)."""
    topic_of: dict[str, str] = {}
    for topic in topics or []:
        for pid in topic.post_ids:
            topic_of.setdefault(pid, topic.label)
    series: dict[str, Counter[datetime]] = {}
    starts: list[datetime] = []
    for post in posts:
        start = _bucket_start(post.created_at, zone, bucket)
        starts.append(start)
        if by == "platform":
            key = post.platform or "inconnu"
        elif by == "topic":
            key = topic_of.get(post.id, "divers")
        elif by == "all":
            key = "total"
        else:
            raise ValueError(f"unknown grouping {by!r} (platform, topic or all)")
        series.setdefault(key, Counter())[start] += 1
    if not starts:
        return {}
    step = timedelta(days=1) if bucket == "day" else timedelta(hours=1)
    first, last = min(starts), max(starts)
    grid: list[datetime] = []
    cursor = first
    while cursor <= last:
        grid.append(cursor)
        cursor = _bucket_start(cursor + step + timedelta(hours=2 if bucket == "day" else 0), zone, bucket)
    return {key: [(t.isoformat(), counts.get(t, 0)) for t in grid] for key, counts in sorted(series.items())}
