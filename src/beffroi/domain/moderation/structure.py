"""The structure layer: who a word is aimed at, negation, counter-speech, questions.

Rules find a word (an insult, a negative attribute, a violent verb) and ask this layer:
- ``subject_of`` / ``object_of``: the target of a predicate or verb, as a :class:`Target` (a
  protected group, a person, the reader, a non-protected group, an object, the speaker, nobody),
  following pronouns back to an earlier sentence ("J'ai croisé des Roms. Ce sont des parasites.");
- ``negated``: whether a predicate is negated ("ne sont pas", "aucune femme n'est", SMS "sont pas"),
  except in rhetorical questions ("ne sont-ils pas tous des …?");
- ``counter_speech``: whether a span is quoted or reported in order to denounce it.
"""

from __future__ import annotations

from dataclasses import dataclass

from beffroi.domain.moderation.analysis import Analysis, Match
from beffroi.domain.moderation.lexicon import Lexicon


@dataclass(frozen=True)
class Grammar:
    negation: frozenset[str]
    pronoun1: frozenset[str]
    pronoun2: frozenset[str]
    pronoun3: frozenset[str]
    modal: frozenset[str]
    copula: frozenset[str]
    skip: frozenset[str]  # determiners, intensifiers, copulas: walked over when looking for a target

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> Grammar:
        sections: dict[str, set[str]] = {}
        for entry, forms in lexicon.forms.items():
            if entry.category != "grammar":
                continue
            bucket = sections.setdefault(entry.section, set())
            for form in forms:
                if len(form) == 1:
                    bucket.add(form[0])
        copula = frozenset(sections.get("copula", set()))
        skip = frozenset(
            sections.get("determiner", set())
            | sections.get("intensifier", set())
            | copula
            | sections.get("modal", set())
            | {
                "ne",
                "n",
                "pas",
                "jamais",
                "plus",
                "qu",
                "que",
                "y",
                "en",
                "a",
                "ont",
                "avoir",
                "etre",
                "ete",
                "de",
                "d",
            }
        )
        return cls(
            negation=frozenset(sections.get("negation", set())),
            pronoun1=frozenset(sections.get("pronoun1", set())),
            pronoun2=frozenset(sections.get("pronoun2", set())),
            pronoun3=frozenset(sections.get("pronoun3", set())),
            modal=frozenset(sections.get("modal", set())),
            copula=copula,
            skip=skip,
        )


# Target kinds
GROUP = "group"  # a protected group (identity term or slur)
PERSON = "person"  # a named or designated person, or a non-protected group of people
READER = "reader"  # second person: "tu", "vous"
SPEAKER = "speaker"  # first person
THING = "thing"  # anything else that is named
NOBODY = "nobody"


@dataclass(frozen=True)
class Target:
    kind: str
    index: int = -1  # token index of the target word (-1: none)
    match: Match | None = None  # the identity/slur/person match when there is one
    via_pronoun: bool = False


_NONE = Target(NOBODY)
_INVERTED = frozenset({"il", "ils", "elle", "elles", "on", "t"})
_NEG2 = frozenset(
    {
        "pas",
        "jamais",
        "plus",
        "point",
        "guere",
        "rien",
        "personne",
        "aucun",
        "aucune",
        "nullement",
        "nul",
        "nulle",
        "jms",
        "pa",
        "po",
    }
)
_SMS_NEG = frozenset({"pas", "jamais", "jms", "pa", "po", "aucun", "aucune"})
_OBJECT_CLITICS3 = frozenset({"le", "la", "les", "l", "leur", "lui"})
_BE_FORMS = frozenset({"est", "sont", "etait", "etaient", "sera", "seront", "serait", "seraient"})
_PERSON_SUFFIXES = ("eurs", "euses", "istes", "iens", "iennes", "ards", "ardes", "ateurs", "atrices")
_REFUTE = frozenset({"non", "faux", "contraire", "mensonge", "honte", "honteux", "inacceptable"})
_PEOPLE = frozenset(
    {"gens", "personnes", "individus", "types", "mecs", "meufs", "gars", "derniers", "dernieres"}
)
_RELATIVE = frozenset({"qui", "que", "qu", "dont"})
_GROUP_DETERMINERS = frozenset(
    {
        "les",
        "des",
        "ces",
        "aux",
        "tous",
        "toutes",
        "certains",
        "certaines",
        "ses",
        "leurs",
        "nos",
        "vos",
        "plein",
        "beaucoup",
        "trop",
        "sales",
        "sale",
        "putains",
        "foutus",
        "foutues",
        "maudits",
        "un",
        "une",
        "cet",
        "cette",
        "ce",
        "le",
        "la",
        "l",
        "du",
        "de",
        "d",
        "quelques",
        "aucun",
        "aucune",
        "chaque",
        "ton",
        "ta",
        "sa",
        "son",
        "votre",
        "espece",
        "bande",
    }
)


