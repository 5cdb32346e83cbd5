"""The reply proofreader (beffroi.veille.lint): a denial must not repeat the rumour's words, whatever
the negation around them."""

from __future__ import annotations

import pytest

from beffroi.veille.lint import key_phrases, lint_reply

DECHETTERIE = (
    "Apparemment à partir du mois prochain la déchetterie d'Issoudun devient payante, 15€ le passage.",
    ["La déchetterie intercommunale reste gratuite pour tous les particuliers d'Issoudun."],
)
EAU = (
    "NE BUVEZ PLUS L'EAU DU ROBINET à Lodève, elle est empoisonnée, un ami pompier me l'a dit",
    ["L'eau du robinet de Lodève est potable et contrôlée chaque mois par l'ARS."],
)
POULES = (
    "Un arrêté du maire interdit maintenant les poules dans les jardins, faudra s'en débarrasser !!",
    ["Les poules et autres animaux de basse-cour sont autorisés dans les jardins des particuliers."],
)


@pytest.mark.parametrize(
    ("draft", "case", "word"),
    [
        ("Non, la déchetterie ne devient pas payante !", DECHETTERIE, "payante"),
        ("L'eau n'est pas empoisonnée.", EAU, "empoisonnée"),
        ("Non, les poules ne sont pas interdites.", POULES, "interdites"),
        ("Aucun arrêté ne vise les poules.", POULES, "arrêté"),
    ],
)
def test_a_denial_repeating_the_rumour_warns(draft: str, case: tuple[str, list[str]], word: str) -> None:
    claim, facts = case
    phrases = key_phrases(draft, claim, facts)
    assert any(word in p for p in phrases), phrases
    codes = [w.code for w in lint_reply(draft, claim, facts)]
    assert "repeats_claim" in codes


@pytest.mark.parametrize(
    ("draft", "case"),
    [
        (
            "La déchetterie reste gratuite pour tous les particuliers. Tous les horaires sur le site de la ville.",
            DECHETTERIE,
        ),
        ("L'eau du robinet est potable : les dernières analyses de l'ARS sont conformes.", EAU),
        ("Les poules restent autorisées dans les jardins des particuliers.", POULES),
    ],
)
def test_stating_the_fact_does_not_warn(draft: str, case: tuple[str, list[str]]) -> None:
    claim, facts = case
    assert lint_reply(draft, claim, facts) == []


def test_the_headline_denial_is_flagged_too() -> None:
    claim, facts = DECHETTERIE
    codes = [w.code for w in lint_reply("Non, la déchetterie ne devient pas payante !", claim, facts)]
    assert codes[:2] == ["repeats_claim", "headline"]
