"""The commune's own block list: expressions that force a label (the allow list is applied by the
engine before analysis: allowed words are never seen by the rules nor the model)."""

from __future__ import annotations

from beffroi.domain.moderation.rules.base import Hit, RuleContext

NAME = "charter_block"


def run(ctx: RuleContext) -> list[Hit]:
    if not ctx.block:
        return []
    toks = [t.canon for t in ctx.analysis.toks]
    raw = [t.raw for t in ctx.analysis.toks]
    hits = []
    for form, label in ctx.block:
        n = len(form)
        for i in range(len(toks) - n + 1):
            if tuple(toks[i : i + n]) == form or tuple(raw[i : i + n]) == form:
                hits.append(
                    Hit(
                        label,
                        1.0,
                        ctx.token_spans((i, i + n)),
                        NAME,
                        "expression de la liste noire de la commune",
                    )
                )
                break
    return hits
