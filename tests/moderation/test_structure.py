"""The structure layer: targets, negation, counter-speech, pronoun reference."""

from __future__ import annotations

from beffroi.domain.moderation.engine import Engine
from beffroi.domain.moderation.structure import (
    GROUP,
    PERSON,
    READER,
    THING,
    counter_speech,
    negated,
    object_of,
    subject_of,
)


def _index(engine: Engine, text: str, word: str) -> tuple[object, int]:
    analysis = engine.analyser.analyse(text)
    return analysis, next(t.index for t in analysis.toks if t.canon == word)


def test_subject_of_a_predicate(rules_engine: Engine) -> None:
    g = rules_engine.grammar
    for text, word, kind in [
        ("Les juifs sont des rats", "rats", GROUP),
        ("Les élus sont des parasites", "parasites", PERSON),
        ("T'es qu'une ordure", "ordure", READER),
        ("Ce parking est une merde", "merde", THING),
        ("Pourquoi les handicapés sont-ils si inutiles", "inutiles", GROUP),
        ("Le harcèlement des femmes est une honte", "honte", THING),
        ("Ces influenceurs qui filment la fête sont des sangsues", "sangsues", PERSON),
    ]:
        analysis, i = _index(rules_engine, text, word)
        assert subject_of(analysis, g, i).kind == kind, text  # type: ignore[arg-type]


def test_object_of_a_verb(rules_engine: Engine) -> None:
    g = rules_engine.grammar
    for text, word, kind in [
        ("Je déteste les musulmans", "deteste", GROUP),
        ("Je déteste les lundis", "deteste", THING),
        ("Je vais te tuer", "tuer", READER),
        ("Je vais tabasser ce sale con de voisin", "tabasser", PERSON),
    ]:
        analysis, i = _index(rules_engine, text, word)
        assert object_of(analysis, g, i, i + 1).kind == kind, text  # type: ignore[arg-type]


def test_pronoun_reference_across_sentences(rules_engine: Engine) -> None:
    g = rules_engine.grammar
    analysis, i = _index(rules_engine, "J'ai croisé des Roms hier. Ce sont des parasites.", "parasites")
    target = subject_of(analysis, g, i)  # type: ignore[arg-type]
    assert target.kind == GROUP and target.via_pronoun and target.match is not None
    assert target.match.entry.group == "roma"


def test_negation_forms(rules_engine: Engine) -> None:
    g = rules_engine.grammar
    for text, word, expected in [
        ("Les immigrés ne sont pas des criminels", "criminels", True),
        ("Aucune femme n'est inférieure", "inferieure", True),
        ("Ils sont pas méchants", "mechants", True),  # spoken French without "ne"
        ("Les immigrés ne sont que des parasites", "parasites", False),  # "ne … que" restricts
        ("Les juifs ne sont-ils pas tous des voleurs ?", "voleurs", False),  # rhetorical question
        ("Les musulmans sont des terroristes, je rigole pas", "terroristes", False),
    ]:
        analysis, i = _index(rules_engine, text, word)
        assert negated(analysis, g, i) is expected, text  # type: ignore[arg-type]


def test_counter_speech(rules_engine: Engine) -> None:
    g = rules_engine.grammar
    for text, word, expected in [
        ("« Les Arabes dehors », voilà ce qu'on lit, c'est honteux", "dehors", True),
        ("Dire que les gays sont malades, c'est de l'homophobie", "malades", True),
        ("Ceux qui disent que les femmes sont inférieures ont tort", "inferieures", True),
        ("On m'a traité de sale arabe à la sortie du bus", "arabe", True),
        ("Les gays sont malades", "malades", False),
        ("Si tu dis que les Noirs sont des singes, t'es un abruti", "abruti", False),
    ]:
        analysis, i = _index(rules_engine, text, word)
        assert counter_speech(analysis, g, i, i + 1) is expected, text  # type: ignore[arg-type]
