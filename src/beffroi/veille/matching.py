"""Matching the commune's watch terms in a text: whole words, case and accents ignored, hashtags
included ("#FêteDuPain" matches the term "Fête du pain", "#SaintAubin" matches "Saint-Aubin").

Pure Python (no Django), so it can be tested and reused by the command line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from beffroi.domain.sentiment.textprep import tokens


def parts(text: str) -> tuple[str, ...]:
    """Folded word parts of a text (hyphenated words split)."""
    out: list[str] = []
    for tok in tokens(text):
        out.extend(p for p in tok.split("-") if p)
    return tuple(out)


def fold_term(text: str) -> str:
    """The canonical form of a term (used for uniqueness): folded words joined by spaces."""
    return " ".join(parts(text))


@dataclass(frozen=True)
class Term:
    label: str  # as the commune wrote it
    words: tuple[str, ...]

    @property
    def glued(self) -> str:
        return "".join(self.words)


class TermMatcher:
    """Finds which of the commune's terms a text mentions."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms: list[Term] = []
        seen: set[tuple[str, ...]] = set()
        for label in terms:
            words = parts(label)
            if words and words not in seen:
                seen.add(words)
                self.terms.append(Term(label=label.strip(), words=words))
        self._by_first: dict[str, list[Term]] = {}
        self._by_glued: dict[str, list[Term]] = {}
        for term in self.terms:
            self._by_first.setdefault(term.words[0], []).append(term)
            if len(term.glued) >= 5:
                self._by_glued.setdefault(term.glued, []).append(term)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, text: str) -> list[str]:
        """Labels of the terms found in ``text`` (each once, in the order of the commune's list)."""
        words = parts(text)
        if not words or not self.terms:
            return []
        found: set[str] = set()
        n = len(words)
        for i, word in enumerate(words):
            for term in self._by_first.get(word, ()):
                k = len(term.words)
                if words[i : i + k] == term.words:
                    found.add(term.label)
            # a hashtag or a glued spelling: "#fetedupain", "saintaubin"
            for term in self._by_glued.get(word, ()):
                found.add(term.label)
            # the opposite: the term is one glued word ("#FeteDuPain") written in several words
            glued = word
            for j in range(i + 1, min(n, i + 5)):
                glued += words[j]
                for term in self._by_glued.get(glued, ()):
                    found.add(term.label)
        return [t.label for t in self.terms if t.label in found]
