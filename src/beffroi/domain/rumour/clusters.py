"""Clusters of near-duplicate and paraphrased posts.

A post joins the most similar active cluster when either

- its MinHash signature is close to one of the cluster's first signatures (copies, shares, small
  edits, typos: char 5-gram shingles), found through the LSH index; or
- its content terms (concepts and stems, weighted by :mod:`weights`) cover the cluster's core terms
  and are covered by them (a weighted F1 — paraphrases: "piscine réservée aux femmes" and
  "les mecs pourront plus aller nager"), found through an inverted index on terms;

or, failing both, when it replies to a post of that cluster. Otherwise it starts a new cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from beffroi.domain.rumour.features import DISRUPTIVE_POLES, conflicting, generic_terms
from beffroi.domain.rumour.minhash import Signature
from beffroi.domain.rumour.weights import TermStats

MAX_SIGS = 6
MAX_TEXTS = 40
MAX_MEMBERS = 3000
MARK_REPLY = 1  # the member replies to another post
MARK_CLAIM = 2  # the member carries the claim: asserts it, relays it, doubts it or denies it
MARK_OFFICIAL = 4  # the member comes from an official account
MARK_PRESS = 8  # the member comes from the press, a radio, an organiser (news, not a resident's claim)


@dataclass
class Cluster:
    id: str
    first_ts: float
    last_ts: float
    n: int = 0
    ids: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)  # per member: MARK_REPLY | MARK_CLAIM | MARK_OFFICIAL
    texts: list[str] = field(default_factory=list)
    text_terms: list[list[str]] = field(default_factory=list)
    text_flags: list[int] = field(default_factory=list)  # 1 debunk, 2 doubt, 4 reply, 8 official
    term_counts: dict[str, int] = field(default_factory=dict)
    sigs: list[Signature] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # cue categories, sentiments, official …
    contra: dict[str, list[str]] = field(default_factory=dict)  # fact index -> distinct authors
    contra_reason: dict[str, str] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)
    suspects: list[str] = field(default_factory=list)  # [author, why] flattened as "author\twhy"
    reach: dict[str, int] = field(default_factory=dict)
    alerted: dict[str, str] = field(default_factory=dict)  # kind -> ISO time
    alerted_ts: float = 0.0
    centroid: list[float] = field(default_factory=list)  # mean embedding (optional plug-in)

    # -- aggregates -----------------------------------------------------------------------------
    def bump(self, key: str, by: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + by

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def distinct_authors(self) -> int:
        return len(set(self.authors))

    def top_authors(self) -> int:
        """Distinct authors of the members that are not replies."""
        return len({a for a, m in zip(self.authors, self.marks, strict=True) if not m & MARK_REPLY})

    def core_terms(self, share: float = 0.25) -> list[str]:
        if self.n <= 1:
            return list(self.term_counts)
        need = max(1.0, share * self.n)
        return [t for t, c in self.term_counts.items() if c >= need]

    def sig_matrix(self) -> npt.NDArray[np.uint64]:
        return np.stack(self.sigs) if self.sigs else np.zeros((0, 0), dtype=np.uint64)

    def velocity(self, now: float, window: float = 3600.0, top_only: bool = False) -> float:
        """Posts in the window ending at ``now``; repeated authors count a third.

        ``top_only`` counts only posts that are not replies: independent posts spreading a story,
        not a conversation under one post."""
        seen: set[str] = set()
        total = 0.0
        for i in range(len(self.times) - 1, -1, -1):
            if top_only and self.marks[i] & MARK_REPLY:
                continue
            t = self.times[i]
            if t > now:
                continue
            if t <= now - window:
                if i < len(self.times) - 50:
                    break
                continue
            author = self.authors[i]
            total += 0.33 if author in seen else 1.0
            seen.add(author)
        return total

    def first_posts(self, limit: int = 10, claim_only: bool = False, since: float | None = None) -> list[str]:
        """Ids of the earliest members (by time) of the current episode (members after ``since``, when
        there are a few: an old conversation that the surge joined is not shown), those carrying the
        claim first when asked."""
        order = sorted(range(len(self.ids)), key=lambda i: (self.times[i], self.ids[i]))
        if since is not None:
            recent = [i for i in order if self.times[i] >= since]
            if len(recent) >= 3:
                order = recent
        if claim_only:
            carrying = [i for i in order if self.marks[i] & MARK_CLAIM]
            if len(carrying) >= 2:
                order = carrying  # the posts that carry the claim, not the chatter the story joined
        return [self.ids[i] for i in order[:limit]]

    def news_origin(self, now: float, window: float = 24 * 3600.0) -> bool:
        """The story was first told (recently) by the commune, the press or an organiser, not by a
        resident: its relays report news, they are not a rumour cascade."""
        order = [i for i in range(len(self.ids)) if not self.marks[i] & MARK_REPLY]
        recent = [i for i in order if self.times[i] > now - window]
        if len(recent) >= 3:
            order = recent
        if not order:
            return False
        first = min(order, key=lambda i: (self.times[i], self.ids[i]))
        return bool(self.marks[first] & (MARK_OFFICIAL | MARK_PRESS))

    def recent_count(self, now: float, window: float) -> int:
        return sum(1 for t in self.times[-400:] if now - window < t <= now)

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "n": self.n,
            "ids": self.ids,
            "times": self.times,
            "authors": self.authors,
            "marks": self.marks,
            "texts": self.texts,
            "text_terms": self.text_terms,
            "text_flags": self.text_flags,
            "term_counts": self.term_counts,
            "sigs": [[int(v) for v in s] for s in self.sigs],
            "counts": self.counts,
            "contra": self.contra,
            "contra_reason": self.contra_reason,
            "support": self.support,
            "suspects": self.suspects,
            "reach": self.reach,
            "alerted": self.alerted,
            "alerted_ts": self.alerted_ts,
            "centroid": self.centroid,
        }

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> Cluster:
        c = cls(id=str(obj["id"]), first_ts=float(obj["first_ts"]), last_ts=float(obj["last_ts"]))
        c.n = int(obj["n"])
        c.ids = [str(v) for v in obj["ids"]]
        c.times = [float(v) for v in obj["times"]]
        c.authors = [str(v) for v in obj["authors"]]
        c.marks = [int(v) for v in obj["marks"]]
        c.texts = [str(v) for v in obj["texts"]]
        c.text_terms = [[str(t) for t in ts] for ts in obj["text_terms"]]
        c.text_flags = [int(v) for v in obj["text_flags"]]
        c.term_counts = {str(k): int(v) for k, v in obj["term_counts"].items()}
        c.sigs = [np.array(s, dtype=np.uint64) for s in obj["sigs"]]
        c.counts = {str(k): int(v) for k, v in obj["counts"].items()}
        c.contra = {str(k): [str(a) for a in v] for k, v in obj["contra"].items()}
        c.contra_reason = {str(k): str(v) for k, v in obj["contra_reason"].items()}
        c.support = {str(k): int(v) for k, v in obj["support"].items()}
        c.suspects = [str(v) for v in obj["suspects"]]
        c.reach = {str(k): int(v) for k, v in obj["reach"].items()}
        c.alerted = {str(k): str(v) for k, v in obj["alerted"].items()}
        c.alerted_ts = float(obj.get("alerted_ts", 0.0))
        c.centroid = [float(v) for v in obj.get("centroid", [])]
        return c


def weighted_f1(post_terms: list[str], cluster: Cluster, stats: TermStats) -> float:
    """Paraphrase similarity of a post to a cluster on content terms."""
    if not post_terms or not cluster.term_counts:
        return 0.0
    n = max(cluster.n, 1)
    post_w = 0.0
    covered = 0.0
    for t in post_terms:
        w = stats.weight(t)
        post_w += w
        c = cluster.term_counts.get(t, 0)
        if c:
            covered += w * min(1.0, 2.0 * c / n) if n > 1 else w
    if post_w <= 0 or covered <= 0:
        return 0.0
    precision = covered / post_w
    core = cluster.core_terms()
    pset = set(post_terms)
    core_w = 0.0
    hit = 0.0
    for t in core:
        w = stats.weight(t)
        core_w += w
        if t in pset:
            hit += w
    if core_w <= 0:
        return 0.0
    recall = hit / core_w
    if precision + recall <= 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def cluster_similarity(a: Cluster, b: Cluster, stats: TermStats) -> float:
    """Similarity of two clusters' core terms (weighted F1), used to merge split stories."""
    ca, cb = set(a.core_terms()), set(b.core_terms())
    if not ca or not cb:
        return 0.0
    wa = sum(stats.weight(t) for t in ca)
    wb = sum(stats.weight(t) for t in cb)
    shared = sum(stats.weight(t) for t in ca & cb)
    if wa <= 0 or wb <= 0 or shared <= 0:
        return 0.0
    p, r = shared / wa, shared / wb
    return 2 * p * r / (p + r)


