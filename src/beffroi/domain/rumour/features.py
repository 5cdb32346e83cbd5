"""What the detector reads in one post: content terms, claim predicates, cues, numbers, sentiment.

Lexicons live in ``beffroi/data/veille/lexicons`` (``concepts.txt``, ``predicates.txt``, ``cues.txt``,
``stopwords.txt``, ``generic.txt``): a commune can read and extend them without touching code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from beffroi.domain.rumour.weights import word_zipf
from beffroi.domain.sentiment import Sentiment, analyse
from beffroi.domain.sentiment.analyser import opinion_matcher
from beffroi.domain.sentiment.textprep import (
    PhraseMatcher,
    negators,
    numbers_with_units,
    read_lexicon_lines,
    stem,
    stopwords,
    strip_accents,
    token_info,
    tokens,
)

CUE_CATEGORIES = (
    "hearsay",
    "urgency",
    "official_claim",
    "doubt",
    "debunk",
    "opinion",
    "change",
    "alarm",
    "cause",
)

#: Pairs of predicate poles that cannot both be true of the same subject.
CONFLICTS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("access.restricted", "access.open"),
        ("rule.forbidden", "access.open"),
        ("rule.forbidden", "rule.allowed"),
        ("status.closed", "status.open"),
        ("status.closed", "access.open"),
        ("status.closed", "event.maintained"),
        ("event.cancelled", "event.maintained"),
        ("event.cancelled", "status.open"),
        ("price.free", "price.paying"),
        ("offer.removed", "offer.kept"),
        ("plan.yes", "plan.no"),
        ("rule.forbidden", "offer.kept"),
        ("offer.removed", "event.maintained"),
        ("offer.removed", "access.open"),
        ("status.closed", "plan.no"),  # "aucun projet sur le stade" vs "le stade sera rasé, vendu"
        ("price.up", "price.stable"),  # "la taxe foncière n'augmente pas" vs "la taxe augmente de 30 %"
        ("grant.yes", "grant.no"),  # "aucune prime n'est versée" vs "la mairie va verser une prime"
        ("exist.yes", "exist.no"),  # "il n'y a pas de seringue au parc" vs "des seringues retrouvées"
        ("safety.unsafe", "safety.safe"),  # "l'eau est potable" vs "l'eau est empoisonnée"
    )
)

_OPPOSITE: dict[str, str] = {
    "access.restricted": "access.open",
    "access.open": "access.restricted",
    "status.closed": "status.open",
    "status.open": "status.closed",
    "rule.forbidden": "rule.allowed",
    "rule.allowed": "rule.forbidden",
    "price.free": "price.paying",
    "price.paying": "price.free",
    "event.cancelled": "event.maintained",
    "event.maintained": "event.cancelled",
    "offer.removed": "offer.kept",
    "offer.kept": "offer.removed",
    "plan.yes": "plan.no",
    "plan.no": "plan.yes",
    "price.up": "price.stable",
    "price.stable": "price.up",
    "grant.yes": "grant.no",
    "grant.no": "grant.yes",
    "exist.yes": "exist.no",
    "exist.no": "exist.yes",
    "safety.unsafe": "safety.safe",
    "safety.safe": "safety.unsafe",
}

#: Poles that deny that the subject exists or happens ("aucune prime n'est versée", "il n'y a pas de
#: seringue"): a claim that names the subject with an amount asserts it exists.
DENIAL_POLES = frozenset({"grant.no", "exist.no", "plan.no"})

#: Predicate classes read for the facts but not used as content terms: "il y a" is in every other post.
QUIET_CLASSES = frozenset({"exist", "safety"})


#: Poles that announce a disruption (what rumours claim); the others reassure (what facts say).
DISRUPTIVE_POLES = frozenset(
    {
        "access.restricted",
        "status.closed",
        "rule.forbidden",
        "price.paying",
        "event.cancelled",
        "offer.removed",
        "plan.yes",
        "price.up",
        "safety.unsafe",
    }
)


def opposite(pole: str) -> str:
    return _OPPOSITE.get(pole, pole)


def conflicting(a: str, b: str) -> bool:
    return frozenset((a, b)) in CONFLICTS


def _labelled(name: str) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for line in read_lexicon_lines(name):
        label, _, phrases = line.partition(":")
        for phrase in phrases.split(","):
            if phrase.strip():
                entries.append((phrase.strip(), label.strip()))
    return entries


@lru_cache(maxsize=1)
def concept_matcher() -> PhraseMatcher:
    return PhraseMatcher((p, "C:" + label) for p, label in _labelled("concepts.txt"))


@lru_cache(maxsize=1)
def predicate_matcher() -> PhraseMatcher:
    return PhraseMatcher(_labelled("predicates.txt"))


@lru_cache(maxsize=1)
def cue_matcher() -> PhraseMatcher:
    return PhraseMatcher(
        (p, label)
        for p, label in _labelled("cues.txt")
        if label not in {"official_source", "parody", "press_source"}
    )


@lru_cache(maxsize=1)
def author_lexicon() -> tuple[PhraseMatcher, tuple[str, ...]]:
    entries = _labelled("cues.txt")
    official = PhraseMatcher((p, "official") for p, label in entries if label == "official_source")
    parody = tuple(" ".join(tokens(p)) for p, label in entries if label == "parody")
    return official, parody


@lru_cache(maxsize=1)
def press_lexicon() -> PhraseMatcher:
    return PhraseMatcher((p, "press") for p, label in _labelled("cues.txt") if label == "press_source")


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    out: set[str] = set()
    for line in read_lexicon_lines("generic.txt"):
        for word in line.split():
            out.add(word if word.startswith("C:") else stem(word))
    return frozenset(out)


@dataclass
class PostFeatures:
    tokens: list[str]
    terms: list[str]  # content terms: concepts "C:…", predicate classes "P:…", stems
    subject_terms: list[str]  # content terms without predicates (for fact matching)
    predicates: list[str]  # poles after negation, e.g. "access.restricted"
    numbers: list[tuple[float, str]]
    cues: dict[str, list[str]] = field(default_factory=dict)  # category -> matched phrases
    sentiment: Sentiment | None = None
    question: bool = False
    surface: dict[str, str] = field(default_factory=dict)  # stem -> first word form seen
    proper: list[bool] = field(default_factory=list)  # per token: capitalised mid-sentence (a name)
    clauses: list[int] = field(default_factory=list)  # per token: clause number
    names: list[str] = field(default_factory=list)  # content terms written as proper names ("Carrefour")

    def has(self, category: str) -> bool:
        return bool(self.cues.get(category))


_RESTRICTIVE = frozenset({"que", "qu"})


def _negated(
    toks: list[str], start: int, end: int, negs: frozenset[str], clauses: Sequence[int] | None = None
) -> bool:
    """A negator in the three words before the phrase, in the same clause ("c'est fini, il ferme" is
    not negated), and not the restrictive "ne … que" ("n'augmente que de 2 %")."""
    if any(t in negs for t in toks[start:end]):
        return False  # the phrase carries its own negation ("aucun projet", "pas pour les")
    first = max(0, start - 3)
    if clauses is not None and len(clauses) == len(toks):
        while first < start and clauses[first] != clauses[start]:
            first += 1
    window = toks[first:start]
    if not any(t in negs for t in window):
        return False
    only_ne = all(t in {"ne", "n"} for t in window if t in negs)
    return not (only_ne and any(t in _RESTRICTIVE for t in toks[end : end + 2]))


def _is_question(text: str) -> bool:
    """The post asks rather than asserts: a question mark ends it, or only a few words follow it
    ("Le gymnase est fermé pendant les vacances ? merci d'avance")."""
    if "?" not in text:
        return False
    tail = text[text.rindex("?") + 1 :]
    return len(tokens(tail)) <= 4


@lru_cache(maxsize=1)
def _lexicon_vocabulary() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Words of the watch lexicons, and their one-letter deletions (typo correction)."""
    words: set[str] = set()
    for name in ("concepts.txt", "predicates.txt", "cues.txt"):
        for phrase, _label in _labelled(name):
            words.update(t for t in tokens(phrase) if len(t) >= 5)
    deletes: dict[str, set[str]] = {}
    for w in words:
        for i in range(len(w)):
            deletes.setdefault(w[:i] + w[i + 1 :], set()).add(w)
    return frozenset(words), {k: tuple(sorted(v)) for k, v in deletes.items()}


