"""Insults: abuse of a person or of a non-protected group ("t'es qu'une ordure", "le maire est un
incapable", "les élus sont des parasites", "connard !", "putain de maire").

Not an insult: swearing aimed at no one ("putain quelle journée"), abuse of an object ("ce parking
est une merde"), a negated or quoted insult. Abuse of a protected group is hate (see ``derogation``).
"""

from __future__ import annotations

from beffroi.domain.moderation.analysis import Match
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.rules.derogation import one_person
from beffroi.domain.moderation.structure import (
    GROUP,
    NOBODY,
    PERSON,
    READER,
    SPEAKER,
    THING,
    banter_factor,
    counter_speech,
    negated,
    object_of,
    subject_of,
)
from beffroi.domain.moderation.types import Label

NAME = "insults"
_RESOLVED_THING = "resolved-thing"
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
        "du",
        "de",
        "des",
    }
)
_VOCATIVE = frozenset(
    {
        "sale",
        "sales",
        "espece",
        "bande",
        "pauvre",
        "gros",
        "grosse",
        "petit",
        "petite",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "ce",
        "cette",
        "ces",
        "vieux",
        "vieille",
        "tas",
        "sac",
        "face",
        "tete",
        "bon",
        "bonne",
    }
)


def _target_kind(ctx: RuleContext, m: Match) -> str:
    a, g = ctx.analysis, ctx.grammar
    toks = a.toks
    if (
        m.start > 0
        and toks[m.start - 1].canon in _VOCATIVE
        and not (m.start > 1 and toks[m.start - 2].canon in _ARTICLES and not toks[m.start - 2].hyphen_before)
    ):
        return READER
    target = subject_of(a, g, m.start)
    if target.kind == THING and target.via_pronoun:
        return _RESOLVED_THING  # "le chien de mon voisin, il est con": said of a thing or an animal
    if target.kind in (NOBODY, THING):
        # "ce connard de maire", "connard va !": look after the word
        after = object_of(a, g, m.end, m.end)
        if (
            after.kind in (PERSON, READER)
            and m.end < len(toks)
            and toks[m.end].canon in ("de", "d", "va", "tu", "toi")
        ):
            return after.kind
    return target.kind


def _is_vocative(ctx: RuleContext, m: Match) -> bool:
    a = ctx.analysis
    c_start, c_end = a.clause_of(m.start)
    others = [t.canon for t in a.toks[c_start:c_end] if not m.start <= t.index < m.end]
    return len(others) <= 2


# before a disability word, these make it a people's or a language's name ("l'empire mongol", "en
# mongol", "le pays mongol"), not a bare insult
_NOT_BARE = (_ARTICLES - {"de"}) | {"au", "aux", "en", "et", "ou", "l", "1", "pays", "langue"}


def _disability_word_at_someone(ctx: RuleContext, m: Match) -> bool:
    """An ambiguous disability word ("mongol", "attardé") used as a bare insult: closing a reply to
    someone ("@pseudo bah attends mongol", "@pseudo réfléchis mongol, relis") or as a complement
    without article ("une faute de mongol", "un langage de mongol"). Not "son homologue mongol"
    (article and noun before it, "en mongol") nor a text that is not a reply."""
    a = ctx.analysis
    toks = a.toks
    if not any(
        o.entry.category == "slurs" and o.entry.characteristic == "disability" for o in a.at.get(m.start, ())
    ):
        return False
    if m.start >= 2 and toks[m.start - 2].canon in _NOT_BARE and not toks[m.start - 2].hyphen_before:
        return False
    if m.start < 1 or toks[m.start - 1].canon in _NOT_BARE:
        return False
    if toks[m.start - 1].canon in ("de", "d") and m.start >= 2:
        return True
    text = a.norm.text
    return toks[0].start > 0 and text[toks[0].start - 1] == "@"  # a reply: "@pseudo … mongol"


def _score(m: Match, kind: str) -> float:
    w = m.entry.weight
    if "mild" in m.entry.tags:
        return clamp(0.3 + 0.45 * w)
    if kind in (READER, PERSON):
        return clamp(0.45 + 0.5 * w)
    return clamp(0.35 + 0.5 * w)


