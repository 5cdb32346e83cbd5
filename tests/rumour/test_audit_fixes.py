"""The mechanisms added after the outside audit: named places in facts, facts written in the negative,
the commune's name however it is spelt, news told by the press, common-word subjects, plain claims of a
change, upgrades of an alert, the term weights' hourly cap."""

from __future__ import annotations

import pytest

from beffroi.domain.rumour import BAD_BUZZ, RUMOUR, SPIKE, CommuneConfig, Detector
from beffroi.domain.rumour.clusters import Cluster, story_overlap
from beffroi.domain.rumour.facts import FactBase, fact_problems
from beffroi.domain.rumour.features import extract, is_press_author, town_keys, town_stems
from beffroi.domain.rumour.replay import build_config
from beffroi.domain.rumour.types import Alert
from beffroi.domain.rumour.weights import HOURLY_CAP, TermStats

from .conftest import chatter, post

# -- a fact about one named place --------------------------------------------------------------------

CALMETTE = FactBase(["La cantine de l'école Calmette fonctionne normalement toute l'année."])


def test_a_post_about_another_school_is_not_about_the_fact() -> None:
    for text in (
        "École Jean-Moulin fermée jeudi (grève)",
        "Grève des enseignants jeudi : l'école Jean-Moulin sera fermée",
        "l'ecole jean-moulin ferme jeudi, quelqu'un peut garder 2 enfants ?",
    ):
        assert CALMETTE.assess(extract(text)).contradicted is None, text


def test_a_post_naming_the_fact_s_place_contradicts_it_strongly() -> None:
    result = CALMETTE.assess(extract("La cantine de l'école Calmette va fermer en janvier"))
    assert result.contradicted is not None and result.strong
    lower = CALMETTE.assess(extract("cantine calmette supprimée en janvier, on fait comment ??"))
    assert lower.contradicted is not None and lower.strong


def test_a_post_naming_no_place_is_only_weakly_about_it() -> None:
    result = CALMETTE.assess(extract("La cantine va fermer en janvier, les parents vont galérer"))
    assert result.contradicted is not None and not result.strong
    # the head noun is needed: a school closed on Thursday is not the canteen
    assert (
        CALMETTE.assess(extract("Encore une journée école fermée, galère pour les parents")).contradicted
        is None
    )


def _contradiction_alert(texts: list[str], facts: list[str]) -> list[Alert]:
    det = Detector(CommuneConfig(slug="saint-aubin", name="Saint-Aubin", facts=facts))
    alerts: list[Alert] = []
    for p in chatter(days=1, per_day=20):
        alerts += det.observe(p)
    for i, text in enumerate(texts):
        alerts += det.observe(post(f"w{i}", 1440 + 20 * 60 + 4 * i, text, author=f"parent{i}"))
    return [a for a in alerts if a.kind == RUMOUR]


def test_weak_contradictions_need_one_more_person() -> None:
    facts = ["La cantine de l'école Calmette fonctionne normalement toute l'année."]
    weak = [
        "La cantine ferme en janvier",
        "La cantine va fermer en janvier !",
        "Fermeture de la cantine en janvier",
    ]
    assert not _contradiction_alert(weak[:2], facts)
    named = [
        "La cantine de Calmette ferme en janvier",
        "La cantine Calmette va fermer en janvier !",
        "Calmette : la cantine ferme",
    ]
    assert _contradiction_alert(named, facts)


# -- facts written in the negative -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "claim"),
    [
        (
            "Aucune prime n'est versée par la ville aux familles en fin d'année.",
            "La mairie va verser une prime de 200 € à chaque famille",
        ),
        (
            "Aucune prime n'est versée par la ville aux familles en fin d'année.",
            "Prime de Noël de 200 euros par famille, génial",
        ),
        ("La taxe foncière n'augmente pas cette année.", "La taxe foncière augmente de 30 % cette année"),
        ("La taxe foncière n'augmente pas cette année.", "Hausse de la taxe foncière, merci qui ?"),
        (
            "Il n'y a pas de seringue au parc de la Feyssine.",
            "Des seringues retrouvées dans le bac à sable du parc de la Feyssine",
        ),
        ("L'eau du robinet est potable.", "NE BUVEZ PLUS L'EAU DU ROBINET, elle est empoisonnée"),
    ],
)
def test_a_negative_fact_is_contradicted_by_the_positive(fact: str, claim: str) -> None:
    base = FactBase([fact])
    assert base.facts[0].usable
    assert base.check(extract(claim))[0] is not None, (fact, claim)


