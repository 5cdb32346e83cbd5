"""Fuzzy matching of obfuscated words, guarded by French word frequencies."""

from __future__ import annotations

import pytest

from beffroi.domain.moderation.engine import Engine
from beffroi.domain.moderation.resolver import osa_distance_le1, skeleton


def test_distance_one_with_transposition() -> None:
    assert osa_distance_le1("connrad", "connard")  # swap
    assert osa_distance_le1("conard", "connard")  # deletion
    assert osa_distance_le1("connnard", "connard")  # insertion
    assert osa_distance_le1("connerd", "connard")  # substitution
    assert not osa_distance_le1("cnnrad", "connard")
    assert skeleton("connnard") == skeleton("conard") == "conard"


@pytest.mark.parametrize(
    ("token", "word"),
    [
        ("connrad", "connard"),
        ("connad", "connard"),
        ("musulamns", "musulmans"),
        ("musulman", "musulman"),
        ("salloppe", "salope"),
        ("p*te", "pute"),
        ("n**ro", "negro"),
        ("bougnoulle", "bougnoulle"),
        ("bougnooule", "bougnoule"),
    ],
)
def test_obfuscated_tokens_resolve(rules_engine: Engine, token: str, word: str) -> None:
    assert rules_engine.analyser.resolver.resolve(token) == (word,)


@pytest.mark.parametrize("word", ["pote", "poste", "salle", "conte", "comte", "mongolie", "pute", "trans"])
def test_common_words_are_never_rewritten(rules_engine: Engine, word: str) -> None:
    assert rules_engine.analyser.resolver.resolve(word) == (word,)


def test_pote_never_becomes_pute(rules_engine: Engine) -> None:
    verdict = rules_engine.judge("Salut mon pote, on se voit ce soir ?")
    assert not {label.value for label in verdict.labels} & {"insult", "hate", "sexual"}


def test_glued_words_are_split(rules_engine: Engine) -> None:
    assert rules_engine.analyser.resolver.resolve("jedetestelesarabes") == ("je", "deteste", "les", "arabes")


def test_proper_nouns_are_not_fuzzed(rules_engine: Engine) -> None:
    analysis = rules_engine.analyser.analyse("Soirée jeux chez les potes, je me suis fait battre au Catan")
    assert [t.canon for t in analysis.toks][-1] == "catan"


def test_spaced_out_pieces_are_joined(rules_engine: Engine) -> None:
    canons = [t.canon for t in rules_engine.analyser.analyse("les mu sulmans et ce con nard").toks]
    assert "musulmans" in canons and "connard" in canons
