"""The catalogue of scenarios written to ``data/veille/scenarios`` (regenerate with
``python -m beffroi.domain.rumour.catalogue``).

Development scenarios use the rumour templates of ``rumours.json``; *held-out* scenarios
(``holdout: true`` in ``truth.json``) use ``rumours_holdout.json`` — other topics and wordings that
were never looked at while choosing the thresholds — and other towns, volumes and rhythms.
"""

from __future__ import annotations

import sys
from pathlib import Path

from beffroi.domain.rumour.simulate import BurstSpec as B
from beffroi.domain.rumour.simulate import RumourSpec as R
from beffroi.domain.rumour.simulate import ScenarioSpec as S
from beffroi.domain.rumour.simulate import write_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "data" / "veille" / "scenarios"

DEV: list[S] = [
    S(
        "roubaix-piscine",
        1,
        "2025-01-14T00:00:00",
        2,
        60,
        101,
        rumours=[R("piscine_femmes", 33.5, 60, rate0=10, doubling_min=35)],
        description="Le cas de Roubaix : un faux compte annonce la piscine réservée aux femmes.",
    ),
    S(
        "saint-aubin-cantine",
        0,
        "2025-03-03T00:00:00",
        3,
        40,
        102,
        rumours=[R("cantine_porc", 50.2, 45, rate0=6, doubling_min=50, cue_rate=0.3)],
        description="Plus de porc à la cantine : diffusion lente, paraphrases.",
    ),
    S(
        "montreuil-arrete",
        2,
        "2025-06-20T00:00:00",
        3,
        25,
        103,
        rumours=[R("arrete_barbecue", 40.0, 40, rate0=7, cue_rate=0.15, new_account_rate=0.1)],
        description="Faux arrêté interdisant les barbecues ; peu d'indices de ouï-dire.",
    ),
    S(
        "pezenas-marche-sans-faits",
        4,
        "2025-09-08T00:00:00",
        3,
        50,
        104,
        rumours=[R("marche_fermeture", 57.0, 50, rate0=9, cue_rate=0.5, with_fact=False)],
        description="Fausse fermeture du marché, sans fait fourni : seuls les indices et la vitesse.",
    ),
    S(
        "oyonnax-migrants",
        6,
        "2025-10-01T00:00:00",
        3,
        45,
        105,
        rumours=[R("centre_migrants", 44.3, 70, rate0=12, doubling_min=25, new_account_rate=0.5)],
        description="Faux centre de migrants, relayé par des comptes récents.",
    ),
    S(
        "roubaix-piscine-nuit",
        1,
        "2025-02-10T00:00:00",
        2,
        60,
        106,
        rumours=[R("piscine_femmes", 46.5, 40, rate0=6, doubling_min=45)],
        description="La même rumeur lancée à 22h30, quand la ville dort.",
    ),
    S(
        "lannion-festival",
        5,
        "2025-07-07T00:00:00",
        4,
        35,
        107,
        bursts=[B("festival", 2, 45), B("football_win", 1, 30)],
        description="Annonce du festival partagée partout : un pic bénin.",
    ),
    S(
        "carpentras-taxe",
        7,
        "2025-04-07T00:00:00",
        4,
        50,
        108,
        bursts=[B("tax_rise", 1, 50)],
        description="Hausse de la taxe foncière : bad buzz d'opinions, pas une rumeur.",
    ),
    S(
        "guingamp-semaine-calme",
        8,
        "2025-05-05T00:00:00",
        7,
        40,
        109,
        bursts=[B("football_win", 2, 45), B("storm", 5, 35)],
        description="Semaine calme : un match et une alerte orages partagée par beaucoup.",
    ),
    S(
        "millau-semaine-animee",
        9,
        "2025-08-11T00:00:00",
        7,
        150,
        110,
        bursts=[B("incident", 1, 30), B("mayor_thread", 3, 25), B("football_loss", 5, 35)],
        description="Ville active : incendie, débat sous un post de la mairie, défaite au foot.",
    ),
    S(
        "villeneuve-mois",
        3,
        "2025-03-01T00:00:00",
        30,
        80,
        111,
        rumours=[R("piscine_femmes", 24 * 17 + 9.5, 55, rate0=8)],
        bursts=[B("festival", 5, 40), B("tax_rise", 11, 40), B("football_win", 20, 40), B("storm", 25, 30)],
        description="Un mois mêlé : festival, hausse d'impôt, foot, orages, et une rumeur.",
    ),
    S(
        "saint-aubin-mois",
        0,
        "2025-10-01T00:00:00",
        30,
        40,
        112,
        shuffle=0.02,
        malformed=2,
        rumours=[
            R("cantine_porc", 24 * 8 + 12.2, 45, rate0=7, with_fact=False, cue_rate=0.5),
            R("marche_fermeture", 24 * 22 + 8.7, 45, rate0=9),
        ],
        bursts=[B("football_loss", 3, 30), B("incident", 14, 25), B("mayor_thread", 18, 20)],
        description="Un mois, deux rumeurs (dont une sans fait), lignes désordonnées et malformées.",
    ),
    S(
        "grande-ville-migrants",
        3,
        "2025-11-03T00:00:00",
        3,
        400,
        113,
        rumours=[R("centre_migrants", 58.0, 80, rate0=15, doubling_min=30)],
        bursts=[B("football_win", 1, 60)],
        description="Grande ville (400 mentions/jour) : la rumeur doit ressortir du bruit.",
    ),
    S(
        "petit-village-arrete",
        2,
        "2025-07-15T00:00:00",
        5,
        8,
        114,
        rumours=[R("arrete_barbecue", 24 * 3 + 11.0, 30, rate0=5, doubling_min=60)],
        description="Petit village (8 mentions/jour) : peu d'historique.",
    ),
    S(
        "carpentras-mois-calme",
        7,
        "2025-01-06T00:00:00",
        30,
        60,
        115,
        bursts=[
            B("football_win", 4, 35),
            B("storm", 9, 30),
            B("incident", 16, 25),
            B("football_loss", 23, 30),
            B("mayor_thread", 27, 20),
        ],
        description="Un mois calme sans rumeur : aucune alerte rumeur attendue.",
    ),
    S(
        "lannion-marche-rapide",
        5,
        "2025-02-17T00:00:00",
        2,
        30,
        116,
        rumours=[R("marche_fermeture", 33.2, 90, rate0=25, doubling_min=15, cue_rate=0.25)],
        description="Rumeur explosive : 25 messages dans la première heure.",
    ),
]