def run(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    ctx.signals.banter = banter_factor(a, g)
    hits: list[Hit] = []
    taken: set[int] = set()
    insults = sorted(a.of("insults"), key=lambda m: (m.start, -(m.end - m.start)))
    for m in insults:
        if m.start in taken:
            continue
        entry = m.entry
        section = entry.section
        if negated(a, g, m.start, m.end):
            ctx.signals.negated_negative = True
            continue
        if counter_speech(a, g, m.start, m.end):
            ctx.signals.counter_speech = True
            continue
        kind = _target_kind(ctx, m)
        if kind == GROUP and one_person(ctx, subject_of(a, g, m.start)):
            kind = PERSON  # "cette meuf est une idiote": one woman insulted
        if kind == GROUP:
            continue  # abuse of a protected group: hate, decided by the derogation rule
        if kind == SPEAKER:
            ctx.signals.self_directed = True
            if section != "sms":
                hits.append(
                    Hit(Label.INSULT, clamp(0.25 * entry.weight + 0.1), ctx.spans(m), NAME, "autodénigrement")
                )
                taken.update(range(m.start, m.end))
                continue
        if kind == _RESOLVED_THING:
            ctx.signals.object_target = True
            continue
        if "reader" in entry.tags and kind != READER:
            continue  # "autiste", "handicapé": an insult only when thrown at someone
        needs_target = section in ("mild", "thing") or bool({"amb", "thing"} & entry.tags)
        if needs_target and kind not in (READER, PERSON) and _disability_word_at_someone(ctx, m):
            kind = READER
        if needs_target and kind not in (READER, PERSON):
            vocative = section == "sms" or (not ({"amb", "thing"} & entry.tags) and _is_vocative(ctx, m))
            if not vocative:
                if kind == THING:
                    ctx.signals.object_target = True
                continue
        taken.update(range(m.start, m.end))
        who = {
            READER: "adressée à l'interlocuteur",
            PERSON: "visant une personne ou un groupe non protégé",
        }.get(kind, "")
        detail = f"insulte (« {entry.lemma} ») {who}".strip()
        score = _score(m, kind) * (ctx.signals.banter if section != "sms" else max(ctx.signals.banter, 0.85))
        hits.append(Hit(Label.INSULT, score, ctx.spans(m), NAME, detail))
    hits.extend(_dehumanising_people(ctx, taken))
    hits.extend(_profane_people(ctx))
    if not hits and a.of("profanity", "swear"):
        ctx.signals.untargeted_profanity = True
    return hits


def _dehumanising_people(ctx: RuleContext, taken: set[int]) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits = []
    for m in a.of("dehumanising"):
        if m.start in taken:
            continue
        kind = _target_kind(ctx, m)
        if (
            kind not in (READER, PERSON)
            or negated(a, g, m.start, m.end)
            or counter_speech(a, g, m.start, m.end)
        ):
            continue
        taken.update(range(m.start, m.end))
        hits.append(
            Hit(
                Label.INSULT,
                clamp(0.4 + 0.45 * m.entry.weight),
                ctx.spans(m),
                NAME,
                f"comparaison dégradante (« {m.entry.lemma} ») visant une personne",
            )
        )
    for m in a.of("hate_emotions"):
        target = (
            subject_of(a, g, m.start) if m.entry.section == "subject" else object_of(a, g, m.start, m.end)
        )
        if target.kind == READER and not negated(a, g, m.start, m.end):
            hits.append(
                Hit(
                    Label.INSULT,
                    clamp(0.3 + 0.35 * m.entry.weight),
                    ctx.spans(m),
                    NAME,
                    "hostilité exprimée envers l'interlocuteur",
                )
            )
    return hits


def _profane_people(ctx: RuleContext) -> list[Hit]:
    """'putain de maire', 'foutus élus', 'espèce de voisin'."""
    a = ctx.analysis
    hits = []
    for m in a.of("profanity", "profane_modifier"):
        if m.entry.lemma in ("sale",) or m.end >= len(a.toks):
            continue
        for other in a.at.get(m.end, ()):
            if other.entry.category == "persons" and other.start == m.end:
                hits.append(
                    Hit(
                        Label.INSULT,
                        0.7,
                        ctx.spans(m, other),
                        NAME,
                        "qualificatif injurieux visant une personne",
                    )
                )
                break
    return hits