def anchor(terms: list[str], stats: TermStats) -> str | None:
    """The main subject of a set of terms: its most specific concept, else its most specific term."""
    concepts = [t for t in terms if t.startswith("C:")]
    pool = concepts or [t for t in terms if not t.startswith(("P:", "A:"))]
    if not pool:
        return None
    return max(pool, key=lambda t: (stats.weight(t), t))


def _stance(c: Cluster) -> str:
    if c.contra:
        return "against:" + ",".join(sorted(c.contra))
    if c.count("official") or c.count("support") or c.count("press"):
        return "for"
    claims = c.count("claim") + c.count("unverified")
    return "claim" if claims and claims * 3 >= c.n else "none"


def poles(c: Cluster) -> set[str]:
    """The predicate poles the cluster's posts assert ("status.closed" …)."""
    return {k[5:] for k, v in c.counts.items() if v > 0 and k.startswith("pole:")}


def _compatible(a: Cluster, b: Cluster) -> bool:
    """May these two clusters be one story? Not a claim and the official news it twists or denies, and
    not a young claim and an established conversation it happens to share words with."""
    sa, sb = _stance(a), _stance(b)
    if sa == sb:
        return True
    if {sa, sb} <= {"none", "for"}:
        return True
    if {sa, sb} == {"for", "claim"}:
        # residents repeating the decision the commune announced ("la médiathèque sera fermée le
        # samedi" → "fermer la médiathèque le samedi, honteux"): the same story, a bad buzz maybe;
        # a claim that asserts something the news does not say twists it and stays apart
        news, claim = (a, b) if sa == "for" else (b, a)
        told, said = poles(news), poles(claim)
        if any(conflicting(p, q) for p in said - told for q in told):
            return False
        return bool({p for p in said if p in DISRUPTIVE_POLES} & told)
    if any(x.startswith("against") for x in (sa, sb)):
        # a few posts that only ask or react about the same subject ("le cabinet médical ferme ?? c une
        # blague") belong to the claim's story; official news and its supporters never do
        other = b if sa.startswith("against") else a
        return _stance(other) in {"none", "claim"} and other.n <= 3
    # "claim" with "none": only a lone reaction joins ("On ne veut pas de ça ici")
    lone = a if sa == "none" else b if sb == "none" else None
    return lone is not None and lone.n <= 3


