"""Topics grouped automatically and volumes per source / per topic."""

from __future__ import annotations

from beffroi.domain.rumour.topics import group_topics, volumes

from .conftest import ZONE, chatter, post

POOL = [
    "La piscine sera réservée aux femmes le mardi ?",
    "Piscine réservée aux femmes le mardi, c'est une honte",
    "Encore la piscine réservée aux femmes, vous y croyez ?",
    "La piscine le mardi réservée aux femmes, source ?",
]
ROADWORKS = [
    "Travaux rue Nationale, la chaussée est refaite",
    "Les travaux rue Nationale bloquent tout le matin",
    "Fin des travaux rue Nationale vendredi ?",
]


def test_topics_group_co_occurring_words_and_are_labelled() -> None:
    posts = [post(f"p{i}", 600 + i, t) for i, t in enumerate(POOL)]
    posts += [post(f"w{i}", 700 + i, t) for i, t in enumerate(ROADWORKS)]
    posts += [post("x", 800, "Bonne fête à toutes les mamans")]
    topics, leftover = group_topics(posts)
    by_label = {t.label: set(t.post_ids) for t in topics}
    pool = next(ids for label, ids in by_label.items() if "piscine" in label)
    works = next(ids for label, ids in by_label.items() if "travaux" in label)
    assert pool == {f"p{i}" for i in range(4)}
    assert works == {f"w{i}" for i in range(3)}
    assert "x" in leftover
    assert all(t.size >= 3 for t in topics)


def test_volumes_per_platform_hour_and_topic_zero_filled() -> None:
    posts = chatter(days=1, per_day=12)
    series = volumes(posts, ZONE, bucket="hour", by="platform")
    assert list(series) == ["facebook"]
    counts = [n for _, n in series["facebook"]]
    assert sum(counts) == len(posts)
    assert 0 in counts  # empty hours are present
    daily = volumes(posts, ZONE, bucket="day", by="all")
    assert daily["total"] == [(posts[0].created_at.replace(hour=0, minute=0).isoformat(), len(posts))]
    topics, _ = group_topics(posts)
    per_topic = volumes(posts, ZONE, bucket="day", by="topic", topics=topics)
    assert sum(n for s in per_topic.values() for _, n in s) == len(posts)
