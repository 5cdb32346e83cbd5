"""Loading the lexicons (``beffroi/data/lexicons/*.txt``) into a token trie.

See ``src/beffroi/data/lexicons/README.md`` for the file syntax. Every form is normalised with
:func:`beffroi.domain.text.normalise.normalise` and split into tokens, so lexicon forms and
comments meet in the same space.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from beffroi.domain.moderation.conjugate import conjugate
from beffroi.domain.text.normalise import normalise
from beffroi.domain.text.tokens import ELISIONS, SMS_EXPANSIONS, words

LEXICON_PACKAGE = "beffroi.data.lexicons"
_MAX_VARIANTS = 256


class LexiconError(ValueError):
    """A lexicon file cannot be parsed."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry: every form of a lemma in a category and section."""

    category: str  # the file: identity, slurs, insults, threats, ...
    section: str  # e.g. "origin:arabs", "person", "violent_verb"
    lemma: str
    weight: float = 1.0
    tags: frozenset[str] = frozenset()
    mood: str = ""  # for conjugated verbs: inf, pres, imp, fut, past, pp

    @property
    def group(self) -> str:
        """For identity terms and slurs: the targeted group (after the ':' of the section)."""
        return self.section.partition(":")[2] or self.section

    @property
    def characteristic(self) -> str:
        return self.section.partition(":")[0]


class TrieNode:
    """A node of the token trie: children by next token, entries whose form ends here."""

    __slots__ = ("children", "entries")

    def __init__(self) -> None:
        self.children: dict[str, TrieNode] = {}
        self.entries: list[Entry] = []


@dataclass
class Lexicon:
    """All lexicon entries, indexed by token sequence in a trie."""

    trie: TrieNode = field(default_factory=lambda: TrieNode())
    tokens: dict[str, float] = field(default_factory=dict)  # every lexicon token -> best weight
    content_tokens: set[str] = field(default_factory=set)  # tokens of content words (fuzzy targets)
    entries: list[Entry] = field(default_factory=list)
    forms: dict[Entry, list[tuple[str, ...]]] = field(default_factory=dict)

    def add(self, entry: Entry, form: tuple[str, ...]) -> None:
        if not form:
            return
        if entry.category in _STRUCTURE_ONLY:  # function words: read as sets by the structure layer
            self.forms.setdefault(entry, []).append(form)
            return
        node = self.trie
        for token in form:
            child = node.children.get(token)
            if child is None:
                child = TrieNode()
                node.children[token] = child
            node = child
        if entry not in node.entries:
            node.entries.append(entry)
        self.forms.setdefault(entry, []).append(form)
        for token in form:
            if entry.weight > self.tokens.get(token, -1.0):
                self.tokens[token] = entry.weight
        if entry.category not in _FUNCTION_CATEGORIES and len(form) <= 3:
            for token in form:
                if len(token) >= 4 and token.isalpha():
                    self.content_tokens.add(token)


_STRUCTURE_ONLY = frozenset({"grammar"})
_FUNCTION_CATEGORIES = frozenset({"grammar", "civic", "counter", "persons", "spam", "positive"})

_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")
_GROUP = re.compile(r"\([^)]*\)|\[[^\]]*\]|[^\s()\[\]]+")


def plural_forms(word: str) -> list[str]:
    """French plural(s) of a single noun/adjective (accent-free)."""
    if word.endswith(("s", "x", "z")):
        return []
    if word.endswith("al"):
        return [word[:-2] + "aux", word + "s"]
    if word.endswith(("eau", "au", "eu")):
        return [word + "x", word + "s"]
    return [word + "s"]


def expand(form: str) -> list[str]:
    """Expand optional ``(a|b)`` and required ``[a|b]`` groups of a form into plain strings."""
    choices: list[list[str]] = []
    for part in _GROUP.findall(form):
        if part.startswith("("):
            choices.append(["", *[alt.strip() for alt in part[1:-1].split("|")]])
        elif part.startswith("["):
            choices.append([alt.strip() for alt in part[1:-1].split("|")])
        else:
            choices.append([part])
    out = []
    for combo in itertools.islice(itertools.product(*choices), _MAX_VARIANTS):
        out.append(" ".join(p for p in combo if p))
    return out