_SPEECH_NOUNS = frozenset(
    {
        "propos", "paroles", "insultes", "injures", "attaques", "violences", "violence", "agressions",
        "discriminations", "discrimination", "haine", "racisme", "commentaires", "messages", "menaces",
        "harcelement", "prejuges", "cliches", "stereotypes", "crimes", "actes", "discours", "blagues",
        "moqueries", "insulte", "injure", "attaque", "agression", "commentaire", "message", "tweets",
        "posts", "publications", "hostilite", "mepris", "intolerance", "amalgames", "amalgame",
    }
)
_SPEECH_PREPOSITIONS = frozenset({"contre", "envers", "visant", "ciblant", "encontre", "egard", "aux"})
_OWNED_FEELINGS = frozenset({"haine", "mepris", "hostilite"})
_FIRST_PERSON = frozenset({"je", "j", "ma", "mon", "moi", "nous", "notre", "on"})


def speech_complement(analysis: Analysis, index: int) -> bool:
    """Whether the group word at ``index`` is only the complement of words about hateful speech or
    acts ("les propos haineux contre les femmes …", "la haine envers les musulmans doit cesser"):
    the sentence is about the speech, not an attack on the group. A feeling the speaker owns ("j'ai
    de la haine contre les …") is not such a complement."""
    toks = analysis.toks
    clause_start = analysis.clause_of(index)[0]
    j = index - 1
    while j >= clause_start and toks[j].canon in ("les", "des", "la", "le", "l", "tous", "toutes", "ces", "de", "d", "a"):
        j -= 1
    if j < clause_start or toks[j].canon not in _SPEECH_PREPOSITIONS:
        return False
    if toks[j].canon == "aux" and (j == 0 or toks[j - 1].canon not in ("faites", "faits", "infligees")):
        return False
    for k in range(j - 1, max(clause_start, j - 4) - 1, -1):
        word = toks[k].canon
        if word in _SPEECH_NOUNS:
            owned = word in _OWNED_FEELINGS and any(t.canon in _FIRST_PERSON for t in toks[clause_start:k])
            return not owned
    return False


def identity_target(analysis: Analysis, match: Match) -> bool:
    """Whether an identity/slur match designates people (ambiguous words need a determiner), and is
    not merely the complement of words about hateful speech (:func:`speech_complement`)."""
    if speech_complement(analysis, match.start):
        return False
    if "amb" not in match.entry.tags:
        return True
    toks = analysis.toks
    i = match.start
    if i > 0 and toks[i - 1].canon in _GROUP_DETERMINERS:
        return True
    if i > 0 and any(m.entry.category == "persons" for m in analysis.at.get(i - 1, ())):
        return True  # "des enfants roms", "une femme noire"
    if i > 0 and toks[i - 1].sentence == toks[i].sentence:
        start, _end = analysis.norm.original_span(toks[i].start, toks[i].end)
        if analysis.norm.original[start : start + 1].isupper():
            return True  # "le prochain Rom", "un Noir": a capitalised people's name
    return i == 0 and toks[i].canon.endswith(("s", "x")) and match.end < len(toks)


def _group_at(analysis: Analysis, index: int) -> Match | None:
    for m in analysis.at.get(index, ()):
        if m.entry.category in ("identity", "slurs") and identity_target(analysis, m):
            return m
    return None


def _person_at(analysis: Analysis, index: int) -> Match | None:
    for m in analysis.at.get(index, ()):
        if m.entry.category == "persons":
            return m
    return None


