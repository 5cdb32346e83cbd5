"""Resolving obfuscated tokens to lexicon words, guarded by French word frequencies.

A token that is not a lexicon word may still be one, misspelt on purpose: a masked letter
("p*te"), a deleted, added, replaced or swapped letter ("conard", "connrad"), a doubled letter
squeezed ("conard" for "connard"), or several words glued together ("jedetesteles"). Fuzzy matching
(edit distance 1 with transposition) only applies to rare tokens: a common French word is never
rewritten into a lexicon word ("pote" never becomes "pute").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping

from beffroi.domain.moderation.lexicon import Lexicon
from beffroi.domain.text.normalise import strip_accents

COMMON_ZIPF = 2.8  # tokens at least this frequent are real words: never fuzzed
SEGMENT_ZIPF = 3.4  # words allowed as pieces when splitting a glued token
FREQUENT_ZIPF = 4.5  # two such words side by side are never glued into one ("de mon" is not "démon")
_CACHE_LIMIT = 50_000  # bounded: a stream of endless new tokens (ids, numbers) keeps a flat memory
_MASKED_CATEGORIES = frozenset({"insults", "slurs", "sexual", "profanity", "identity"})
_ELISIONS = frozenset("jltdmncsy")
_SKELETON = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """The word with doubled letters collapsed ("connard" -> "conard")."""
    return _SKELETON.sub(r"\1", word)


def osa_distance_le1(a: str, b: str) -> bool:
    """True when a and b are within one edit (insert, delete, substitute, adjacent swap)."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) <= 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer: a must equal b with one char deleted
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def word_frequencies() -> dict[str, float]:
    """Accent-free French word -> Zipf frequency, from wordfreq (loaded once per process)."""
    import math

    import wordfreq

    freqs: dict[str, float] = {}
    threshold = 10 ** (min(COMMON_ZIPF, SEGMENT_ZIPF) - 9)
    for word, freq in wordfreq.get_frequency_dict("fr").items():
        if freq < threshold:
            continue
        key = strip_accents(word)
        if not key.isalpha() or not key.isascii():
            continue
        zipf = math.log10(freq) + 9
        if zipf > freqs.get(key, 0.0):
            freqs[key] = zipf
    return freqs


