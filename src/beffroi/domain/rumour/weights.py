"""How specific a content term is: a prior from general French word frequencies (``wordfreq``, which
ships its data in the package) damped by how many distinct conversations of this commune use it.

A term used in many unrelated clusters ("mairie", "ville") says little about which claim a post makes;
a term concentrated in one cluster ("piscine" during the rumour) keeps its weight, because the
damping counts clusters, not posts.
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


class TermStats:
    """Cluster frequency of terms, learned online from the stream."""

    def __init__(self) -> None:
        self.clusters = 0
        self.cf: dict[str, int] = {}
        self.prior: dict[str, float] = {}
        self._cache: dict[str, float] = {}
        self._cache_key = -1

    def add_cluster_terms(self, terms: list[str]) -> None:
        for t in terms:
            self.cf[t] = self.cf.get(t, 0) + 1
        if terms:
            self._cache.clear()

    def note_prior(self, term: str, surface: str) -> None:
        if term not in self.prior:
            self.prior[term] = prior_weight(term, surface)
            self._cache.pop(term, None)

    def weight(self, term: str) -> float:
        if self._cache_key != self.clusters:
            self._cache.clear()
            self._cache_key = self.clusters
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
        # smoothed share of clusters using the term: a young stream damps nothing
        share = self.cf.get(term, 0) / (self.clusters + 200.0)
        return base / (1.0 + share / 0.05)

    def to_dict(self) -> dict[str, Any]:
        return {"clusters": self.clusters, "cf": dict(self.cf), "prior": dict(self.prior)}

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> TermStats:
        stats = cls()
        stats.clusters = int(obj["clusters"])
        stats.cf = {str(k): int(v) for k, v in obj["cf"].items()}
        stats.prior = {str(k): float(v) for k, v in obj["prior"].items()}
        return stats
