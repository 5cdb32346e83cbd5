"""What every rule receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from beffroi.domain.moderation.analysis import Analysis, Match
from beffroi.domain.moderation.lexicon import Lexicon
from beffroi.domain.moderation.structure import Grammar
from beffroi.domain.moderation.types import Context, Label, Span


@dataclass(frozen=True)
class Hit:
    """A rule's finding: a label with a score, its evidence in the original text and a French detail."""

    label: Label
    score: float
    evidence: tuple[Span, ...]
    source: str  # rule name
    detail: str  # short French explanation for moderators


@dataclass
class Signals:
    """Structures the rules saw that make a text safer than its words suggest; the engine uses them
    to damp the learned model (which only sees words)."""

    counter_speech: bool = False
    negated_negative: bool = False
    identity_positive: bool = False
    identity_neutral: bool = False
    untargeted_profanity: bool = False
    object_target: bool = False
    self_directed: bool = False
    reported: bool = False
    identity_only: bool = False  # a protected group is named, with no hostile word at all
    violence_without_victim: bool = False  # a violent verb aimed at a thing or at the speaker
    slur_at_person: bool = False  # a misogynistic slur thrown at one person: an insult, not hate
    sarcasm: bool = False  # "bravo la mairie, encore une rue fermée sans prévenir"
    banter: float = 1.0  # < 1 when friendly-teasing markers soften insults ("jtm", "mdr")
    intervention: bool = False  # someone defends the person targeted ("arrête de la harceler")

    def safe_for_hate(self) -> bool:
        return self.counter_speech or self.negated_negative or self.identity_positive or self.identity_only

    def safe_for_insult(self) -> bool:
        return self.counter_speech or self.untargeted_profanity or self.object_target or self.negated_negative


@dataclass
class RuleContext:
    analysis: Analysis
    grammar: Grammar
    lexicon: Lexicon
    context: Context
    signals: Signals = field(default_factory=Signals)
    repeats: int = 0  # how many times the same text was seen recently (stream memory)
    block: tuple[tuple[tuple[str, ...], Label], ...] = ()  # the charter's block list (token forms)
    hits: list[Hit] = field(default_factory=list)  # hits of the rules already run

    def labels_found(self) -> set[Label]:
        return {h.label for h in self.hits if h.score >= 0.5}

    @property
    def text(self) -> str:
        return self.analysis.norm.original

    def spans(self, *matches: Match | None) -> tuple[Span, ...]:
        seen: dict[tuple[int, int], Span] = {}
        for m in matches:
            if m is None:
                continue
            span = self.analysis.match_span(m)
            seen[(span.start, span.end)] = span
        return tuple(sorted(seen.values(), key=lambda s: (s.start, s.end)))

    def token_spans(self, *ranges: tuple[int, int]) -> tuple[Span, ...]:
        seen: dict[tuple[int, int], Span] = {}
        for start, end in ranges:
            if start < 0:
                continue
            span = self.analysis.span(start, end)
            seen[(span.start, span.end)] = span
        return tuple(sorted(seen.values(), key=lambda s: (s.start, s.end)))


def clamp(score: float) -> float:
    return max(0.0, min(1.0, score))
