"""Threats: violence announced or called for against people ("je vais te tuer", "il faudrait tous
les pendre", "les X devraient être fusillés", "tuez-les"), death wishes ("crève", "mort aux X"),
intimidation ("je sais où tu habites").

A violent verb needs an intention (future, imperative, a modal: "je vais", "il faut", "mériter de")
and a human target; "ce film m'a tué", "tuer le temps", "il a été tué" are not threats. A threat
against a protected group is hate as well.
"""

from __future__ import annotations

import re

from beffroi.domain.moderation.analysis import Match
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import (
    GROUP,
    PERSON,
    READER,
    SPEAKER,
    THING,
    Target,
    banter_factor,
    classify_token,
    counter_speech,
    negated,
    object_of,
    subject_of,
)
from beffroi.domain.moderation.types import Label

NAME = "threats"
_BE = frozenset(
    {
        "etre",
        "soient",
        "soit",
        "sont",
        "seront",
        "serez",
        "seras",
        "sera",
        "serait",
        "seraient",
        "etes",
        "es",
        "est",
    }
)
_FIRST_PERSON = frozenset({"je", "j", "on", "nous"})
_HUMAN = (READER, PERSON, GROUP)
_WISH = frozenset(
    {"espere", "souhaite", "voudrais", "aimerais", "reve"}
)  # "j'espère que ton fils se fera écraser"
_FUTURE = ("rai", "ras", "ra", "rons", "rez", "ront", "rais", "rait", "raient")
_HOME = re.compile(r"\bhabite|\bchez (?:lui|elle|eux|toi|vous)|devant chez|\bson adresse|\bleur adresse|\d+,? (?:rue|avenue|chemin|impasse|all[ée]e|boulevard|place)")
_INTRANSITIVE = frozenset({"crever", "mourir", "meurs", "creve"})
_OWNERS = frozenset({"sa", "son", "ses", "leur", "leurs"})
_PASSIVE = frozenset({"fera", "feras", "feront", "fasse", "fassent", "faire", "fait", "font"})


def _has_modal(ctx: RuleContext, start: int, window: int = 7) -> bool:
    toks = ctx.analysis.toks
    lo = max(ctx.analysis.sentence_of(start)[0], start - window)
    for k in range(lo, start):
        word = toks[k].canon
        if word in ctx.grammar.modal or word in _WISH or (word == "a" and k == start - 1):
            return True
    return False


def _future_inside(ctx: RuleContext, m: Match) -> bool:
    """A multi-word expression conjugated in the future ("je lui ferai la peau")."""
    return any(t.canon.endswith(_FUTURE) for t in ctx.analysis.toks[m.start : m.end])


def _intention(ctx: RuleContext, m: Match) -> bool:
    toks = ctx.analysis.toks
    mood = m.entry.mood
    if mood == "fut":
        return True
    if mood == "imp":
        return True
    if mood == "past":
        return False
    if mood == "pp":
        before = [toks[k].canon for k in range(max(0, m.start - 3), m.start)]
        return any(w in _BE for w in before) and _has_modal(ctx, m.start, 7)
    if mood == "pres":
        before = [toks[k].canon for k in range(max(0, m.start - 3), m.start)]
        return any(w in _FIRST_PERSON for w in before) and any(
            w in ("te", "t", "vous", "les", "le", "la", "l") for w in before
        )
    return _has_modal(ctx, m.start) or (
        m.end - m.start > 1 and _future_inside(ctx, m)
    )  # infinitive or expression


def _verb_target(ctx: RuleContext, m: Match) -> Target:
    a, g = ctx.analysis, ctx.grammar
    toks = a.toks
    if m.entry.mood == "pp" or m.entry.lemma in _INTRANSITIVE:
        return subject_of(a, g, m.start, limit=10)  # "vous les X, vous allez crever"
    k = m.start - 1
    while k >= 0 and toks[k].canon in _PASSIVE:
        k -= 1
    if k >= 0 and k < m.start - 1 and toks[k].canon == "se":  # "ton fils se fera écraser"
        return subject_of(a, g, k, limit=10)
    target = object_of(a, g, m.start, m.end)
    if target.kind not in _HUMAN and m.entry.mood == "imp":
        target = object_of(a, g, m.end, m.end)
    if target.kind == THING and target.index >= 0:
        target = _owner(ctx, target)
    return target


def _owner(ctx: RuleContext, target: Target) -> Target:
    """'brûler sa maison', 'la voiture du maire': a person's property makes the person the target."""
    a, g = ctx.analysis, ctx.grammar
    toks = a.toks
    i = target.index
    if i > 0 and toks[i - 1].canon in _OWNERS:
        return Target(PERSON, i, None, via_pronoun=True)
    if i + 2 < len(toks) and toks[i + 1].canon in ("de", "du", "des"):
        j = i + 2
        while j < len(toks) and toks[j].canon in ("le", "la", "les", "ces", "ce", "cet", "cette", "tous", "toutes"):
            j += 1
        owner = classify_token(a, g, j) if j < len(toks) else None
        if owner is not None and owner.kind in _HUMAN:
            return owner
    return target


