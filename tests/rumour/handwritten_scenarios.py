"""Three hand-written check scenarios (``h-x-…``), written apart from the simulator and its templates.

They exist to check that the detector generalises: other topics (medical practice closing, street
lighting switched off, a wolf near a school), other wording (SMS spelling, no accents, sarcasm,
questions, people quoting the town hall's denial), other rhythms (a village of a few posts a day with
a rumour starting at 01:40, a large town with heavy chatter, a medium town over a week). They were
written once and measured; the detector was never tuned on them.

    .venv/bin/python tests/rumour/handwritten_scenarios.py   # rewrites the three folders

Deterministic (fixed seeds); the background chatter is assembled from many independent pieces so that
ordinary conversation does not repeat itself word for word.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[2] / "src" / "beffroi" / "data" / "veille" / "scenarios"
PLATFORMS = ("facebook", "x", "instagram", "bluesky", "tiktok")
# relative activity per local hour (a commune's day/night rhythm)
HOURLY = [0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.4, 1.0, 1.4, 1.3, 1.2, 1.3,
          1.8, 1.6, 1.2, 1.1, 1.2, 1.5, 1.9, 2.2, 2.1, 1.8, 1.2, 0.6]  # fmt: skip

NAMES = [
    "Mireille", "jojo", "Karim", "Lucie_B", "Dédé", "fafa", "Thierry", "Sandrine", "Yanis", "Pauline",
    "Gégé", "Chloé", "Bruno", "Nadia", "Patou", "Marc", "Inès", "Loulou", "Sébastien", "Amandine",
    "Hugo", "Josiane", "Rachid", "Elodie", "Didier", "Manon", "Fabrice", "Zoé", "Laurent", "Samia",
]  # fmt: skip

CHATTER_SUBJECTS = [
    "la boulangerie de la place", "le club de foot des U12", "la brocante de dimanche", "le marché",
    "la pharmacie de garde", "les travaux rue Pasteur", "le nouveau kebab", "la fête des voisins",
    "la chorale", "le vide-grenier", "la salle de sport", "le cinéma", "la bibliothèque", "le lavoir",
    "les pompiers", "le concours de pétanque", "la kermesse de l'école", "le bus de 7h12",
    "la déchetterie", "le repas des anciens", "le tournoi de belote", "le festival de jazz",
    "la piste cyclable", "le city stade", "le club de théâtre", "la crèche", "le parc",
]  # fmt: skip
CHATTER_COMMENTS = [
    "c'était top hier soir", "quelqu'un sait à quelle heure ça ouvre ?", "merci aux bénévoles !",
    "super ambiance comme d'hab", "y a encore de la place ?", "j'y étais avec les petits, ils ont adoré",
    "les horaires ont changé ou pas ?", "bravo à toute l'équipe", "on se retrouve là-bas vers 10h",
    "pas mal du tout, je recommande", "un peu de monde mais ça va", "quelqu'un a des photos ?",
    "ça fait plaisir de voir du monde", "trop bien 😍", "pensez à réserver", "c'est reparti pour un an",
    "le parking était plein", "vivement la prochaine", "bon courage à eux", "j'ai perdu mon écharpe là-bas",
]  # fmt: skip
CHATTER_FREE = [
    "Quelqu'un a vu un chat roux perdu vers les jardins familiaux ?",
    "Il pleut encore, ça ne s'arrête jamais ici 🌧️",
    "Cherche baby-sitter pour mercredi après-midi, MP",
    "Les cerisiers sont en fleur le long du canal, magnifique",
    "Vends vélo enfant 16 pouces, bon état",
    "Qui connaît un bon plombier dans le coin ?",
    "Belle balade ce matin au bord de l'eau",
    "Encore un bouchon au rond-point ce matin…",
    "Les gamins ont gagné leur match 3-1, fiers d'eux",
    "Recherche covoiturage pour Lyon vendredi",
    "Trouvé des clés près de la poste, déposées à l'accueil",
    "Le coucher de soleil ce soir 🔥",
    "Quelqu'un sait si la poste ouvre le samedi ?",
    "Bonne fête à toutes les mamies !",
    "Le nouveau boucher est vraiment sympa",
]  # fmt: skip
REPLIES = ["merci !", "ah bon ?", "+1", "oui je confirme", "👍", "top merci pour l'info", "pareil",
           "je sais pas désolé", "bonne question", "haha", "ok merci"]  # fmt: skip


@dataclass
class Builder:
    slug: str
    prefix: str
    start: datetime
    seed: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    counter: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def add(
        self,
        when: datetime,
        author: str,
        text: str,
        reply_to: str | None = None,
        platform: str | None = None,
        likes: int | None = None,
        shares: int | None = None,
    ) -> str:
        self.counter += 1
        pid = f"{self.prefix}-{self.counter:05d}"
        obj: dict[str, Any] = {
            "id": pid,
            "created_at": when.isoformat(timespec="seconds"),
            "platform": platform or self.rng.choice(PLATFORMS),
            "author": author,
            "text": text,
            "url": f"https://ex.example/{pid}",
        }
        if reply_to:
            obj["reply_to"] = reply_to
        obj["likes"] = likes if likes is not None else self.rng.randint(0, 8)
        obj["shares"] = shares if shares is not None else self.rng.randint(0, 2)
        self.posts.append(obj)
        return pid

    def chatter(self, days: int, per_day: float) -> None:
        total = sum(HOURLY)
        for day in range(days):
            for hour in range(24):
                n = self._poisson(per_day * HOURLY[hour] / total)
                for _ in range(n):
                    when = self.start + timedelta(days=day, hours=hour, seconds=self.rng.randint(0, 3599))
                    author = self.rng.choice(NAMES) + str(self.rng.randint(1, 400))
                    if self.rng.random() < 0.35:
                        text = self.rng.choice(CHATTER_FREE)
                    else:
                        text = f"{self.rng.choice(CHATTER_SUBJECTS).capitalize()} : {self.rng.choice(CHATTER_COMMENTS)}"
                    pid = self.add(when, author, text)
                    if self.rng.random() < 0.3:
                        later = when + timedelta(minutes=self.rng.randint(2, 90))
                        self.add(later, self.rng.choice(NAMES) + str(self.rng.randint(1, 400)),
                                 self.rng.choice(REPLIES), reply_to=pid)  # fmt: skip

    def cascade(self, t0: datetime, items: list[tuple[float, str, str, int | None]]) -> list[str]:
        """items: (minutes after t0, author, text, index of the cascade post it replies to)."""
        ids: list[str] = []
        for minutes, author, text, parent in items:
            reply = ids[parent] if parent is not None else None
            ids.append(self.add(t0 + timedelta(minutes=minutes), author, text, reply_to=reply))
        return ids

    def _poisson(self, lam: float) -> int:
        # Knuth, fine for small lambdas; deterministic through self.rng
        if lam > 30:
            return max(0, round(self.rng.gauss(lam, lam**0.5)))
        limit, k, p = 2.718281828459045 ** (-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def write(self, name: str, town: str, days: int, facts: list[str], official: list[str],
              events: list[dict[str, Any]], description: str) -> None:  # fmt: skip
        folder = OUT / name
        folder.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self.posts, key=lambda p: (p["created_at"], p["id"]))
        with (folder / "stream.jsonl").open("w", encoding="utf-8") as fh:
            for p in ordered:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
        (folder / "facts.txt").write_text("".join(f + "\n" for f in facts), encoding="utf-8")
        truth = {
            "name": name,
            "commune": self.slug,
            "town": town,
            "description": description,
            "holdout": True,
            "days": days,
            "official_accounts": official,
            "events": events,
        }
        (folder / "truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


TZ = timezone(timedelta(hours=1))


def village_medecin() -> None:
    """A village (~7 posts a day); at 01:40 a night owl says the doctor's practice closes for good."""
    b = Builder("larnaud-sur-orne", "h-x-lar", datetime(2026, 1, 12, 0, 0, tzinfo=TZ), seed=11)
    b.chatter(days=5, per_day=7)
    t0 = datetime(2026, 1, 14, 1, 40, tzinfo=TZ)
    items: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "nuit_blanche_77",
            "jviens dapprendre ke le cabinet medical ferme definitivement fin du mois, "
            "plus aucun medecin au village ?? c une blague",
            None,
        ),
        (6, "ptitLou", "kelkun confirme pr le cabinet medical?? ma mere a rdv la semaine pro", 0),
        (
            11,
            "Roger.Vasseur",
            "Ma voisine qui fait le ménage à la mairie dit que le docteur part et que "
            "personne le remplace. Le cabinet va fermer.",
            None,
        ),
        (
            17,
            "jess_insomnie",
            "serieux plus de docteur a larnaud ?? on va devoir aller a 30 km pr une angine",
            None,
        ),
        (
            22,
            "Mamie_Ginette",
            "Le cabinet médical ferme ? Mais comment on va faire nous les vieux sans voiture",
            None,
        ),
        (
            26,
            "nuit_blanche_77",
            "partagez ya plein de gens ki savent pas, le medecin se barre et la mairie dit rien",
            None,
        ),
        (
            31,
            "kevdu61",
            "ils ferment le cabinet du village et personne nous previent, trop fort la mairie 🙄",
            None,
        ),
        (37, "ptitLou", "bon bah faudra aller aux urgences pour un rhume maintenant, merci qui", None),
        (
            44,
            "Roger.Vasseur",
            "Plus de médecin à Larnaud à partir du mois prochain, c'est ce qu'on m'a dit de source sûre",
            None,
        ),
        (52, "Sab_Orne", "c vrai ce truc du cabinet qui ferme ?", 2),
        (
            58,
            "jess_insomnie",
            "Bienvenue dans le desert medical, le cabinet ferme et tout le monde s en fout",
            None,
        ),
        (
            66,
            "tonton_bricole",
            "Fermeture du cabinet médical de Larnaud, encore un service qui disparaît 😡",
            None,
        ),
        (75, "Mamie_Ginette", "Ma fille dit que c'est sûr, plus de docteur au village", None),
        (84, "kevdu61", "le doc part en retraite et pas de remplaçant, le cabinet ferme, partagez", None),
        (96, "Sab_Orne", "ça fait peur cette histoire de cabinet qui ferme, qui sait ?", None),
        (110, "lea.orne", "Quelqu'un a une info officielle sur le cabinet médical ?", None),
        (130, "bibi_larnaud", "c abuser le cabinet ferme et on l apprend par facebook", None),
        (190, "tonton_bricole", "Le cabinet médical ferme, signez la pétition", None),
        (300, "Paulo_61", "Moi j'ai entendu que le cabinet fermait aussi, pas cool", None),
        (390, "lea.orne", "Le cabinet médical ferme vraiment ? personne ne répond à la mairie", None),
    ]
    rumour_ids = b.cascade(t0, items)
    # morning: the town hall denies; people quote the denial (must not re-trigger a rumour alert)
    t1 = datetime(2026, 1, 14, 8, 45, tzinfo=TZ)
    denial: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "Mairie de Larnaud-sur-Orne",
            "Le cabinet médical reste ouvert. Le Dr Petit part à la retraite "
            "et le Dr Moreau le remplace dès le 1er février. Merci de ne pas relayer de fausses informations.",
            None,
        ),
        (
            9,
            "lea.orne",
            "Ouf ! La mairie dit que le cabinet medical reste ouvert, c'etait une fausse info",
            0,
        ),
        (
            15,
            "Sab_Orne",
            "« Le cabinet médical reste ouvert » dixit la mairie, arrêtez de partager n'importe quoi",
            None,
        ),
        (22, "Mamie_Ginette", "Merci la mairie pour l'info, le cabinet ne ferme pas 👍", 0),
        (31, "ptitLou", "la mairie dement, le cabinet ferme pas, nouveau medecin en fevrier", None),
        (40, "bibi_larnaud", "bon ben c etait faux pour le cabinet, tant mieux", None),
        (55, "Roger.Vasseur", "Je retire ce que j'ai dit, le cabinet ne ferme pas selon la mairie.", None),
    ]
    denial_ids = b.cascade(t1, denial)
    b.write(
        "h-x-village-medecin-nuit",
        "Larnaud-sur-Orne",
        5,
        [
            "Le cabinet médical de Larnaud reste ouvert : le Dr Moreau remplace le Dr Petit à partir du 1er février.",
            "La mairie est ouverte du lundi au vendredi de 9 h à 12 h.",
        ],
        ["Mairie de Larnaud-sur-Orne"],
        [
            {"kind": "rumour", "type": "cabinet_medical_ferme", "post_ids": rumour_ids, "optional": False},
            {"kind": "spike", "type": "dementi_mairie", "post_ids": denial_ids, "optional": True},
        ],
        "Écrit à la main : village très calme, rumeur lancée à 01 h 40 en écriture SMS, démenti cité ensuite.",
    )