def tokens_of(text: str) -> tuple[str, ...]:
    """The canonical tokens of a lexicon form (normalised, elisions expanded)."""
    out: list[str] = []
    for w in words(normalise(text).text):
        out.extend(SMS_EXPANSIONS.get(w, (ELISIONS.get(w, w),)))
    return tuple(out)


def _split_entry(line: str) -> tuple[list[str], list[str]]:
    body, _, tag_text = line.partition("::")
    # "|" separates alternatives, except inside () or [] groups
    forms: list[str] = []
    current: list[str] = []
    depth = 0
    for char in body:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "|" and depth == 0:
            forms.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    forms.append("".join(current).strip())
    return [f for f in forms if f], tag_text.split()


def parse_lexicon(category: str, text: str, lexicon: Lexicon) -> None:
    """Parse one lexicon file's text into ``lexicon``."""
    section = "main"
    plural = conjugating = False
    default_tags: list[str] = []
    default_weight = 1.0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        match = _SECTION.match(line)
        if match:
            section = match.group(1).strip()
            default_tags, default_weight = [], 1.0
            continue
        if line.startswith("@"):
            name, _, value = line[1:].partition(" ")
            value = value.strip()
            if name == "plural":
                plural = value == "on"
            elif name == "conjugate":
                conjugating = value == "on"
            elif name == "tags":
                default_tags = value.split()
            elif name == "weight":
                default_weight = float(value)
            else:
                raise LexiconError(f"{category}.txt ligne {number} : directive inconnue @{name}")
            continue
        forms, tag_words = _split_entry(line)
        if not forms:
            raise LexiconError(f"{category}.txt ligne {number} : entrée vide")
        weight = default_weight
        tags = set(default_tags)
        for tag in tag_words:
            if tag.startswith("w="):
                weight = float(tag[2:])
            else:
                tags.add(tag)
        lemma = " ".join(tokens_of(forms[0].split("(")[0].split("[")[0])) or forms[0]
        if conjugating and "irregular" not in tags:
            for form in forms:
                for mood, conj in conjugate(" ".join(tokens_of(form))).items():
                    entry = Entry(category, section, lemma, weight, frozenset(tags), mood)
                    lexicon.entries.append(entry)
                    for word in conj:
                        lexicon.add(entry, tokens_of(word))
            continue
        entry = Entry(category, section, lemma, weight, frozenset(tags))
        lexicon.entries.append(entry)
        for form in forms:
            for variant in expand(form):
                toks = tokens_of(variant)
                lexicon.add(entry, toks)
                if plural and len(toks) == 1:
                    for word in plural_forms(toks[0]):
                        lexicon.add(entry, (word,))
                elif plural and len(toks) <= 3:  # "poids morts", "gros cons", "sous-merdes"
                    for first in (toks[0], *plural_forms(toks[0])):
                        for last in (toks[-1], *plural_forms(toks[-1])):
                            lexicon.add(entry, (first, *toks[1:-1], last))


def _package_files() -> Iterator[tuple[str, str]]:
    root = resources.files(LEXICON_PACKAGE)
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".txt"):
            yield item.name[:-4], item.read_text(encoding="utf-8")


def load_lexicon(directory: Path | None = None, extra: Iterable[tuple[str, str]] = ()) -> Lexicon:
    """Load every ``*.txt`` lexicon (the packaged ones, or those of ``directory``)."""
    lexicon = Lexicon()
    if directory is None:
        files: Iterable[tuple[str, str]] = _package_files()
    else:
        files = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.txt"))]
    for category, text in itertools.chain(files, extra):
        parse_lexicon(category, text, lexicon)
    return lexicon


def lookup(lexicon: Lexicon, tokens: tuple[str, ...]) -> list[Entry]:
    """The entries whose form is exactly ``tokens``."""
    node: TrieNode | None = lexicon.trie
    for token in tokens:
        node = node.children.get(token) if node is not None else None
    return list(node.entries) if node is not None else []