@pytest.mark.parametrize(
    ("fact", "text"),
    [
        (
            "Aucune prime n'est versée par la ville aux familles en fin d'année.",
            "Aucune prime cette année, 200 € de perdus",
        ),
        ("La taxe foncière n'augmente pas cette année.", "La taxe foncière n'augmente pas, c'est confirmé"),
        ("L'eau du robinet est potable.", "L'eau n'est pas contaminée, la mairie a publié les analyses"),
    ],
)
def test_a_negative_fact_is_not_contradicted_by_its_own_denial(fact: str, text: str) -> None:
    assert FactBase([fact]).check(extract(text))[0] is None


def test_ne_que_is_not_a_negation() -> None:
    assert "price.up" in extract("La taxe n'augmente que de 2 %").predicates
    assert "price.stable" in extract("La taxe n'augmente pas").predicates


def test_a_negation_does_not_cross_a_comma() -> None:
    assert extract("Donc le Leclerc c'est fini, il ferme").predicates == ["status.closed"]


def test_unusable_facts_are_explained_in_french() -> None:
    assert fact_problems("La piscine municipale est ouverte à toutes et à tous.") == []
    problems = fact_problems("Les inscriptions au périscolaire se font en ligne sur le portail famille.")
    assert problems and "contredisant" in problems[0]
    assert fact_problems("Elle est ouverte.")  # no subject
    assert fact_problems("") == []


# -- the commune's own name ---------------------------------------------------------------------------


def test_the_town_name_is_recognised_whatever_the_spelling() -> None:
    keys = town_keys("saintlo", "saintlo")
    for text, expected in (
        ("Le Leclerc de Saint-Lô ferme", {"saint-lo"}),
        ("St-Lô bouge ce week-end", {"st-lo"}),
        ("saint lo en fête", {"saint", "lo"}),
    ):
        assert town_stems(extract(text), keys) == expected, text
    assert "larnaud" in town_keys("larnaud-sur-orne")  # the short form of a compound name


def test_replay_config_takes_an_optional_name() -> None:
    assert build_config("saintlo").name == "saintlo"
    assert build_config("saintlo", name="Saint-Lô").name == "Saint-Lô"


def test_the_slug_alone_keeps_the_town_name_out_of_the_content_terms() -> None:
    det = Detector(build_config("saintlo"))
    det.observe(post("a", 0, "Le Leclerc de Saint-Lô ferme définitivement fin octobre."))
    cluster = det.cluster_of("a")
    assert cluster is not None and "saint-lo" not in cluster.term_counts and "leclerc" in cluster.term_counts


# -- news told by the press ---------------------------------------------------------------------------


def test_press_and_organisers_are_recognised() -> None:
    for name in (
        "Ouest-France Alençon",
        "Midi Libre Pézenas",
        "France Bleu Isère",
        "Comité des fêtes Courteille",
    ):
        assert is_press_author(name), name
    for name in ("VraiInfo36", "lodevois_libre", "Alençon Libre Actu", "Julie_B"):
        assert not is_press_author(name), name


def test_news_from_the_press_relayed_by_residents_is_not_a_rumour() -> None:
    facts = [
        "La cantine de l'école Calmette fonctionne normalement toute l'année.",
        "La cantine est ouverte à tous.",
    ]
    det = Detector(CommuneConfig(slug="alencon", name="Alençon", facts=facts))
    alerts: list[Alert] = []
    for p in chatter(days=1, per_day=20):
        alerts += det.observe(p)
    texts = [
        "Grève jeudi : la cantine sera fermée, annonce l'inspection académique.",
        "La cantine fermée jeudi à cause de la grève, il faut prévoir un repas",
        "Cantine fermée jeudi, quelqu'un peut garder 2 enfants à midi ?",
        "Jeudi pas de cantine, grève des agents",
        "La cantine ferme jeudi, on s'organise entre parents",
        "Cantine fermée jeudi pour grève, c'est noté",
        "Pas de cantine jeudi, la cantine est fermée",
    ]
    for i, text in enumerate(texts):
        author = "Ouest-France Alençon" if i == 0 else f"parent{i}"
        alerts += det.observe(post(f"g{i}", 1440 + 18 * 60 + 5 * i, text, author=author))
    assert not [a for a in alerts if a.kind == RUMOUR]


# -- common-word subjects, plain claims -----------------------------------------------------------------

POSTE = [
    "Le bureau de poste du centre ferme définitivement à la fin du mois.",
    "La poste va fermer, il faudra aller au village voisin pour envoyer un colis",
    "Fermeture définitive de la Poste du centre-bourg",
    "Plus de bureau de poste dès avril, les anciens vont galérer",
    "La Poste ferme ses portes, remplacée par rien du tout",
    "Le bureau de poste va disparaître, encore un service en moins",
    "Vous saviez que la poste fermait ? Personne ne nous a prévenus",
    "La poste du centre fermée à partir d'avril, je retire mes colis où ?",
    "Le guichet de la Poste ferme, c'est acté pour la fin du mois",
    "La poste ferme définitivement, ils vont mettre une boîte à lettres",
]


