"""Shouting: a style rule of the charter (all capitals, strings of '!!!'); never a removal alone."""

from __future__ import annotations

import re

from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.types import Label, Span

NAME = "shouting"
_CAPS_RUN = re.compile(r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ\s'’!?.,-]{6,}[A-ZÀ-ÖØ-Þ!?]")
_BANGS = re.compile(r"[!?]{3,}|(?:! ){2,}!")


def run(ctx: RuleContext) -> list[Hit]:
    text = ctx.text
    hits = []
    if text != text.lower():
        letters = sum(map(str.isalpha, text))
        upper = sum(map(str.isupper, text))
        ratio = upper / letters if letters >= 8 else 0.0
        if ratio >= 0.7:
            runs = [Span(m.start(), m.end(), m.group()) for m in _CAPS_RUN.finditer(text)][:3]
            hits.append(
                Hit(
                    Label.SHOUTING,
                    clamp(0.55 + (ratio - 0.7) * 1.5),
                    tuple(runs),
                    NAME,
                    "texte écrit en majuscules",
                )
            )
    bangs = list(_BANGS.finditer(text)) if ("!" in text or "?" in text) else []
    if bangs:
        longest = max(len(m.group()) for m in bangs)
        score = clamp(0.5 + 0.05 * (longest - 3) + 0.05 * (len(bangs) - 1))
        spans = tuple(Span(m.start(), m.end(), m.group()) for m in bangs[:3])
        hits.append(Hit(Label.SHOUTING, score, spans, NAME, "ponctuation répétée (!!!)"))
    return hits