def _osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein without repeated edits)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


@lru_cache(maxsize=65536)
def correct(token: str) -> str:
    """The lexicon word one typo away (missing, extra, wrong or swapped letter) from an unknown token."""
    if len(token) < 5 or token.isdigit():
        return token
    words, deletes = _lexicon_vocabulary()
    if token in words or word_zipf(token) >= 1.5:
        return token
    found: set[str] = set(deletes.get(token, ()))
    for i in range(len(token)):
        shorter = token[:i] + token[i + 1 :]
        if shorter in words:
            found.add(shorter)
        found.update(deletes.get(shorter, ()))
    close = sorted((w for w in found if _osa_distance(token, w) == 1), key=lambda w: (-word_zipf(w), w))
    return close[0] if close else token


def extract(text: str, with_sentiment: bool = True) -> PostFeatures:
    info = token_info(text)
    toks = [
        t if info.proper[i] or word_zipf(info.accented[i]) >= 1.5 else correct(t)
        for i, t in enumerate(info.tokens)
    ]
    clauses = list(info.clauses)
    stems = [stem(t) for t in toks]
    negs = negators()
    stops = stopwords()
    covered = [False] * len(toks)
    cues: dict[str, list[str]] = {}
    predicates: list[str] = []
    for start, end, labels in cue_matcher().find(toks, stems):
        phrase = " ".join(toks[start:end])
        for label in labels:
            cues.setdefault(label, []).append(phrase)
        if "alarm" in labels:
            # "l'eau est empoisonnée" claims a danger; "l'eau n'est pas contaminée" denies one
            pole = "safety.safe" if _negated(toks, start, end, negs, clauses) else "safety.unsafe"
            if pole not in predicates:
                predicates.append(pole)
        if not any(label in {"change", "opinion", "cause"} for label in labels):
            for i in range(start, end):
                covered[i] = True
    pred_terms: list[str] = []
    masked = [t if not covered[i] else "_" for i, t in enumerate(toks)]
    masked_stems = [s if not covered[i] else "_" for i, s in enumerate(stems)]
    for start, end, labels in predicate_matcher().find(masked, masked_stems):
        flip = _negated(toks, start, end, negs, clauses)
        for label in labels:
            pole = opposite(label) if flip else label
            if pole not in predicates:
                predicates.append(pole)
            kind = pole.split(".")[0]
            cls = "P:" + kind
            if kind not in QUIET_CLASSES and cls not in pred_terms:
                pred_terms.append(cls)
        for i in range(start, end):
            covered[i] = True
    for start, end, _labels in opinion_matcher().find(toks, stems):
        if not any(covered[start:end]):
            for i in range(start, end):
                covered[i] = True  # "scandaleux", "honte": feelings, not topics
    subject: list[str] = []
    surface: dict[str, str] = {}
    for start, end, labels in concept_matcher().find(toks, stems):
        if all(covered[start:end]):
            continue
        for label in labels:
            if label not in subject:
                subject.append(label)
        for i in range(start, end):
            covered[i] = True
    names: list[str] = []
    for i, tok in enumerate(toks):
        if covered[i] or tok in stops or tok in negs or len(tok) < 3 or tok.isdigit():
            continue
        s = stems[i]
        if s not in subject:
            subject.append(s)
            surface[s] = tok
        if info.proper[i] and s not in names:
            names.append(s)
    if cues.get("alarm") and "A:alarm" not in pred_terms:
        # contaminated / polluted / kidnapping …: one pseudo-term, like the predicate classes
        pred_terms.append("A:alarm")
    terms = subject + pred_terms
    sentiment = analyse(text) if with_sentiment else None
    return PostFeatures(
        tokens=toks,
        terms=terms,
        subject_terms=subject,
        predicates=predicates,
        numbers=numbers_with_units(text),
        cues=cues,
        sentiment=sentiment,
        question=_is_question(text),
        surface=surface,
        proper=list(info.proper),
        clauses=clauses,
        names=names,
    )


