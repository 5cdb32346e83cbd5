"""The commune's fact base and the contradiction test.

A fact is one official sentence ("La piscine municipale est ouverte à toutes et à tous, aux horaires
habituels."). It is read into a *subject* (its specific content terms: "piscine") and *predicate poles*
("access.open", "status.open") and numbers with units. A claim contradicts a fact when it is about the
same subject and asserts a pole that excludes one of the fact's poles (reserved-for vs open-to-all,
closed vs open, forbidden vs allowed, free vs paying, cancelled vs maintained, "plus de porc" vs
"continue de proposer", "va ouvrir" vs "aucun projet"), or gives a different number for the same unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from beffroi.domain.rumour.features import (
    PostFeatures,
    conflicting,
    extract,
    generic_terms,
    predicate_matcher,
)
from beffroi.domain.rumour.weights import prior_weight
from beffroi.domain.sentiment.textprep import stem, tokens

#: Share of the weight of a fact's head terms (its grammatical subject) a claim must mention when it
#: does not name the subject's head noun.
HEAD_SHARE = 0.5


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

    @classmethod
    def parse(cls, index: int, text: str, ignore: frozenset[str] = frozenset()) -> Fact:
        """``ignore``: terms that name nothing specific here (the commune's own name)."""
        feats = extract(text, with_sentiment=False)
        generic = generic_terms() | ignore
        subject = [t for t in feats.subject_terms if t not in generic]
        if not subject:
            subject = [t for t in feats.subject_terms if t not in ignore] or list(feats.subject_terms)
        weights = [prior_weight(t, feats.surface.get(t, "")) for t in subject]
        head: list[str] = []
        toks = tokens(text)
        found = predicate_matcher().find(toks, [stem(t) for t in toks])
        if found and found[0][0] > 0:
            before = extract(" ".join(toks[: found[0][0]]), with_sentiment=False)
            head = [t for t in before.subject_terms if t in subject]
        return cls(
            index=index,
            text=text.strip(),
            subject=tuple(subject),
            weights=tuple(weights),
            predicates=tuple(feats.predicates),
            numbers=tuple(feats.numbers),
            head=tuple(head),
            head_weights=tuple(weights[subject.index(t)] for t in head),
        )

    def about(self, feats: PostFeatures) -> bool:
        """Is the claim about this fact's subject?"""
        if not self.subject:
            return False
        terms = set(feats.subject_terms)
        concepts = [t for t in self.subject if t.startswith("C:")]
        if concepts and any(c in terms for c in concepts):
            return True
        head = [(t, w) for t, w in zip(self.head, self.head_weights, strict=True) if not t.startswith("C:")]
        if head:
            # the thing the fact is about, named by the claim: the head noun of the subject (French
            # puts it first: "le *cabinet* médical", "l'*éclairage* public des rues"), or most of the
            # subject's weight; not a detail of its complement ("le Dr Moreau", "le 1er février")
            if head[0][0] in terms:
                return True
            total = sum(w for _t, w in head)
            shared = sum(w for t, w in head if t in terms)
            return total > 0 and shared / total >= HEAD_SHARE
        if concepts:
            return False
        top = max(range(len(self.subject)), key=lambda i: (self.weights[i], -i))
        if self.subject[top] in terms:
            return True
        total = sum(self.weights)
        shared = sum(w for t, w in zip(self.subject, self.weights, strict=True) if t in terms)
        return total > 0 and shared / total >= 0.5

    def contradiction(self, feats: PostFeatures) -> str | None:
        """A short French reason when the claim contradicts this fact, else None."""
        if not self.about(feats):
            return None
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
        return None

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
}


class FactBase:
    """The commune's facts, one statement each."""

    def __init__(self, statements: list[str] | None = None, ignore: frozenset[str] = frozenset()) -> None:
        self.facts: list[Fact] = []
        self.ignore = ignore
        for line in statements or []:
            self.add(line)

    def add(self, statement: str) -> Fact | None:
        text = statement.strip()
        if not text or text.startswith("#"):
            return None
        fact = Fact.parse(len(self.facts), text, self.ignore)
        self.facts.append(fact)
        return fact

    @classmethod
    def from_text(cls, content: str) -> FactBase:
        return cls(content.splitlines())

    def check(self, feats: PostFeatures) -> tuple[Fact | None, str | None, Fact | None]:
        """(contradicted fact, reason, supported fact) for one post."""
        contradicted: Fact | None = None
        reason: str | None = None
        supported: Fact | None = None
        for fact in self.facts:
            why = fact.contradiction(feats)
            if why is not None and contradicted is None:
                contradicted, reason = fact, why
            elif why is None and supported is None and fact.supports(feats):
                supported = fact
        return contradicted, reason, supported

    def __len__(self) -> int:
        return len(self.facts)

    def statements(self) -> list[str]:
        return [f.text for f in self.facts]
