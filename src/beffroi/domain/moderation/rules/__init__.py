"""The rules, in the order they run (Coral Talk style: small functions, one file each).

Each module exposes ``NAME`` and ``run(ctx) -> list[Hit]``. Later rules can read the hits of
earlier ones (``ctx.hits``), e.g. praise is halved when the comment also insults.
"""

from __future__ import annotations

from collections.abc import Callable

from beffroi.domain.moderation.rules import (
    charter_lists,
    criticism,
    derogation,
    exclusion,
    harassment,
    insults,
    intervention,
    personal_data,
    praise,
    question,
    sexual,
    shouting,
    slurs,
    spam,
    threats,
)
from beffroi.domain.moderation.rules.base import Hit, RuleContext, Signals

Rule = Callable[[RuleContext], list[Hit]]

RULES: tuple[tuple[str, Rule], ...] = (
    (charter_lists.NAME, charter_lists.run),
    (slurs.NAME, slurs.run),
    (derogation.NAME, derogation.run),
    (exclusion.NAME, exclusion.run),
    (threats.NAME, threats.run),
    (insults.NAME, insults.run),
    (harassment.NAME, harassment.run),
    (sexual.NAME, sexual.run),
    (personal_data.NAME, personal_data.run),
    (spam.NAME, spam.run),
    (shouting.NAME, shouting.run),
    (question.NAME, question.run),
    (criticism.NAME, criticism.run),
    (praise.NAME, praise.run),
    (intervention.NAME, intervention.run),  # last: reads every abuse hit
)

__all__ = ["RULES", "Hit", "Rule", "RuleContext", "Signals"]