def is_official_author(author: str, official_accounts: list[str]) -> bool:
    """An author is official when listed in the commune's configuration, or when its name looks like
    an institution ("Ville de …", "Préfecture …", "Météo-France") without parody/fan/info markers."""
    norm = " ".join(tokens(author))
    if not norm:
        return False
    for acc in official_accounts:
        if norm == " ".join(tokens(acc)):
            return True
    official, parody = author_lexicon()
    if not official.find(norm.split()):
        return False
    squeezed = norm.replace(" ", "")
    return not any(p.replace(" ", "") in squeezed for p in parody)


def is_press_author(author: str) -> bool:
    """A newspaper, a radio, a news site or an event's organiser ("Ouest-France Alençon", "France Bleu",
    "Comité des fêtes"): a source that reports news, not a resident relaying a claim. Names that only
    borrow the look of a source ("VraiInfo36", "Alençon Libre Actu") are not."""
    toks = tokens(author)
    if not toks:
        return False
    found = press_lexicon().find(toks)
    if not found:
        return False
    inside = {i for start, end, _labels in found for i in range(start, end)}
    rest = " ".join(t for i, t in enumerate(toks) if i not in inside)
    _official, parody = author_lexicon()
    squeezed = rest.replace(" ", "")
    return not any(p.replace(" ", "") in squeezed for p in parody)


