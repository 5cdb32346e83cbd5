"""Turning a decision into an :class:`~.types.Alert`: the French reasons, the amplifying accounts,
the estimated reach — what the commune's screens and e-mails show."""

from __future__ import annotations

from beffroi.domain.rumour.classify import Verdict
from beffroi.domain.rumour.clusters import Cluster
from beffroi.domain.rumour.facts import Fact
from beffroi.domain.rumour.types import Alert, Post

_CUE_LABELS = (
    ("unverified", "ouï-dire ou appel à relayer"),
    ("doubt", "questions de vérification (« info ou intox ? »)"),
    ("debunk", "démentis"),
    ("change", "annonce d'un changement"),
    ("opinion", "opinions"),
)


def reach_estimate(c: Cluster) -> dict[str, int]:
    """Likes, shares and followers summed over the cluster, and a rough audience estimate."""
    likes, shares, followers = (c.reach.get(k, 0) for k in ("likes", "shares", "followers"))
    return {
        "likes": likes,
        "shares": shares,
        "followers": followers,
        "estimate": followers + 20 * shares + 3 * likes + 50 * c.distinct_authors(),
    }


def build_alert(
    c: Cluster,
    post: Post,
    verdict: Verdict,
    claim: str,
    post_ids: list[str],
    fact: Fact | None,
    velocity: float,
    rate: float,
    expected: float,
) -> Alert:
    reasons = list(verdict.reasons)
    if fact is not None and verdict.contradicted is not None:
        why = c.contra_reason.get(verdict.contradicted, "")
        reasons.append(f"contredit le fait « {fact.text} » : {why}")
    reasons.append(
        f"{velocity:.0f} message(s) dans la dernière heure ; {expected:.1f} attendu(s) pour une "
        f"conversation ordinaire à cette heure (rythme habituel : {rate:.1f} message(s)/h)"
    )
    for key, label in _CUE_LABELS:
        if c.count(key):
            reasons.append(f"{label} : {c.count(key)} message(s) sur {c.n}")
    if c.count("official"):
        reasons.append(f"{c.count('official')} message(s) de comptes officiels")
    amplifiers = [{"author": s.split("\t", 1)[0], "why": s.split("\t", 1)[1]} for s in c.suspects[:20]]
    if amplifiers:
        reasons.append(f"{len(c.suspects)} compte(s) récent(s), inconnu(s) ou extérieur(s) relaient")
    return Alert(
        at=post.iso,
        kind=str(verdict.kind),
        cluster_id=c.id,
        claim=claim,
        post_ids=post_ids,
        velocity=velocity,
        baseline=rate,
        expected=expected,
        score=verdict.score,
        reasons=reasons,
        contradicted_fact=fact.text if fact is not None else None,
        amplifiers=amplifiers,
        reach=reach_estimate(c),
        sentiment={k: c.count(k) for k in ("positive", "neutral", "negative")},
        size=c.n,
        authors=c.distinct_authors(),
    )
