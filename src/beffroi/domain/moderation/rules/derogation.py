"""Hate: a protected group described by a negative attribute, a dehumanising comparison or an
insult ("les X sont des rats"), the object of a strong negative emotion ("je déteste les X",
"les X me dégoûtent") or of a derogatory modifier ("sales X", "ces porcs de X").

Not hate: the same words negated ("les X ne sont pas des criminels"), quoted or reported to denounce
them, or aimed at a person or a non-protected group (that is an insult, see ``insults``).
"""

from __future__ import annotations

from beffroi.domain.moderation.analysis import Match
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import (
    GROUP,
    SPEAKER,
    Target,
    counter_speech,
    identity_target,
    negated,
    object_of,
    speech_complement,
    subject_of,
)
from beffroi.domain.moderation.types import Label

NAME = "derogation"
_PREDICATES = ("negative_attributes", "dehumanising", "insults")
_OF = frozenset({"de", "d"})


def _group_after(ctx: RuleContext, m: Match) -> Target | None:
    """'ces rats de juifs', 'cette vermine d'immigrés': derogation + de + group."""
    toks = ctx.analysis.toks
    k = m.end
    if k < len(toks) and toks[k].canon in _OF:
        for other in ctx.analysis.at.get(k + 1, ()):
            if other.entry.category in ("identity", "slurs") and other.start == k + 1:
                return Target(GROUP, k + 1, other)
    return None


def _exclamation_target(ctx: RuleContext, m: Match) -> Target | None:
    """'J'ai parlé avec des X. Quelle bande d'abrutis.': a verbless exclamation about the group of
    the previous sentence."""
    a = ctx.analysis
    start, end = a.sentence_of(m.start)
    if end - start > 8:
        return None
    if any(a.toks[k].canon in ctx.grammar.pronoun2 for k in range(start, end)):
        return None
    # "Quelle bande de connards, ces X." — the group named after the exclamation
    for k in range(m.end + 1, end):
        if a.toks[k - 1].canon in ("ces", "les", "vous"):
            for o in a.at.get(k, ()):
                if o.entry.category in ("identity", "slurs") and o.start == k:
                    return Target(GROUP, k, o)
    if a.toks[start].sentence == 0:
        return None
    previous = a.sentence_ranges[a.toks[start].sentence - 1]
    for k in range(previous[1] - 1, previous[0] - 1, -1):
        for o in a.at.get(k, ()):
            if o.entry.category in ("identity", "slurs") and identity_target(a, o):
                return Target(GROUP, o.start, o, via_pronoun=True)
    return None


def _plural_group(ctx: RuleContext, target: Target) -> bool:
    toks = ctx.analysis.toks
    i = target.match.start if target.match is not None else target.index
    return i > 0 and toks[i - 1].canon in ("les", "des", "ces", "tous", "toutes", "aux")


_THIS_ONE = frozenset({"ce", "cet", "cette", "mon", "ton", "son", "ma", "ta", "sa"})


def one_person(ctx: RuleContext, target: Target) -> bool:
    """'ce mec', 'cette meuf', 'ma voisine' with a sex word: one person pointed at, not the sex as a
    group (whereas 'une femme n'est pas capable de …' generalises)."""
    match = target.match
    if match is None or match.entry.characteristic != "sex" or target.via_pronoun:
        return False
    toks = ctx.analysis.toks
    i = match.start
    return i > 0 and toks[i - 1].canon in _THIS_ONE and not toks[match.end - 1].canon.endswith(("s", "x"))


def _group_score(target: Target) -> float:
    return target.match.entry.weight if target.match is not None else 0.7


def _suppressed(ctx: RuleContext, target: Target, m: Match) -> bool:
    a, g = ctx.analysis, ctx.grammar
    if m.negation_inside or negated(a, g, m.start, m.end):
        ctx.signals.negated_negative = True
        return True
    lo = min(m.start, target.index if target.index >= 0 else m.start)
    hi = max(m.end, target.index + 1)
    if counter_speech(a, g, lo, hi):
        ctx.signals.counter_speech = True
        return True
    return False


