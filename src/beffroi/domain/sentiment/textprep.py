"""Small, self-contained text preparation for the watch ("veille") pipeline.

Social-media French: accents, elisions, SMS spellings, elongated letters, hashtags, emoji. This
module deliberately does not depend on ``beffroi.domain.text`` (owned by the moderation area): the
watch needs only tokens, light stems and lexicon phrases.

Everything here is deterministic and pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "veille" / "lexicons"

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@[\w.]+")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-][a-z0-9]+)*|[%€]")
_NUMBER_UNIT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(%|pour ?cent|€|euros?|eur\b|h\b|h\d\d|heures?\b|ans?\b|places?\b|km\b|m\b|kg\b)"
)

# SMS and informal spellings -> standard tokens (applied token by token, after accent removal).
SMS: dict[str, str] = {
    "ya": "il y a",
    "yaura": "il y aura",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pkoi": "pourquoi",
    "koi": "quoi",
    "ds": "dans",
    "tt": "tout",
    "tte": "toute",
    "ttes": "toutes",
    "tts": "tous",
    "bcp": "beaucoup",
    "mm": "meme",
    "jsp": "je sais pas",
    "jpp": "j en peux plus",
    "ct": "c etait",
    "sa": "ca",
    "g": "j ai",
    "mairi": "mairie",
    "msieur": "monsieur",
    "pr": "pour",
    "pcq": "parce que",
    "pke": "parce que",
    "qd": "quand",
    "slt": "salut",
    "stp": "s il te plait",
    "svp": "s il vous plait",
    "auj": "aujourd hui",
    "ajd": "aujourd hui",
    "dmain": "demain",
    "tjs": "toujours",
    "tjrs": "toujours",
    "vrmt": "vraiment",
    "vrm": "vraiment",
    "grv": "grave",
    "oklm": "tranquille",
    "wesh": "",
    "frr": "",
    "mdr": "",
    "ptdr": "",
    "lol": "",
}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower case, no accents, no URLs or @mentions, hashtags split, elongations squeezed."""
    t = text.replace("’", "'").replace("`", "'").replace("œ", "oe").replace("Œ", "oe")
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t)
    t = t.replace("#", " ")
    t = strip_accents(t).lower()
    t = _ELONGATED.sub(r"\1", t)
    return t


def tokens(text: str) -> list[str]:
    """Word tokens of a text (normalised, elisions split, SMS spellings expanded)."""
    return list(_tokens(text))


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[str, ...]:
    norm = normalise(text).replace("'", " ")
    out: list[str] = []
    for tok in _TOKEN.findall(norm):
        repl = SMS.get(tok)
        if repl is None:
            out.append(tok)
        elif repl:
            out.extend(repl.split())
    return tuple(out)


#: What ends a clause: a negation or an opinion word does not reach over it ("c'est fini, il ferme").
_CLAUSE_BREAK = re.compile(r"[,;:.!?…()\[\]\n=/|]")
_SENTENCE_BREAK = re.compile(r"[.!?…:\n]|[^\w\s,;'\"«»“”()\-]")
_TOKEN_OR_BREAK = re.compile(r"[a-z0-9]+(?:[-][a-z0-9]+)*|[%€]|[,;:.!?…()\[\]\n=/|]")
_CLAUSE_WORDS = frozenset({"mais", "pourtant", "cependant", "sinon"})


@dataclass(frozen=True)
class TokenInfo:
    """The tokens of :func:`tokens` with, for each, its clause number (punctuation and "mais" start a
    new clause) and whether the author capitalised it in the middle of a sentence (a proper name:
    "le Carrefour", "l'école Jean-Moulin")."""

    tokens: tuple[str, ...]
    clauses: tuple[int, ...]
    proper: tuple[bool, ...]
    #: per token: the word as written, in lower case with its accents ("fériés" for "feries")
    accented: tuple[str, ...] = ()


@lru_cache(maxsize=16384)
def token_info(text: str) -> TokenInfo:
    t = text.replace("’", "'").replace("`", "'").replace("œ", "oe").replace("Œ", "oe")
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t).replace("#", " ")
    cased = strip_accents(t)
    where: list[int] | range = range(len(t))
    if len(cased) != len(t):  # a character that decomposes into several letters ("ﬁ"): map them back
        chars: list[str] = []
        where = []
        for i, ch in enumerate(t):
            for sub in unicodedata.normalize("NFKD", ch):
                if not unicodedata.combining(sub):
                    chars.append(sub)
                    where.append(i)
        cased = "".join(chars)
    lower = cased.lower()
    aligned = len(lower) == len(cased)
    letters = [ch for ch in cased if ch.isalpha()]
    shouting = len(letters) >= 8 and sum(ch.isupper() for ch in letters) / len(letters) > 0.5
    toks: list[str] = []
    clauses: list[int] = []
    proper: list[bool] = []
    accented: list[str] = []
    clause = 0
    last_end = -1
    for m in _TOKEN_OR_BREAK.finditer(lower.replace("'", " ")):
        raw = m.group(0)
        if _CLAUSE_BREAK.fullmatch(raw):
            clause += 1
            continue
        gap = lower[last_end : m.start()] if last_end >= 0 else ""
        initial = last_end < 0 or bool(_SENTENCE_BREAK.search(gap))
        last_end = m.end()
        word = _ELONGATED.sub(r"\1", raw)
        cap = False
        if aligned and not initial and not shouting:
            original = cased[m.start() : m.end()]
            cap = original[:1].isupper()
        repl = SMS.get(word)
        if repl is None:
            if word in _CLAUSE_WORDS and toks:
                clause += 1
            toks.append(word)
            clauses.append(clause)
            proper.append(cap)
            written = t[where[m.start()] : where[m.end() - 1] + 1].lower() if aligned else word
            accented.append(written if written == raw or strip_accents(written) == raw else word)
        elif repl:
            for part in repl.split():
                toks.append(part)
                clauses.append(clause)
                proper.append(False)
                accented.append(part)
    if tuple(toks) != _tokens(text):  # pragma: no cover - a spelling the two readings cut differently
        plain = _tokens(text)
        return TokenInfo(plain, (0,) * len(plain), (False,) * len(plain), plain)
    return TokenInfo(tuple(toks), tuple(clauses), tuple(proper), tuple(accented))