def _joke_factor(ctx: RuleContext) -> float:
    """"je vais te tuer si tu spoiles la fin 😂": laughter or affection softens a threat."""
    factor = banter_factor(ctx.analysis, ctx.grammar)
    return 1.0 if factor >= 1.0 else max(0.6, factor)


def _addressed_group(ctx: RuleContext, target: Target) -> Target:
    """'Vous les Arabes, vous allez crever': the reader is a group named in apposition."""
    if target.kind != READER or target.index < 0:
        return target
    a = ctx.analysis
    start, end = a.sentence_of(target.index)
    toks = a.toks
    for k in range(start, end - 2):
        if toks[k].canon in ("vous", "toi") and toks[k + 1].canon in ("les", "le", "la"):
            for o in a.at.get(k + 2, ()):
                if o.entry.category in ("identity", "slurs") and o.start == k + 2:
                    return Target(GROUP, k + 2, o)
    return target


def _group_hit(ctx: RuleContext, target: Target, m: Match) -> Hit | None:
    target = _addressed_group(ctx, target)
    if target.kind == GROUP and target.match is not None:
        return Hit(
            Label.HATE,
            0.92,
            ctx.spans(target.match, m),
            NAME,
            f"appel à la violence contre un groupe protégé ({target.match.entry.group})",
        )
    return None


def _verbs(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    done: set[int] = set()
    for m in a.of("threats", "violent_verb"):
        if m.start in done or negated(a, g, m.start, m.end):
            continue
        target = _verb_target(ctx, m)
        if target.kind not in _HUMAN:
            if target.kind in (THING, SPEAKER):
                ctx.signals.violence_without_victim = True  # "tuer le temps", "ça me tue"
            continue
        if not _intention(ctx, m):
            continue
        strong = "strong" in m.entry.tags
        if not strong and target.via_pronoun and target.match is None:
            continue  # "je vais le brûler": maybe a thing
        if counter_speech(a, g, m.start, m.end):
            ctx.signals.counter_speech = True
            continue
        done.add(m.start)
        score = clamp((0.9 if strong else 0.78) * (0.95 if target.via_pronoun else 1.0) * _joke_factor(ctx))
        hits.append(
            Hit(
                Label.THREAT,
                score,
                ctx.spans(target.match, m),
                NAME,
                f"menace de violence (« {m.entry.lemma} »)",
            )
        )
        group = _group_hit(ctx, target, m)
        if group:
            hits.append(group)
    return hits


def _expressions(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    hits: list[Hit] = []
    visit = bool(_HOME.search(a.norm.text)) or bool(ctx.hits and any(h.label == Label.PERSONAL_DATA for h in ctx.hits))
    for section in ("death_wish", "intimidation", "idiom", "visit"):
        if section == "visit" and not visit:
            continue  # "on y va ce soir" threatens only after someone's home was given
        for m in a.of("threats", section):
            if negated(a, g, m.start, m.end) and not m.negation_inside:
                continue
            if counter_speech(a, g, m.start, m.end):
                ctx.signals.counter_speech = True
                continue
            target: Target | None = None
            lemma = m.entry.lemma
            if lemma.startswith(("mort", "a mort")):
                target = object_of(a, g, m.end, m.end)
                if target.kind not in _HUMAN and not a.of("insults"):
                    continue
            else:
                inside = next(
                    (
                        o
                        for k in range(m.start, m.end)
                        for o in a.at.get(k, ())
                        if o.entry.category == "identity"
                    ),
                    None,
                )
                if inside is not None:
                    target = Target(GROUP, inside.start, inside)
                else:
                    target = object_of(a, g, m.start, m.end)
                    if target.kind not in _HUMAN:
                        target = subject_of(a, g, m.start)
            score = clamp(0.45 + 0.5 * m.entry.weight)
            what = {"death_wish": "souhait de mort", "idiom": "menace voilée"}.get(section, "intimidation")
            hits.append(Hit(Label.THREAT, score, ctx.spans(m, target.match if target else None), NAME, what))
            if target is not None:
                group = _group_hit(ctx, target, m)
                if group:
                    hits.append(group)
    return hits


def _weapons(ctx: RuleContext) -> list[Hit]:
    """A weapon brought to a person or a municipal place: "je ramène le fusil au conseil municipal"."""
    a = ctx.analysis
    hits: list[Hit] = []
    for m in a.of("threats", "weapon"):
        start, end = a.sentence_of(m.start)
        people = [o for k in range(start, end) for o in a.at.get(k, ()) if o.entry.category == "persons"]
        reader = any(a.toks[k].canon in ctx.grammar.pronoun2 for k in range(start, end))
        if not people and not reader:
            continue
        if negated(a, ctx.grammar, m.start, m.end) or counter_speech(a, ctx.grammar, m.start, m.end):
            continue
        hits.append(
            Hit(
                Label.THREAT,
                0.72,
                ctx.spans(m, people[0] if people else None),
                NAME,
                f"arme évoquée contre une personne (« {m.entry.lemma} »)",
            )
        )
        break
    return hits


def run(ctx: RuleContext) -> list[Hit]:
    if not ctx.analysis.of("threats"):
        return []
    return [*_verbs(ctx), *_expressions(ctx), *_weapons(ctx)]
