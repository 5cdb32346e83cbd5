"""Question: a request to route to a service ("À quelle heure ouvre la déchetterie ?")."""

from __future__ import annotations

from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.types import Label

NAME = "question"
_WH = frozenset(
    {
        "comment",
        "quand",
        "ou",
        "pourquoi",
        "combien",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "qui",
        "quoi",
        "lequel",
        "laquelle",
        "est",
        "peut",
        "peux",
        "pouvez",
        "faut",
        "doit",
        "dois",
        "sait",
        "savez",
        "a",
        "y",
    }
)


def run(ctx: RuleContext) -> list[Hit]:
    a = ctx.analysis
    toks = a.toks
    best = 0.0
    evidence: list[tuple[int, int]] = []
    for sentence in sorted(a.question_sentences):
        if sentence >= len(a.sentence_ranges):
            continue
        start, end = a.sentence_ranges[sentence]
        if end <= start:
            continue
        words = [t.canon for t in toks[start:end]]
        inverted = any(toks[k].hyphen_before for k in range(start, end))
        score = 0.6
        if any(w in _WH for w in words[:3]) or inverted or "est-ce" in a.norm.text:
            score = 0.8
        if end - start <= 1:
            score = 0.4  # "Quoi ?!"
        if score > best:
            best = score
        evidence.append((start, end))
    cues = [m for m in a.of("civic", "question") if m.entry.weight >= 0.5]
    if cues and not a.question_sentences and max(m.entry.weight for m in cues) < 0.7:
        cues = []  # "rendez-vous samedi", "merci d'avance" alone are not questions
    if cues:
        strongest = max(m.entry.weight for m in cues)
        topics = [m for m in a.of("civic", "question") if m.entry.weight < 0.5]
        score = clamp(0.35 + 0.4 * strongest + (0.1 if topics else 0.0))
        if score > best:
            best = score
            evidence.extend((m.start, m.end) for m in cues[:2])
    if best <= 0.0:
        return []
    return [
        Hit(
            Label.QUESTION,
            best,
            ctx.token_spans(*evidence[:3]),
            NAME,
            "question ou demande à transmettre au service concerné",
        )
    ]
