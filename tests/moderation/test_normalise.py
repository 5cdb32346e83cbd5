"""Normalisation: each obfuscation kind, and every normalised span maps back to the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beffroi.domain.text.normalise import normalise
from beffroi.domain.text.tokens import tokenise


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("CONNARD", "connard"),  # case
        ("Élus fâchés à l'école", "elus faches a l'ecole"),  # accents
        ("co\u200bnn\u200dard", "connard"),  # zero-width characters
        ("\u202eLes juifs", "les juifs"),  # bidi override
        ("e\u0301e\u0301\u0301\u0301\u0301", "ee"),  # combining flood
        ("Sаlоpе", "salope"),  # Cyrillic а, о, е
        ("ραt", "pat"),  # Greek ρ, α
        ("ｃｏｎｎａｒｄ", "connard"),  # fullwidth
        ("ⓒⓞⓝ", "con"),  # circled letters
        ("🅰rabe", "arabe"),  # negative squared letter
        ("🇨🇴🇳", "con"),  # regional indicators
        ("🄐🄑🄡🄤🄣🄘", "abruti"),  # parenthesized capitals
        ("𝐜𝐨𝐧", "con"),  # mathematical bold
        ("0\ufe0f\u20e36", "06"),  # keycap digit
        ("s4l0pe", "salope"),  # leetspeak
        ("$alope", "salope"),
        ("c0nn@rd", "connard"),
        ("c o n n a r d", "connard"),  # spaced letters
        ("c.o.n.n.a.r.d", "connard"),  # punctuated letters
        ("c-o-n", "con"),
        ("connnnnard", "connard"),  # repeated letters squeezed to two
        ("œuvre", "oeuvre"),  # ligature
        ("l’État", "l'etat"),  # typographic apostrophe
        ("«\u00a0Dehors\u00a0»", '" dehors "'),  # quotes and no-break spaces
    ],
)
def test_each_obfuscation_kind_is_normalised(original: str, expected: str) -> None:
    assert normalise(original).text == expected


@pytest.mark.parametrize("text", ["3eme étage à 10h30", "le 1er mai", "rendez-vous à 18h", "mp3 et 4x4"])
def test_numbers_are_not_leet_decoded(text: str) -> None:
    assert normalise(text).text == normalise(text).original.lower().replace("à", "a").replace("é", "e")


def test_euphonic_t_is_not_joined_with_single_letters() -> None:
    assert normalise("y a-t-il un problème ?").text == "y a-t-il un probleme ?"


def test_urls_emails_and_handles_are_only_lowercased() -> None:
    text = "Voir http://www.Exemple.fr/c0nn4rd ou écrire à Jean.Dupont@Mail.fr @Pseudo_42"
    out = normalise(text).text
    assert "http://www.exemple.fr/c0nn4rd" in out
    assert "jean.dupont@mail.fr" in out
    assert "@pseudo_42" in out


def test_leet_is_decoded_only_inside_mixed_tokens() -> None:
    assert normalise("2000 euros").text == "2000 euros"
    assert normalise("n1qu3 ta m3r3").text == "nique ta mere"


@pytest.mark.parametrize(
    ("original", "word"),
    [
        ("Franchement, c.o.n.n.a.r.d !", "connard"),
        ("t'es un s4l0p3 toi", "salope"),
        ("les 🅰rabes", "arabes"),
        ("un co\u200bnnnnard fini", "connard"),
        ("ＣＯＮＮＡＲＤ", "connard"),
        ("les juifs\u0301\u0301\u0301 sont là", "juifs"),
    ],
)
def test_token_spans_map_back_to_the_original_text(original: str, word: str) -> None:
    norm = normalise(original)
    token = next(t for t in tokenise(norm.text) if t.text == word)
    start, end = norm.original_span(token.start, token.end)
    covered = original[start:end]
    # the span covers exactly the obfuscated word, nothing around it
    assert covered.strip() == covered
    assert normalise(covered).text == word


def test_offsets_are_monotonic_and_inside_the_original() -> None:
    original = "Ｌｅｓ 🇨🇴🇳s, c.o.n, co\u200bnnnard et s4l0pe !!!"
    norm = normalise(original)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert all(0 <= s < e <= len(original) for s, e in zip(norm.starts, norm.ends, strict=True))
    assert list(norm.starts) == sorted(norm.starts)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_normalises_with_a_consistent_offset_map(text: str) -> None:
    norm = normalise(text)
    assert len(norm.starts) == len(norm.text) == len(norm.ends)
    for s, e in zip(norm.starts, norm.ends, strict=True):
        assert 0 <= s < e <= len(text)
    for token in tokenise(norm.text):
        start, end = norm.original_span(token.start, token.end)
        assert 0 <= start < end <= len(text)


def test_huge_and_empty_texts() -> None:
    assert normalise("").text == ""
    big = "Bonjour à tous " * 7000
    norm = normalise(big)
    assert len(norm.text) == len(big)