def classify_token(analysis: Analysis, grammar: Grammar, index: int) -> Target | None:
    """The target a single token designates, or None if it is a word to walk over."""
    tok = analysis.toks[index]
    word = tok.canon
    group = _group_at(analysis, index)
    if group is not None:
        return Target(GROUP, index, group)
    if word in ("ce", "c") and index + 1 < len(analysis.toks) and analysis.toks[index + 1].canon in _BE_FORMS:
        return Target(PERSON, index, via_pronoun=True)  # "ce sont des parasites"
    person = _person_at(analysis, index)
    if person is not None:
        return Target(PERSON, index, person)
    for m in analysis.at.get(index, ()):
        if m.entry.category == "insults" and "person" in m.entry.tags and "amb" not in m.entry.tags:
            return Target(PERSON, index, m)  # "je vais tabasser ce connard"
    if word in grammar.pronoun2:
        return Target(READER, index)
    if word in grammar.pronoun1:
        return Target(SPEAKER, index)
    if word in grammar.pronoun3:
        return Target(PERSON, index, via_pronoun=True)
    if word in _PEOPLE and index > 0 and analysis.toks[index - 1].canon in ("ces", "ceux"):
        return Target(PERSON, index, via_pronoun=True)  # "ces gens", "ces individus"
    if word in grammar.skip:
        return None
    if tok.start > 0 and analysis.norm.text[tok.start - 1] == "@":
        return Target(PERSON, index)  # an @handle
    if len(word) > 5 and word.endswith(_PERSON_SUFFIXES):
        return Target(PERSON, index)  # "les développeurs", "les tiktokeurs"
    return Target(THING, index)


def resolve_pronoun(analysis: Analysis, grammar: Grammar, index: int) -> Target:
    """What a third-person pronoun at ``index`` refers to: the nearest earlier group or person."""
    toks = analysis.toks
    sentence = toks[index].sentence
    word = toks[index].canon
    demonstrative = word in ("ce", "c", "ca", "cela")
    # "ce", "ça": a topic of the same sentence ("les élus, c'est des clowns") or of the previous
    # one for a plural "ce sont" ("J'ai croisé des Roms. Ce sont des parasites.")
    reach = 0 if demonstrative and not _plural_be(analysis, index) else 2
    for j in range(index - 1, -1, -1):
        if sentence - toks[j].sentence > reach:
            break
        group = _group_at(analysis, j)
        if group is not None:
            return Target(GROUP, j, group, via_pronoun=True)
        person = _person_at(analysis, j)
        if person is not None:
            head = _head_of(analysis, grammar, Target(PERSON, j, person), 0)
            if head.kind == GROUP and head.match is not None:  # "les femmes du conseil … elles"
                return Target(GROUP, head.index, head.match, via_pronoun=True)
            if head.kind == THING:  # "le chien de mon voisin, il …"
                return Target(THING, head.index, via_pronoun=True)
            return Target(PERSON, j, person, via_pronoun=True)
    if demonstrative:
        return Target(THING, index)
    dislocated = _dislocated_topic(analysis, grammar, index)
    if dislocated is not None:
        return dislocated
    return Target(PERSON, index, via_pronoun=True)


_DISLOCATED_DET = frozenset(
    {"ce", "cet", "cette", "ces", "le", "la", "les", "ton", "ta", "tes", "son", "sa", "ses", "mon", "ma", "mes"}
)
_PLURAL_DET = frozenset({"ces", "les", "tes", "ses", "mes"})
_SUBJECT_PRONOUNS = frozenset({"je", "j", "tu", "t", "il", "ils", "elle", "elles", "on", "nous", "vous"})