def _stream_with(
    texts: list[str], gap: float = 4.0, author: str = "habitant"
) -> tuple[Detector, list[Alert]]:
    det = Detector(CommuneConfig(slug="soissy", name="Soissy"))
    alerts: list[Alert] = []
    background = chatter(days=2, per_day=30)
    background += [
        post(f"q{i}", 60 * 10 + i * 1440, "Quelqu'un sait si la poste est ouverte à midi ?") for i in range(2)
    ]
    for p in sorted(background, key=lambda p: p.created_at):
        alerts += det.observe(p)
    for i, text in enumerate(texts):
        alerts += det.observe(post(f"s{i}", 2 * 1440 + 16 * 60 + gap * i, text, author=f"{author}{i}"))
    return det, alerts


def test_a_rumour_about_a_common_word_stays_one_story_and_is_alerted() -> None:
    det, alerts = _stream_with(POSTE)
    clusters = {det.cluster_of(f"s{i}").id for i in range(len(POSTE))}  # type: ignore[union-attr]
    assert len(clusters) <= 2, clusters
    rumours = [a for a in alerts if a.kind == RUMOUR]
    assert rumours and "habitants annoncent le même changement" in " ".join(rumours[0].reasons)


def test_a_festival_announcement_shared_everywhere_is_a_spike_not_a_rumour() -> None:
    festival = [
        "Le festival des fleurs revient le 12 avril, entrée libre, venez nombreux 🌷",
        "Trop bien le festival des fleurs le 12 avril !",
        "Le festival des fleurs à partir du 12 avril, génial",
        "Vivement le festival des fleurs, on y sera",
        "Festival des fleurs le 12 avril, bravo aux bénévoles 👏",
        "J'adore le festival des fleurs, à partir de 10h",
        "Le festival des fleurs c'est le meilleur dimanche de l'année",
        "Festival des fleurs le 12, ateliers pour les enfants, super",
    ]
    _det, alerts = _stream_with(festival)
    kinds = {a.kind for a in alerts if a.post_ids and a.post_ids[0].startswith("s")}
    assert RUMOUR not in kinds and SPIKE in kinds


def test_a_real_closure_with_its_cause_is_not_a_rumour() -> None:
    works = [
        "La piscine ferme à partir du 16 pour la vidange annuelle",
        "Piscine fermée deux semaines pour travaux d'entretien",
        "Fermeture de la piscine pour vidange à partir du 16",
        "La piscine va fermer pour travaux, réouverture le 30",
        "Piscine fermée pour la vidange, comme chaque année",
        "La piscine ferme pour travaux à partir de lundi",
        "Vidange de la piscine : fermée à partir du 16",
        "Fermeture de la piscine pour travaux, pensez-y",
    ]
    _det, alerts = _stream_with(works)
    assert not [a for a in alerts if a.kind == RUMOUR]


def test_story_overlap_merges_two_claims_on_the_same_common_word() -> None:
    stats = TermStats()
    for term, surface in (("post", "poste"), ("P:status", ""), ("bureau", "bureau"), ("coli", "colis")):
        stats.note_prior(term, surface)
    for _ in range(50):  # the commune talks about "la poste" every day
        stats.new_cluster()
    stats.cf["post"] = 8.0

    def claim(cid: str, terms: list[str]) -> Cluster:
        c = Cluster(id=cid, first_ts=0.0, last_ts=0.0, n=1)
        c.term_counts = dict.fromkeys(terms, 1)
        c.counts = {"claim": 1, "pole:status.closed": 1}
        return c

    a = claim("a", ["bureau", "post", "P:status"])
    b = claim("b", ["post", "coli", "P:status"])
    assert stats.weight("post") < 2.0  # a common word, damped
    assert story_overlap(a, b, stats) >= 0.5
    b.counts = {"question": 1, "pole:status.open": 1}  # "la poste est ouverte à midi ?": not the same claim
    assert story_overlap(a, b, stats) < 0.5


def test_term_weights_count_at_most_a_few_new_clusters_per_hour() -> None:
    stats = TermStats()
    stats.note_prior("carrefour", "carrefour")
    before = stats.weight("carrefour")
    for i in range(11):  # a story told in eleven ways within the hour
        stats.new_cluster()
        stats.add_cluster_terms(3600.0 * 100 + 60 * i, ["carrefour"])
    assert stats.cf["carrefour"] == HOURLY_CAP
    assert stats.weight("carrefour") > 0.75 * before  # uncapped, eleven clusters would take ~half
    for h in range(30):  # the same word, hour after hour: the commune's everyday vocabulary
        stats.new_cluster()
        stats.add_cluster_terms(3600.0 * (200 + h), ["carrefour"])
    assert stats.weight("carrefour") < 0.5 * before


