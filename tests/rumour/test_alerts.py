"""Each alert kind on small hand-made streams, and the alert's content."""

from __future__ import annotations

from beffroi.domain.rumour import ALERT_JSON_KEYS, BAD_BUZZ, RUMOUR, SPIKE, CommuneConfig, Detector
from beffroi.domain.rumour.types import Alert, Post

from .conftest import chatter, post

FACT = "La piscine municipale est ouverte à toutes et à tous, aux horaires habituels."
OFFICIAL = "Ville de Saint-Aubin"

RUMOUR_POSTS = [
    "Il paraît que la piscine sera réservée aux femmes le mardi soir. Partagez avant que ce soit supprimé !",
    "La piscine va être réservée aux femmes le mardi, ils nous cachent tout",
    "C'est vrai que la piscine sera interdite aux hommes le mardi ?",
    "On m'a dit que les hommes n'auront plus accès à la piscine le mardi",
    "La piscine sera exclusivement pour les femmes le mardi, honteux",
    "Info ou intox ? piscine réservée aux femmes le mardi",
    "Ma voisine qui bosse à la mairie dit que la piscine sera réservée aux femmes",
    "C'est faux, la piscine reste ouverte à tous",
]

FESTIVAL = [
    "Le festival d'été c'est ce week-end, entrée gratuite, venez nombreux 🎉",
    "Trop hâte d'être au festival samedi 🎉",
    "Super programme pour le festival cette année",
    "Qui vient au festival ce week-end ?",
    "Le feu d'artifice du festival samedi, on y sera ❤️",
    "Vivement le festival, le meilleur moment de l'année",
    "Festival ce week-end, concerts gratuits, trop bien",
    "Bravo aux bénévoles qui préparent le festival 👏",
]

TAX = [
    "Hausse de la taxe foncière votée hier, on est des vaches à lait",
    "Encore une hausse de la taxe foncière, ras le bol",
    "Scandaleux, la taxe foncière augmente encore",
    "Je trouve honteux d'augmenter la taxe foncière en pleine crise",
    "La taxe foncière explose, merci la mairie 🙄",
    "Inadmissible cette hausse de la taxe foncière",
    "Taxe foncière en hausse : on s'en souviendra aux élections",
    "Quelle honte cette taxe foncière, la mairie nous saigne",
]


def _run(
    burst: list[str], facts: list[str], start_min: float, official_first: str | None = None, gap: float = 5.0
) -> tuple[list[Alert], list[Post]]:
    det = Detector(
        CommuneConfig(slug="saint-aubin", name="Saint-Aubin", facts=facts, official_accounts=[OFFICIAL])
    )
    posts = chatter(days=2, per_day=30)
    alerts: list[Alert] = []
    for p in posts:
        alerts += det.observe(p)
    burst_posts = []
    if official_first:
        burst_posts.append(post("off", start_min - 10, official_first, author=OFFICIAL))
    burst_posts += [
        post(f"b{i}", start_min + gap * i, text, author=f"voisin{i}") for i, text in enumerate(burst)
    ]
    for p in burst_posts:
        alerts += det.observe(p)
    return alerts, burst_posts


def test_rumour_contradicting_a_fact_is_alerted_early() -> None:
    alerts, burst = _run(RUMOUR_POSTS, [FACT], start_min=2 * 1440 + 20 * 60)
    rumours = [a for a in alerts if a.kind == RUMOUR]
    assert len(rumours) == 1
    alert = rumours[0]
    first = burst[0].created_at
    assert alert.post_ids[0] == "b0"
    position = [p.id for p in burst].index(alert.post_ids[-1]) + 1 if alert.post_ids else 99
    assert position <= 5
    assert (
        Post.from_dict({"id": "x", "created_at": alert.at, "text": "", "author": "x"}).created_at - first
    ).total_seconds() <= 3600
    assert alert.contradicted_fact == FACT
    assert any("contredit le fait" in r for r in alert.reasons)
    assert set(alert.to_json()) == set(ALERT_JSON_KEYS)
    assert alert.claim in RUMOUR_POSTS


def test_unverified_claim_without_facts_is_alerted_when_it_accelerates() -> None:
    alerts, _ = _run(RUMOUR_POSTS, [], start_min=2 * 1440 + 21 * 60, gap=4.0)
    rumours = [a for a in alerts if a.kind == RUMOUR]
    assert len(rumours) == 1
    assert rumours[0].contradicted_fact is None
    assert any("non vérifiée" in r for r in rumours[0].reasons)
    assert rumours[0].velocity > rumours[0].expected


def test_the_same_claim_at_a_slow_pace_is_not_an_unverified_surge() -> None:
    alerts, _ = _run(RUMOUR_POSTS[:6], [], start_min=2 * 1440 + 9 * 60, gap=70.0)
    assert not [a for a in alerts if a.kind == RUMOUR]