def _dislocated_topic(analysis: Analysis, grammar: Grammar, index: int) -> Target | None:
    """A pronoun announcing a topic named later in its sentence: "il est trop chiant, ce jeu"."""
    toks = analysis.toks
    end = analysis.sentence_of(index)[1]
    if toks[index].canon not in ("il", "elle", "ils", "elles"):
        return None
    be = index + 1
    if be < end and toks[be].canon in ("n", "ne"):
        be += 1
    if be >= end or toks[be].canon not in _BE_FORMS:  # only "il est …, ce …" ("il la trouve …" is not)
        return None
    for j in range(be + 2, min(end, be + 8)):
        if toks[j].canon in _SUBJECT_PRONOUNS:
            return None  # a new clause starts ("il est débile lui on le vire")
        if toks[j].canon in _DISLOCATED_DET and j + 1 < end:
            if toks[j].canon == "ce" and toks[j + 1].canon in _BE_FORMS:
                return None
            named = classify_token(analysis, grammar, j + 1)
            if named is not None and named.kind in (THING, GROUP, PERSON) and not named.via_pronoun:
                if named.kind == GROUP and toks[j].canon not in _PLURAL_DET:
                    return Target(PERSON, named.index, via_pronoun=True)  # "ce mec": one man
                return Target(named.kind, named.index, named.match, via_pronoun=True)
            return None
    return None


def _plural_be(analysis: Analysis, index: int) -> bool:
    nxt = index + 1
    return nxt < len(analysis.toks) and analysis.toks[nxt].canon in ("sont", "etaient", "seront")


def subject_of(analysis: Analysis, grammar: Grammar, index: int, limit: int = 8) -> Target:
    """The target a predicate at ``index`` is said of: walk back over copulas and intensifiers."""
    key = ("subject", index, limit)
    cached = analysis.memo.get(key)
    if cached is None:
        cached = analysis.memo[key] = _subject_of(analysis, grammar, index, limit)
    return cached  # type: ignore[return-value]


def _subject_of(analysis: Analysis, grammar: Grammar, index: int, limit: int) -> Target:
    toks = analysis.toks
    clause_start = analysis.clause_of(index)[0]
    sentence_start = analysis.sentence_of(index)[0]
    j = index - 1
    steps = 0
    while j >= sentence_start and steps < limit:
        tok = toks[j]
        if tok.hyphen_before and tok.canon in _INVERTED:  # "sont-ils": inverted subject
            j -= 1
            continue
        if tok.canon in _OBJECT_CLITICS3:  # articles or object pronouns: never the subject
            j -= 1
            steps += 1
            continue
        target = classify_token(analysis, grammar, j)
        if target is not None:
            if target.kind == PERSON and target.via_pronoun and target.match is None:
                return resolve_pronoun(analysis, grammar, j)
            if target.kind == THING and tok.canon in _RELATIVE:
                j -= 1
                continue
            if target.kind == THING:
                # "ces influenceurs qui filment la fête sont …": jump over the relative clause
                rel = next(
                    (
                        k
                        for k in range(j - 1, max(sentence_start, j - 8) - 1, -1)
                        if toks[k].canon in ("qui", "que")
                    ),
                    -1,
                )
                if rel > sentence_start:
                    j = rel - 1
                    steps += 1
                    continue
            return _head_of(analysis, grammar, target, sentence_start)
        if j < clause_start and toks[j].canon not in grammar.skip:
            break
        j -= 1
        steps += 1
    return _NONE


_INHERENT = frozenset({"peu", "nombre", "majorite", "plupart", "moitie", "groupe", "groupes", "tas", "bande", "millions", "milliers", "centaines", "dizaines", "vie", "vies", "existence", "presence", "sang", "culture", "religion", "race", "peuple", "communaute", "nature", "mentalite", "moeurs", "odeur", "place", "droits", "enfants", "gosses", "femmes", "hommes"})
_OF_WORDS = frozenset({"de", "d", "du", "des"})


def _head_of(analysis: Analysis, grammar: Grammar, target: Target, floor: int) -> Target:
    """'le harcèlement des femmes est …' is said of the harassment, 'les élus de la commune sont …'
    of the elected: a complement introduced by 'de' defers to the noun it completes."""
    if target.kind not in (GROUP, THING, PERSON) or target.via_pronoun:
        return target
    toks = analysis.toks
    start = target.match.start if target.match is not None else target.index
    k = start - 1
    while k >= floor and toks[k].canon in ("le", "la", "les", "l", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "votre", "leur", "leurs", "nos", "vos"):
        k -= 1
    if k - 1 < floor or toks[k].canon not in _OF_WORDS:
        return target
    head = classify_token(analysis, grammar, k - 1)
    if head is None or head.kind not in (THING, PERSON, GROUP):
        return target
    if target.kind == GROUP:
        if toks[k - 1].canon in _INHERENT:  # "la vie des X ne vaut rien": said of the group
            return target
        return head if head.kind == THING else target
    if target.kind == PERSON:  # "l'appli de la mairie", "les femmes du conseil"
        return head if head.kind in (THING, GROUP) else target
    return head