def main_term(c: Cluster, stats: TermStats) -> str | None:
    """What the cluster is mainly about: the content term (not a predicate class) with the most weight
    times the share of members using it — "Carrefour" in every post beats "décembre" in half of them."""
    core = [t for t in c.core_terms() if not t.startswith(("P:", "A:"))]
    if not core:
        return None
    n = max(c.n, 1)
    return max(core, key=lambda t: (stats.weight(t) * min(1.0, c.term_counts.get(t, 0) / n), t))


def _same_claim(a: Cluster, b: Cluster, stats: TermStats) -> bool:
    """Two young clusters asserting the same disruption ("ferme") of the same thing, named in most of
    the posts of both ("la poste"), even when that thing is a common word the commune uses every day:
    the weights of "le bureau de poste du centre ferme" and "la Poste ferme ses portes" differ, the
    story does not."""
    if _stance(a) not in {"claim", "none"} or _stance(b) not in {"claim", "none"}:
        return False
    if not ({p for p in poles(a) if p in DISRUPTIVE_POLES} & {p for p in poles(b) if p in DISRUPTIVE_POLES}):
        return False
    generic = generic_terms()
    for t in sorted(set(a.term_counts) & set(b.term_counts)):
        if t.startswith(("P:", "A:")) or t in generic or stats.weight(t) < 1.0:
            continue
        if a.term_counts[t] * 2 >= a.n and b.term_counts[t] * 2 >= b.n:
            return True
    return False


