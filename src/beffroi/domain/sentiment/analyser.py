"""Explainable sentiment of a French mention: positive / neutral / negative.

A lexicon score (files in ``beffroi/data/veille/lexicons``: ``sentiment.txt``, ``emoji.txt``,
``intensifiers.txt``, ``negators.txt``) with:

- negation: a negator up to three words before a sentiment word, in the same clause, flips and damps
  it ("pas terrible", "ce n'est pas bien"; not "n'écoute personne, lamentable");
- intensifiers and attenuators up to two words before ("très", "trop", "un peu");
- emoji and emoticons, exclamation marks (amplify), capitals shouting;
- cheap irony: positive words together with an irony marker (🙄, 🤡, "bravo la mairie", "merci la
  mairie", quotes "génial"…) and a sign of complaint (a negative word, "!!", "…", a complaining
  question "on va se garer où ?", "encore", "moins") are read as negative.

Every decision is returned as a list of :class:`Cue` so the interface can say *why*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from beffroi.domain.sentiment.textprep import (
    PhraseMatcher,
    negators,
    read_lexicon_lines,
    stem,
    token_info,
    tokens,
)

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"

_IRONY_PHRASES = (
    "merci la mairie",
    "merci monsieur le maire",
    "merci madame la maire",
    "merci le maire",
    "bravo la mairie",
    "bravo le maire",
    "bravo les elus",
    "quelle bonne idee",
    "encore une bonne idee",
    "c est du propre",
    "on est gates",
    "genial vraiment",
    "la classe",
    "bel exemple",
    "vive la mairie",
)


@dataclass(frozen=True)
class Cue:
    """One element that moved the score: the text, its contribution and what it is."""

    text: str
    weight: float
    kind: str  # "word", "emoji", "negation", "intensifier", "irony", "punctuation"

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "weight": round(self.weight, 3), "kind": self.kind}


@dataclass(frozen=True)
class Sentiment:
    label: str
    score: float
    cues: tuple[Cue, ...] = field(default_factory=tuple)
    irony: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "score": round(self.score, 3),
            "irony": self.irony,
            "cues": [c.to_dict() for c in self.cues],
        }

    def explain_fr(self) -> str:
        names = {POSITIVE: "positif", NEUTRAL: "neutre", NEGATIVE: "négatif"}
        if not self.cues:
            return f"{names[self.label]} : aucun mot ni émoji marqué"
        parts = [
            f"« {c.text} » ({c.weight:+.1f})" for c in self.cues if c.kind in {"word", "emoji", "negation"}
        ]
        extra = []
        if any(c.kind == "negation" for c in self.cues):
            extra.append("négation")
        if self.irony:
            extra.append("ironie probable")
        tail = f" ; {', '.join(extra)}" if extra else ""
        return f"{names[self.label]} : " + ", ".join(parts) + tail


@lru_cache(maxsize=1)
def _word_matcher() -> PhraseMatcher:
    entries = []
    weights: dict[str, float] = {}
    for line in read_lexicon_lines("sentiment.txt"):
        phrase, _, weight = line.rpartition(" ")
        key = " ".join(tokens(phrase))
        if key:
            weights[key] = float(weight)
            entries.append((phrase, key))
    _WEIGHTS.update(weights)
    return PhraseMatcher(entries)


_WEIGHTS: dict[str, float] = {}


@lru_cache(maxsize=1)
def opinion_matcher() -> PhraseMatcher:
    """Strong opinion words of the lexicon (|weight| >= 1.5): they say how people feel, not what
    they talk about, so topic grouping leaves them out."""
    _word_matcher()
    entries = []
    for line in read_lexicon_lines("sentiment.txt"):
        phrase, _, weight = line.rpartition(" ")
        if abs(float(weight)) >= 1.5:
            entries.append((phrase, "opinion"))
    return PhraseMatcher(entries)


@lru_cache(maxsize=1)
def _emoji() -> tuple[dict[str, float], frozenset[str]]:
    table: dict[str, float] = {}
    irony: set[str] = set()
    for line in read_lexicon_lines("emoji.txt"):
        parts = line.split()
        table[parts[0]] = float(parts[1])
        if len(parts) > 2 and parts[2] == "ironie":
            irony.add(parts[0])
    return table, frozenset(irony)


@lru_cache(maxsize=1)
def _intensifiers() -> PhraseMatcher:
    entries = []
    for line in read_lexicon_lines("intensifiers.txt"):
        phrase, _, factor = line.rpartition(" ")
        key = " ".join(tokens(phrase))
        _FACTORS[key] = float(factor)
        entries.append((phrase, key))
    return PhraseMatcher(entries)


_FACTORS: dict[str, float] = {}
_IRONY_MATCHER: PhraseMatcher | None = None


def _irony_matcher() -> PhraseMatcher:
    global _IRONY_MATCHER
    if _IRONY_MATCHER is None:
        _IRONY_MATCHER = PhraseMatcher((p, "irony") for p in _IRONY_PHRASES)
    return _IRONY_MATCHER


_EXCLAMATIVE = frozenset(
    {"super", "genial", "bravo", "top", "parfait", "formidable", "merci", "magnifique", "chouette"}
)
_SCARE_QUOTES = re.compile(
    r"[«\"“]\s*(super|genial|génial|top|bravo|formidable|magnifique|parfait)\s*[»\"”]", re.I
)


#: Words of a complaining question ("on va se garer où ?", "on fait comment ?", "et pourquoi ?").
_COMPLAINT_WORDS = frozenset({"ou", "comment", "pourquoi", "encore", "moins"})


def _complaint(toks: list[str], text: str) -> bool:
    """Praise followed by a complaining question or "encore", "moins": "Bravo la mairie 👏 on va se
    garer où maintenant ?", "Super, encore moins de places"."""
    if any(t in {"encore", "moins"} for t in toks):
        return True
    return "?" in text and any(t in _COMPLAINT_WORDS for t in toks)