def object_of(analysis: Analysis, grammar: Grammar, start: int, end: int, limit: int = 6) -> Target:
    """The target of a verb spanning tokens ``[start, end)``: a clitic before it ("je te tue",
    "je les déteste") or the first noun after it ("je déteste les X")."""
    key = ("object", start, end, limit)
    cached = analysis.memo.get(key)
    if cached is None:
        cached = analysis.memo[key] = _object_of(analysis, grammar, start, end, limit)
    return cached  # type: ignore[return-value]


def _object_of(analysis: Analysis, grammar: Grammar, start: int, end: int, limit: int) -> Target:
    toks = analysis.toks
    if start >= len(toks):
        return _NONE
    # clitic object pronouns right before the verb (skipping "ne", "vais", "veux", ...)
    j = start - 1
    steps = 0
    while j >= 0 and steps < 4 and toks[j].clause == toks[start].clause:
        word = toks[j].canon
        if word in ("te", "t", "vous", "toi"):
            return Target(READER, j)
        if word in _OBJECT_CLITICS3:
            return resolve_pronoun(analysis, grammar, j)
        if word in ("me", "m", "nous"):
            return Target(SPEAKER, j)
        if word not in (
            "ne",
            "n",
            "y",
            "en",
            "vais",
            "va",
            "veux",
            "vas",
            "allons",
            "allez",
            "vont",
            "faut",
            "faudrait",
            "peux",
            "peut",
            "dois",
            "doit",
        ):
            break
        j -= 1
        steps += 1
    j = end
    clause_end = analysis.clause_of(start)[1]
    steps = 0
    while j < len(toks) and steps < limit:
        if j >= clause_end and toks[j].canon not in grammar.skip:
            break
        target = classify_token(analysis, grammar, j)
        if target is not None:
            if target.kind == PERSON and target.via_pronoun and target.match is None:
                if toks[j].canon in ("eux", "elles", "ceux", "celles"):
                    return resolve_pronoun(analysis, grammar, j)
                if toks[j].canon in ("le", "la", "les", "l"):  # article, not a pronoun
                    j += 1
                    steps += 1
                    continue
            return target
        j += 1
        steps += 1
    return _NONE


def is_rhetorical(analysis: Analysis, index: int) -> bool:
    """A negative question that asserts: "ne sont-ils pas …?", "n'est-ce pas ?"."""
    toks = analysis.toks
    sentence = toks[index].sentence
    if sentence not in analysis.question_sentences:
        return False
    start, end = analysis.sentence_ranges[sentence]
    return any(toks[k].hyphen_before and toks[k].canon in _INVERTED | {"ce"} for k in range(start, end))


def negated(analysis: Analysis, grammar: Grammar, start: int, end: int | None = None) -> bool:
    """Whether the word(s) at ``[start, end)`` are under a negation in their clause."""
    toks = analysis.toks
    end = start + 1 if end is None else end
    c_start, c_end = analysis.clause_of(start)
    # negation particles inside a matched phrase belong to it ("personne ne t'aime")
    words = [(k, toks[k].canon) for k in range(c_start, min(c_end, end + 3)) if not start <= k < end]
    has_ne = any(w in ("ne", "n") and k < start for k, w in words)
    if has_ne:
        second = [w for k, w in words if w in _NEG2]
        if not second:
            # "ne ... que" is restrictive ("ils ne sont que des rats"), not a negation
            return False
        return not is_rhetorical(analysis, start)
    # spoken/SMS French drops "ne": "ils sont pas méchants" (only copulas and adverbs between),
    # "j'aime pas les X" (right after the verb); not "il rentre pas dans le sujet, sale X"
    if end < c_end and toks[end].canon in _SMS_NEG and toks[end].canon not in ("aucun", "aucune"):
        return not is_rhetorical(analysis, start)
    k = start - 1
    while k >= max(c_start, start - 5):
        word = toks[k].canon
        if word in _SMS_NEG:
            return not is_rhetorical(analysis, start)
        if word not in grammar.skip:
            break
        k -= 1
    # "pas tous les X sont …", "pas toutes": a partial negation of a generalisation
    return any(w == "pas" and toks[k + 1].canon in ("tous", "toutes") for k, w in words if k + 1 < start)


