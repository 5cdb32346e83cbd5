"""Personal data (doxxing): phone numbers, e-mail addresses, postal addresses, licence plates,
IBANs and social-security numbers. Lower when the author gives their own ("mon numéro") or writes
in private to the commune."""

from __future__ import annotations

import re

from beffroi.domain.moderation.rules.base import Hit, RuleContext, clamp
from beffroi.domain.moderation.types import Label, Span

NAME = "personal_data"
_STREET = r"(?:rue|avenue|av\.?|boulevard|bd|chemin|impasse|all[ée]e|place|route|quai|cours|square|lotissement|r[ée]sidence|lieu-dit|hameau|passage|sentier|voie|cit[ée])"
_NUMBER_WORD = r"un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante|septante|octante|nonante|cent|et|z[ée]ro|quatre-vingts?|dix-\w+|vingt-\w+|trente-\w+|quarante-\w+|cinquante-\w+|soixante-\w+|quatre-vingt-\w+"
_PATTERNS: list[tuple[str, re.Pattern[str], float]] = [
    (
        "numéro de téléphone",
        re.compile(r"(?<![\d+])(?:\+33\s?(?:\(0\)\s?)?|0033\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)"),
        0.85,
    ),
    (
        "numéro de téléphone en toutes lettres",
        re.compile(
            r"\bz[ée]ro[\s,.-]+(?:" + _NUMBER_WORD + r")(?:[\s,.-]+(?:" + _NUMBER_WORD + r")){4,}",
            re.IGNORECASE,
        ),
        0.8,
    ),
    ("adresse e-mail", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE), 0.75),
    (
        "adresse postale",
        re.compile(
            r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+"
            + _STREET
            + r"\s+(?:de\s+|du\s+|des\s+|d'|la\s+|le\s+)?[\w'\-]+(?:\s+[\w'\-]+){0,3}",
            re.IGNORECASE,
        ),
        0.8,
    ),
    ("code postal et ville", re.compile(r"\b(?:0[1-9]|[1-8]\d|9[0-8])\d{3}\s+[A-ZÉÈ][\w\-]+"), 0.45),
    (
        "plaque d'immatriculation",
        re.compile(
            r"\b[A-HJ-NP-TV-Z]{2}[\s-]\d{3}[\s-][A-HJ-NP-TV-Z]{2}\b|\b[A-HJ-NP-TV-Z]{2}\d{3}[A-HJ-NP-TV-Z]{2}\b"
        ),
        0.7,
    ),
    ("IBAN", re.compile(r"\bFR\d{2}(?:\s?[\dA-Z]{4}){5}\s?[\dA-Z]{3}\b"), 0.9),
    (
        "numéro de sécurité sociale",
        re.compile(r"\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2])\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})\b"),
        0.9,
    ),
]
_INSTITUTION = re.compile(
    r"\b(?:mairie|h[ôo]tel de ville|standard|accueil|secr[ée]tariat|service|services|[ée]cole|coll[èe]ge|lyc[ée]e|"
    r"m[ée]diath[èe]que|biblioth[èe]que|gymnase|salle des f[êe]tes|bureau de vote|office de tourisme|"
    r"police municipale|gendarmerie|pompiers|samu|urgences|d[ée]chetterie|cantine|cr[èe]che|centre social|"
    r"permanence|ccas|pr[ée]fecture|du lundi au|horaires|salle|r[ée]union publique|maison de sant[ée]|centre|espace|complexe|stade|piscine|march[ée]|[ée]glise|cimeti[èe]re|la poste|bureau de poste|gare|parking)\b|@(?:mairie|ville|commune|contact|accueil|info|service)|"
    r"(?:mairie|ville|commune|accueil|contact|secretariat|periscolaire|urbanisme|etat-civil|info)[\w.-]*@",
    re.IGNORECASE,
)
_TRIGGER = re.compile(r"\d|@|z[ée]ro", re.IGNORECASE)
_DOXX = re.compile(
    r"\b(?:il|elle|ils|elles)\s+(?:habite|habitent|vit|vivent|loge)|\bson\s+(?:adresse|num[ée]ro|t[ée]l|portable|mail|domicile)|\bsa\s+(?:plaque|voiture|maison|adresse)|\bvoici\s+(?:son|sa|ses|leur)|\b(?:appelez|harcelez|allez\s+voir|rendez-lui\s+visite)\b",
    re.IGNORECASE,
)
_OWN = re.compile(
    r"\b(?:mon|ma|mes)\s+(?:num[ée]ro|t[ée]l|portable|adresse|mail|e-mail|courriel|coordonn[ée]es)|\bme\s+(?:joindre|contacter|rappeler|[ée]crire)|\bj'habite\b|\bcontactez-moi\b",
    re.IGNORECASE,
)


def run(ctx: RuleContext) -> list[Hit]:
    text = ctx.text
    if not _TRIGGER.search(text):
        return []
    found: list[tuple[str, Span, float]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, base in _PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.span()
            if any(x < b and a < y for x, y in taken):
                continue
            taken.append((a, b))
            found.append((kind, Span(a, b, text[a:b]), base))
    if not found:
        return []
    factor = 1.0
    institutional = _INSTITUTION.search(text)
    if institutional and not _DOXX.search(text):
        factor = 0.45  # the town hall's switchboard, a school's address, a service's e-mail
    elif _DOXX.search(text):
        factor = 1.15
    elif _OWN.search(text):
        factor = 0.6
    if ctx.context.is_private:
        factor *= 0.5
    hits = []
    for kind, span, base in found:
        detail = f"donnée personnelle : {kind}"
        hits.append(Hit(Label.PERSONAL_DATA, clamp(base * factor), (span,), NAME, detail))
    return hits
