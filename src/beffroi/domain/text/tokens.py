"""Tokens of a normalised text (words, emoji) with their offsets in the normalised text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A word: letters/digits, possibly with inner '*' masks ("p*te"); or one non-ASCII symbol (emoji).
_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9*]*[a-z0-9])?|[^\x00-\x7f]")


# Elided words and their full form: "qu'on" and "que l'on" meet as "que", "t'es" and "te es" too.
ELISIONS: dict[str, str] = {
    "qu": "que",
    "j": "je",
    "n": "ne",
    "m": "me",
    "t": "te",
    "s": "se",
    "c": "ce",
    "d": "de",
    "l": "le",
    "jusqu": "jusque",
    "lorsqu": "lorsque",
    "puisqu": "puisque",
    "quoiqu": "quoique",
}


# Glued SMS clitics: "jte bute" is "je te bute", "jvais" is "je vais".
SMS_EXPANSIONS: dict[str, tuple[str, ...]] = {
    "jte": ("je", "te"),
    "jme": ("je", "me"),
    "jle": ("je", "le"),
    "jla": ("je", "la"),
    "jles": ("je", "les"),
    "jlui": ("je", "lui"),
    "jleur": ("je", "leur"),
    "jvais": ("je", "vais"),
    "jvai": ("je", "vais"),
    "jveux": ("je", "veux"),
    "jpeux": ("je", "peux"),
    "jsuis": ("je", "suis"),
    "chui": ("je", "suis"),
    "chuis": ("je", "suis"),
    "jsui": ("je", "suis"),
    "jsais": ("je", "sais"),
    "jai": ("je", "ai"),
    "jtai": ("je", "te", "ai"),
    "jt": ("je", "te"),
    "tinquiete": ("te", "inquiete"),
    "ya": ("il", "y", "a"),
}


@dataclass(frozen=True, slots=True)
class RawToken:
    text: str
    start: int  # offsets in the normalised text
    end: int


def tokenise(normalised_text: str) -> list[RawToken]:
    return [RawToken(m.group(), *m.span()) for m in _TOKEN.finditer(normalised_text)]


def words(normalised_text: str) -> list[str]:
    return _TOKEN.findall(normalised_text)