def _predicates(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    seen: set[int] = set()
    for category in _PREDICATES:
        for m in a.of(category):
            entry = m.entry
            if category == "insults" and ("mild" in entry.tags and entry.weight < 0.5):
                continue
            if m.start in seen:
                continue
            target = _group_after(ctx, m) or subject_of(a, g, m.start)
            if target.kind == "nobody":
                target = _exclamation_target(ctx, m) or target
            if target.kind != GROUP or target.match is None:
                continue
            if target.match.start <= m.start < target.match.end:
                continue  # the word is part of the group's own name ("malades mentaux")
            if (
                target.match.entry.category == "slurs"
                and target.match.entry.characteristic == "sex"
                and not _plural_group(ctx, target)
            ):
                continue  # "une mégère aigrie": a person insulted, not women as a group
            if one_person(ctx, target):
                ctx.signals.slur_at_person = True
                continue  # "ce mec est un clown", "cette meuf est une conne": one person insulted
            if _suppressed(ctx, target, m):
                continue
            seen.add(m.start)
            weight = entry.weight * (0.85 if "amb" in entry.tags else 1.0)
            score = clamp(0.5 + 0.45 * min(weight, _group_score(target)))
            if target.via_pronoun:
                score *= 0.95
            kind = {"dehumanising": "comparaison déshumanisante", "insults": "insulte"}.get(
                category, "attribut négatif"
            )
            hits.append(
                Hit(
                    Label.HATE,
                    score,
                    ctx.spans(target.match, m),
                    NAME,
                    f"{kind} (« {entry.lemma} ») visant un groupe protégé ({target.match.entry.group})",
                )
            )
    return hits


def _emotions(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    for m in a.of("hate_emotions"):
        if m.entry.section == "subject":
            target = subject_of(a, g, m.start)
        else:
            target = object_of(a, g, m.start, m.end)
        if target.kind != GROUP or target.match is None:
            continue
        if _suppressed(ctx, target, m):
            continue
        score = clamp(0.5 + 0.45 * min(m.entry.weight, _group_score(target)))
        if m.entry.section == "object":
            who = subject_of(a, g, m.start)
            if who.kind not in (SPEAKER, "nobody", GROUP):
                score *= 0.8  # someone else's feeling, reported
        hits.append(
            Hit(
                Label.HATE,
                score,
                ctx.spans(target.match, m),
                NAME,
                f"émotion hostile (« {m.entry.lemma} ») envers un groupe protégé ({target.match.entry.group})",
            )
        )
    return hits


def _modifiers(ctx: RuleContext) -> list[Hit]:
    """'sale arabe', 'ces putains de migrants', 'bande de juifs'."""
    a = ctx.analysis
    hits: list[Hit] = []
    for m in a.of("profanity", "profane_modifier"):
        for k in (m.end, m.end + 1):
            group = next(
                (o for o in a.at.get(k, ()) if o.entry.category in ("identity", "slurs") and o.start == k),
                None,
            )
            if group is None:
                continue
            if group.entry.category == "identity" and "amb" in group.entry.tags and k != m.end:
                continue
            target = Target(GROUP, group.start, group)
            if _suppressed(ctx, target, m):
                break
            score = clamp(0.55 + 0.4 * group.entry.weight)
            hits.append(
                Hit(
                    Label.HATE,
                    score,
                    ctx.spans(m, group),
                    NAME,
                    f"qualificatif injurieux devant un groupe protégé ({group.entry.group})",
                )
            )
            break
    return hits


_HOSTILE = (
    "slurs",
    "insults",
    "dehumanising",
    "negative_attributes",
    "hate_emotions",
    "threats",
    "profanity",
)


def _neutral_mentions(ctx: RuleContext) -> None:
    a = ctx.analysis
    groups = [*a.of("identity"), *a.of("slurs")]
    if groups and all(speech_complement(a, m.start) for m in groups):
        ctx.signals.counter_speech = True  # "la haine envers les X doit cesser": about the speech
    if any(identity_target(a, m) for m in a.of("identity")):
        ctx.signals.identity_neutral = True
        hostile = any(a.of(c) for c in _HOSTILE) or any(m.entry.weight >= 0.45 for m in a.of("exclusion"))
        ctx.signals.identity_only = not hostile


def run(ctx: RuleContext) -> list[Hit]:
    a = ctx.analysis
    if not (a.of("identity") or a.of("slurs")):
        return []  # no protected group named: nothing to derogate
    _neutral_mentions(ctx)
    return [*_predicates(ctx), *_emotions(ctx), *_modifiers(ctx)]
