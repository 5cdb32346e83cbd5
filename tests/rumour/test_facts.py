"""The fact base: same subject + exclusive predicate (or another number) = contradiction."""

from __future__ import annotations

import pytest

from beffroi.domain.rumour.facts import FactBase
from beffroi.domain.rumour.features import extract

FACTS = FactBase(
    [
        "La piscine municipale est ouverte à toutes et à tous, aux horaires habituels.",
        "Aucun projet de centre d'accueil pour migrants n'existe dans la commune.",
        "La cantine continue de proposer chaque jour un menu avec viande et un menu sans viande.",
        "Le marché du samedi a lieu comme chaque semaine, place du Marché.",
        "Aucun arrêté n'interdit les barbecues dans les jardins privés.",
        "Le conseil municipal a voté une hausse de 4 % du taux de la taxe foncière.",
        "Le stationnement en centre-ville reste gratuit la première heure.",
        "Le festival d'été est maintenu et aura lieu comme chaque année.",
    ]
)


@pytest.mark.parametrize(
    ("claim", "fact"),
    [
        ("Paraît que la piscine sera réservée aux femmes le mardi", 0),
        ("La piscine sera interdite aux hommes ??? sérieux", 0),
        ("Les mecs n'auront plus accès à la pisicne le mardi", 0),
        ("La piscine va fermer définitivement", 0),
        ("Un centre pour migrants va ouvrir dans l'ancienne gendarmerie", 1),
        ("Il n'y aura plus de porc à la cantine dès la rentrée", 2),
        ("Le porc est interdit à la cantine", 2),
        ("Le marché du samedi va disparaître, la mairie le supprime", 3),
        ("Le maire a pris un arrêté qui interdit les barbecues tout l'été", 4),
        ("La taxe foncière augmente de 30 %", 5),
        ("Le stationnement du centre-ville devient payant dès la première minute", 6),
        ("Fin de la gratuité du stationnement en centre-ville", 6),
        ("Le festival d'été est annulé cette année", 7),
    ],
)
def test_contradictions(claim: str, fact: int) -> None:
    contradicted, reason, _ = FACTS.check(extract(claim))
    assert contradicted is not None and contradicted.index == fact, (claim, contradicted, reason)
    assert reason


@pytest.mark.parametrize(
    ("text", "supported"),
    [
        ("C'est faux, la piscine reste ouverte à tous", 0),
        ("Le marché a lieu comme d'habitude samedi", 3),
        ("Taxe foncière +4 %, on est des vaches à lait", 5),
        ("Le festival aura lieu, le programme est sorti", 7),
    ],
)
def test_consistent_claims_support_the_fact(text: str, supported: int) -> None:
    contradicted, _, support = FACTS.check(extract(text))
    assert contradicted is None
    assert support is not None and support.index == supported


@pytest.mark.parametrize(
    "text",
    [
        "La boulangerie de la place est fermée pour congés",  # another subject
        "Belle journée à la piscine avec les enfants",  # same subject, no predicate
        "Le marché aux puces est réservé aux habitants ?",  # another subject ("marché" alone is the fact's)
    ],
)
def test_no_contradiction_without_same_subject_and_exclusive_predicate(text: str) -> None:
    contradicted, _, _ = FACTS.check(extract(text))
    if text.startswith("Le marché aux puces"):
        # the subject matches, but "réservé aux habitants" excludes nothing the fact says
        assert contradicted is None or contradicted.index != 3
    else:
        assert contradicted is None


def test_facts_file_skips_blank_and_comment_lines() -> None:
    base = FactBase.from_text("# faits\n\nLa piscine est ouverte à tous.\n")
    assert len(base) == 1
    assert base.statements() == ["La piscine est ouverte à tous."]


def test_a_fact_is_about_its_grammatical_subject() -> None:
    """The subject named before the fact's predicate decides what it is about, not the details after
    it, nor the commune's own name."""
    facts = FactBase(
        [
            "Le cabinet médical de Larnaud reste ouvert : le Dr Moreau remplace le Dr Petit en février.",
            "L'éclairage public des rues reste allumé toute la nuit.",
            "Aucun projet immobilier n'est prévu sur le stade municipal.",
        ],
        ignore=frozenset({"larnaud"}),
    )
    for claim, index in (
        ("ils ferment le cabinet du village", 0),
        ("Le cabinet médical ferme définitivement fin du mois", 0),
        ("extinction totale de l'éclairage public dès lundi", 1),
        ("Ils vont raser le stade pour construire des immeubles", 2),
        ("le stade sera vendu à un promoteur", 2),
    ):
        fact, _reason, _support = facts.check(extract(claim))
        assert fact is not None and fact.index == index, claim
    for claim in (
        "La mairie de Larnaud est fermée lundi",  # the town's name is no subject
        "La rue Pasteur est fermée pour travaux",
        "Le club de foot ferme ses inscriptions",
    ):
        assert facts.check(extract(claim))[0] is None, claim


def test_a_hearsay_report_is_a_claim_even_without_a_known_verb() -> None:
    feats = extract("Le maire aurait été arrêté par les gendarmes ce matin")
    assert feats.has("hearsay")
    assert not extract("Ce serait bien d'avoir plus de bancs au parc").has("hearsay")
