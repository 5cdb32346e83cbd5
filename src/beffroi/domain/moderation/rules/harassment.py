"""Harassment: rejection ("personne ne t'aime"), incitement to self-harm ("va te pendre", "tu
devrais te suicider"), body shaming ("grosse vache", "t moche"), intimidation and sexual
harassment ("envoie des nudes"). Sexual harassment is also labelled sexual."""

from __future__ import annotations

from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import counter_speech, negated
from beffroi.domain.moderation.types import Label

NAME = "harassment"
_DETAILS = {
    "rejection": "rejet ou humiliation de la personne",
    "self_harm": "incitation à se faire du mal",
    "body": "moquerie sur le physique",
    "intimidation": "intimidation",
    "sexual": "harcèlement sexuel",
}


def run(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    for m in a.of("harassment"):
        if not m.negation_inside and negated(a, g, m.start, m.end):
            continue
        if counter_speech(a, g, m.start, m.end):
            ctx.signals.counter_speech = True
            continue
        section = m.entry.section
        score = clamp(0.4 + 0.55 * m.entry.weight)
        if section == "body":
            score *= ctx.signals.banter
        spans = ctx.spans(m)
        hits.append(Hit(Label.HARASSMENT, score, spans, NAME, _DETAILS.get(section, "harcèlement")))
        if section == "sexual":
            hits.append(
                Hit(Label.SEXUAL, clamp(score - 0.05), spans, NAME, "propos sexuels adressés à une personne")
            )
        elif section == "body":
            hits.append(Hit(Label.INSULT, clamp(score - 0.1), spans, NAME, "insulte sur le physique"))
        elif section == "self_harm":
            hits.append(
                Hit(Label.THREAT, clamp(score - 0.25), spans, NAME, "souhait que la personne se fasse du mal")
            )
    return hits