@lru_cache(maxsize=65536)
def squeeze(text: str) -> str:
    """Letters and digits only, lower case, no accents: "Saint-Lô", "saint lo", "SAINTLO" → "saintlo"."""
    return "".join(ch for ch in strip_accents(text).lower() if ch.isalnum())


_NAME_LINKS = frozenset(
    {"sur", "sous", "en", "les", "lez", "le", "la", "de", "d", "du", "des", "aux", "au", "et", "l"}
)


def town_keys(*names: str) -> frozenset[str]:
    """The squeezed forms of the commune's names (slug, name, places) compared with a post's words, with
    the short form of a compound name ("Larnaud" for "Larnaud-sur-Orne", "Saint-Aubin" for
    "Saint-Aubin-sur-Loire")."""
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        keys.add(squeeze(name))
        parts = [p for p in re.split(r"[^a-z0-9]+", strip_accents(name).lower()) if p]
        for i, part in enumerate(parts):
            if i > 0 and part in _NAME_LINKS:
                keys.add("".join(parts[:i]))
                break
    return frozenset(k for k in keys if len(k) >= 3)


def town_stems(feats: PostFeatures, keys: frozenset[str]) -> set[str]:
    """Stems of the words that write the commune's name in this post, however it is spelt: "Saint-Lô",
    "saint lo", "St-Lô" are not content words of a post about Saint-Lô."""
    out: set[str] = set()
    if not keys:
        return out
    toks = feats.tokens
    variants = {k: {k, k.replace("saint", "st", 1)} if k.startswith("saint") else {k} for k in keys}
    wanted = set().union(*variants.values())
    for i in range(len(toks)):
        joined = ""
        for j in range(i, min(i + 4, len(toks))):
            joined += squeeze(toks[j])
            if joined in wanted:
                out.update(stem(t) for t in toks[i : j + 1])
                break
            if not any(w.startswith(joined) for w in wanted):
                break
    return out