def ville_eclairage() -> None:
    """A large town (~450 posts a day): street lighting rumour, a real canteen price rise (bad buzz)
    and a free concert announced by the town and shared everywhere (benign spike)."""
    b = Builder("saint-morand", "h-x-smo", datetime(2026, 3, 2, 0, 0, tzinfo=TZ), seed=22)
    b.chatter(days=3, per_day=450)
    # day 1, 10:30: the town announces a free concert; it is shared everywhere
    t_concert = datetime(2026, 3, 2, 10, 30, tzinfo=TZ)
    concert: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "Ville de Saint-Morand",
            "🎶 Concert gratuit de l'Orchestre national samedi 20 h place de la République ! Venez nombreux",
            None,
        )
    ]
    for i in range(40):
        who = b.rng.choice(NAMES) + str(500 + i)
        text = b.rng.choice([
            "Concert gratuit samedi place de la République, trop bien !!",
            "RT Ville de Saint-Morand : Concert gratuit de l'Orchestre national samedi 20 h",
            "Génial le concert gratuit samedi soir, on y sera 🎶",
            "Qui vient au concert de samedi sur la place ?",
            "Enfin un beau concert gratuit à Saint-Morand, merci",
            "concert samedi 20h place de la republique, gratuit, partagez",
        ])  # fmt: skip
        concert.append((2 + i * 2.5 + b.rng.random(), who, text, None))
    concert_ids = b.cascade(t_concert, concert)
    # day 2, 12:10: the canteen price rise voted by the council: a wave of negative opinions
    t_buzz = datetime(2026, 3, 3, 12, 10, tzinfo=TZ)
    buzz_texts = [
        "Hausse de 12 % du prix de la cantine votée hier, c'est honteux pour les familles",
        "12% de plus pour la cantine, merci le conseil municipal… les familles trinquent",
        "Franchement augmenter la cantine en pleine crise c'est scandaleux",
        "La cantine plus chère alors que la qualité baisse, inadmissible",
        "Bravo la mairie, la cantine augmente encore 👏👏 on adore payer",
        "Je trouve ça injuste cette hausse de la cantine, on nous prend pour des vaches à lait",
        "+12% à la cantine, vous vous moquez de nous",
        "Encore une hausse pour la cantine, ras le bol de cette municipalité",
        "C'est une honte cette augmentation du tarif de la cantine scolaire",
        "La hausse de la cantine passe mal chez les parents, et on les comprend",
    ]
    buzz: list[tuple[float, str, str, int | None]] = []
    for i in range(36):
        buzz.append((i * 3.0 + b.rng.random() * 2, f"parent_{i}", b.rng.choice(buzz_texts), None))
    buzz_ids = b.cascade(t_buzz, buzz)
    # day 3, 18:05: the lighting rumour (fact: main streets stay lit all night)
    t0 = datetime(2026, 3, 4, 18, 5, tzinfo=TZ)
    items: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "StMorand_Libre",
            "Info qui circule : la ville coupe tout l'éclairage public dès 22 h à partir de "
            "lundi, pour faire des économies. Les rues seront dans le noir complet.",
            None,
        ),
        (4, "Cathy_smo", "Quoi ?? plus de lampadaires la nuit dans toute la ville ?", 0),
        (8, "Momo_93x", "ils vont eteindre les lampadaires a 22h dans toutes les rues c une dinguerie", None),
        (
            11,
            "Jean_Luc_R",
            "Génial, la ville plongée dans le noir, les cambrioleurs vont adorer. Merci monsieur le maire 🙄",
            None,
        ),
        (
            15,
            "Aurelie.m",
            "Un ami au service technique me l'a confirmé : extinction totale de l'éclairage "
            "public la nuit dès lundi",
            None,
        ),
        (18, "Momo_93x", "partagez!!! coupure de l eclairage dans toute la ville des lundi", None),
        (
            22,
            "Nath_smo",
            "C'est vrai que l'éclairage public sera coupé la nuit ? Je rentre du boulot à minuit…",
            None,
        ),
        (
            25,
            "vigilance_citoyenne_4412",
            "URGENT : Saint-Morand éteint ses rues la nuit, vos femmes et vos "
            "enfants seront en danger. Ils vous le cachent.",
            None,
        ),
        (
            29,
            "Cathy_smo",
            "plus d'éclairage public la nuit à partir de lundi, on m'a dit que c'était voté",
            None,
        ),
        (33, "Jean_Luc_R", "Les rues dans le noir complet dès 22h, super idée pour la sécurité…", None),
        (36, "Bilal_smo", "Coupure totale des lampadaires, ça va être joli les agressions", None),
        (40, "Aurelie.m", "quelqu'un a vu l'arrêté sur l'extinction de l'éclairage ?", None),
        (43, "papy_rene", "Eteindre l'éclairage public toute la nuit c'est de la folie", None),
        (47, "Nath_smo", "Du coup plus aucune lumière dans les rues après 22 h ??", 0),
        (
            52,
            "Soso_du_centre",
            "Ma collègue dit que la ville coupe l'éclairage de toutes les rues, c'est officiel",
            None,
        ),
        (56, "Momo_93x", "Saint-Morand dans le noir des lundi, ca craint", None),
        (61, "Bilal_smo", "Extinction des lampadaires : la mairie veut économiser sur notre sécurité", None),
        (66, "papy_rene", "Je confirme, plus d'éclairage la nuit, c'est passé au conseil", None),
        (72, "lucie_smo", "Eclairage coupé la nuit, vous êtes sûrs ? source ?", None),
        (
            80,
            "vigilance_citoyenne_4412",
            "Les rues dans le noir complet : PARTAGEZ avant que ce soit supprimé",
            None,
        ),
        (88, "Karine_vtt", "La ville éteint ses rues la nuit, je vais plus oser sortir le chien", None),
        (95, "Soso_du_centre", "plus d'eclairage public la nuit, quelle honte", None),
        (104, "Jean_Luc_R", "Tout est éteint à 22h dès lundi, ils auraient pu prévenir", None),
        (115, "Karine_vtt", "Extinction totale de l'éclairage à Saint-Morand, on marche sur la tête", None),
        (
            128,
            "lucie_smo",
            "Tout le monde parle de l'éclairage coupé, quelqu'un a une source officielle ?",
            None,
        ),
        (140, "Nico_smo", "Plus de lumière dans les rues la nuit, c'est vraiment voté ?", None),
        (155, "Cathy_smo", "les rues dans le noir dès lundi, c'est n'importe quoi", None),
        (170, "Nico_smo", "l'éclairage public coupé la nuit, on va tous se casser la figure", None),
    ]
    rumour_ids = b.cascade(t0, items)
    b.write(
        "h-x-grande-ville-eclairage",
        "Saint-Morand",
        3,
        [
            "L'éclairage public des rues de Saint-Morand reste allumé toute la nuit ; seuls les parcs sont éteints "
            "après 23 h.",
            "Le tarif de la cantine scolaire augmente de 12 % à la rentrée, voté au conseil municipal du 2 mars.",
            "Un concert gratuit de l'Orchestre national a lieu samedi à 20 h place de la République.",
        ],
        ["Ville de Saint-Morand"],
        [
            {"kind": "spike", "type": "concert_gratuit", "post_ids": concert_ids, "optional": True},
            {"kind": "bad_buzz", "type": "hausse_cantine", "post_ids": buzz_ids, "optional": True},
            {"kind": "rumour", "type": "eclairage_coupe", "post_ids": rumour_ids, "optional": False},
        ],
        "Écrit à la main : grande ville bavarde, pic bénin (concert), bad buzz (cantine), rumeur (éclairage).",
    )


