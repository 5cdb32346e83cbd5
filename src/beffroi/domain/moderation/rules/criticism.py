"""Criticism: a negative but civil opinion on the commune's action ("les travaux n'avancent pas,
c'est inadmissible"). Never removed for that alone: the charter refuses 'hide' for it."""

from __future__ import annotations

from beffroi.domain.moderation.analysis import Analysis, Match
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.types import Label

NAME = "criticism"
_CIVIC_WORDS = frozenset(
    {
        "mairie",
        "maire",
        "commune",
        "municipalite",
        "elus",
        "elu",
        "conseil",
        "travaux",
        "impots",
        "taxe",
        "budget",
        "projet",
        "decision",
        "route",
        "routes",
        "ecole",
        "cantine",
        "parking",
        "stationnement",
        "voirie",
        "trottoir",
        "trottoirs",
        "eclairage",
        "poubelles",
        "dechets",
        "ville",
        "village",
        "quartier",
        "service",
        "services",
        "securite",
        "police",
        "transports",
        "bus",
    }
)


IRONY_NEEDED = 0.9


def ironic_praise(a: Analysis) -> list[Match]:
    """Praise turned ironic by a grievance: "Quelle brillante idée de supprimer la ligne de bus",
    "Bravo pour les travaux qui durent depuis six mois, vraiment du beau boulot".

    The strongest ironic cue (``civic/ironic``: "brillante idée" 0.6, "super idée" 0.3) plus the
    grievances (``civic/grievance``, one per position: "supprimer" 0.3, "en plein été" 0.5) must
    reach IRONY_NEEDED; a sincere "Super idée de fermer la rue le dimanche, merci" does not."""
    ironic = a.of("civic", "ironic")
    grievances = a.of("civic", "grievance")
    if not ironic or not grievances:
        return []
    best_at: dict[int, float] = {}
    for m in grievances:
        if not any(o.start <= m.start < o.end for o in ironic):
            best_at[m.start] = max(best_at.get(m.start, 0.0), m.entry.weight)
    if not best_at:
        return []
    strongest = max(ironic, key=lambda m: m.entry.weight)
    if strongest.entry.weight + sum(best_at.values()) < IRONY_NEEDED - 1e-9:
        return []
    return [strongest, *(m for m in grievances if m.start in best_at)]


def run(ctx: RuleContext) -> list[Hit]:
    a = ctx.analysis
    irony = ironic_praise(a)
    if irony:
        ctx.signals.sarcasm = True
    cues = [*a.of("civic", "criticism"), *a.of("civic", "sarcasm"), *irony[:1]]
    mild = [m for m in a.of("insults") if "mild" in m.entry.tags]
    if not cues and not mild:
        return []
    remaining = 1.0
    lemmas: set[str] = set()
    for m in cues:
        if m.entry.lemma not in lemmas:
            lemmas.add(m.entry.lemma)
            remaining *= 1.0 - m.entry.weight * 0.7
    score = 1.0 - remaining
    civic = any(t.canon in _CIVIC_WORDS for t in a.toks) or bool(a.of("persons", "municipal"))
    if civic:
        score += 0.15 + (0.15 if mild else 0.0)
    elif not cues:
        return []
    if score < 0.3:
        return []
    return [
        Hit(
            Label.CRITICISM,
            clamp(score),
            ctx.spans(*(cues or mild)[:3]),
            NAME,
            "critique de l'action municipale",
        )
    ]