_SUFFIXES: tuple[str, ...] = (
    "issements",
    "issement",
    "eraient",
    "assions",
    "issions",
    "ements",
    "ations",
    "atrices",
    "ateurs",
    "aient",
    "ement",
    "ation",
    "atrice",
    "ateur",
    "erons",
    "eront",
    "erait",
    "euses",
    "euse",
    "ait",
    "ees",
    "ee",
    "es",
    "er",
    "ez",
    "e",
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light French stemmer: plural, gender and the most common verb/noun endings.

    It is not linguistically complete; it only needs to map inflected forms of the same word
    together (réservée, réservé, réserver, réservation -> "reserv").
    """
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("aux") and len(w) > 5:
        w = w[:-3] + "al"
    elif (w.endswith("s") and not w.endswith("ss")) or w.endswith(("eux", "oux")):
        w = w[:-1]
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    return w


def read_lexicon_lines(name: str, directory: Path | None = None) -> list[str]:
    """Non-empty, non-comment lines of a lexicon file."""
    path = (directory or LEXICON_DIR) / name
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(tokens(phrase))


class PhraseMatcher:
    """Greedy longest-match of multi-word phrases over a token list.

    Each phrase maps to one or more labels. Matching is on exact tokens, then on stems, so
    "réservées" matches the phrase "réservé".
    """

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self._exact: dict[tuple[str, ...], list[str]] = {}
        self._stemmed: dict[tuple[str, ...], list[str]] = {}
        # first token -> phrase lengths starting with it (longest first), exact and stemmed
        self._first_exact: dict[str, list[int]] = {}
        self._first_stem: dict[str, list[int]] = {}
        self.max_len = 1
        for phrase, label in entries:
            key = phrase_key(phrase)
            if not key:
                continue
            self._exact.setdefault(key, [])
            if label not in self._exact[key]:
                self._exact[key].append(label)
            skey = tuple(stem(t) for t in key)
            self._stemmed.setdefault(skey, [])
            if label not in self._stemmed[skey]:
                self._stemmed[skey].append(label)
            self.max_len = max(self.max_len, len(key))
            for index, k in ((self._first_exact, key), (self._first_stem, skey)):
                lengths = index.setdefault(k[0], [])
                if len(k) not in lengths:
                    lengths.append(len(k))
                    lengths.sort(reverse=True)

    def find(
        self, toks: Sequence[str], stems: Sequence[str] | None = None
    ) -> list[tuple[int, int, list[str]]]:
        """Non-overlapping matches as (start, end, labels), longest first, left to right."""
        if stems is None:
            stems = [stem(t) for t in toks]
        out: list[tuple[int, int, list[str]]] = []
        i = 0
        n = len(toks)
        first_exact = self._first_exact
        first_stem = self._first_stem
        while i < n:
            lengths_e = first_exact.get(toks[i], ())
            lengths_s = first_stem.get(stems[i], ())
            if not lengths_e and not lengths_s:
                i += 1
                continue
            matched = 0
            for length in sorted({*lengths_e, *lengths_s}, reverse=True):
                if i + length > n:
                    continue
                labels = self._exact.get(tuple(toks[i : i + length])) if length in lengths_e else None
                if labels is None and length in lengths_s:
                    labels = self._stemmed.get(tuple(stems[i : i + length]))
                if labels is not None:
                    out.append((i, i + length, labels))
                    matched = length
                    break
            i += matched or 1
        return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for line in read_lexicon_lines("stopwords.txt"):
        words.update(line.split())
    return frozenset(words)


@lru_cache(maxsize=1)
def negators() -> frozenset[str]:
    words: set[str] = set()
    for line in read_lexicon_lines("negators.txt"):
        words.update(line.split())
    return frozenset(words)


def numbers_with_units(text: str) -> list[tuple[float, str]]:
    """Numbers followed by a unit (%, €, h, ans, places …), unit canonicalised."""
    norm = strip_accents(text.lower()).replace("\u202f", " ").replace("\xa0", " ")
    out: list[tuple[float, str]] = []
    for m in _NUMBER_UNIT.finditer(norm):
        value = float(m.group(1).replace(",", "."))
        unit = m.group(2).strip()
        if unit.startswith("pour") or unit == "%":
            unit = "%"
        elif unit in {"€", "eur"} or unit.startswith("euro"):
            unit = "€"
        elif unit.startswith("h"):
            unit = "h"
        elif unit.startswith("an"):
            unit = "ans"
        elif unit.startswith("place"):
            unit = "places"
        out.append((value, unit))
    return out
