"""Praise: thanks and compliments to the commune ("Merci pour le marché de Noël, bravo !").
Halved when the same comment insults (sarcasm: "bravo les incapables")."""

from __future__ import annotations

from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import negated
from beffroi.domain.moderation.types import REMOVAL_WORTHY, Label

NAME = "praise"


def run(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    question_spans = {k for m in a.of("civic", "question") for k in range(m.start, m.end)}
    cues = [
        m
        for m in a.of("civic", "praise")
        if not negated(a, g, m.start, m.end) and not (m.start in question_spans and m.entry.lemma == "merci")
    ]
    if not cues:
        return []
    remaining = 1.0
    lemmas: set[str] = set()
    for m in cues:
        if m.entry.lemma not in lemmas:
            lemmas.add(m.entry.lemma)
            remaining *= 1.0 - m.entry.weight * 0.75
    score = 1.0 - remaining
    if ctx.labels_found() & REMOVAL_WORTHY:
        score *= 0.5
    if ctx.signals.sarcasm or ctx.analysis.of("civic", "sarcasm"):
        ctx.signals.sarcasm = True
        score *= 0.3  # "Bravo la mairie, encore une rue fermée sans prévenir"
    elif ctx.analysis.of("civic", "criticism"):
        score *= 0.8
    return [Hit(Label.PRAISE, clamp(score), ctx.spans(*cues[:3]), NAME, "remerciement ou compliment")]
