"""How specific a content term is: a prior from general French word frequencies (``wordfreq``, which
ships its data in the package) damped by how many distinct conversations of this commune use it.

A term used in many unrelated clusters ("mairie", "ville", the commune's own name) says little about
which claim a post makes; a term concentrated in one story ("piscine" during the rumour, "Carrefour")
keeps its weight, because the damping counts clusters, not posts, and at most a few new clusters per
term and hour (a story that splits does not damp itself).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

CONCEPT_WEIGHT = 3.0
PREDICATE_WEIGHT = 2.5
GENERIC_CONCEPTS = frozenset({"C:mairie", "C:habitant", "C:temps"})


@lru_cache(maxsize=1)
def _zipf() -> Callable[[str], float]:
    try:
        module: Any = importlib.import_module("wordfreq")
    except ImportError:  # pragma: no cover - wordfreq is a declared dependency
        return lambda _word: 3.5
    fn = module.zipf_frequency

    def zipf(word: str) -> float:
        return float(fn(word, "fr"))

    return zipf


@lru_cache(maxsize=65536)
def word_zipf(word: str) -> float:
    return _zipf()(word)


def prior_weight(term: str, surface: str = "") -> float:
    if term.startswith("C:"):
        return 1.0 if term in GENERIC_CONCEPTS else CONCEPT_WEIGHT
    if term.startswith(("P:", "A:")):
        return PREDICATE_WEIGHT
    zipf = word_zipf(surface or term)
    if zipf <= 0.0 and surface:
        zipf = 2.5  # unknown word: rare name or typo
    elif zipf <= 0.0:
        zipf = 3.0
    return max(0.5, min(4.5, 7.0 - zipf))


#: One hour adds at most this many clusters to the count of a term: the commune's everyday words
#: ("mairie", its own name, the market), taken up by conversation after conversation all day long, are
#: damped, while a story told in ten ways within the hour ("le Carrefour ferme", eleven young clusters
#: before they merge) does not damp its own subject.
HOURLY_CAP = 3
#: When this many clusters have been counted, every count is halved (recent months weigh more, the
#: state stays small).
COUNT_CAP = 20000
SMOOTH = 200.0  # a young stream damps nothing
SCALE = 0.05  # a term taken up by 5 % of the commune's conversations weighs half its prior
#: A content word written as a proper name in the middle of a sentence ("le Carrefour", "l'école
#: Jean-Moulin") names one thing, however common the word is in French.
PROPER_PRIOR = 3.5
PROPER_MAX_ZIPF = 5.0


class TermStats:
    """How many of the commune's conversations (clusters) use each term, learned online, each term
    counting at most ``HOURLY_CAP`` new clusters an hour; the prior comes from French word frequencies.

    Without the hourly cap a story that split early ("le Carrefour ferme" told in ten ways, ten young
    clusters) damped its own subject below the thresholds that would merge it, and stayed split."""

    def __init__(self) -> None:
        self.clusters = 0
        self.cf: dict[str, float] = {}
        self.prior: dict[str, float] = {}
        self.hour: dict[str, list[int]] = {}  # term -> [hour number, clusters counted in that hour]
        self._cache: dict[str, float] = {}

    def new_cluster(self) -> None:
        self.clusters += 1
        if self.clusters >= COUNT_CAP:
            self.clusters //= 2
            self.cf = {t: v / 2.0 for t, v in self.cf.items() if v >= 1.0}
            self.hour = {t: h for t, h in self.hour.items() if t in self.cf}
        self._cache.clear()

    def add_cluster_terms(self, ts: float, terms: list[str]) -> None:
        """A cluster starts using these terms at time ``ts``."""
        hour = int(ts // 3600)
        for term in sorted(set(terms)):
            seen = self.hour.get(term)
            if seen is None or seen[0] != hour:
                seen = [hour, 0]
                self.hour[term] = seen
            if seen[1] >= HOURLY_CAP:
                continue  # a burst is not the commune's everyday vocabulary
            seen[1] += 1
            self.cf[term] = self.cf.get(term, 0.0) + 1.0
            self._cache.pop(term, None)

    def note_prior(self, term: str, surface: str, proper: bool = False) -> None:
        if term not in self.prior:
            self.prior[term] = prior_weight(term, surface)
            self._cache.pop(term, None)
        if (
            proper
            and self.prior[term] < PROPER_PRIOR
            and not term.startswith(("C:", "P:", "A:"))
            and word_zipf(surface or term) < PROPER_MAX_ZIPF
        ):
            self.prior[term] = PROPER_PRIOR
            self._cache.pop(term, None)

    def share(self, term: str) -> float:
        """Smoothed share of the commune's conversations that use the term."""
        return self.cf.get(term, 0.0) / (self.clusters + SMOOTH)

    def weight(self, term: str) -> float:
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        value = self._weight(term)
        self._cache[term] = value
        return value

    def _weight(self, term: str) -> float:
        base = self.prior.get(term)
        if base is None:
            base = prior_weight(term)
        return base / (1.0 + self.share(term) / SCALE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "clusters": self.clusters,
            "cf": dict(self.cf),
            "prior": dict(self.prior),
            "hour": {t: list(h) for t, h in self.hour.items()},
        }

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> TermStats:
        stats = cls()
        stats.clusters = int(obj["clusters"])
        stats.cf = {str(k): float(v) for k, v in obj["cf"].items()}
        stats.prior = {str(k): float(v) for k, v in obj["prior"].items()}
        stats.hour = {str(t): [int(h[0]), int(h[1])] for t, h in obj.get("hour", {}).items()}
        return stats
