"""Deciding what a surging cluster is: a rumour, a bad buzz, a benign spike — or nothing yet.

The decision reads only the cluster's aggregates (see :class:`~.clusters.Cluster`) and the velocity
figures; it returns the kind and the French reasons shown to the commune.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from beffroi.domain.rumour.clusters import Cluster
from beffroi.domain.rumour.types import BAD_BUZZ, RUMOUR, SPIKE


@dataclass(frozen=True)
class Params:
    """Detection thresholds. Defaults are calibrated on the scenarios in ``data/veille/scenarios``."""

    join_threshold: float = 0.42  # weighted-F1 on content terms to join a cluster
    minhash_threshold: float = 0.45  # estimated Jaccard on shingles to join a cluster
    embed_threshold: float = 0.88  # cosine to a cluster's mean embedding (optional plug-in)
    reply_threshold: float = 0.12  # a reply joins its parent's cluster above this similarity
    active_hours: float = 24.0  # clusters silent longer than this are not joined any more
    story_hours: float = 96.0
    merge_threshold: float = 0.5  # core-term similarity to merge two young clusters
    merge_max_size: int = 15  # clusters larger than this are not merged any more
    merge_hours: float = 6.0  # … and only with a cluster active in the last hours  # alerted clusters stay joinable this long (no duplicate alerts)
    cluster_share: float = 0.08  # share of the commune's hourly volume one ordinary cluster reaches
    min_expected: float = 0.7  # floor of the expected hourly count of a cluster
    surge_z: float = 3.0  # (velocity - expected) / sqrt(expected) to call it a surge
    surge_min: float = 5.0  # and at least this many posts (distinct authors) in the last hour
    contra_min_authors: int = 2  # distinct authors contradicting the same fact
    contra_min_posts: int = 3  # posts in the cluster (of which the contradictions)
    contra_window_h: float = 3.0  # … within this many hours
    rumour_evidence: float = 1.0  # unverified-claim evidence needed, with a surge
    story_new_hours: float = 24.0  # an unverified claim that accelerates is a new story (or mostly recent)
    plain_claims: float = 0.6  # plain claims of a change: share of posts asserting a disruption …
    plain_change: float = 0.3  # … and announcing it as a change ("définitivement", "va fermer", "dès lundi")
    plain_min_authors: int = 5  # … by this many residents (not replies)
    plain_max_opinion: float = 0.25  # more opinions than this: a bad buzz about a real decision
    plain_max_cause: float = 0.25  # a closure "pour travaux", "à cause de la grève" is news
    buzz_negative_share: float = 0.45  # share of negative posts for a bad buzz
    spike_min_posts: int = 6
    buzz_min_posts: int = 6


@dataclass
class Verdict:
    kind: str | None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    contradicted: str | None = None  # fact index
    surge: bool = False


def _share(c: Cluster, key: str) -> float:
    return c.count(key) / max(c.n, 1)


def unverified_evidence(c: Cluster) -> float:
    """How much the cluster reads like an unverified claim spreading (not an opinion, not news)."""
    unverified = _share(c, "unverified")
    doubt = (c.count("doubt") + 0.5 * c.count("question")) / max(c.n, 1)
    change = _share(c, "change")
    debunks = c.count("debunk")
    suspects = len(c.suspects) / max(c.distinct_authors(), 1)
    return (
        2.2 * min(unverified, 0.6)
        + 1.5 * min(doubt, 0.5)
        + 0.35 * min(debunks, 3)
        + 0.6 * min(change, 0.8)
        + 0.8 * min(suspects, 0.6)
        + 1.0 * min(_share(c, "alarm"), 0.6)  # danger claimed with no source: kidnapping, poisoned water
    )


#: fact key -> (distinct authors, posts, distinct authors naming the fact's place) over the recent window
FactHits = dict[str, tuple[int, int, int]]


def _contradiction(c: Cluster, now: float, p: Params, hits: FactHits, surge: bool) -> tuple[str | None, int]:
    """The fact most contradicted, counting every recent post that contradicts it (paraphrases that
    landed in other clusters too: the fact names the story), if the contradiction is well supported."""
    best_fact: str | None = None
    best_authors = 0
    for fact in sorted(c.contra):
        own = len(c.contra[fact])
        authors, posts, strong = hits.get(fact, (own, own, own))
        numeric = fact.startswith("n")
        # a fact about one place ("l'école Calmette") contradicted only by posts naming no place is
        # weakly contradicted: one more person is needed
        need = p.contra_min_authors + (1 if numeric else 0) + (0 if strong else 1)
        if authors < need or posts < p.contra_min_posts - 1:
            continue
        if numeric and (
            _share(c, "opinion") >= 0.3
            or len(c.contra[fact]) * 3 < c.n
            or not surge
            or unverified_evidence(c) < p.rumour_evidence
        ):
            continue  # exaggerated figures inside a bad buzz are opinions, not yet a rumour
        if authors > best_authors:
            best_fact, best_authors = fact, authors
    if best_fact is None:
        return None, 0
    if c.count("official_contra"):
        return None, 0  # the commune itself says so: the fact base is out of date, not a rumour
    return best_fact, best_authors


def decide(
    c: Cluster,
    now: float,
    velocity: float,
    top_velocity: float,
    expected: float,
    p: Params,
    hits: FactHits | None = None,
    announced: bool = False,
) -> Verdict:
    """``velocity`` counts every post of the last hour, ``top_velocity`` only the ones that are not
    replies; ``expected`` is what an ordinary conversation reaches in an hour at this time;
    ``announced``: an official or press account announced this very change recently."""
    scale = math.sqrt(max(expected, 0.25))
    surge = velocity >= p.surge_min and (velocity - expected) / scale >= p.surge_z
    top_surge = top_velocity >= p.surge_min and (top_velocity - expected) / scale >= p.surge_z
    official = c.count("official")
    reasons: list[str] = []
    # news told first by the commune, the press or the organisers, then relayed (in this cluster, or
    # announced by them elsewhere in the last days: ``announced``): not a rumour
    news = announced or c.news_origin(now)
    # 1. a claim that contradicts one of the commune's facts, repeated by several people
    fact, authors = _contradiction(c, now, p, hits or {}, surge)
    if fact is not None and not news:
        reasons.append(f"{authors} personnes affirment le contraire d'un fait de la commune")
        return Verdict(RUMOUR, 3.0 + authors, reasons, fact, surge)
    # 2. an unverified claim (hearsay, calls to share, doubts, denials, new accounts) that accelerates
    evidence = unverified_evidence(c)
    claims = _share(c, "claim")
    positive = _share(c, "positive")
    # a new story: born within the day, or most of it told in the last hours (not a conversation that
    # has lived for weeks and gathered a few "c'est faux" and "source ?" along the way)
    new_story = now - c.first_ts <= p.story_new_hours * 3600 or c.recent_count(now, 6 * 3600) * 2 >= c.n
    # an ordinary cause given by many ("le patron part à la retraite", "fermé pour travaux") is news
    ordinary = _share(c, "cause") >= p.plain_max_cause
    if (
        surge
        and not news
        and not ordinary
        and new_story
        and evidence >= p.rumour_evidence
        and claims >= 0.3
        and positive < 0.5
        and c.top_authors() >= 3
        and official == 0
        and c.count("support") * 2 < c.n
    ):
        reasons.append("affirmation non vérifiée qui se propage et accélère")
        return Verdict(RUMOUR, evidence, reasons, None, surge)
    # 3. a plain claim of a surprising change (closure, ban, price, cancellation, danger) that many
    # residents repeat as news with no source: no fact to contradict, no hearsay wording, still a rumour;
    # not a bad buzz (opinions), not real news (an official or press account told it first, or a stated
    # ordinary cause: works, strike, weather)
    if (
        surge
        and not news
        and new_story
        and official == 0
        and c.count("press") == 0
        and c.count("support") == 0
        and claims >= p.plain_claims
        and _share(c, "change") >= p.plain_change
        and _share(c, "opinion") < p.plain_max_opinion
        and not ordinary
        and positive < 0.4
        and c.top_authors() >= p.plain_min_authors
    ):
        reasons.append(
            f"{c.top_authors()} habitants annoncent le même changement (fermeture, interdiction, hausse…) "
            "sans source officielle"
        )
        return Verdict(RUMOUR, claims, reasons, None, surge)
    if not top_surge:
        return Verdict(None, evidence, reasons, None, surge)
    negative = c.count("negative") / max(c.n - official, 1)
    aimed = (c.count("institution") + c.count("opinion")) / max(c.n, 1)
    if negative >= p.buzz_negative_share and (aimed >= 0.2 or official) and c.n >= p.buzz_min_posts:
        reasons.append(f"{round(100 * negative)} % des messages sont des opinions négatives sur une décision")
        return Verdict(BAD_BUZZ, negative, reasons, None, surge)
    if c.n >= p.spike_min_posts:
        reasons.append("pic de messages, sans affirmation contestée")
        return Verdict(SPIKE, 1.0 - negative, reasons, None, surge)
    return Verdict(None, evidence, reasons, None, surge)
