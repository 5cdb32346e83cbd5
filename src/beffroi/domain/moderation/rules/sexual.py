"""Sexual content: explicit terms, pornography and sexual solicitation. Words with an innocent sense
("chatte", "sucer", "baiser") need a second sexual cue."""

from __future__ import annotations

from beffroi.domain.moderation.analysis import Match
from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.structure import counter_speech, second_person_present
from beffroi.domain.moderation.types import Label

NAME = "sexual"


def _separate_cues(found: list[Match]) -> int:
    """How many separate places of the text the cues occupy (overlapping matches count once)."""
    count = 0
    end = -1
    for m in sorted(found, key=lambda m: m.start):
        if m.start >= end:
            count += 1
        end = max(end, m.end)
    return count


def run(ctx: RuleContext) -> list[Hit]:
    a, g = ctx.analysis, ctx.grammar
    found = [m for m in a.of("sexual") if not counter_speech(a, g, m.start, m.end)]
    invitations = [m for m in found if m.entry.section == "invitation"]
    if invitations and _separate_cues(found) < 2:
        # an invitation alone ("viens chez moi ce soir", "ma belle") is not a solicitation
        found = [m for m in found if m.entry.section != "invitation"]
    if not found:
        return []
    clear = [m for m in found if "amb" not in m.entry.tags]
    positions = {m.start for m in found}
    if not clear and len(positions) < 2:
        # one ambiguous word ("sucer", "chatte") said to someone is sexual: "avec ta bouche tu dois bien sucer"
        aimed = [m for m in found if second_person_present(a, g, *a.sentence_of(m.start))]
        if not aimed:
            return []
        clear = aimed
    best = max(found, key=lambda m: m.entry.weight)
    combined = 1.0
    for m in found:
        combined *= 1.0 - (m.entry.weight * (0.6 if "amb" in m.entry.tags else 0.85))
    score = clamp(max(1.0 - combined, 0.35 + 0.5 * best.entry.weight if clear else 0.0))
    spans = ctx.spans(*sorted(found, key=lambda m: m.start)[:4])
    hits = [Hit(Label.SEXUAL, score, spans, NAME, f"contenu sexuel (« {best.entry.lemma} »)")]
    toks = a.toks
    addressed = second_person_present(a, g, 0, len(toks)) or any(
        t.start > 0 and a.norm.text[t.start - 1] == "@" for t in toks
    )
    if addressed and score >= 0.6:  # sexual words addressed to someone: sexual harassment
        hits.append(
            Hit(Label.HARASSMENT, clamp(score - 0.15), spans, NAME, "propos sexuels adressés à une personne")
        )
    return hits
