"""Someone stepping in for the person targeted ("arrête de la harceler, elle t'a rien fait",
"laissez-le tranquille", "je vais en parler au CPE"): a bystander's or defender's message names the
abuse without committing it. The rule finds no label; it records the ``intervention`` signal, so that
the learned model alone (which sees "harceler", "insultes", "je vais …") cannot flag it. An insult or
threat the rules themselves find still stands ("laisse-la tranquille, sale connard").
"""

from __future__ import annotations

from beffroi.domain.moderation.rules.base import Hit, RuleContext
from beffroi.domain.moderation.types import Label

NAME = "intervention"
_ABUSE = frozenset({Label.INSULT, Label.THREAT, Label.HARASSMENT, Label.HATE, Label.SEXUAL})


def run(ctx: RuleContext) -> list[Hit]:
    if ctx.analysis.of("counter", "intervention") and not any(
        hit.label in _ABUSE and hit.score >= 0.5 for hit in ctx.hits
    ):
        ctx.signals.intervention = True
    return []