def story_overlap(a: Cluster, b: Cluster, stats: TermStats) -> float:
    """Overlap coefficient of two clusters' core terms, 0 unless they share their most specific term.

    Used to merge young clusters that started apart on the same subject at the same time."""
    ca, cb = a.core_terms(), b.core_terms()
    if not ca or not cb:
        return 0.0
    # a story and its denial, or a claim and the official news it twists, must stay apart
    if not _compatible(a, b):
        return 0.0
    anchor_a, anchor_b = anchor(ca, stats), anchor(cb, stats)
    if (
        anchor_a is not None
        and anchor_a == anchor_b
        and anchor_a.startswith("C:")
        and stats.weight(anchor_a) >= 1.5
    ):
        return 0.75  # both are mainly about the same subject ("fête"), at the same time
    if _same_claim(a, b, stats):
        return 0.75
    main_a, main_b = main_term(a, stats), main_term(b, stats)
    claimed = any(_stance(x) == "claim" or _stance(x).startswith("against") for x in (a, b))
    if claimed and main_a is not None and main_a == main_b and stats.weight(main_a) >= 2.0:
        # a claim and another young cluster mainly about the same specific thing ("le Carrefour
        # ferme" told in ten ways), at the same time
        return 0.75
    shared_specific = [t for t in set(ca) & set(cb) if stats.weight(t) >= 2.0]
    if len(shared_specific) >= 2 and any(not t.startswith(("P:", "A:")) for t in shared_specific):
        return 1.0  # two specific terms in common ("porc" and "cantine"), at the same time
    lone, story = (a, b) if a.n <= b.n else (b, a)
    subject = main_term(story, stats)
    if (
        claimed
        and lone.n <= 2 <= story.n
        and subject is not None
        and subject in lone.term_counts
        and stats.weight(subject) >= 2.0
    ):
        return 0.75  # a lone post naming what a young claim is mainly about ("le Carrefour") joins it
    small, large = (a, b) if len(ca) <= len(cb) else (b, a)
    top = main_term(small, stats)
    large_set = set(large.core_terms())
    if top is None or top not in large_set or stats.weight(top) < 2.0:
        return 0.0
    if min(a.n, b.n) <= 2:
        return 0.75  # a lone post on the same specific subject at the same time joins the story
    wa = sum(stats.weight(t) for t in ca)
    wb = sum(stats.weight(t) for t in cb)
    shared = sum(stats.weight(t) for t in set(ca) & set(cb))
    return shared / max(min(wa, wb), 1e-9)


def minhash_similarity(sig: Signature, cluster: Cluster) -> float:
    """Best estimated Jaccard similarity between a signature and the cluster's first signatures."""
    if not cluster.sigs:
        return 0.0
    matrix = cluster.sig_matrix()
    return float((matrix == sig).sum(axis=1).max()) / float(sig.size)


def centrality(terms: list[str], cluster: Cluster, stats: TermStats) -> float:
    if not terms:
        return 0.0
    n = max(cluster.n, 1)
    total = 0.0
    norm = 0.0
    for t in terms:
        w = stats.weight(t)
        norm += w * w
        total += w * cluster.term_counts.get(t, 0) / n
    return total / math.sqrt(norm) if norm > 0 else 0.0
