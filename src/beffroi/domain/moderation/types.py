"""The engine's public data types: what goes in (a text and its context) and what comes out (a verdict).

These types are the contract between the engine and everything that calls it (CLI, web
application, workers). They are plain, immutable dataclasses with a JSON form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Label(StrEnum):
    # removal-worthy
    HATE = "hate"
    INSULT = "insult"
    THREAT = "threat"
    HARASSMENT = "harassment"
    SEXUAL = "sexual"
    PERSONAL_DATA = "personal_data"
    SPAM = "spam"
    # to keep and act on
    CRITICISM = "criticism"
    QUESTION = "question"
    PRAISE = "praise"
    SHOUTING = "shouting"


REMOVAL_WORTHY: frozenset[Label] = frozenset(
    {
        Label.HATE,
        Label.INSULT,
        Label.THREAT,
        Label.HARASSMENT,
        Label.SEXUAL,
        Label.PERSONAL_DATA,
        Label.SPAM,
    }
)
TO_ACT_ON: frozenset[Label] = frozenset({Label.CRITICISM, Label.QUESTION, Label.PRAISE, Label.SHOUTING})
ALL_LABELS: tuple[Label, ...] = tuple(Label)


class Action(StrEnum):
    HIDE = "hide"
    REVIEW = "review"
    KEEP = "keep"


ACTION_SEVERITY: dict[Action, int] = {Action.KEEP: 0, Action.REVIEW: 1, Action.HIDE: 2}


@dataclass(frozen=True)
class Context:
    """Optional context of a comment. Every field may be left out."""

    platform: str | None = None
    replies_to_commune: bool | None = None  # does it answer a post of the commune's own account?
    is_private: bool = False  # private message rather than public comment
    author_id: str | None = None
    author_account_age_days: int | None = None
    author_followers: int | None = None
    author_is_new: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Span:
    """A span of the ORIGINAL text: ``text[start:end]``."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Reason:
    """Why a label applies: the rule or model that fired, its evidence and the charter article."""

    label: Label
    source: str  # "rule:<name>" or "model:<name>"
    score: float
    evidence: tuple[Span, ...] = ()
    article: str | None = None  # charter article id
    detail: str = ""  # short French explanation for moderators

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label.value,
            "source": self.source,
            "score": round(self.score, 4),
            "evidence": [s.to_json() for s in self.evidence],
            "article": self.article,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Verdict:
    labels: tuple[Label, ...]  # every label whose score passed its threshold
    scores: dict[Label, float]  # every label's score in [0, 1]
    action: Action
    reasons: tuple[Reason, ...]
    article: str | None = None  # the charter article that decided the action, if any
    message: str | None = None  # courteous French message to the author (always set when action is hide)
    engine_version: str = ""
    charter_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": [label.value for label in self.labels],
            "action": self.action.value,
            "scores": {label.value: round(score, 4) for label, score in self.scores.items()},
            "reasons": [r.to_json() for r in self.reasons],
            "article": self.article,
            "message": self.message,
        }
