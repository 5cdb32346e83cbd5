"""Normalisation of social-media French, with a map back to the original characters.

The normalised form is lowercase ASCII letters and digits (plus punctuation and emoji, kept as
they are): accents and combining marks removed, zero-width and bidi controls removed, homoglyphs
(Cyrillic/Greek lookalikes, fullwidth, mathematical and enclosed letters, emoji letters) mapped to
latin letters, spaced-out or punctuated letters joined ("c o n", "c.o.n" -> "con"), leetspeak
decoded inside tokens that mix letters and digits/symbols ("s4l0pe" -> "salope") and runs of three
or more identical letters squeezed to two ("connnnard" -> "connard").

Every character of the normalised text keeps the offsets ``[start, end)`` of the original
characters it comes from, so a match in the normalised text maps back to a span of the original.
URLs, e-mail addresses and @handles are only lowercased (never leet-decoded or joined).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from beffroi.domain.text.confusables import APOSTROPHES, HOMOGLYPHS, QUOTES, REMOVED

_CACHE_LIMIT = 50_000
_char_cache: dict[str, str] = {}


def _map_char_uncached(char: str) -> str:
    if char in REMOVED:
        return ""
    mapped = HOMOGLYPHS.get(char)
    if mapped is not None:
        return mapped
    if char in APOSTROPHES:
        return "'"
    if char in QUOTES:
        return '"'
    code = ord(char)
    # Emoji letters: negative circled, squared, negative squared capitals, regional indicators.
    for base in (0x1F130, 0x1F150, 0x1F170, 0x1F1E6):
        if base <= code < base + 26:
            return chr(ord("a") + code - base)
    if 0x1F110 <= code <= 0x1F129:  # parenthesized capital letters 🄐
        return chr(ord("a") + code - 0x1F110)
    if 0x249C <= code <= 0x24B5:  # parenthesized small letters ⒜
        return chr(ord("a") + code - 0x249C)
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf"):
        return ""
    if category == "Zs" or char == "\t":
        return " "
    if char in "\r\n\u2028\u2029\x0b\x0c\x85":
        return "\n"
    if category == "Cc":
        return " "
    decomposed = unicodedata.normalize("NFKD", char)
    out = []
    for part in decomposed:
        if unicodedata.combining(part) or part in REMOVED:
            continue
        mapped = HOMOGLYPHS.get(part)
        out.append(mapped if mapped is not None else part.lower())
    result = "".join(out)
    if len(result) > 3:  # e.g. "ﷺ" expands to a sentence: keep the symbol as it is
        return char
    return result


def map_char(char: str) -> str:
    """The normalised form of one character ('' when it is dropped)."""
    cached = _char_cache.get(char)
    if cached is not None:
        return cached
    result = _map_char_uncached(char)
    if len(_char_cache) < _CACHE_LIMIT:
        _char_cache[char] = result
    return result


_ASCII_TABLE = str.maketrans({"`": "'", "\t": " ", "\r": "\n"})

# Text that must not be rewritten (only lowercased): URLs, e-mail addresses, @handles.
_PROTECTED = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}"
    r"|(?<![a-z0-9])@[a-z0-9_]+"
    r"|(?<![a-z0-9@])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:fr|com|net|org|io|ly|be|eu|info|biz|me|co|gl|gg|xyz|ru|cn)(?:/\S*)?(?![a-z0-9])"
)

# Runs of at least three single letters separated by spaces or punctuation: "c o n", "c.o.n".
_SPACED = re.compile(r"(?<![a-z0-9'_@])[a-z0-9](?:[ ._*/|~+-]{1,3}[a-z0-9](?![a-z0-9])){2,}")
_SEPARATORS = re.compile(r"[ ._*/|~+-]+")

_LEET = {
    "0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "€": "e", "!": "i", "|": "l", "£": "l", "+": "t",
}  # fmt: skip
# A chunk of word characters and leet symbols ("s4l0pe", "$alope", "c0nn@rd", "p*te").
_LEET_CHUNK = re.compile(r"[a-z0-9@$€!|£+*]+")
_LEET_SKIP = re.compile(r"\d+[a-z]{0,3}|[a-z]{1,2}\d+|\d+(?:[a-z]{1,3}\d+)+|[0-9+*]+")
_SQUEEZE = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True)
class Normalised:
    """A normalised text and, for each of its characters, the original span it comes from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` covering normalised characters ``[start, end)``."""
        if not self.text:
            return (0, 0)
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return (self.starts[start], self.ends[end - 1])

    def original_text(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]


class _Buffer:
    """The text being normalised with its offset arrays; passes rewrite it with edits."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends

    def apply(self, edits: list[tuple[int, int, str]]) -> None:
        """Replace ``text[i:j]`` by ``repl`` for each (i, j, repl), sorted and disjoint."""
        if not edits:
            return
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for i, j, repl in edits:
            parts.append(self.text[pos:i])
            starts.extend(self.starts[pos:i])
            ends.extend(self.ends[pos:i])
            if len(repl) == j - i:
                starts.extend(self.starts[i:j])
                ends.extend(self.ends[i:j])
            elif repl:
                s, e = self.starts[i], self.ends[j - 1]
                starts.extend([s] * len(repl))
                ends.extend([e] * len(repl))
            parts.append(repl)
            pos = j
        parts.append(self.text[pos:])
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        self.text = "".join(parts)
        self.starts = starts
        self.ends = ends


_simple: dict[int, str] = {}  # characters whose normalised form is exactly one character
_complex: set[str] = set()


def _is_simple(char: str) -> bool:
    if char in _complex:
        return False
    mapped = map_char(char)
    if len(mapped) == 1:
        if len(_simple) < _CACHE_LIMIT:
            _simple[ord(char)] = mapped
        return True
    if len(_complex) < _CACHE_LIMIT:
        _complex.add(char)
    return False


def _map_characters(original: str) -> _Buffer:
    if original.isascii():
        text = original.lower().translate(_ASCII_TABLE)
        n = len(text)
        return _Buffer(text, list(range(n)), list(range(1, n + 1)))
    # fast path: every character maps to exactly one (accented letters, most symbols)
    if all(ord(c) in _simple or _is_simple(c) for c in set(original)):
        text = original.translate(_simple)
        n = len(text)
        return _Buffer(text, list(range(n)), list(range(1, n + 1)))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(original):
        mapped = map_char(char)
        if not mapped:
            if ends:  # a dropped character belongs to the previous one's span
                ends[-1] = index + 1
            continue
        for out in mapped:
            chars.append(out)
            starts.append(index)
            ends.append(index + 1)
    return _Buffer("".join(chars), starts, ends)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    if "." not in text and "@" not in text:
        return []
    return [m.span() for m in _PROTECTED.finditer(text)]


def _inside(spans: list[tuple[int, int]], i: int, j: int) -> bool:
    return any(a < j and i < b for a, b in spans)


def _join_spaced(buf: _Buffer, protected: list[tuple[int, int]]) -> None:
    edits: list[tuple[int, int, str]] = []
    for match in _SPACED.finditer(buf.text):
        i, j = match.span()
        chunk = match.group()
        # keep the euphonic "-t-" of "y a-t-il" / "va-t-elle"
        if chunk.endswith("-t") and buf.text[j : j + 1] == "-":
            chunk = chunk[:-2]
            j -= 2
        letters = _SEPARATORS.sub("", chunk)
        if len(letters) < 3 or sum(c.isalpha() for c in letters) < 2:
            continue
        if protected and _inside(protected, i, j):
            continue
        # one edit per separator so every kept letter keeps its own offset
        for sep in _SEPARATORS.finditer(chunk):
            edits.append((i + sep.start(), i + sep.end(), ""))
    buf.apply(edits)


def _decode_leet(buf: _Buffer, protected: list[tuple[int, int]]) -> None:
    edits: list[tuple[int, int, str]] = []
    text = buf.text
    for match in _LEET_CHUNK.finditer(text):
        chunk = match.group()
        if chunk.isalpha() or chunk.isdigit():
            continue
        start = match.start()
        # punctuation at the edges is punctuation, not leet ("con!!!", "|pipe|")
        core = chunk.rstrip("!|+*")
        lead = len(core) - len(core.lstrip("!|+*@"))
        core = core[lead:]
        if len(core) < 3 or not any(c.isalpha() for c in core) or _LEET_SKIP.fullmatch(core):
            continue
        if sum(c.isalpha() for c in core) < 2:
            continue
        base = start + lead
        if protected and _inside(protected, base, base + len(core)):
            continue
        for k, char in enumerate(core):
            repl = _LEET.get(char)
            if repl is not None:
                edits.append((base + k, base + k + 1, repl))
    buf.apply(edits)


def _squeeze(buf: _Buffer, protected: list[tuple[int, int]]) -> None:
    edits = []
    for match in _SQUEEZE.finditer(buf.text):
        i, j = match.span()
        if protected and _inside(protected, i, j):
            continue
        # keep two letters; the second one covers the whole original run
        edits.append((i + 1, j, match.group(1)))
    buf.apply(edits)


def normalise(text: str) -> Normalised:
    """Normalise ``text`` (see the module's doc) and keep the map to the original offsets."""
    buf = _map_characters(text)
    protected = _protected_spans(buf.text)
    if _SPACED.search(buf.text):
        _join_spaced(buf, protected)
        protected = _protected_spans(buf.text)
    if any(c in buf.text for c in "0123456789@$€!|£+"):
        _decode_leet(buf, protected)
    if _SQUEEZE.search(buf.text):
        _squeeze(buf, _protected_spans(buf.text) if protected else protected)
    return Normalised(original=text, text=buf.text, starts=tuple(buf.starts), ends=tuple(buf.ends))


def strip_accents(text: str) -> str:
    """Lowercase and accent-free form of a plain word (no offset map): for lexicon keys."""
    return "".join(map_char(c) for c in text) if not text.isascii() else text.lower()
