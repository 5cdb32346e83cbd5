"""The analysis of one comment: normalised text, resolved tokens, lexicon matches, sentences,
clauses and quotes. Rules read it; they never re-tokenise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from beffroi.domain.moderation.lexicon import Entry, Lexicon
from beffroi.domain.moderation.resolver import Resolver
from beffroi.domain.moderation.types import Span
from beffroi.domain.text.normalise import Normalised, normalise
from beffroi.domain.text.tokens import ELISIONS, SMS_EXPANSIONS, RawToken, tokenise

_SENTENCE_END = frozenset(".!?;\n")
_CLAUSE_END = frozenset(",:()[]{}/")
CLAUSE_WORDS = frozenset(
    {
        "mais",
        "car",
        "donc",
        "sinon",
        "puis",
        "cependant",
        "pourtant",
        "parce",
        "puisque",
        "tandis",
        "lorsque",
        "quand",
        "alors",
        "bref",
        "sauf",
    }
)
NEGATION_PARTICLES = frozenset(
    {"ne", "n", "pas", "jamais", "plus", "point", "guere", "nullement", "aucun", "aucune"}
)
_INSIDE_ADVERBS = frozenset(
    {
        "vraiment",
        "toujours",
        "forcement",
        "tellement",
        "reellement",
        "franchement",
        "meme",
        "tous",
        "toutes",
        "bien",
    }
)
_GLUE = frozenset({" ", "-", ".", "_"})  # what may separate the pieces of one cut word
_REFLEXIVE = frozenset({"se", "me", "te"})
_NOUN_CATEGORIES = frozenset({"slurs", "insults", "negative_attributes", "dehumanising", "identity"})
_MAX_TOKENS = 400
_IDIOM_KEEPS = frozenset({"idioms", "grammar", "counter"})
_NO_MATCHES: list[Match] = []  # a comment longer than this is analysed in windows by the engine


@dataclass(slots=True)
class Tok:
    index: int
    raw: str  # the normalised token
    canon: str  # the lexicon token it stands for (== raw unless obfuscated)
    start: int  # offsets in the normalised text
    end: int
    sentence: int = 0
    clause: int = 0
    quoted: bool = False
    altered: bool = False  # resolved by fuzzy matching, a mask, a split or a join
    hyphen_before: bool = False  # "sont-ils": the token is glued to the previous one by '-'


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    start: int  # token index
    end: int  # token index, exclusive
    negation_inside: bool = False  # a negation particle was skipped inside the phrase

    @property
    def category(self) -> str:
        return self.entry.category


@dataclass
class Analysis:
    norm: Normalised
    toks: list[Tok]
    matches: list[Match]
    sentence_ranges: list[tuple[int, int]]
    clause_ranges: list[tuple[int, int]]
    question_sentences: set[int]
    exclaim_sentences: set[int]
    by_category: dict[str, list[Match]] = field(default_factory=dict)
    by_section: dict[tuple[str, str], list[Match]] = field(default_factory=dict)
    at: dict[int, list[Match]] = field(default_factory=dict)  # token index -> matches covering it
    memo: dict[tuple[object, ...], object] = field(default_factory=dict)  # structure layer's answers

    def of(self, category: str, section: str | None = None) -> list[Match]:
        if section is None:
            return self.by_category.get(category, _NO_MATCHES)
        return self.by_section.get((category, section), _NO_MATCHES)

    def covering(self, index: int, category: str) -> list[Match]:
        return [m for m in self.at.get(index, ()) if m.entry.category == category]

    def has(self, index: int, category: str, section: str | None = None) -> bool:
        for m in self.at.get(index, ()):
            if m.entry.category == category and (section is None or m.entry.section == section):
                return True
        return False

    def span(self, start: int, end: int) -> Span:
        """The original-text span of tokens ``[start, end)``."""
        if not self.toks:
            return Span(0, 0, "")
        start = max(0, min(start, len(self.toks) - 1))
        end = max(start + 1, min(end, len(self.toks)))
        a, b = self.norm.original_span(self.toks[start].start, self.toks[end - 1].end)
        return Span(a, b, self.norm.original[a:b])

    def match_span(self, match: Match) -> Span:
        return self.span(match.start, match.end)

    def canon(self, start: int, end: int) -> list[str]:
        return [t.canon for t in self.toks[max(0, start) : max(0, end)]]

    def clause_of(self, index: int) -> tuple[int, int]:
        return self.clause_ranges[self.toks[index].clause]

    def sentence_of(self, index: int) -> tuple[int, int]:
        return self.sentence_ranges[self.toks[index].sentence]


class Analyser:
    """Builds an :class:`Analysis` for a text (stateless apart from the resolver's cache)."""

    def __init__(self, lexicon: Lexicon, resolver: Resolver) -> None:
        self.lexicon = lexicon
        self.resolver = resolver

    def analyse(self, text: str, masked: list[tuple[int, int]] | None = None) -> Analysis:
        norm = normalise(text)
        raw = tokenise(norm.text)[:_MAX_TOKENS]
        if masked:
            raw = [t for t in raw if not _overlaps(norm, t.start, t.end, masked)]
        toks = self._resolve(norm, raw)
        analysis = Analysis(norm, toks, [], [], [], set(), set())
        self._segment(analysis)
        self._match(analysis)
        return analysis

    @staticmethod
    def _proper_noun(norm: Normalised, tok: RawToken) -> bool:
        """A capitalised word inside a sentence ("Catan", "Vasseur"): a name, never fuzzed."""
        if tok.start == 0:
            return False
        a, b = norm.original_span(tok.start, tok.end)
        word = norm.original[a:b]
        if len(word) < 2 or not word[0].isupper() or not word[1:].islower():
            return False
        before = norm.text[: tok.start].rstrip()
        return bool(before) and before[-1] not in '.!?\n"«:'

    def _resolve(self, norm: Normalised, raw: list[RawToken]) -> list[Tok]:
        text = norm.text
        resolver = self.resolver
        known = resolver.known
        elisions = ELISIONS
        sms = SMS_EXPANSIONS
        words = [t.text for t in raw]
        content = self.lexicon.content_tokens
        toks: list[Tok] = []
        append = toks.append
        i = 0
        n = len(raw)
        while i < n:
            tok = raw[i]
            word = words[i]
            # glued-apart words: "con nard", "mu sulmans", "sa lope"
            if i + 1 < n and (word + words[i + 1] in content or (len(word) <= 3 and len(words[i + 1]) <= 3)):  # fmt: skip
                merged = self._merge(words, raw, i, text)
                if merged is not None:
                    count, joined = merged
                    append(Tok(len(toks), joined, joined, tok.start, raw[i + count - 1].end, altered=True))
                    i += count
                    continue
            if word in sms:
                pieces: tuple[str, ...] = sms[word]
            elif word in known:
                pieces = (word,)
            else:
                pieces = resolver.resolve(word, fuzzy=not self._proper_noun(norm, tok))
            if len(pieces) == 1:
                canon = pieces[0]
                canon = elisions.get(canon, canon)
                altered = canon != word and canon != elisions.get(word)
                hyphen = tok.start > 0 and text[tok.start - 1] == "-"
                append(Tok(len(toks), word, canon, tok.start, tok.end, 0, 0, False, altered, hyphen))
            else:
                pos = tok.start
                for piece in pieces:
                    end = min(tok.end, pos + len(piece))
                    append(Tok(len(toks), piece, piece, pos, end, altered=True))
                    pos = end
            i += 1
        return toks

    def _merge(self, words: list[str], raw: list[RawToken], i: int, text: str) -> tuple[int, str] | None:
        """Glue two or three pieces back into a lexicon word when only a space separates them."""
        content = self.lexicon.content_tokens
        first, second = words[i], words[i + 1]
        joined = first + second
        letters = len(first) == 1 and len(second) == 1  # "p.d.", "p d"
        if joined in content and (len(joined) >= 5 or letters):
            if text[raw[i].end : raw[i + 1].start] not in _GLUE or not (first.isalpha() and second.isalpha()):
                return None
            if first in content and second in content:
                return None  # "sale arabe": two words of their own
            common = self.resolver.common
            frequent = self.resolver.frequent
            # two real words stay apart ("rat on" is not "raton", "de mon" is not "démon"),
            # unless one is a stub ("vi eux", "sa lope")
            if first in frequent and second in frequent:
                return None
            if first in common and second in common and len(first) > 2 and len(second) > 2:
                return None
            return 2, joined
        if i + 2 < len(words) and len(first) <= 3 and len(second) <= 3:
            third = words[i + 2]
            joined3 = joined + third
            if (
                len(third) <= 4
                and joined3 in content
                and third.isalpha()
                and text[raw[i].end : raw[i + 1].start] in _GLUE
                and text[raw[i + 1].end : raw[i + 2].start] in _GLUE
            ):
                return 3, joined3
        return None

    def _segment(self, analysis: Analysis) -> None:
        text = analysis.norm.text
        toks = analysis.toks
        sentence = clause = 0
        quoted = False
        s_start = c_start = 0
        prev_end = 0
        for tok in toks:
            gap = text[prev_end : tok.start]
            new_sentence = new_clause = False
            if gap == " " and tok.canon not in CLAUSE_WORDS:  # the usual case: just a space
                tok.sentence = sentence
                tok.clause = clause
                tok.quoted = quoted
                prev_end = tok.end
                continue
            if tok.index > 0:
                if any(c in _SENTENCE_END for c in gap):
                    new_sentence = True
                elif any(c in _CLAUSE_END for c in gap) or " - " in gap or tok.canon in CLAUSE_WORDS:
                    new_clause = True
            if '"' in gap:
                quoted = not quoted if gap.count('"') % 2 else quoted
                new_clause = new_clause or tok.index > 0
            if new_sentence:
                end_punct = gap
                if "?" in end_punct:
                    analysis.question_sentences.add(sentence)
                if "!" in end_punct:
                    analysis.exclaim_sentences.add(sentence)
                analysis.sentence_ranges.append((s_start, tok.index))
                analysis.clause_ranges.append((c_start, tok.index))
                sentence += 1
                clause += 1
                s_start = c_start = tok.index
            elif new_clause:
                analysis.clause_ranges.append((c_start, tok.index))
                clause += 1
                c_start = tok.index
            tok.sentence = sentence
            tok.clause = clause
            tok.quoted = quoted
            prev_end = tok.end
        tail = text[prev_end:]
        if "?" in tail:
            analysis.question_sentences.add(sentence)
        if "!" in tail:
            analysis.exclaim_sentences.add(sentence)
        analysis.sentence_ranges.append((s_start, len(toks)))
        analysis.clause_ranges.append((c_start, len(toks)))

    def _match(self, analysis: Analysis) -> None:
        root = self.lexicon.trie.children
        canons = [t.canon for t in analysis.toks]
        n = len(canons)
        matches = analysis.matches
        negation = NEGATION_PARTICLES
        for i in range(n):
            node = root.get(canons[i])
            j = i + 1
            skipped = False
            # after "se", "me", "te" comes a verb: "ne t'attarde pas" is not the slur "attardé"
            reflexive = i > 0 and canons[i - 1] in _REFLEXIVE
            while node is not None:
                for entry in node.entries:
                    if reflexive and j == i + 1 and entry.category in _NOUN_CATEGORIES:
                        continue
                    matches.append(Match(entry, i, j, skipped))
                if j >= n or not node.children:
                    break
                nxt = node.children.get(canons[j])
                # French negation splits verb phrases: "ne méritent pas le respect" still matches
                # "méritent le respect", marked as containing a negation
                while (
                    nxt is None
                    and j + 1 < n
                    and j - i < 8
                    and (canons[j] in negation or canons[j] in _INSIDE_ADVERBS)
                ):
                    skipped = skipped or canons[j] in negation
                    j += 1
                    nxt = node.children.get(canons[j])
                node = nxt
                j += 1
        idioms = [m for m in matches if m.entry.category == "idioms"]
        if idioms:  # "nulle part" is not the insult "nul": words inside a fixed expression
            matches[:] = [
                m
                for m in matches
                if m.entry.category in _IDIOM_KEEPS
                or not any(
                    o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                    for o in idioms
                )
            ]
        by_category = analysis.by_category
        by_section = analysis.by_section
        at = analysis.at
        for m in matches:
            entry = m.entry
            by_category.setdefault(entry.category, []).append(m)
            by_section.setdefault((entry.category, entry.section), []).append(m)
            characteristic = entry.characteristic
            if characteristic != entry.section:
                by_section.setdefault((entry.category, characteristic), []).append(m)
            for k in range(m.start, m.end):
                at.setdefault(k, []).append(m)


def _overlaps(norm: Normalised, start: int, end: int, masked: list[tuple[int, int]]) -> bool:
    a, b = norm.original_span(start, end)
    return any(x < b and a < y for x, y in masked)