def test_festival_surge_is_a_spike_not_a_rumour() -> None:
    alerts, _ = _run(
        FESTIVAL,
        ["Le festival d'été aura lieu ce week-end, entrée gratuite."],
        start_min=2 * 1440 + 18 * 60,
        official_first="Le festival d'été c'est ce week-end ! Entrée gratuite, programme sur notre site.",
    )
    kinds = [a.kind for a in alerts]
    assert SPIKE in kinds
    assert RUMOUR not in kinds and BAD_BUZZ not in kinds


def test_tax_rise_opinions_are_a_bad_buzz_not_a_rumour() -> None:
    alerts, _ = _run(
        TAX,
        ["Le conseil municipal a voté une hausse de 4 % du taux de la taxe foncière."],
        start_min=2 * 1440 + 19 * 60,
        official_first="Le conseil municipal a voté une hausse de 4 % de la taxe foncière.",
    )
    kinds = [a.kind for a in alerts]
    assert BAD_BUZZ in kinds
    assert RUMOUR not in kinds


def test_one_alert_per_cluster_and_kind() -> None:
    alerts, _ = _run(RUMOUR_POSTS + RUMOUR_POSTS[:5], [FACT], start_min=2 * 1440 + 20 * 60)
    keys = [(a.cluster_id, a.kind) for a in alerts]
    assert len(keys) == len(set(keys))
    assert sum(1 for a in alerts if a.kind == RUMOUR) == 1


def test_official_account_saying_it_is_not_a_rumour() -> None:
    """The commune itself announces the change: the fact base is out of date, no rumour."""
    text = "La piscine sera fermée du 4 au 18 août pour la vidange annuelle."
    shares = [f"La piscine sera fermée du 4 au 18 août, pensez-y ({i})" for i in range(6)]
    alerts, _ = _run(shares, [FACT], start_min=2 * 1440 + 10 * 60, official_first=text)
    assert RUMOUR not in [a.kind for a in alerts]


def test_alert_details_for_the_screens() -> None:
    amplifiers = [
        post(
            f"n{i}",
            2 * 1440 + 20 * 60 + 3 * i,
            text,
            author=f"patriote_{48213 + i}",
            author_created_at="2025-03-01T00:00:00+01:00",
            shares=40,
            likes=10,
            followers=120,
        )
        for i, text in enumerate(RUMOUR_POSTS)
    ]
    det = Detector(CommuneConfig(slug="saint-aubin", facts=[FACT]))
    alerts = [a for p in chatter(days=2, per_day=30) + amplifiers for a in det.observe(p)]
    rumour = next(a for a in alerts if a.kind == RUMOUR)
    d = rumour.to_dict()
    assert d["amplifiers"] and all("compte" in a["why"] for a in d["amplifiers"])
    assert d["reach"]["shares"] >= 40 and d["reach"]["followers"] >= 120 and d["reach"]["estimate"] > 0
    assert d["size"] >= 3 and d["authors"] >= 3
    assert all(isinstance(r, str) and r for r in d["reasons"])


def test_paraphrases_that_share_one_rare_word_make_one_story() -> None:
    """Ten different wordings of the same rumour, none a near-duplicate of another and none against a
    fact: each used to open its own group, too slow to surge. They are one story, alerted early."""
    wolf = [
        "ATTENTION un loup a été vu ce matin près de l'école !! Gardez vos enfants à la maison",
        "mon beau frere la vu aussi le loup derriere l ecole, il etait enorme",
        "On m'a dit qu'un loup rôde autour de l'école primaire",
        "Partagez vite, loup aperçu à côté de l'école, faites attention aux petits",
        "Loup près de l'école, mon fils a peur d'y aller",
        "un loup dans le quartier de l ecole, la mairie fait rien comme dhab",
        "C'est vrai cette histoire de loup devant l'école ? quelqu'un l'a vu ?",
        "il parait que le loup est toujours dans le bois derrière l'école",
        "Loup repéré près de l'école, les parents sont paniqués",
        "info ou intox le loup de l'école ?",
    ]
    det = Detector(CommuneConfig(slug="vauclair", name="Vauclair"))
    for p in chatter(days=2, per_day=30):
        det.observe(p)
    alerts: list[Alert] = []
    for i, text in enumerate(wolf):
        alerts += det.observe(post(f"w{i}", 2 * 1440 + 8 * 60 + 5 * i, text, author=f"parent{i}"))
    rumours = [a for a in alerts if a.kind == RUMOUR]
    assert rumours, [a.to_json() for a in alerts]
    assert int(rumours[0].post_ids[0][1:]) < 3  # the story's first posts
