"""Four more hand-written check scenarios (``h-y-…``), written after an outside audit of the detector.

Each one covers a trap the audit found, in its own words and its own towns:

- ``h-y-morlanges-presse-greve``: true news told first by the local paper (a strike closes one school's
  canteen) while the commune's facts speak of ANOTHER school: it must not be a rumour; then a rumour
  against a fact written in the negative ("La taxe … n'augmente pas").
- ``h-y-soissy-poste-fermeture``: a rumour whose subject is a common word ("la poste") told as plain
  assertions, with no hearsay wording and no fact; a real closure announced by the commune with its
  cause (works) and a festival announcement, which are spikes.
- ``h-y-vallon-stationnement-lent``: a bad buzz about a real decision (paid parking) that starts slowly
  and only later turns into a wave of angry opinions; no rumour.
- ``h-y-saint-amans-navette``: the commune's name written in every way ("Saint-Amans", "St Amans",
  "saint amans") while the replay only knows the slug ``saintamans``; a night rumour against a fact.

    .venv/bin/python tests/rumour/handwritten_scenarios_2.py   # rewrites the four folders

Deterministic (fixed seeds). The chatter comes from ``handwritten_scenarios.Builder``.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.rumour.handwritten_scenarios import Builder

TZ = timezone(timedelta(hours=1))
Items = list[tuple[float, str, str, int | None]]


def morlanges() -> None:
    """A town of ~60 posts a day; the press reports a real canteen strike at the Paul-Bert school
    while the fact base speaks of the Jules-Ferry school; two days later, a rumour against a fact
    written in the negative."""
    b = Builder("morlanges", "h-y-mor", datetime(2026, 2, 2, 0, 0, tzinfo=TZ), seed=21)
    b.chatter(days=4, per_day=60)
    t0 = datetime(2026, 2, 3, 7, 25, tzinfo=TZ)
    strike: Items = [
        (
            0,
            "L'Écho de Morlanges",
            "Grève des agents de restauration jeudi : pas de cantine à l'école Paul-Bert, les familles "
            "sont invitées à prévoir un panier-repas, annonce la direction académique.",
            None,
        ),
        (6, "Aurélie_PB", "Pas de cantine jeudi à Paul-Bert, va falloir faire des sandwichs", None),
        (
            11,
            "papa_de_lina",
            "Cantine fermée jeudi à l'école Paul-Bert à cause de la grève, ok merci pour l'info",
            None,
        ),
        (
            15,
            "Nadège72",
            "Quelqu'un peut récupérer les enfants à midi jeudi ? Paul-Bert n'a pas de cantine",
            None,
        ),
        (19, "Thomas.R", "Grève à la cantine de Paul-Bert jeudi, on s'organise entre parents", None),
        (26, "Aurélie_PB", "Panier-repas jeudi pour les petits de Paul-Bert, c'est noté", 1),
        (
            31,
            "mamie_jo",
            "Ma petite-fille est à Paul-Bert, pas de cantine jeudi, je la prendrai chez moi",
            None,
        ),
        (37, "Samir_M", "Jeudi sans cantine à Paul-Bert, bon courage aux parents qui bossent", None),
        (44, "Coralie", "Grève jeudi : pique-nique pour les enfants de l'école Paul-Bert", None),
        (52, "Julien_b", "La cantine de Paul-Bert fermée jeudi, on fait avec", None),
    ]
    strike_ids = b.cascade(t0, strike)
    t1 = datetime(2026, 2, 4, 20, 10, tzinfo=TZ)
    tax: Items = [
        (
            0,
            "morlanges_en_vrai",
            "La taxe des ordures ménagères augmente de 30 % cette année, c'est voté",
            None,
        ),
        (5, "Gaëlle_M", "30 % de hausse sur la taxe poubelles ?? on marche sur la tête", None),
        (
            9,
            "Rémi.T",
            "La taxe d'enlèvement des ordures va encore augmenter, 30 % de plus sur la feuille d'impôt",
            None,
        ),
        (
            13,
            "Gaëlle_M",
            "Ils augmentent la taxe des ordures et les poubelles sont ramassées une fois sur deux",
            None,
        ),
        (18, "Ludo_mlg", "Hausse de 30 % de la taxe ordures ménagères, merci qui ?", None),
        (
            22,
            "Karine.D",
            "C'est vrai que la taxe des ordures augmente ? quelqu'un a vu passer la délibération ?",
            None,
        ),
        (27, "vieux_morlangeois", "Taxe ordures : +30 % cette année, c'est du vol", None),
        (31, "Ludo_mlg", "La taxe des poubelles augmente de 30 %, partagez autour de vous", None),
        (36, "Céline_b", "Encore une augmentation, la taxe des ordures ménagères prend 30 %", None),
        (42, "Rémi.T", "Quelqu'un a le montant exact ? il paraît que la taxe ordures augmente de 30 %", None),
        (
            47,
            "Bastien",
            "La taxe d'enlèvement des ordures ménagères augmente, on va payer pour quoi exactement ?",
            None,
        ),
        (55, "Karine.D", "Toujours rien sur le site de la ville pour la hausse de la taxe des ordures", None),
        (63, "morlanges_en_vrai", "30 % de plus sur la taxe des ordures, les élus se servent", None),
        (72, "Sylvie_mlg", "Hausse de la taxe poubelles : réunion publique quand ?", None),
    ]
    tax_ids = b.cascade(t1, tax)
    t2 = datetime(2026, 2, 5, 9, 30, tzinfo=TZ)
    denial: Items = [
        (
            0,
            "Ville de Morlanges",
            "La taxe d'enlèvement des ordures ménagères n'augmente pas cette année : son taux reste "
            "celui de 2025. Le détail sur morlanges.fr.",
            None,
        ),
        (8, "Karine.D", "« la taxe n'augmente pas » dit la mairie, fausse alerte donc", 0),
        (15, "Bastien", "Ah ok, pas de hausse de la taxe des ordures finalement", None),
    ]
    denial_ids = b.cascade(t2, denial)
    b.write(
        "h-y-morlanges-presse-greve",
        "Morlanges",
        4,
        [
            "Le restaurant scolaire de l'école Jules-Ferry fonctionne normalement toute l'année.",
            "La taxe d'enlèvement des ordures ménagères n'augmente pas cette année.",
        ],
        ["Ville de Morlanges"],
        [
            {"kind": "spike", "type": "greve_cantine_presse", "post_ids": strike_ids, "optional": True},
            {"kind": "rumour", "type": "taxe_ordures_hausse", "post_ids": tax_ids, "optional": False},
            {"kind": "spike", "type": "dementi_mairie", "post_ids": denial_ids, "optional": True},
        ],
        "Écrit à la main après l'audit : vraie grève annoncée par la presse pour une autre école que celle "
        "du fait (pas une rumeur), rumeur contre un fait écrit à la forme négative.",
    )


def soissy() -> None:
    """A town of ~40 posts a day; "la poste" is a common word that chatter uses too; the rumour that
    it closes is told as plain news, without hearsay; a real closure for works and a festival."""
    b = Builder("soissy-sur-ecole", "h-y-soi", datetime(2026, 3, 9, 0, 0, tzinfo=TZ), seed=22)
    b.chatter(days=5, per_day=40)
    extra = [
        "Queue interminable à la poste ce matin",
        "La poste a encore perdu mon colis, super",
        "Quelqu'un sait si la poste est ouverte entre midi et deux ?",
    ]
    for day, text in enumerate(extra):
        b.add(datetime(2026, 3, 9 + day, 10, 15, tzinfo=TZ), f"habitante{day}", text)
    t0 = datetime(2026, 3, 10, 11, 0, tzinfo=TZ)
    pool: Items = [
        (
            0,
            "Mairie de Soissy-sur-École",
            "La piscine municipale sera fermée du 16 au 29 mars pour sa vidange annuelle et des travaux "
            "d'entretien. Réouverture le 30 mars.",
            None,
        ),
        (7, "Estelle", "Piscine fermée deux semaines pour la vidange, ok on ira à Milly", 0),
        (
            12,
            "Damien.P",
            "Fermeture de la piscine pour travaux à partir du 16, pensez-y pour les cours",
            None,
        ),
        (18, "ClaireS", "La piscine ferme pour la vidange, les bébés nageurs reprennent le 30", None),
        (23, "Joël_91", "Vidange de la piscine du 16 au 29, comme chaque année", None),
        (31, "Maëlle", "Piscine fermée pour travaux d'entretien, merci pour l'info", None),
        (38, "Damien.P", "Les cours d'aquagym reprennent après les travaux de la piscine", None),
    ]
    pool_ids = b.cascade(t0, pool)
    t1 = datetime(2026, 3, 11, 16, 40, tzinfo=TZ)
    poste: Items = [
        (0, "Régis_S", "Le bureau de poste du centre ferme définitivement à la fin du mois.", None),
        (
            6,
            "Nathalie.V",
            "La poste de Soissy va fermer, il faudra aller à Milly pour envoyer un colis",
            None,
        ),
        (10, "Joël_91", "Fermeture définitive de la Poste du centre-bourg fin mars", None),
        (15, "Pascale", "Plus de bureau de poste à Soissy dès avril, les anciens vont galérer", None),
        (19, "Kevin_S", "La Poste ferme ses portes fin mars, remplacée par rien du tout", None),
        (23, "Nathalie.V", "Le bureau de poste va disparaître, encore un service en moins", None),
        (27, "Manu.L", "Vous saviez que la poste fermait ? Personne ne nous a prévenus", None),
        (31, "Françoise", "La poste du centre fermée à partir d'avril, je retire mes colis où ?", None),
        (35, "Régis_S", "Le guichet de la Poste ferme, c'est acté pour la fin du mois", None),
        (39, "Inès.B", "Fin du bureau de poste à Soissy, quelle tristesse pour le village", None),
        (43, "Kevin_S", "La poste ferme définitivement, ils vont mettre une boîte à lettres et basta", None),
        (48, "Alain_91", "Encore une fermeture : le bureau de poste, après la banque", None),
        (52, "Pascale", "Le bureau de poste de Soissy ferme fin mars, faites passer aux voisins âgés", None),
        (57, "Yvette", "Plus de poste au village à partir d'avril, c'est triste", None),
        (63, "Manu.L", "La Poste qui part du centre-bourg, ça va vider la place", None),
        (70, "Inès.B", "Bureau de poste fermé en avril, il faudra tout faire sur internet", None),
    ]
    poste_ids = b.cascade(t1, poste)
    t2 = datetime(2026, 3, 12, 10, 0, tzinfo=TZ)
    fest: Items = [
        (
            0,
            "Mairie de Soissy-sur-École",
            "Le festival Soissy en Fleurs revient le dimanche 12 avril : marché aux plantes, fanfare et "
            "ateliers pour les enfants, entrée libre 🌷",
            None,
        ),
        (5, "Maëlle", "Soissy en Fleurs le 12 avril, trop bien, on y sera", 0),
        (9, "Estelle", "Génial le festival des fleurs revient !", None),
        (14, "ClaireS", "Marché aux plantes le 12 avril, je note", None),
        (18, "Yvette", "J'adore Soissy en Fleurs, la fanfare est super", None),
        (23, "Damien.P", "Le festival des fleurs c'est le meilleur dimanche de l'année", None),
        (27, "Joël_91", "Vivement le 12 avril pour Soissy en Fleurs 🌸", None),
        (33, "Françoise", "Des ateliers pour les petits au festival, bravo", None),
        (40, "Alain_91", "Soissy en Fleurs, on vient chaque année en famille", None),
    ]
    fest_ids = b.cascade(t2, fest)
    b.write(
        "h-y-soissy-poste-fermeture",
        "Soissy-sur-École",
        5,
        [],
        ["Mairie de Soissy-sur-École"],
        [
            {"kind": "spike", "type": "piscine_vidange_officielle", "post_ids": pool_ids, "optional": True},
            {
                "kind": "rumour",
                "type": "poste_fermeture_sans_ouidire",
                "post_ids": poste_ids,
                "optional": False,
            },
            {"kind": "spike", "type": "festival_fleurs", "post_ids": fest_ids, "optional": True},
        ],
        "Écrit à la main après l'audit : rumeur au sujet d'un mot courant (« la poste »), affirmations "
        "simples sans ouï-dire ni fait ; vraie fermeture officielle expliquée (vidange), festival.",
    )


def vallon() -> None:
    """A town of ~50 posts a day; the commune makes a square's parking paid; the first reactions are
    few and spread over two hours, then the anger grows in the evening."""
    b = Builder("vallon-les-pins", "h-y-val", datetime(2026, 6, 1, 0, 0, tzinfo=TZ), seed=23)
    b.chatter(days=4, per_day=50)
    t0 = datetime(2026, 6, 2, 14, 0, tzinfo=TZ)
    buzz: Items = [
        (
            0,
            "Ville de Vallon-les-Pins",
            "À partir du 1er septembre, le stationnement place du Marché devient payant : 1 € de l'heure, "
            "30 minutes gratuites. Les recettes financeront la navette du centre.",
            None,
        ),
        (25, "Odile_V", "Payer pour se garer place du Marché, on aura tout vu", 0),
        (58, "Fred.C", "Déçu par cette décision sur le stationnement", None),
        (
            96,
            "commerçante_vlp",
            "Le parking payant place du Marché, les clients vont fuir nos boutiques",
            None,
        ),
        (131, "Jean-Mi", "1 € de l'heure pour se garer au marché, franchement c'est abusé", None),
        (178, "Odile_V", "Mauvaise décision, le marché va se vider", None),
        (236, "Sophie.B", "Bravo la mairie 👏 on va se garer où maintenant ?", None),
        (241, "Fred.C", "Stationnement payant place du Marché = centre-ville mort, c'est scandaleux", None),
        (246, "Lucas_vlp", "Honteux de faire payer le parking aux habitants", None),
        (250, "commerçante_vlp", "Pétition contre le stationnement payant, signez et partagez !", None),
        (254, "Mathilde", "Encore une taxe déguisée, lamentable", None),
        (
            258,
            "Jean-Mi",
            "Les élus ne savent plus quoi inventer, parking payant place du Marché, honteux",
            None,
        ),
        (262, "Bernard_V", "Le conseil municipal a voté ça sans aucune concertation, inadmissible", None),
        (266, "Sophie.B", "On nous prend vraiment pour des vaches à lait avec ce stationnement payant", None),
        (270, "Karima", "Je ne viendrai plus au marché si je dois payer pour me garer", None),
        (274, "Lucas_vlp", "Quelle bêtise ce parking payant, le centre va mourir", None),
        (279, "Nicolas_P", "Affligeant, la mairie n'écoute personne", None),
        (284, "Mathilde", "Réunion publique sur le stationnement payant, c'est quand ?", None),
        (290, "Bernard_V", "Les commerçants sont furieux, et on les comprend", None),
        (296, "Karima", "Stationnement payant au marché : on s'en souviendra aux élections", None),
    ]
    buzz_ids = b.cascade(t0, buzz)
    b.write(
        "h-y-vallon-stationnement-lent",
        "Vallon-les-Pins",
        4,
        ["Le stationnement place du Marché devient payant le 1er septembre, avec 30 minutes gratuites."],
        ["Ville de Vallon-les-Pins"],
        [{"kind": "bad_buzz", "type": "stationnement_payant_lent", "post_ids": buzz_ids, "optional": False}],
        "Écrit à la main après l'audit : bad buzz sur une vraie décision, qui démarre lentement (un message "
        "toutes les 30 à 60 minutes) puis s'emballe le soir ; aucune rumeur.",
    )


def saint_amans() -> None:
    """A town of ~30 posts a day whose name is written every which way; a rumour at 23:20 that the free
    town-centre shuttle becomes paying, against a fact."""
    b = Builder("saintamans", "h-y-sam", datetime(2026, 10, 5, 0, 0, tzinfo=TZ), seed=24)
    b.chatter(days=3, per_day=30)
    for i, text in enumerate(
        [
            "Beau soleil sur Saint-Amans ce matin",
            "St Amans sous la pluie, comme d'hab",
            "Le marché de saint amans était bien rempli",
            "SAINT-AMANS en fête ce week-end !",
            "Quelqu'un connaît un garage sérieux à St-Amans ?",
            "Balade au lac de Saint Amans, magnifique",
        ]
    ):
        b.add(datetime(2026, 10, 5 + i // 2, 9 + 4 * (i % 2), 20, tzinfo=TZ), f"amansois{i}", text)
    t0 = datetime(2026, 10, 6, 23, 20, tzinfo=TZ)
    shuttle: Items = [
        (
            0,
            "Lilou_sa",
            "La navette du centre-ville de Saint-Amans devient payante en novembre, 2 € le trajet",
            None,
        ),
        (5, "Marco.B", "Navette payante à St Amans ?? c'était le seul truc gratuit", 0),
        (9, "Jeanine", "2 € pour la navette, les personnes âgées vont rester chez elles", None),
        (
            14,
            "Tom_SA",
            "Fin de la navette gratuite à saint amans, super pour ceux qui n'ont pas de voiture…",
            None,
        ),
        (18, "Lilou_sa", "La navette deviendra payante dès novembre, faites tourner", None),
        (24, "Sabrina", "Quelqu'un confirme pour la navette payante ?", None),
        (29, "Marco.B", "La navette gratuite c'est fini, 2 euros le ticket", None),
        (35, "Gilles", "Navette payante à Saint-Amans, encore une mauvaise nouvelle", None),
        (42, "Tom_SA", "Ils vont faire payer la navette du centre, incroyable", None),
        (50, "Jeanine", "La navette ne sera plus gratuite, ma mère la prend tous les jours", None),
        (61, "Sabrina", "Navette à 2 € en novembre, c'est officiel ?", None),
        (75, "Gilles", "Navette payante dès novembre, honteux", None),
    ]
    shuttle_ids = b.cascade(t0, shuttle)
    b.write(
        "h-y-saint-amans-navette",
        "Saint-Amans",
        3,
        ["La navette du centre-ville de Saint-Amans reste gratuite pour tous."],
        ["Ville de Saint-Amans"],
        [{"kind": "rumour", "type": "navette_payante_nuit", "post_ids": shuttle_ids, "optional": False}],
        "Écrit à la main après l'audit : le nom de la commune écrit de toutes les façons (« Saint-Amans », "
        "« St Amans », « saint amans ») alors que le rejeu ne connaît que le slug ; rumeur de nuit contre un fait.",
    )


if __name__ == "__main__":
    morlanges()
    soissy()
    vallon()
    saint_amans()