HOLDOUT: list[S] = [
    S(
        "h-carpentras-ecole",
        7,
        "2025-06-02T00:00:00",
        3,
        55,
        201,
        holdout=True,
        rumours=[R("ecole_fermeture", 40.6, 45, rate0=7, holdout=True)],
        description="Réservé : fausse fermeture d'école.",
    ),
    S(
        "h-guingamp-fete-mois",
        8,
        "2025-06-01T00:00:00",
        30,
        45,
        202,
        holdout=True,
        rumours=[R("fete_annulee", 24 * 12 + 18.4, 40, rate0=6, doubling_min=50, holdout=True)],
        bursts=[B("football_win", 6, 35), B("storm", 19, 30), B("tax_rise", 25, 35)],
        description="Réservé : un mois, fausse annulation de la fête.",
    ),
    S(
        "h-millau-camionnette",
        9,
        "2025-09-15T00:00:00",
        4,
        70,
        203,
        holdout=True,
        rumours=[R("camionnette", 24 * 2 + 16.5, 50, rate0=9, cue_rate=0.45, holdout=True)],
        description="Réservé : rumeur de la camionnette blanche, sans fait.",
    ),
    S(
        "h-oyonnax-eau",
        6,
        "2025-08-04T00:00:00",
        2,
        120,
        204,
        holdout=True,
        rumours=[R("eau_polluee", 30.0, 60, rate0=10, doubling_min=30, holdout=True)],
        description="Réservé : eau du robinet prétendument contaminée.",
    ),
    S(
        "h-montreuil-mois-parking-antenne",
        2,
        "2025-01-01T00:00:00",
        30,
        30,
        205,
        holdout=True,
        rumours=[
            R("parking_payant", 24 * 9 + 10.0, 35, rate0=6, holdout=True),
            R("antenne_ecole", 24 * 21 + 20.5, 40, rate0=7, new_account_rate=0.5, holdout=True),
        ],
        bursts=[B("football_loss", 2, 25), B("incident", 15, 20), B("festival", 27, 35)],
        description="Réservé : un mois, deux rumeurs.",
    ),
    S(
        "h-villeneuve-mois-calme",
        3,
        "2025-09-01T00:00:00",
        30,
        150,
        206,
        holdout=True,
        bursts=[
            B("football_win", 3, 50),
            B("football_loss", 10, 45),
            B("storm", 12, 40),
            B("incident", 18, 30),
            B("mayor_thread", 22, 30),
            B("tax_rise", 26, 45),
        ],
        description="Réservé : mois calme d'une ville active, aucune rumeur.",
    ),
    S(
        "h-pezenas-eau-nuit",
        4,
        "2025-12-01T00:00:00",
        3,
        20,
        207,
        holdout=True,
        rumours=[
            R(
                "eau_polluee",
                24 * 2 + 1.5,
                35,
                rate0=5,
                doubling_min=45,
                with_fact=False,
                cue_rate=0.5,
                holdout=True,
            )
        ],
        description="Réservé : rumeur nocturne (1h30) sans fait, petite ville.",
    ),
]


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else SCENARIO_DIR
    for spec in [*DEV, *HOLDOUT]:
        path = write_scenario(spec, target)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