class SentimentAnalyser:
    """Stateless, thread-safe after the first call (lexicons are cached)."""

    def __init__(self, threshold: float = 0.75) -> None:
        self.threshold = threshold

    def analyse(self, text: str) -> Sentiment:
        info = token_info(text)
        toks = list(info.tokens)
        clauses = info.clauses
        stems = [stem(t) for t in toks]
        matcher = _word_matcher()
        intens = _intensifiers()
        negs = negators()
        cues: list[Cue] = []
        score = 0.0
        pos_total = 0.0
        neg_total = 0.0
        int_spans = {start: (end, labels[0]) for start, end, labels in intens.find(toks, stems)}
        for start, end, labels in matcher.find(toks, stems):
            base = _WEIGHTS.get(labels[0], 0.0)
            phrase = " ".join(toks[start:end])
            weight = base
            # intensifier/attenuator right before (window of two words)
            for j in range(max(0, start - 2), start):
                span = int_spans.get(j)
                if span is not None and span[0] <= start:
                    factor = _FACTORS.get(span[1], 1.0)
                    weight *= factor
                    cues.append(Cue(span[1], factor, "intensifier"))
                    break
            # a negation reaches the next three words of its own clause only: in "n'écoute vraiment
            # personne, lamentable" the comma ends it
            first = max(0, start - 3)
            while first < start and clauses[first] != clauses[start]:
                first += 1
            window = toks[first:start]
            if any(t in negs for t in window) and not any(t in negs for t in toks[start:end]):
                # "pas bien" is bad; "pas mal" is only mildly good
                weight = -0.8 * weight if weight > 0 else -0.5 * weight
                cues.append(Cue(" ".join([*window, phrase]), weight, "negation"))
            else:
                cues.append(Cue(phrase, weight, "word"))
            score += weight
            if weight > 0:
                pos_total += weight
            else:
                neg_total += weight
        table, irony_emoji = _emoji()
        irony = False
        ironic_emoji = False
        rest = text
        for symbol in sorted(table, key=len, reverse=True):
            weight = table[symbol]
            count = rest.count(symbol)
            if count:
                rest = rest.replace(symbol, " ")
                w = weight * min(count, 3) ** 0.5
                score += w
                cues.append(Cue(symbol, w, "emoji"))
                if weight > 0:
                    pos_total += w
                else:
                    neg_total += w
                if symbol in irony_emoji:
                    irony = True
                    ironic_emoji = weight <= 0  # 🙄, 🤡 (not 😂, which is mostly laughter)
        if _irony_matcher().find(toks, stems) or _SCARE_QUOTES.search(text) or "/s" in text:
            irony = True
        stripped = text.rstrip()
        if (
            stripped.endswith(("…", "..."))
            and any(t in _EXCLAMATIVE for t in toks)
            and (neg_total < 0 or any(t in negs for t in toks))
        ):
            irony = True  # "Super pour ceux qui n'ont pas de voiture…"
        if (
            irony
            and pos_total > 0
            and (
                neg_total < 0
                or "!!" in text
                or "..." in text
                or "…" in text
                or ironic_emoji
                or _complaint(toks, text)
            )
        ):
            # "Bravo la mairie, encore une hausse 🙄", "Bravo la mairie 👏 on va se garer où ?": the
            # praise is ironic
            flip = -1.6 * pos_total
            score += flip
            cues.append(Cue("ironie", flip, "irony"))
        bangs = text.count("!")
        if bangs >= 2 and score != 0.0:
            factor = 1.0 + min(bangs, 5) * 0.08
            score *= factor
            cues.append(Cue("!" * min(bangs, 5), factor, "punctuation"))
        letters = [ch for ch in text if ch.isalpha()]
        if len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.6 and score < 0:
            score *= 1.3
            cues.append(Cue("MAJUSCULES", 1.3, "punctuation"))
        if score >= self.threshold:
            label = POSITIVE
        elif score <= -self.threshold:
            label = NEGATIVE
        else:
            label = NEUTRAL
        return Sentiment(label=label, score=score, cues=tuple(cues), irony=irony)


_DEFAULT: SentimentAnalyser | None = None


def analyse(text: str) -> Sentiment:
    """Sentiment of one text with the default analyser."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SentimentAnalyser()
    return _DEFAULT.analyse(text)
