"""The commune's fact base and the contradiction test.

A fact is one official sentence ("La piscine municipale est ouverte à toutes et à tous, aux horaires
habituels."). It is read into a *subject* (its specific content terms: "piscine") and *predicate poles*
("access.open", "status.open") and numbers with units. A claim contradicts a fact when it is about the
same subject and asserts a pole that excludes one of the fact's poles (reserved-for vs open-to-all,
closed vs open, forbidden vs allowed, free vs paying, cancelled vs maintained, "plus de porc" vs
"continue de proposer", "va ouvrir" vs "aucun projet"), or gives a different number for the same unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from beffroi.domain.rumour.features import (
    DENIAL_POLES,
    PostFeatures,
    concept_matcher,
    conflicting,
    cue_matcher,
    extract,
    generic_terms,
    predicate_matcher,
    squeeze,
    town_keys,
    town_stems,
)
from beffroi.domain.rumour.weights import prior_weight, word_zipf
from beffroi.domain.sentiment.textprep import stem, stopwords, token_info, tokens

#: Share of the weight of a fact's head terms (its grammatical subject) a claim must mention when it
#: does not name the subject's head noun.
HEAD_SHARE = 0.5

NOT_ABOUT, WEAK, STRONG = 0, 1, 2

#: Words between a kind of place and its name ("l'école *de la* Source", "place *du* Champ-de-Mars").
_LINKS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "a", "au", "aux", "en", "sur"})
#: A capitalised word this common in French is a common noun with a capital ("le Festival"), not a name.
NAME_MAX_ZIPF = 4.6
_NEGATIVE_DETERMINERS = frozenset({"aucun", "aucune", "pas", "nul", "nulle", "ni", "jamais", "plus"})
_NEGATIONS = frozenset({"ne", "n", "pas", "aucun", "aucune", "jamais", "ni", "nul", "nulle"})


def _names_in(
    toks: Sequence[str],
    proper: Sequence[bool],
    accented: Sequence[str],
    town: frozenset[str],
    skip: frozenset[int] = frozenset(),
    ignore: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """Spans of consecutive words written as proper names; not the commune's own name, not a word of
    the lexicons ("le Festival"), not a common French word with a capital."""
    stops = stopwords()

    def is_name(i: int) -> bool:
        if i >= len(proper) or not proper[i] or toks[i] in stops or i in skip or toks[i].isdigit():
            return False
        written = accented[i] if i < len(accented) else toks[i]
        return "-" in toks[i] or word_zipf(written) < NAME_MAX_ZIPF

    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        if not is_name(i):
            i += 1
            continue
        j = i
        while j < len(toks) and is_name(j):
            j += 1
        key = squeeze("".join(toks[i:j]))
        if key and key not in town and not (j - i == 1 and stem(toks[i]) in ignore):
            spans.append((i, j))
        i = j
    return spans


def _kinds_before(toks: Sequence[str], start: int) -> tuple[str, ...]:
    """The nouns that say what a name names ("école" in "l'école Jean-Moulin", "piscine" and
    "municipale" in "la piscine municipale Thalassa")."""
    out: list[str] = []
    k = start - 1
    stops = stopwords()
    while k >= 0 and start - k <= 4 and len(out) < 2:
        tok = toks[k]
        if tok in _LINKS:
            k -= 1
            continue
        if tok in stops or tok.isdigit():
            break
        out.append(stem(tok))
        k -= 1
    return tuple(out)


def _looks_like_name(word: str) -> bool:
    """A lower-case word after a kind noun that is a name rather than a description ("école
    jean-moulin", "piscine kerlan", not "école primaire", "piscine municipale")."""
    if word in stopwords() or word.isdigit() or len(word) < 3:
        return False
    return "-" in word or word_zipf(word) < 2.5


@dataclass(frozen=True)
class Fact:
    index: int
    text: str
    subject: tuple[str, ...]
    weights: tuple[float, ...]
    predicates: tuple[str, ...]
    numbers: tuple[tuple[float, str], ...]
    #: the subject's terms named before the fact's first predicate ("le cabinet médical" in "Le cabinet
    #: médical reste ouvert : le Dr X remplace le Dr Y") with their weights; empty when none
    head: tuple[str, ...] = ()
    head_weights: tuple[float, ...] = ()
    #: the proper names of the subject, with the noun that says what they name: ("ecol", "calmette")
    #: for "la cantine de l'école Calmette"; a claim about another école is not about this fact
    entities: tuple[tuple[tuple[str, ...], str], ...] = ()
    #: the fact says the subject does not exist or does not happen ("Aucune prime n'est versée", "Il
    #: n'y a pas de seringue au parc"): a claim naming it with an amount contradicts it
    denies: bool = False
    #: the commune's own name (squeezed spellings and stems): "la piscine de Saint-Aubin" names no
    #: other piscine than the fact's
    town: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @classmethod
    def parse(
        cls, index: int, text: str, ignore: frozenset[str] = frozenset(), town: frozenset[str] = frozenset()
    ) -> Fact:
        """``ignore``: terms that name nothing specific here (the commune's own name); ``town``: the
        squeezed spellings of the commune's name (:func:`~.features.town_keys`)."""
        feats = extract(text, with_sentiment=False)
        generic = generic_terms() | ignore
        if town:
            generic = generic | town_stems(feats, town)
        subject = [t for t in feats.subject_terms if t not in generic]
        if not subject:
            subject = [t for t in feats.subject_terms if t not in ignore] or list(feats.subject_terms)
        weights = [prior_weight(t, feats.surface.get(t, "")) for t in subject]
        head: list[str] = []
        toks = feats.tokens
        stems = [stem(t) for t in toks]
        found = predicate_matcher().find(toks, stems)
        cut = found[0][0] if found else len(toks)
        if found and cut > 0:
            # the head noun phrase: what comes before the predicate, without the verbs of an
            # announcement ("Le conseil municipal *a voté* une hausse …")
            announce = {
                stem(w)
                for start, end, labels in cue_matcher().find(toks[:cut], stems[:cut])
                if "change" in labels
                for w in toks[start:end]
            }
            before = extract(" ".join(toks[:cut]), with_sentiment=False)
            head = [t for t in before.subject_terms if t in subject and t not in announce]
        lexicon_words = frozenset(
            i for start, end, _labels in concept_matcher().find(toks, stems) for i in range(start, end)
        )
        names = _names_in(toks, feats.proper, token_info(text).accented, town, lexicon_words, ignore)
        if head:
            names = [(i, j) for i, j in names if i < cut]
        entities = tuple(
            dict.fromkeys((_kinds_before(toks, i), squeeze("".join(toks[i:j]))) for i, j in names)
        )
        denies = any(p in DENIAL_POLES for p in feats.predicates)
        if not denies and subject:
            first = next((i for i, s in enumerate(stems) if s == subject[0]), -1)
            denies = first > 0 and any(t in _NEGATIVE_DETERMINERS for t in toks[max(0, first - 2) : first])
        return cls(
            index=index,
            text=text.strip(),
            subject=tuple(subject),
            weights=tuple(weights),
            predicates=tuple(feats.predicates),
            numbers=tuple(feats.numbers),
            head=tuple(head),
            head_weights=tuple(weights[subject.index(t)] for t in head),
            entities=entities,
            denies=denies,
            town=town | ignore,
        )

    @property
    def affirmative(self) -> bool:
        """The fact states what is true without a negation ("La piscine est ouverte à toutes et à
        tous"), rather than denying the claim ("Aucun créneau n'est réservé aux femmes"): the better
        one to answer with, since a denial repeats the rumour's words."""
        return not any(t in _NEGATIONS for t in tokens(self.text))

    @property
    def usable(self) -> bool:
        """Can a claim ever contradict this fact? It needs a subject, and a predicate, a number or a
        denial to be contradicted."""
        return bool(self.subject) and bool(self.predicates or self.numbers or self.denies)

    def problems_fr(self) -> list[str]:
        """Why the detector cannot use this fact, in French (empty when it can)."""
        out: list[str] = []
        if not self.subject:
            out.append(
                "Beffroi ne trouve pas de quoi parle ce fait (aucun nom précis : écrivez par exemple « La "
                "piscine municipale … »)."
            )
        if not (self.predicates or self.numbers or self.denies):
            out.append(
                "Beffroi ne trouve pas ce que ce fait affirme (ouvert, fermé, gratuit, payant, interdit, "
                "autorisé, maintenu, annulé, réservé, ouvert à toutes et à tous, un chiffre…) : aucune "
                "rumeur ne pourra être reconnue comme le contredisant. Reformulez-le avec l'un de ces mots."
            )
        return out

    def _names_entity(self, feats: PostFeatures) -> bool:
        squeezed = [squeeze(t) for t in feats.tokens]
        for _kind, key in self.entities:
            for i in range(len(squeezed)):
                joined = ""
                for j in range(i, min(i + 4, len(squeezed))):
                    joined += squeezed[j]
                    if joined == key:
                        return True
                    if not key.startswith(joined):
                        break
        return False

    def _names_other_entity(self, feats: PostFeatures) -> bool:
        """The claim names another place of the same kind ("l'école Jean-Moulin" for a fact about
        "l'école Calmette")."""
        kinds = {kind for kinds, _key in self.entities for kind in kinds}
        if not kinds:
            return False
        toks = feats.tokens
        for i, tok in enumerate(toks):
            if stem(tok) not in kinds:
                continue
            k = i + 1
            while k < len(toks) and k - i <= 3 and toks[k] in _LINKS:
                k += 1
            if k < len(toks) and k - i <= 3:
                if squeeze(toks[k]) in self.town or stem(toks[k]) in self.town:
                    continue  # "la piscine de Saint-Aubin": the commune's own
                proper = k < len(feats.proper) and feats.proper[k]
                if proper or _looks_like_name(toks[k]):
                    return True
        return False

    def aboutness(self, feats: PostFeatures) -> int:
        """How surely the claim is about this fact's subject: ``STRONG``, ``WEAK`` (the fact names a
        place, the claim names none) or ``NOT_ABOUT``."""
        if not self.subject:
            return NOT_ABOUT
        level = STRONG
        if self.entities:
            if self._names_entity(feats):
                return STRONG
            if self._names_other_entity(feats):
                return NOT_ABOUT  # another école, another piscine: another subject
            level = WEAK
        terms = set(feats.subject_terms)
        if self.head:
            # the thing the fact is about, named by the claim: the head noun of the subject (French
            # puts it first: "le *cabinet* médical", "la *cantine* de l'école"), or most of the
            # subject's weight; not a detail of its complement ("le Dr Moreau", "le 1er février")
            if self.head[0] in terms:
                return level
            total = sum(self.head_weights)
            shared = sum(w for t, w in zip(self.head, self.head_weights, strict=True) if t in terms)
            return level if total > 0 and shared / total > HEAD_SHARE else NOT_ABOUT
        concepts = [t for t in self.subject if t.startswith("C:")]
        if concepts:
            return level if any(c in terms for c in concepts) else NOT_ABOUT
        top = max(range(len(self.subject)), key=lambda i: (self.weights[i], -i))
        if self.subject[top] in terms:
            return level
        total = sum(self.weights)
        shared = sum(w for t, w in zip(self.subject, self.weights, strict=True) if t in terms)
        return level if total > 0 and shared / total >= 0.5 else NOT_ABOUT

    def about(self, feats: PostFeatures) -> bool:
        """Is the claim about this fact's subject?"""
        return self.aboutness(feats) != NOT_ABOUT

    def contradiction(self, feats: PostFeatures) -> str | None:
        """A short French reason when the claim contradicts this fact, else None."""
        if not self.about(feats):
            return None
        return self._contradiction(feats)

    def _contradiction(self, feats: PostFeatures) -> str | None:
        for pole in feats.predicates:
            for fpole in self.predicates:
                if conflicting(pole, fpole):
                    return f"« {_POLE_FR.get(pole, pole)} » alors que le fait dit « {_POLE_FR.get(fpole, fpole)} »"
        fact_units: dict[str, set[float]] = {}
        for value, unit in self.numbers:
            fact_units.setdefault(unit, set()).add(value)
        for value, unit in feats.numbers:
            known = fact_units.get(unit)
            if known and all(abs(value - k) > 1e-9 for k in known):
                shown = ", ".join(f"{k:g} {unit}" for k in sorted(known))
                return f"chiffre différent : {value:g} {unit} au lieu de {shown}"
        if self.denies and feats.numbers and not self._subject_negated(feats):
            value, unit = feats.numbers[0]
            return f"affirme qu'il existe ({value:g} {unit}) alors que le fait dit qu'il n'y en a pas"
        return None

    def _subject_negated(self, feats: PostFeatures) -> bool:
        """The claim itself denies the subject ("aucune prime", "pas de prime")."""
        wanted = set(self.head or self.subject[:1])
        stems = [stem(t) for t in feats.tokens]
        for i, s in enumerate(stems):
            if s in wanted and any(t in _NEGATIVE_DETERMINERS for t in feats.tokens[max(0, i - 2) : i]):
                return True
        return False

    def supports(self, feats: PostFeatures) -> bool:
        if not self.about(feats):
            return False
        if any(p in self.predicates for p in feats.predicates):
            return True
        fact_numbers = set(self.numbers)
        return any(n in fact_numbers for n in feats.numbers)


_POLE_FR = {
    "access.restricted": "réservé à certains",
    "access.open": "ouvert à toutes et à tous",
    "status.closed": "fermé",
    "status.open": "ouvert",
    "rule.forbidden": "interdit",
    "rule.allowed": "autorisé",
    "price.free": "gratuit",
    "price.paying": "payant",
    "event.cancelled": "annulé",
    "event.maintained": "maintenu",
    "offer.removed": "supprimé",
    "offer.kept": "maintenu, toujours proposé",
    "plan.yes": "prévu, va ouvrir",
    "plan.no": "aucun projet",
    "price.up": "augmente",
    "price.stable": "n'augmente pas",
    "grant.yes": "versé, distribué",
    "grant.no": "rien n'est versé",
    "exist.yes": "il y en a, retrouvé",
    "exist.no": "il n'y en a pas",
    "safety.unsafe": "dangereux, contaminé",
    "safety.safe": "sans danger, potable",
}


@dataclass(frozen=True)
class FactCheck:
    """What the fact base says of one post."""

    contradicted: Fact | None = None
    reason: str | None = None
    supported: Fact | None = None
    #: the contradiction names the fact's place (or the fact names none): see :meth:`Fact.aboutness`
    strong: bool = True


class FactBase:
    """The commune's facts, one statement each."""

    def __init__(
        self,
        statements: list[str] | None = None,
        ignore: frozenset[str] = frozenset(),
        town: frozenset[str] = frozenset(),
    ) -> None:
        self.facts: list[Fact] = []
        self.ignore = ignore
        self.town = town
        for line in statements or []:
            self.add(line)

    def add(self, statement: str) -> Fact | None:
        text = statement.strip()
        if not text or text.startswith("#"):
            return None
        fact = Fact.parse(len(self.facts), text, self.ignore, self.town)
        self.facts.append(fact)
        return fact

    @classmethod
    def from_text(cls, content: str) -> FactBase:
        return cls(content.splitlines())

    def assess(self, feats: PostFeatures) -> FactCheck:
        contradicted: Fact | None = None
        reason: str | None = None
        supported: Fact | None = None
        strong = True
        for fact in self.facts:
            level = fact.aboutness(feats)
            why = fact._contradiction(feats) if level != NOT_ABOUT else None
            if why is not None and contradicted is None:  # the commune's order of its facts decides
                contradicted, reason, strong = fact, why, level == STRONG
            elif why is None and supported is None and level != NOT_ABOUT and fact.supports(feats):
                supported = fact
        return FactCheck(contradicted, reason, supported, strong)

    def check(self, feats: PostFeatures) -> tuple[Fact | None, str | None, Fact | None]:
        """(contradicted fact, reason, supported fact) for one post."""
        result = self.assess(feats)
        return result.contradicted, result.reason, result.supported

    def __len__(self) -> int:
        return len(self.facts)

    def statements(self) -> list[str]:
        return [f.text for f in self.facts]


def fact_problems(statement: str, commune_name: str = "", slug: str = "") -> list[str]:
    """Why the watch cannot use this fact, in French (empty list when it can): for the facts screen."""
    text = statement.strip()
    if not text:
        return []
    town = town_keys(slug, commune_name)
    ignore = frozenset(stem(t) for t in tokens(f"{commune_name} {slug}") if len(t) >= 3)
    return Fact.parse(0, text, ignore, town).problems_fr()
