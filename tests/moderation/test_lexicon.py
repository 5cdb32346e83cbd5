"""Lexicon files: syntax, inflections, conjugations, and the shipped lexicons' content."""

from __future__ import annotations

import pytest

from beffroi.domain.moderation.conjugate import conjugate
from beffroi.domain.moderation.lexicon import (
    Lexicon,
    LexiconError,
    expand,
    load_lexicon,
    lookup,
    parse_lexicon,
    tokens_of,
)


def _parse(text: str, category: str = "test") -> Lexicon:
    lexicon = Lexicon()
    parse_lexicon(category, text, lexicon)
    return lexicon


def test_sections_tags_weights_and_plurals() -> None:
    lexicon = _parse("@plural on\n[origin:test]\nbidule | bidulette :: amb w=0.4\nchameau\n")
    entry = lookup(lexicon, ("bidulettes",))[0]
    assert (entry.section, entry.group, entry.characteristic) == ("origin:test", "test", "origin")
    assert entry.weight == 0.4 and "amb" in entry.tags
    assert lookup(lexicon, ("chameaux",)) and lookup(lexicon, ("chameau",))


def test_optional_and_required_groups_expand() -> None:
    assert sorted(expand("personne (ne) [veut|voudra] de toi")) == sorted(
        [
            "personne veut de toi",
            "personne voudra de toi",
            "personne ne veut de toi",
            "personne ne voudra de toi",
        ]
    )
    lexicon = _parse("[x]\npersonne (ne) [veut|voudra] de toi\n")
    assert lookup(lexicon, tokens_of("Personne ne voudra de toi"))
    assert lookup(lexicon, tokens_of("personne veut de toi"))


def test_forms_are_normalised_like_comments() -> None:
    lexicon = _parse("[x]\nÉgorgé | qu'il crève\n")
    assert lookup(lexicon, tokens_of("EGORGE"))
    assert lookup(lexicon, tokens_of("qu’il crève"))  # typographic apostrophe, elision


def test_unknown_directive_is_an_error_in_french() -> None:
    with pytest.raises(LexiconError, match="directive inconnue"):
        _parse("@plurale on\n")


def test_conjugation_of_regular_verbs() -> None:
    tuer = conjugate("tuer")
    assert "tuerai" in tuer["fut"] and "tuez" in tuer["imp"] and "tue" in tuer["pp"]
    assert "pendu" in conjugate("pendre")["pp"]
    assert "aneantissent" in conjugate("aneantir")["pres"]
    assert "egorgeons" in conjugate("egorger")["pres"]


def test_conjugated_entries_carry_their_mood() -> None:
    lexicon = _parse("[verb]\n@conjugate on\ntuer\n")
    moods = {e.mood for e in lookup(lexicon, ("tuerai",))}
    assert moods == {"fut"}


def test_shipped_lexicons_cover_the_taxonomy() -> None:
    lexicon = load_lexicon()
    categories = {e.category for e in lexicon.entries}
    assert {
        "identity", "slurs", "insults", "profanity", "dehumanising", "negative_attributes", "positive",
        "hate_emotions", "threats", "exclusion", "harassment", "sexual", "spam", "civic", "counter",
        "persons", "grammar", "banter",
    } <= categories  # fmt: skip
    insults = [e for e in lexicon.entries if e.category == "insults"]
    assert len(insults) >= 200
    for word in ("connarde", "connasses", "ntm", "fdp", "tg", "encules"):
        assert lookup(lexicon, (word,)), word
    groups = {e.group for e in lexicon.entries if e.category == "identity"}
    assert {
        "women",
        "trans",
        "gays",
        "black",
        "disabled",
        "muslims",
        "jews",
        "arabs",
        "immigrants",
        "roma",
        "asians",
        "elderly",
    } <= groups
