"""Checking a reply before it goes out: restore the facts WITHOUT repeating the rumour.

Crisis communication practice: a denial that repeats the rumour's wording ("Non, la piscine ne sera
pas réservée aux femmes") spreads the very words it denies. The reply should state the fact ("La
piscine est ouverte à toutes et à tous, aux horaires habituels") and point to the official source.

:func:`lint_reply` warns (it never blocks) when the draft

- quotes the claim's key phrase: a run of two words or more of the claim, found in the draft (negations
  aside), that carries at least one word of the claim absent from every fact ("réservée aux femmes",
  "ne devient pas payante"), or denies one of those words ("les poules ne sont pas interdites");
- starts like a headline denial of the claim ("FAUX :", "Rumeur :", "Non, …" followed by the claim's words);
- gives no fact at all (no content word shared with any fact of the commune);
- is long (a short answer is read; a long one is skimmed).

Pure Python, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from beffroi.domain.sentiment.textprep import stem, stopwords, tokens

MAX_LENGTH = 600
MIN_RUN = 2
_HEADLINE_OPENERS = ("faux", "rumeur", "intox", "fake", "infox", "dementi", "non", "attention")


@dataclass(frozen=True)
class LintWarning:
    code: str  # repeats_claim | headline | no_fact | too_long
    message: str  # French, shown as is
    phrase: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "phrase": self.phrase}


def _words(text: str) -> list[tuple[str, str]]:
    """(surface token, stem) pairs, hyphenated words split."""
    out = []
    for tok in tokens(text):
        for part in tok.split("-"):
            if part:
                out.append((part, stem(part)))
    return out


def _content(stem_value: str, surface: str) -> bool:
    return surface not in stopwords() and len(surface) >= 3 and not surface.isdigit()


def original_span(text: str, folded_phrase: str) -> str:
    """The phrase as written in ``text`` (accents, case), found by folding the text; else the phrase."""
    folded: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for sub in unicodedata.normalize("NFKD", ch):
            if not unicodedata.combining(sub):
                folded.append(sub.lower())
                index.append(i)
    words = [w for w in re.split(r"[^a-z0-9]+", folded_phrase) if w]
    if not words:
        return folded_phrase
    pattern = r"[^a-z0-9]+".join(re.escape(w) for w in words)
    match = re.search(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", "".join(folded))
    if match is None:
        return folded_phrase
    return text[index[match.start()] : index[match.end() - 1] + 1]


#: Words that deny without changing what is named: skipped when comparing the draft with the claim, so
#: "la déchetterie ne devient pas payante" repeats "la déchetterie devient payante".
_NEGATION = frozenset({"ne", "n", "pas", "plus", "jamais", "point", "guere", "nullement", "non"})
#: Negations that, just before one of the rumour's words, repeat it ("les poules ne sont pas
#: *interdites*", "aucun *arrêté*").
_DENIERS = _NEGATION | {"aucun", "aucune", "ni", "sans"}


def _skeleton(words: Sequence[tuple[str, str]]) -> list[int]:
    """Positions of the words that are not negations."""
    return [i for i, (surf, _s) in enumerate(words) if surf not in _NEGATION]


def key_phrases(draft: str, claim: str, facts: Iterable[str], neutral: Iterable[str] = ()) -> list[str]:
    """Phrases of the draft that repeat the rumour: runs of the claim's words (negations aside: "ne
    devient pas payante" repeats "devient payante") that carry a word of the rumour (not of a fact, nor
    of a ``neutral`` text: the commune's name, its places…), and any word of the rumour the draft
    denies ("les poules ne sont pas interdites", "l'eau n'est pas empoisonnée")."""
    d = _words(draft)
    c = _words(claim)
    if not d or not c:
        return []
    fact_stems = {s for text in [*facts, *neutral] for _, s in _words(text)}
    rumour_stems = {s for surf, s in c if _content(s, surf) and s not in fact_stems and surf not in _DENIERS}
    if not rumour_stems:
        return []
    d_pos = _skeleton(d)
    c_pos = _skeleton(c)
    d_stems = [d[i][1] for i in d_pos]
    c_stems = [c[j][1] for j in c_pos]
    found: list[str] = []
    covered = [False] * len(d)

    def add(start: int, end: int) -> None:
        phrase = original_span(draft, " ".join(surf for surf, _ in d[start : end + 1]))
        if phrase not in found:
            found.append(phrase)
        for x in range(start, end + 1):
            covered[x] = True

    # longest runs first: for each start in the draft, the longest run also in the claim
    for a in range(len(d_pos)):
        if covered[d_pos[a]]:
            continue
        best = 0
        for b in range(len(c_pos)):
            k = 0
            while a + k < len(d_pos) and b + k < len(c_pos) and d_stems[a + k] == c_stems[b + k]:
                k += 1
            best = max(best, k)
        if best >= MIN_RUN:
            run = [d[d_pos[x]] for x in range(a, a + best)]
            content = [s for surf, s in run if _content(s, surf)]
            if any(s in rumour_stems for s in content):
                add(d_pos[a], d_pos[a + best - 1])
    # a word of the rumour that the draft denies, however the sentence is built around it
    for i, (surf, s) in enumerate(d):
        if covered[i] or s not in rumour_stems or not _content(s, surf):
            continue
        start = next((j for j in range(max(0, i - 3), i) if d[j][0] in _DENIERS), None)
        if start is not None:
            add(start, i)
    return found


def lint_reply(
    draft: str, claim: str, facts: Sequence[str], neutral: Sequence[str] = ()
) -> list[LintWarning]:
    text = (draft or "").strip()
    if not text:
        return []
    warnings: list[LintWarning] = []
    phrases = key_phrases(text, claim, facts, neutral)
    if phrases:
        shown = " », « ".join(phrases[:3])
        warnings.append(
            LintWarning(
                "repeats_claim",
                f"Le brouillon reprend les mots de la rumeur (« {shown} ») : les répéter, même pour les démentir, "
                "les diffuse. Dites plutôt ce qui est vrai, avec le fait officiel.",
                phrases[0],
            )
        )
    first = _words(text)[:3]
    if first and first[0][0] in _HEADLINE_OPENERS and phrases:
        warnings.append(
            LintWarning(
                "headline",
                "Le message commence comme un démenti en titre. Commencez par l'information juste (le fait "
                "officiel), sans reprendre la rumeur.",
            )
        )
    fact_stems = {s for fact in facts for surf, s in _words(fact) if _content(s, surf)}
    draft_stems = {s for surf, s in _words(text) if _content(s, surf)}
    if facts and not (fact_stems & draft_stems):
        warnings.append(
            LintWarning(
                "no_fact",
                "Le brouillon ne reprend aucun fait officiel de la commune : ajoutez l'information juste et, si "
                "possible, le lien vers la source officielle.",
            )
        )
    if len(text) > MAX_LENGTH:
        warnings.append(
            LintWarning(
                "too_long",
                f"Le message est long ({len(text)} caractères) : une réponse courte et factuelle se lit mieux.",
            )
        )
    return warnings
