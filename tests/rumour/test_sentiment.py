"""Explainable sentiment: words, negation, intensifiers, emoji, irony."""

from __future__ import annotations

import pytest

from beffroi.domain.sentiment import NEGATIVE, NEUTRAL, POSITIVE, analyse


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Super festival, bravo aux bénévoles 🎉", POSITIVE),
        ("Merci au service état civil pour sa réactivité", POSITIVE),
        ("Encore une hausse de la taxe foncière, scandaleux !!", NEGATIVE),
        ("Ce n'est pas bien du tout", NEGATIVE),
        ("pas terrible le concert", NEGATIVE),
        ("Pas mal du tout ce marché", POSITIVE),
        ("La médiathèque ouvre à 10h le samedi", NEUTRAL),
        ("😡😡", NEGATIVE),
        ("Bravo la mairie, encore une bonne idée 🙄", NEGATIVE),
        ("Super pour ceux qui n'ont pas de voiture…", NEGATIVE),
        ("Le festival est super, vivement samedi...", POSITIVE),
    ],
)
def test_labels(text: str, label: str) -> None:
    assert analyse(text).label == label, analyse(text).explain_fr()


def test_negation_flips_and_is_explained() -> None:
    s = analyse("Ce n'est pas agréable")
    assert s.score < 0
    assert any(c.kind == "negation" for c in s.cues)
    assert "négation" in s.explain_fr()


def test_intensifier_strengthens() -> None:
    assert analyse("très content").score > analyse("content").score > 0


def test_irony_is_flagged_and_explained() -> None:
    s = analyse("Merci monsieur le maire, plus de porc à la cantine 🤡")
    assert s.irony
    assert s.label == NEGATIVE
    assert "ironie" in s.explain_fr()


def test_cues_name_the_words() -> None:
    s = analyse("Quelle honte, c'est inadmissible")
    texts = {c.text for c in s.cues}
    assert {"honte", "inadmissible"} <= texts
    d = s.to_dict()
    assert d["label"] == NEGATIVE and d["cues"]


@pytest.mark.parametrize(
    "text",
    [
        "Bravo la mairie 👏 on va se garer où maintenant ?",  # irony: praise + a complaining question
        "Super, encore moins de places, merci monsieur le maire 🙄",
        "Le maire n'écoute vraiment personne, lamentable",  # the negation stops at the comma
        "Ce projet de piste cyclable est une aberration",
        "Quelle bêtise de supprimer ces places",
        "Affligeant. Réunion publique quand ?",
        "Mécontentement général chez les commerçants",
        "Je suis commerçant boulevard Stalingrad, cette décision va nous tuer",
    ],
)
def test_criticism_of_a_decision_is_negative(text: str) -> None:
    assert analyse(text).label == NEGATIVE, analyse(text).explain_fr()


def test_sincere_thanks_stay_positive() -> None:
    assert analyse("Merci la mairie pour ce concert, on l'attendait").label == POSITIVE
    assert analyse("Le Leclerc ferme ses portes pour de bon").label == NEUTRAL  # "pour de bon" is no praise


def test_ironic_praise_is_flipped_and_explained() -> None:
    s = analyse("Bravo la mairie 👏 on va se garer où maintenant ?")
    assert s.irony and any(c.kind == "irony" for c in s.cues)