class Resolver:
    """Maps a normalised token to the lexicon token(s) it stands for (cached, thread-safe)."""

    def __init__(self, lexicon: Lexicon, frequencies: Mapping[str, float]) -> None:
        self.lexicon = lexicon
        self.known = lexicon.tokens
        self.common = {w for w, z in frequencies.items() if z >= COMMON_ZIPF}
        self.frequent = {w for w, z in frequencies.items() if z >= FREQUENT_ZIPF}
        self.segment_vocab = {w for w, z in frequencies.items() if z >= SEGMENT_ZIPF} | set(lexicon.tokens)
        self.content = lexicon.content_tokens
        # words people mask with '*' are abusive ones: "p*te" is "pute", not "pote"
        self.abusive = {
            token
            for entry, forms in lexicon.forms.items()
            if entry.category in _MASKED_CATEGORIES
            for form in forms
            for token in form
        }
        self._deletes: dict[str, list[str]] = {}
        self._skeletons: dict[str, list[str]] = {}
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(self.content):
            if len(word) >= 5:
                for key in self._delete_keys(word):
                    self._deletes.setdefault(key, []).append(word)
            self._skeletons.setdefault(skeleton(word), []).append(word)
            self._by_length.setdefault(len(word), []).append(word)
        # words written with a capital in French: peoples, religions, nationalities
        self.capitalised = {
            t
            for e, forms in lexicon.forms.items()
            if e.category == "identity"
            for f in forms
            for t in f
            if len(t) >= 4
        }
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _delete_keys(word: str) -> set[str]:
        return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}

    def is_common(self, token: str) -> bool:
        return token in self.common

    def resolve(self, token: str, fuzzy: bool = True) -> tuple[str, ...]:
        """The lexicon token(s) ``token`` stands for; ``(token,)`` when none. ``fuzzy=False`` for
        proper nouns ("Catan" is not "catin"): only exact words, masks and splits."""
        if not fuzzy:  # a capitalised word: a name, or a group name ("Asiaitques", "Arabessont")
            if token in self.known:
                return (token,)
            if "*" in token:
                return (self._wildcard(token) or token,)
            near = self._near(token, self.capitalised)
            if near:
                return (near,)
            return self._segment(token) or (token,) if len(token) >= 6 else (token,)
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        result = self._resolve(token)
        if len(self._cache) < _CACHE_LIMIT:
            with self._lock:
                self._cache[token] = result
        return result

    def _best(self, candidates: Iterable[str], token: str) -> str | None:
        best: tuple[float, str] | None = None
        for cand in candidates:
            score = self.known.get(cand, 0.0) + (0.5 if cand[0] == token[0] else 0.0)
            if best is None or score > best[0] or (score == best[0] and cand < best[1]):
                best = (score, cand)
        return best[1] if best else None

    def _resolve(self, token: str) -> tuple[str, ...]:
        if token in self.known or not token.isascii():
            return (token,)
        if "*" in token:
            return (self._wildcard(token) or token.replace("*", ""),)
        if len(token) < 4 or token.isdigit() or token in self.common:
            return (token,)
        skel = self._skeletons.get(skeleton(token))
        if skel:
            best = self._best(skel, token)
            if best:
                return (best,)
        near = self._near(token)
        if near:
            return (near,)
        if len(token) >= 6:
            pieces = self._segment(token)
            if pieces:
                return pieces
        return (token,)

    def _near(self, token: str, within: set[str] | None = None) -> str | None:
        """A lexicon word one edit away. Five-letter words: no replaced letter ("catan" is not
        "catin"); four-letter words: a swap, or a letter missing from a group name ("jifs")."""
        seen: set[str] = set()
        if len(token) >= 5:
            for key in self._delete_keys(token):
                for cand in self._deletes.get(key, ()):
                    if cand in seen or not osa_distance_le1(token, cand):
                        continue
                    if len(token) < 6 and len(cand) == len(token) and sorted(cand) != sorted(token):
                        continue
                    seen.add(cand)
        elif len(token) == 4:
            for i in range(1, len(token) - 1):
                swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
                if swapped in self.content:
                    seen.add(swapped)
            seen.update(c for c in self._deletes.get(token, ()) if len(c) == 5 and c in self.capitalised)
        if within is not None:
            seen &= within
        return self._best(seen, token) if seen else None

    def _wildcard(self, token: str) -> str | None:
        pattern = re.compile(re.escape(token).replace(r"\*", "[a-z]"))
        matches = [w for w in self._by_length.get(len(token), ()) if pattern.fullmatch(w)]
        abusive = [w for w in matches if w in self.abusive]
        return self._best(abusive or matches, token) if matches else None

    def _segment(self, token: str) -> tuple[str, ...] | None:
        """Split a glued token into known words, fewest pieces first; None if no useful split."""
        n = len(token)
        if n > 60:
            return None
        vocab = self.segment_vocab
        best: list[tuple[str, ...] | None] = [None] * (n + 1)
        best[0] = ()
        for end in range(1, n + 1):
            for start in range(max(0, end - 20), end):
                prefix = best[start]
                if prefix is None:
                    continue
                piece = token[start:end]
                if piece not in vocab and not (len(piece) == 1 and piece in _ELISIONS):
                    continue
                current = best[end]
                candidate = (*prefix, piece)
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
        pieces = best[n]
        if not pieces or len(pieces) < 2:
            return None
        if not any(p in self.content for p in pieces):
            return None
        if sum(1 for p in pieces if len(p) <= 2) > len(pieces) // 2 + 1:
            return None
        return pieces