def ville_loup() -> None:
    """A medium town over a week (~60 posts a day), no facts at all: a wolf 'seen near the school',
    with sarcasm, doubts and a denial quoted afterwards; and an ordinary lively week around it."""
    b = Builder("vauclair", "h-x-vau", datetime(2026, 5, 4, 0, 0, tzinfo=TZ), seed=33)
    b.chatter(days=7, per_day=60)
    # a real but benign surge: the town's cycling race passes through, everybody posts photos
    t_race = datetime(2026, 5, 6, 15, 0, tzinfo=TZ)
    race: list[tuple[float, str, str, int | None]] = []
    for i in range(30):
        race.append((i * 3.5 + b.rng.random(), b.rng.choice(NAMES) + str(700 + i), b.rng.choice([
            "Le peloton du Tour régional passe dans la grande rue, quelle ambiance !",
            "Les coureurs sont passés devant chez nous 🚴‍♂️🚴‍♀️",
            "Photos du passage des cyclistes à Vauclair, magnifique",
            "Tout le village est dehors pour la course cycliste",
            "Allez les coureurs !! ça roule vite",
        ]), None))  # fmt: skip
    race_ids = b.cascade(t_race, race)
    t0 = datetime(2026, 5, 8, 7, 50, tzinfo=TZ)
    items: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "maman_de_3",
            "ATTENTION un loup a été vu ce matin près de l'école Jules-Ferry !! Gardez vos "
            "enfants à la maison",
            None,
        ),
        (5, "Steph.vauclair", "Un loup ?? à Vauclair ?? vous êtes sérieux ?", 0),
        (9, "doudou_vlc", "mon beau frere la vu aussi le loup derriere l ecole, il etait enorme", None),
        (
            13,
            "Agnes_B",
            "On m'a dit qu'un loup rôde autour de l'école primaire, les maîtresses gardent les "
            "enfants dedans",
            None,
        ),
        (17, "maman_de_3", "Partagez vite, loup aperçu à côté de l'école, faites attention aux petits", None),
        (21, "Yoyo", "mdr un loup, et pourquoi pas un ours tant qu'on y est 😂", 0),
        (24, "kiki_vauclair", "Loup près de l'école Jules Ferry, mon fils a peur d'y aller", None),
        (28, "Agnes_B", "Ils disent que le loup a attaqué un chat rue des Lilas", None),
        (32, "doudou_vlc", "un loup dans le quartier de l ecole, la mairie fait rien comme dhab", None),
        (36, "Fred_pêche", "Des loups à Vauclair maintenant… on vit une époque formidable", None),
        (
            40,
            "Laeti_vlc",
            "C'est vrai cette histoire de loup devant l'école ? quelqu'un l'a vu de ses yeux ?",
            None,
        ),
        (45, "kiki_vauclair", "il parait que le loup est toujours dans le bois derrière l'école", None),
        (50, "Mamie_Josette", "Un loup près de l'école !! je garde mes petits-enfants aujourd'hui", None),
        (56, "Agnes_B", "Loup repéré près de l'école Jules-Ferry, les parents sont paniqués", None),
        (62, "Bastien_V", "info ou intox le loup de l'école ?", None),
        (70, "doudou_vlc", "le loup est revenu pres de l ecole jai vu une photo", None),
        (78, "Laeti_vlc", "Tout le monde parle du loup de l'école, quelqu'un a la photo ?", None),
        (
            88,
            "Fred_pêche",
            "Le loup de l'école, c'est le berger allemand du voisin si vous voulez mon avis",
            None,
        ),
        (100, "Mamie_Josette", "On m'a dit qu'il y avait deux loups près de l'école", None),
        (115, "kiki_vauclair", "Toujours pas de nouvelles pour le loup de l'école ?", None),
    ]
    rumour_ids = b.cascade(t0, items)
    t1 = datetime(2026, 5, 8, 11, 30, tzinfo=TZ)
    denial: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "Mairie de Vauclair",
            "Aucun loup n'a été vu près de l'école Jules-Ferry : il s'agissait d'un chien "
            "échappé, rendu à son propriétaire. Merci de ne pas relayer de fausses informations.",
            None,
        ),
        (7, "Steph.vauclair", "La mairie dément : pas de loup, c'était un chien. Voilà voilà", 0),
        (
            13,
            "Yoyo",
            "« Aucun loup n'a été vu près de l'école » merci la mairie, on peut arrêter la psychose",
            None,
        ),
        (21, "Laeti_vlc", "Ah ben c'était un chien, le loup de l'école 😂", None),
        (30, "Bastien_V", "pas de loup, c'était un chien échappé, info de la mairie", 0),
        (44, "Agnes_B", "Bon, fausse alerte pour le loup apparemment", None),
    ]
    denial_ids = b.cascade(t1, denial)
    b.write(
        "h-x-ville-loup-semaine",
        "Vauclair",
        7,
        [],
        ["Mairie de Vauclair"],
        [
            {"kind": "spike", "type": "course_cycliste", "post_ids": race_ids, "optional": True},
            {"kind": "rumour", "type": "loup_ecole", "post_ids": rumour_ids, "optional": False},
            {"kind": "spike", "type": "dementi_mairie", "post_ids": denial_ids, "optional": True},
        ],
        "Écrit à la main : ville moyenne, une semaine, sans faits ; rumeur d'un loup près de l'école, sarcasme, "
        "démenti cité ensuite ; passage d'une course cycliste (pic bénin).",
    )


