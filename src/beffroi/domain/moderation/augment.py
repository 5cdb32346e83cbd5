"""Deterministic template augmentation for training (HateCheck-style functional coverage).

The corpus holds real-looking comments; these templates add systematic pairs that teach the
structures: derogation, threats, negated positives, implicit hate, questions and opinions,
pronoun reference, obfuscated spellings (hateful), against negated negatives, counter-speech,
neutral and positive identity mentions, abuse of objects, of individuals and of non-protected
groups (not hateful). Same output on every run (no randomness beyond a fixed-seed generator).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from beffroi.domain.moderation.types import Label

# plural noun, singular noun, feminine/masculine agreement of adjectives ("s" or "es")
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("musulmans", "musulman", "s"),
    ("juifs", "juif", "s"),
    ("femmes", "femme", "es"),
    ("trans", "trans", "s"),
    ("gays", "gay", "s"),
    ("homosexuels", "homosexuel", "s"),
    ("lesbiennes", "lesbienne", "es"),
    ("Noirs", "Noir", "s"),
    ("Arabes", "Arabe", "s"),
    ("handicapés", "handicapé", "s"),
    ("immigrés", "immigré", "s"),
    ("réfugiés", "réfugié", "s"),
    ("migrants", "migrant", "s"),
    ("Roms", "Rom", "s"),
    ("Asiatiques", "Asiatique", "s"),
    ("Chinois", "Chinois", "s"),
    ("personnes âgées", "personne âgée", "es"),
    ("Africains", "Africain", "s"),
    ("autistes", "autiste", "s"),
    ("Maghrébins", "Maghrébin", "s"),
)
NON_PROTECTED = (
    "élus",
    "politiciens",
    "fonctionnaires",
    "journalistes",
    "agents de la mairie",
    "conseillers municipaux",
    "supporters du PSG",
    "chasseurs",
    "automobilistes",
    "bobos",
    "gauchistes",
    "banquiers",
)
OBJECTS = (
    "lundis",
    "embouteillages",
    "moustiques",
    "impôts",
    "travaux",
    "trottinettes",
    "réunions",
    "pubs",
    "ronds-points",
    "factures",
)
ADJECTIVES = (
    "dégoûtant",
    "stupide",
    "inférieur",
    "violent",
    "répugnant",
    "dangereux",
    "inutile",
    "paresseux",
    "sale",
    "arriéré",
    "malhonnête",
    "hypocrite",
)
NOUNS = (
    "parasites",
    "animaux",
    "rats",
    "sous-hommes",
    "déchets",
    "ordures",
    "cafards",
    "voleurs",
    "criminels",
    "porcs",
    "singes",
    "vermines",
    "menteurs",
    "terroristes",
)
POSITIVE = ("formidable", "génial", "courageux", "intelligent", "merveilleux", "accueillant")
INSULTS = (
    "connard",
    "abruti",
    "crétin",
    "sale con",
    "enfoiré",
    "bouffon",
    "imbécile",
    "pauvre type",
    "ordure",
    "raclure",
    "débile",
    "tocard",
)
EVENTS = (
    "quelle journée",
    "j'ai raté le bus",
    "encore en retard",
    "il pleut encore",
    "j'ai oublié mes clés",
    "le match est annulé",
)
VIOLENT = ("tuer", "buter", "égorger", "massacrer", "pendre", "fusiller", "exterminer", "brûler")

HATE = (
    "Je déteste les {G}.",
    "Je hais les {G}, {TOUS} autant qu'{ILS} sont.",
    "J'ai horreur des {G}.",
    "Les {G} me dégoûtent.",
    "Les {G} me font vomir.",
    "Les {G} sont {A}.",
    "Tous les {G} sont des {N}.",
    "Les {G} ne sont que des {N}.",
    "Les {G} sont vraiment {A}, c'est un fait.",
    "Il faudrait {V} tous les {G}.",
    "Je vais {V} les {G}.",
    "Les {G} devraient tous être pendus.",
    "Mort aux {G} !",
    "Les {G} ne sont pas des êtres humains.",
    "Les {G} ne méritent pas de vivre.",
    "Je n'aime pas les {G}.",
    "Les {G} ne sont pas les bienvenus ici.",
    "Les {G} n'ont rien à faire dans notre pays.",
    "Dehors les {G} !",
    "Les {G} ne devraient pas avoir le droit de voter.",
    "Je ne veux pas de {G} dans mon quartier.",
    "Pourquoi les {G} sont-{ILS} si {A} ?",
    "Je pense que les {G} sont {A}.",
    "Franchement les {G} sont {TOUS} des {N}.",
    "J'ai croisé des {G} hier. {ILS_} sont {A}.",
    "Les {G} ? Je les méprise.",
    "Ces sales {G} nous envahissent.",
    "Les {G}, une plaie pour ce pays.",
)
NOT_HATE = (
    "Je ne déteste pas les {G}.",
    "Les {G} ne sont pas {A}.",
    "{AUC} {S} n'est {A1}.",
    "Les {G} ne sont pas des {N}, arrêtez avec ça.",
    "Dire que les {G} sont {A}, c'est du racisme pur.",
    "« Les {G} sont des {N} » : voilà ce qu'on lit ici, c'est honteux.",
    "Arrêtez de dire que les {G} sont des {N}.",
    "Ceux qui disent que les {G} sont {A} devraient avoir honte.",
    "Je suis {S} et fier de l'être.",
    "Nous sommes un groupe de {G} de la commune.",
    "Beaucoup de {G} vivent dans notre ville.",
    "Les {G} du quartier organisent une fête samedi.",
    "J'adore les {G}.",
    "Les {G} sont {P}.",
    "Les {G} méritent le respect.",
    "Les {G} ont toute leur place ici.",
    "Je n'ai rien contre les {G}, au contraire.",
    "Mes voisins sont {G} et très sympathiques.",
)
OBJECT_NEUTRAL = (
    "Je déteste les {O}.",
    "Les {O} sont une plaie.",
    "Les {O}, c'est de la merde.",
    "Putain, {E}.",
    "Merde, {E}.",
    "Ces {O} me rendent fou.",
)
INSULT = (
    "Tu es un {I}.",
    "T'es qu'un {I}.",
    "Mon voisin est un {I}.",
    "Le maire est un {I}.",
    "Ferme-la, {I}.",
    "Les {NP} sont des {N}.",
    "Les {NP} sont tous {AP}.",
)
THREAT = (
    "Je vais te {V}.",
    "Je vais {V} le maire.",
    "Un jour je vais te {V}, tu verras.",
    "On va {V} ce conseiller.",
)

_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


def obfuscate(word: str, kind: int) -> str:
    """A deterministic misspelling: leet, spaced letters, swapped letters, deleted letter, doubled letter."""
    if len(word) < 4:
        return word
    middle = len(word) // 2
    if kind == 0:
        return word.translate(_LEET)
    if kind == 1:
        return " ".join(word)
    if kind == 2:
        return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
    if kind == 3:
        return word[:middle] + word[middle + 1 :]
    return word[:middle] + word[middle] * 3 + word[middle + 1 :]


def _agree(adjective: str, suffix: str) -> str:
    if adjective.endswith("x") and suffix == "s":
        return adjective
    if adjective.endswith("x"):
        return adjective[:-1] + "ses"
    if adjective.endswith("e") and suffix == "es":
        return adjective + "s"
    return adjective + suffix


def _singular(adjective: str, feminine: bool) -> str:
    if not feminine or adjective.endswith("e"):
        return adjective
    if adjective.endswith("x"):
        return adjective[:-1] + "se"
    return adjective + "e"


def _fill(template: str, rng: random.Random, group: tuple[str, str, str]) -> str:
    plural, singular, suffix = group
    feminine = suffix == "es"
    adjective = rng.choice(ADJECTIVES)
    return template.format(
        G=plural,
        S=singular,
        A=_agree(adjective, suffix),
        A1=_singular(adjective, feminine),
        AP=_agree(adjective, "s"),
        AUC="Aucune" if feminine else "Aucun",
        ILS="elles" if feminine else "ils",
        ILS_="Elles" if feminine else "Ils",
        TOUS="toutes" if feminine else "tous",
        N=rng.choice(NOUNS),
        P=_agree(rng.choice(POSITIVE), suffix),
        V=rng.choice(VIOLENT),
        O=rng.choice(OBJECTS),
        E=rng.choice(EVENTS),
        I=rng.choice(INSULTS),
        NP=rng.choice(NON_PROTECTED),
    )


def generate(seed: int = 29) -> Iterator[tuple[str, frozenset[Label]]]:
    """All augmentation examples as (text, labels), in a fixed order."""
    rng = random.Random(seed)
    hate = frozenset({Label.HATE})
    none: frozenset[Label] = frozenset()
    for group in GROUPS:
        for template in HATE:
            text = _fill(template, rng, group)
            labels = hate | (
                {Label.THREAT}
                if "{V}" in template or "Mort" in template or "pendus" in template
                else frozenset()
            )
            yield text, labels
            if rng.random() < 0.35:
                kind = rng.randrange(5)
                yield text.replace(group[0], obfuscate(group[0], kind), 1), labels
        for template in NOT_HATE:
            yield _fill(template, rng, group), none
    for template in OBJECT_NEUTRAL:
        for _ in range(8):
            yield _fill(template, rng, GROUPS[0]), none
    for template in INSULT:
        for _ in range(10):
            text = _fill(template, rng, GROUPS[0])
            yield text, frozenset({Label.INSULT})
            if rng.random() < 0.3:
                words = text.rstrip(".").split(" ")
                words[-1] = obfuscate(words[-1], rng.randrange(5))
                yield " ".join(words), frozenset({Label.INSULT})
    for template in THREAT:
        for _ in range(8):
            yield _fill(template, rng, GROUPS[0]), frozenset({Label.THREAT})