def _denounce_positions(analysis: Analysis, grammar: Grammar) -> list[Match]:
    return [m for m in analysis.of("counter", "denounce") if not negated(analysis, grammar, m.start, m.end)]


def counter_speech(analysis: Analysis, grammar: Grammar, start: int, end: int) -> bool:
    """Whether tokens ``[start, end)`` are quoted or reported in order to denounce them."""
    toks = analysis.toks
    reports = analysis.of("counter", "report")
    # "Dire que …", "Prétendre que …" opening a sentence: the sentence is about what is said
    strong = [m for m in reports if m.entry.weight >= 0.7 or (m.entry.weight >= 0.5 and _opens_sentence(analysis, m.start))]
    sentence = toks[start].sentence
    reported = any(m.end <= start and toks[m.start].sentence == sentence for m in reports)
    # a judgement in another clause, or after the words when they are reported ("dire que les X
    # sont des animaux est inacceptable"); never the predicate itself ("les X sont inacceptables")
    denounce = [
        m
        for m in _denounce_positions(analysis, grammar)
        if toks[m.start].clause != toks[start].clause or m.start >= end + 2 or (reported and m.start >= end)
    ]
    # quoted, with a report or a judgement outside the quotes
    if toks[start].quoted:
        outside = [m for m in (*denounce, *reports) if not toks[m.start].quoted]
        if outside or any(not t.quoted and t.canon in _REFUTE for t in toks):
            return True
    clause = toks[start].clause
    # "ceux qui disent que …", "si tu penses que …", "arrêtez de dire que …", "on m'a traité de …"
    # (the reported words run to the end of the clause: "…, t'es un abruti" is not reported)
    if any(
        m.end <= start
        and toks[m.start].sentence == sentence
        and clause - toks[m.start].clause <= 1
        and _same_span(analysis, m.start, start)
        for m in strong
    ):
        return True
    # "dire que les X sont …, c'est de l'homophobie": a report before and a judgement elsewhere
    if denounce:
        if any(
            m.end <= start + 1 and toks[m.start].sentence == sentence and _same_span(analysis, m.start, start)
            for m in reports
        ):
            return True
        # "« … » : c'est honteux" / a strong judgement in another sentence about a quote
        if any(t.quoted for t in toks) and toks[start].quoted:
            return True
    return False


def _opens_sentence(analysis: Analysis, index: int) -> bool:
    return analysis.sentence_of(index)[0] == index


def _same_span(analysis: Analysis, report: int, index: int) -> bool:
    """Whether ``index`` is inside what the report cue at ``report`` introduces: the same clause,
    or the clause right after it when the report ends its clause ("ceux qui disent : les X …")."""
    toks = analysis.toks
    if toks[report].clause == toks[index].clause:
        return True
    return (
        toks[index].clause == toks[report].clause + 1
        and analysis.clause_ranges[toks[report].clause][1] - report <= 4
    )


def second_person_present(analysis: Analysis, grammar: Grammar, start: int, end: int) -> bool:
    toks = analysis.toks
    return any(toks[k].canon in grammar.pronoun2 for k in range(max(0, start), min(end, len(toks))))


def banter_factor(analysis: Analysis, grammar: Grammar) -> float:
    """Friendly teasing ("t'es trop con jtm", "t'es bête mdr ❤️") softens an insult: 0.55 with a
    mark of affection, 0.85 with laughter only, 1 otherwise."""
    key = ("banter",)
    cached = analysis.memo.get(key)
    if cached is None:
        markers = [m for m in analysis.of("banter") if not negated(analysis, grammar, m.start, m.end)]
        if any(m.entry.section == "affection" for m in markers):
            cached = 0.55
        elif markers:
            cached = 0.85
        else:
            cached = 1.0
        analysis.memo[key] = cached
    return float(cached)  # type: ignore[arg-type]
