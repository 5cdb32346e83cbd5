"""Slurs: words that attack a protected group by themselves ("bougnoule", "pédé", "youpin").

A slur is hate, and when it is aimed at someone ("ferme-la sale pédé") it is an insult too.
Ambiguous words ("mongol", "tapette", "singe") count only when aimed at someone. Not hate: a slur
quoted or reported to denounce it, or reclaimed by the speaker about themselves.
"""

from __future__ import annotations

from beffroi.domain.moderation.analysis import Analysis
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import (
    GROUP,
    PERSON,
    READER,
    SPEAKER,
    counter_speech,
    negated,
    subject_of,
)
from beffroi.domain.moderation.types import Label

NAME = "slurs"
_ARTICLES = frozenset(
    {
        "le",
        "la",
        "les",
        "un",
        "une",
        "ma",
        "ta",
        "sa",
        "mon",
        "ton",
        "son",
        "notre",
        "votre",
        "leur",
        "leurs",
        "nos",
        "vos",
        "mes",
        "tes",
        "ses",
        "cette",
        "ce",
        "cet",
    }
)
_VOCATIVE_BEFORE = frozenset(
    {
        "sale",
        "sales",
        "espece",
        "bande",
        "gros",
        "grosse",
        "pauvre",
        "petit",
        "petite",
        "sous",
        "race",
        "ces",
        "ce",
        "cette",
        "vieux",
        "vieille",
        "putain",
        "quel",
        "quelle",
        "quels",
        "tas",
        "ptn",
        "connard",
        "enfoire",
        "fils",
    }
)


_NOUN_DETERMINERS = frozenset({"le", "la", "les", "un", "une", "ce", "cet", "cette", "ces", "du", "des", "mon", "ton", "gros", "grosse", "giga", "vrai", "vraie", "petit", "petite", "sale", "espece", "gro", "autre", "tel", "telle", "1", "dernier", "derniere", "mega"})


def _used_as_noun(analysis: Analysis, start: int) -> bool:
    """A disability slur used as a noun in lowercase ("c'est un mongol", "le gros attardé") names a
    person: it is an insult; capitalised ("un Mongol"), it is a people's name."""
    toks = analysis.toks
    if start == 0 or toks[start - 1].canon not in _NOUN_DETERMINERS:
        return False
    if not any(m.entry.category == "slurs" and m.entry.characteristic == "disability" for m in analysis.at.get(start, ())):
        return False
    a, _b = analysis.norm.original_span(toks[start].start, toks[start].end)
    return analysis.norm.original[a : a + 1].islower()


def _aimed(ctx: RuleContext, start: int, end: int) -> tuple[bool, str]:
    a, g = ctx.analysis, ctx.grammar
    toks = a.toks
    if (
        start > 0
        and toks[start - 1].canon in _VOCATIVE_BEFORE
        and not (start > 1 and toks[start - 2].canon in _ARTICLES and not toks[start - 2].hyphen_before)
    ):
        return True, PERSON
    if start > 1 and toks[start - 2].canon in _VOCATIVE_BEFORE and toks[start - 1].canon in ("de", "d"):
        return True, PERSON
    if _used_as_noun(a, start):
        return True, PERSON  # "c'est un mongol", "le gros attardé qui cite"
    target = subject_of(a, g, start)
    if target.kind in (READER, PERSON, GROUP):
        return True, target.kind
    if target.kind == SPEAKER:
        return False, SPEAKER
    c_start, c_end = a.clause_of(start)
    if c_end - c_start <= (end - start) + 2 and not (start >= 2 and toks[start - 2].canon in _ARTICLES):
        return True, READER  # the slur is (nearly) alone: a vocative; not "la steppe mongole"
    return False, target.kind


def run(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    done: set[int] = set()
    for m in a.of("slurs"):
        if m.start in done:
            continue
        entry = m.entry
        aimed, kind = _aimed(ctx, m.start, m.end)
        if kind == SPEAKER:
            ctx.signals.self_directed = True
            continue
        if "amb" in entry.tags and not aimed:
            continue
        if counter_speech(a, g, m.start, m.end):
            ctx.signals.counter_speech = True
            continue
        if entry.characteristic == "sex" and kind in (READER, PERSON, SPEAKER):
            ctx.signals.slur_at_person = True
            continue  # "salope", "mégère" thrown at one person: an insult (see insults), not hate
        if entry.characteristic == "disability" and "amb" in entry.tags and kind in (READER, PERSON):
            # "t'es un gros attardé", "@pseudo mongol": a disability word used as a generic insult to
            # one person is an insult (see insults); it attacks disabled people as such only with a
            # derogatory frame ("espèce de …", "bande de …", see derogation) or when said of a group
            ctx.signals.slur_at_person = True
            done.add(m.start)
            hits.append(
                Hit(
                    Label.INSULT,
                    clamp(0.55 + 0.35 * entry.weight),
                    ctx.spans(m),
                    NAME,
                    "terme lié au handicap employé comme injure envers une personne",
                )
            )
            continue
        done.add(m.start)
        score = clamp(0.6 + 0.35 * entry.weight)
        if "amb" in entry.tags:
            score = clamp(0.5 + 0.35 * entry.weight)
        if negated(a, g, m.start, m.end):
            score *= 0.7
        spans = ctx.spans(m)
        hits.append(
            Hit(Label.HATE, score, spans, NAME, f"terme injurieux visant un groupe protégé ({entry.group})")
        )
        if aimed and kind in (READER, PERSON):
            hits.append(
                Hit(
                    Label.INSULT,
                    clamp(0.55 + 0.35 * entry.weight),
                    spans,
                    NAME,
                    "terme injurieux adressé à une personne",
                )
            )
    return hits