def test_a_proper_name_keeps_its_weight_however_common_the_word() -> None:
    stats = TermStats()
    stats.note_prior("carrefour", "carrefour")
    common = stats.weight("carrefour")
    stats.note_prior("carrefour", "carrefour", proper=True)
    assert stats.weight("carrefour") > common
    roundtrip = TermStats.from_dict(stats.to_dict())
    assert roundtrip.weight("carrefour") == stats.weight("carrefour")


# -- upgrades -----------------------------------------------------------------------------------------

ANNOUNCE = "À partir de septembre, le stationnement place du Marché devient payant, 1 € de l'heure."
SLOW_BUZZ = [
    "Stationnement payant place du Marché, je trouve ça honteux",
    "Payer pour se garer place du Marché, quelle honte",
    "Le stationnement payant place du Marché, c'est scandaleux",
    "Stationnement payant au marché : inadmissible",
    "Bravo la mairie 👏 on va se garer où maintenant ?",
    "Stationnement payant place du Marché, lamentable",
    "Le parking payant place du Marché va tuer le centre, honteux",
    "Stationnement payant place du Marché : on s'en souviendra aux élections",
    "Quelle bêtise ce stationnement payant place du Marché",
    "Stationnement payant au marché, une aberration",
    "Je suis contre le stationnement payant place du Marché, inacceptable",
    "Stationnement payant place du Marché : mécontentement général",
]


def test_a_spike_is_upgraded_to_a_bad_buzz_once_and_never_downgraded() -> None:
    det = Detector(CommuneConfig(slug="vallon", name="Vallon", official_accounts=["Ville de Vallon"]))
    alerts: list[Alert] = []
    for p in chatter(days=1, per_day=20):
        alerts += det.observe(p)
    start = 1440 + 14 * 60
    alerts += det.observe(post("o", start, ANNOUNCE, author="Ville de Vallon"))
    # first the news is shared, neutral: a spike
    for i in range(6):
        alerts += det.observe(
            post(
                f"n{i}",
                start + 3 + 3 * i,
                "Stationnement payant place du Marché à partir de septembre",
                author=f"relais{i}",
            )
        )
    for i, text in enumerate(SLOW_BUZZ):
        alerts += det.observe(post(f"z{i}", start + 25 + 3 * i, text, author=f"colere{i}"))
    mine = [a for a in alerts if a.post_ids and a.post_ids[0] in {"o", "n0", "n1", "z0"}]
    # the neutral sharing of the news is a spike; the anger that follows upgrades it, once
    assert [a.kind for a in mine] == [SPIKE, BAD_BUZZ]
    assert mine[0].cluster_id == mine[1].cluster_id
    cluster = det.cluster_of("z0")
    assert cluster is not None and BAD_BUZZ in cluster.alerted


def test_residents_relaying_an_official_announcement_a_day_later_is_not_a_rumour() -> None:
    """The commune announced the closure; the next day residents repeat it in their own words, in a
    cluster of their own: news, not a rumour (without the announcement it would be one)."""
    relays = [
        "La médiathèque ferme définitivement fin juin",
        "Fermeture définitive de la médiathèque le 30 juin, dommage",
        "La médiathèque va fermer à partir de juillet",
        "Plus de médiathèque dès juillet, c'est fini",
        "La médiathèque ferme ses portes définitivement le 30 juin",
        "Médiathèque fermée à partir du 1er juillet",
        "Vous saviez que la médiathèque fermait définitivement ?",
        "La médiathèque va disparaître à partir de juillet",
    ]

    def run(announce: bool) -> list[str]:
        det = Detector(CommuneConfig(slug="vallon", name="Vallon", official_accounts=["Ville de Vallon"]))
        alerts: list[Alert] = []
        for p in chatter(days=2, per_day=20):
            alerts += det.observe(p)
        start = 1440 + 9 * 60
        if announce:
            text = (
                "Conseil municipal : la médiathèque fermera définitivement ses portes le 30 juin, les "
                "collections rejoignent la bibliothèque intercommunale."
            )
            alerts += det.observe(post("o", start, text, author="Ville de Vallon"))
        for i, text in enumerate(relays):
            alerts += det.observe(post(f"r{i}", start + 30 * 60 + 4 * i, text, author=f"hab{i}"))
        return [a.kind for a in alerts if a.post_ids and a.post_ids[0].startswith("r")]

    assert RUMOUR in run(announce=False)
    assert RUMOUR not in run(announce=True)
