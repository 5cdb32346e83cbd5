"""Near-duplicate and paraphrase grouping in the streaming detector."""

from __future__ import annotations

from beffroi.domain.rumour import CommuneConfig, Detector
from beffroi.domain.rumour.features import correct

from .conftest import chatter, post

PARAPHRASES = [
    "Il paraît que la piscine sera réservée aux femmes le mardi soir",
    "La piscine va être réservée aux femmes certains jours ?!",
    "Les hommes n'auront plus accès à la piscine le mardi",
    "piscine interdite aux mecs le mardi, sérieux ?",
    "LA PISCINE SERA RÉSERVÉE AUX FEMMES LE MARDI",
    "la pisicne sera résrevée aux femmes le mardi",
    "RT Il paraît que la piscine sera réservée aux femmes le mardi soir",
]


def _detector() -> Detector:
    return Detector(CommuneConfig(slug="saint-aubin", name="Saint-Aubin"))


def test_paraphrases_typos_and_copies_join_one_cluster() -> None:
    det = _detector()
    for p in chatter(days=1, per_day=30):
        det.observe(p)
    start = 24 * 60 + 10 * 60
    for i, text in enumerate(PARAPHRASES):
        det.observe(post(f"r{i}", start + 4 * i, text, author=f"relais{i}"))
    clusters = {det.cluster_of(f"r{i}").id for i in range(len(PARAPHRASES))}  # type: ignore[union-attr]
    assert len(clusters) == 1, clusters
    rumour = det.cluster_of("r0")
    assert rumour is not None and rumour.n == len(PARAPHRASES)
    chatter_ids = {p.id for p in chatter(days=1, per_day=30)}
    assert not chatter_ids & set(rumour.ids)


def test_unrelated_posts_stay_apart() -> None:
    det = _detector()
    det.observe(post("a", 0, "Il paraît que la piscine sera réservée aux femmes le mardi"))
    det.observe(post("b", 3, "Beau marché ce samedi matin, plein de producteurs"))
    det.observe(post("c", 5, "Encore des travaux rue Nationale, ça bouchonne"))
    ids = {det.cluster_of(x).id for x in "abc"}  # type: ignore[union-attr]
    assert len(ids) == 3


def test_short_reply_joins_its_parent_conversation() -> None:
    det = _detector()
    det.observe(post("p", 0, "Il paraît que la piscine sera réservée aux femmes le mardi"))
    det.observe(post("r", 2, "Source ?", reply_to="p"))
    det.observe(post("q", 3, "Source ?"))  # the same words, but not a reply: no reason to join
    assert det.cluster_of("r") is det.cluster_of("p")
    assert det.cluster_of("q") is not det.cluster_of("p")


def test_typo_correction_towards_lexicon_words() -> None:
    assert correct("pisicne") == "piscine"
    assert correct("rreservee") == "reservee"
    assert correct("cantie") == "cantine"
    assert correct("maison") == "maison"  # a known French word is never changed