def bourg_stade() -> None:
    """Written after the first three were measured and the detector changed, then measured once.

    A small town (~120 posts a day) over ten days: a real, official closure of the gymnasium that people
    complain about (not a rumour); an evening rumour that the stadium will be razed for flats (against a
    fact); a lunchtime rumour, with no fact, that the mayor was arrested, then the denial quoted."""
    b = Builder("bourgneuf-en-retz", "h-x-bou", datetime(2026, 9, 7, 0, 0, tzinfo=TZ), seed=44)
    b.chatter(days=10, per_day=120)
    t_gym = datetime(2026, 9, 9, 9, 15, tzinfo=TZ)
    gym: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "Ville de Bourgneuf",
            "Le gymnase Marcel-Cerdan ferme du 14 au 28 septembre pour des travaux de "
            "toiture. Les clubs sont relogés à la salle des sports.",
            None,
        ),
    ]
    gym_texts = [
        "le gymnase ferme 2 semaines pour la toiture, les clubs vont a la salle des sports",
        "Encore fermé le gymnase… pfff",
        "Génial, le gymnase fermé pile au début de la saison 🙄",
        "RT Ville de Bourgneuf : le gymnase ferme du 14 au 28 pour travaux",
        "Ils ferment le gymnase deux semaines, les gamins du hand vont adorer",
        "fermeture du gymnase pour travaux, bon à savoir pour le badminton",
        "c'est pas trop tôt qu'ils refassent le toit du gymnase, il pleuvait dedans",
    ]
    for i in range(26):
        gym.append((3 + i * 4.0 + b.rng.random() * 3, f"{b.rng.choice(NAMES)}{900 + i}", b.rng.choice(gym_texts),
                    None))  # fmt: skip
    gym_ids = b.cascade(t_gym, gym)
    t0 = datetime(2026, 9, 12, 21, 30, tzinfo=TZ)
    stade: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "bourgneuf_debout",
            "Ils vont raser le stade municipal pour construire des immeubles, c'est décidé en douce",
            None,
        ),
        (6, "Titi44", "quoi le stade va etre rasé ??", 0),
        (
            10,
            "Gwen_bgf",
            "Mon cousin bosse au cadastre, il m'a dit que le stade sera vendu à un promoteur",
            None,
        ),
        (
            15,
            "lolo_retz",
            "plus de stade a bourgneuf, a la place des immeubles de 5 etages, merci la mairie",
            None,
        ),
        (19, "Titi44", "ils detruisent le stade pr faire des apparts, les jeunes iront jouer ou ?", None),
        (
            24,
            "Papi_foot",
            "Le stade municipal va être démoli, 60 ans de foot qui partent à la poubelle",
            None,
        ),
        (28, "Gwen_bgf", "Partagez : le stade vendu à un promoteur, personne n'est au courant", None),
        (33, "mel_bgf", "Vous êtes sûrs pour le stade ? j'ai rien vu au conseil municipal", None),
        (37, "bourgneuf_debout", "Ils veulent bétonner le stade, on ne se laissera pas faire", None),
        (42, "kader_bgf", "Le stade remplacé par des immeubles, c'est quoi cette blague", None),
        (47, "lolo_retz", "ptdr le stade rasé pour des logements, bravo la mairie vraiment 👏", None),
        (52, "Papi_foot", "On m'a dit que les travaux de démolition du stade commencent en janvier", None),
        (58, "Sandrine_R", "Info ou intox le stade qui va être rasé ?", None),
        (63, "coach_U13", "Si le stade est démoli on fait comment pour les entraînements des petits ?", None),
        (70, "kader_bgf", "stade demoli, immeubles construits, c'est ça le progrès", None),
        (78, "mel_bgf", "Le stade va vraiment être vendu ? quelqu'un a une source ?", None),
        (86, "Titi44", "pétition contre la démolition du stade, signez", None),
        (95, "Sandrine_R", "Tout le monde parle du stade rasé, la mairie dit rien", None),
        (105, "coach_U13", "Les parents du club sont inquiets pour le stade", None),
        (118, "Papi_foot", "Démolition du stade : réunion des anciens demain au bar", None),
        (130, "Gwen_bgf", "Le promoteur aurait déjà signé pour le stade d'après mon cousin", None),
    ]
    stade_ids = b.cascade(t0, stade)
    t1 = datetime(2026, 9, 14, 12, 5, tzinfo=TZ)
    maire: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "retz_infos_77421",
            "Le maire de Bourgneuf aurait été arrêté par les gendarmes ce matin, perquisition à la mairie !!",
            None,
        ),
        (4, "Titi44", "le maire arrêté ?? pour quoi ??", 0),
        (9, "anne_bgf", "ma soeur a vu des gendarmes devant la mairie, le maire serait en garde a vue", None),
        (13, "lolo_retz", "Garde à vue pour le maire, ça devait arriver 😂", None),
        (
            17,
            "retz_infos_77421",
            "CONFIRMÉ : le maire placé en garde à vue, partagez avant que ça disparaisse",
            None,
        ),
        (22, "kader_bgf", "c'est vrai cette histoire de maire arrêté ?", None),
        (26, "Papi_foot", "Le maire embarqué par les gendarmes, on m'a appelé pour me le dire", None),
        (31, "mel_bgf", "Quelqu'un peut confirmer pour le maire ? je trouve rien dans la presse", None),
        (36, "anne_bgf", "Perquisition à la mairie et maire en garde à vue d'après ma sœur", None),
        (41, "bourgneuf_debout", "Le maire arrêté, on comprend mieux pour le stade maintenant", None),
        (47, "Sandrine_R", "maire en garde a vue ?? source svp", None),
        (53, "Gwen_bgf", "Il paraît que le maire est toujours à la gendarmerie", None),
        (60, "coach_U13", "Arrestation du maire de Bourgneuf, quelqu'un sait pourquoi ?", None),
        (68, "kader_bgf", "le maire en garde à vue, c'est la honte pour la commune", None),
        (77, "Titi44", "ils ont arrêté le maire ce matin paraît-il", None),
        (88, "lolo_retz", "Toujours pas de nouvelles du maire arrêté ?", None),
    ]
    maire_ids = b.cascade(t1, maire)
    t2 = datetime(2026, 9, 14, 15, 40, tzinfo=TZ)
    denial: list[tuple[float, str, str, int | None]] = [
        (
            0,
            "Ville de Bourgneuf",
            "Contrairement à ce qui circule, le maire n'a pas été arrêté : il était en "
            "réunion à la préfecture ce matin. Aucune perquisition n'a eu lieu.",
            None,
        ),
        (6, "mel_bgf", "« le maire n'a pas été arrêté » selon la mairie, c'était une fake", 0),
        (12, "kader_bgf", "ah ok le maire était à la préfecture, fausse info donc", None),
        (
            19,
            "Sandrine_R",
            "La mairie dément : pas d'arrestation du maire. Arrêtez de relayer n'importe quoi",
            None,
        ),
        (27, "Titi44", "bon le maire pas arrêté finalement mdr", None),
        (36, "coach_U13", "Démenti officiel : le maire n'a jamais été en garde à vue", None),
    ]
    denial_ids = b.cascade(t2, denial)
    b.write(
        "h-x-bourg-stade-maire",
        "Bourgneuf-en-Retz",
        10,
        [
            "Aucun projet immobilier n'est prévu sur le stade municipal ; le stade reste un terrain de sport.",
            "Le gymnase Marcel-Cerdan est fermé du 14 au 28 septembre pour des travaux de toiture.",
        ],
        ["Ville de Bourgneuf"],
        [
            {"kind": "spike", "type": "gymnase_travaux_officiel", "post_ids": gym_ids, "optional": True},
            {"kind": "rumour", "type": "stade_rase", "post_ids": stade_ids, "optional": False},
            {"kind": "rumour", "type": "maire_arrete", "post_ids": maire_ids, "optional": False},
            {"kind": "spike", "type": "dementi_mairie", "post_ids": denial_ids, "optional": True},
        ],
        "Écrit à la main après les réglages, mesuré une fois : fermeture officielle réelle (pas une rumeur), "
        "rumeur du stade rasé (contre un fait, le soir), rumeur du maire arrêté (sans fait), démenti cité.",
    )


if __name__ == "__main__":
    village_medecin()
    ville_eclairage()
    ville_loup()
    bourg_stade()
