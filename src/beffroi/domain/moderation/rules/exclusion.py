"""Hate without insults: exclusion and implicit derogation of a protected group ("dehors les X",
"les X n'ont rien à faire ici", "leur place est à la cuisine"), and negated positive statements
("les X ne sont pas des êtres humains", "je n'aime pas les X", "les X ne méritent pas le respect").

A positive statement that is not negated ("les X méritent le respect") is recorded as a signal:
identity mentioned positively, never flagged.
"""

from __future__ import annotations

from beffroi.domain.moderation.analysis import Match
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import (
    GROUP,
    Target,
    counter_speech,
    identity_target,
    negated,
    object_of,
    resolve_pronoun,
    subject_of,
)
from beffroi.domain.moderation.types import Label

NAME = "exclusion"
_PRONOUNS3 = frozenset({"ils", "elles", "eux", "les", "leur", "leurs", "ces", "ceux", "celles"})


def _group_near(ctx: RuleContext, m: Match) -> Target | None:
    """A protected group in the same clause (or sentence) as ``m``, or a pronoun that refers to one."""
    a, g = ctx.analysis, ctx.grammar
    toks = a.toks
    c_start, c_end = a.clause_of(m.start)
    s_start, s_end = a.sentence_of(m.start)
    best: Target | None = None
    for lo, hi in ((c_start, c_end), (s_start, s_end)):
        for k in range(lo, hi):
            for o in a.at.get(k, ()):
                if o.entry.category in ("identity", "slurs") and o.start == k and identity_target(a, o):
                    distance = abs(k - m.start)
                    if best is None or distance < abs(best.index - m.start):
                        best = Target(GROUP, k, o)
        if best is not None:
            return best
    for k in range(max(s_start, m.start - 3), min(s_end, m.end + 3)):
        if toks[k].canon in _PRONOUNS3:
            ref = resolve_pronoun(a, g, k)
            if ref.kind == GROUP:
                return ref
    return None


def _exclusions(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    for m in a.of("exclusion"):
        if m.entry.weight < 0.45:
            continue
        target = _group_near(ctx, m)
        if target is None or target.match is None:
            continue
        if negated(a, g, m.start, m.end) and not any(
            t in ("ne", "n", "pas") for t in a.canon(m.start, m.end)
        ):
            ctx.signals.negated_negative = True
            continue
        if counter_speech(a, g, min(m.start, target.index), max(m.end, target.index + 1)):
            ctx.signals.counter_speech = True
            continue
        score = clamp(0.45 + 0.5 * min(m.entry.weight, target.match.entry.weight))
        hits.append(
            Hit(
                Label.HATE,
                score,
                ctx.spans(target.match, m),
                NAME,
                f"exclusion ou dénigrement implicite d'un groupe protégé ({target.match.entry.group})",
            )
        )
    return hits


def _questioned(ctx: RuleContext, m: Match) -> bool:
    """A positive quality put in doubt: "pourquoi les X ont-ils le droit d'exister ?", "les X ont-ils
    une âme ?", "les X sont moins civilisés"."""
    a = ctx.analysis
    if m.start > 0 and a.toks[m.start - 1].canon == "moins":
        return True
    c_start, _c_end = a.clause_of(m.start)
    words = [t.canon for t in a.toks[c_start : m.start]]
    if any(
        words[k] in ("peu", "rares", "rarement") and words[k + 1 : k + 2] in (["de"], ["des"], ["sont"])
        for k in range(len(words) - 1)
    ):
        return True  # "très peu de femmes sont aussi intelligentes que …"
    sentence = a.toks[m.start].sentence
    if sentence not in a.question_sentences:
        return False
    start, end = a.sentence_ranges[sentence]
    if any(t.canon == "pourquoi" for t in a.toks[start : m.start]):
        return True
    inverted = any(t.hyphen_before and t.canon in ("ils", "elles", "il", "elle") for t in a.toks[start:end])
    return inverted and "humanity" in m.entry.tags


def _positives(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    for m in a.of("positive"):
        if "fixed" in m.entry.tags:  # "je n'ai rien contre les X": positive despite its negation
            ctx.signals.identity_positive = True
            continue
        target = object_of(a, g, m.start, m.end) if m.entry.section == "verb" else subject_of(a, g, m.start)
        if target.kind != GROUP or target.match is None:
            continue
        if not (m.negation_inside or negated(a, g, m.start, m.end) or _questioned(ctx, m)):
            ctx.signals.identity_positive = True
            continue
        if m.entry.section == "attribute" and m.entry.weight < 0.6:
            continue
        if counter_speech(a, g, min(m.start, target.index), max(m.end, target.index + 1)):
            ctx.signals.counter_speech = True
            continue
        score = clamp(0.5 + 0.4 * min(m.entry.weight, target.match.entry.weight))
        hits.append(
            Hit(
                Label.HATE,
                score,
                ctx.spans(target.match, m),
                NAME,
                f"énoncé positif nié à propos d'un groupe protégé ({target.match.entry.group})",
            )
        )
    return hits


def _better_without(ctx: RuleContext) -> list[Hit]:
    """A place praised for being without a group: "un village sans musulmans, c'est un village
    propre", "une école sans handicapés serait plus calme"."""
    a, g = ctx.analysis, ctx.grammar
    better = a.of("exclusion", "better_without")
    hits: list[Hit] = []
    for m in better:
        s_start, s_end = a.sentence_of(m.start)
        # "sans <groupe>" before the praise, or right after it ("plus agréable sans les Roms")
        for k in (*range(s_start, m.start), *range(m.end, min(s_end, m.end + 2))):
            if a.toks[k].canon != "sans":
                continue
            j = k + 1
            if j < s_end - 1 and a.toks[j].canon in ("les", "des", "ces", "aucun", "aucune"):
                j += 1
            group = next(
                (o for o in a.at.get(j, ()) if o.entry.category in ("identity", "slurs") and o.start == j),
                None,
            )
            if group is None or negated(a, g, m.start, m.end):
                continue
            if counter_speech(a, g, k, m.end):
                ctx.signals.counter_speech = True
                continue
            hits.append(
                Hit(
                    Label.HATE,
                    clamp(0.55 + 0.35 * group.entry.weight),
                    ctx.spans(group, m),
                    NAME,
                    f"un lieu jugé meilleur sans un groupe protégé ({group.entry.group})",
                )
            )
            return hits
    return hits


def run(ctx: RuleContext) -> list[Hit]:
    a = ctx.analysis
    if not (a.of("identity") or a.of("slurs")) or not (a.of("exclusion") or a.of("positive")):
        return []
    return [*_exclusions(ctx), *_positives(ctx), *_better_without(ctx)]
