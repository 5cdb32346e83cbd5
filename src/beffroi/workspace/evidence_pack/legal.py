"""Legal pointers printed in evidence packs (French law), and which path each label calls for.

Plain words for a mayor or a secretary: what the offence may be, who must act, how long they have,
and where to go (complaint at the police / gendarmerie or to the prosecutor; PHAROS report; the
platform's own reporting). These are pointers, not legal advice: the pack says so.
"""

from __future__ import annotations

from dataclasses import dataclass

PHAROS_URL = "https://www.internet-signalement.gouv.fr"
PHAROS_NAME = "PHAROS (internet-signalement.gouv.fr)"

# Paths
COMPLAINT = "plainte"
PHAROS = "pharos"
PLATFORM = "plateforme"

PATH_LABELS_FR = {
    COMPLAINT: "Dépôt de plainte conseillé",
    PHAROS: "À signaler sur PHAROS",
    PLATFORM: "À signaler à la plateforme",
}

LABELS_FR = {
    "hate": "Haine (propos discriminatoires)",
    "insult": "Insulte",
    "threat": "Menace",
    "harassment": "Harcèlement",
    "sexual": "Contenu sexuel",
    "personal_data": "Données personnelles (divulgation)",
    "spam": "Spam, arnaque",
    "criticism": "Critique",
    "question": "Question",
    "praise": "Remerciement",
    "shouting": "Majuscules, points d'exclamation",
}

DECISIONS_FR = {
    "hide": "masqué",
    "unhide": "rendu visible",
    "delete": "supprimé",
    "keep": "conservé",
    "reply": "réponse publique",
    "private_reply": "réponse privée",
    "escalate": "transmis",
    "block_author": "auteur bloqué",
    "unblock_author": "auteur débloqué",
    "report": "signalé à la plateforme",
    "like": "aimé",
}
KINDS_FR = {
    "post": "publication",
    "comment": "commentaire",
    "reply": "réponse",
    "private_message": "message privé",
    "mention": "mention",
}


@dataclass(frozen=True)
class LegalPointer:
    label: str
    title: str
    offences: str  # what the law says, with article numbers
    who_acts: str  # who must file, delays
    paths: tuple[str, ...]


POINTERS: dict[str, LegalPointer] = {
    "hate": LegalPointer(
        "hate",
        "Propos haineux (racisme, sexisme, homophobie, antisémitisme, handiphobie…)",
        "Provocation à la discrimination, à la haine ou à la violence (article 24, alinéa 7, de la loi du "
        "29 juillet 1881 sur la liberté de la presse) ; injure publique à caractère raciste, religieux, sexiste, "
        "homophobe, transphobe ou handiphobe (article 33, alinéas 3 et 4) ; diffamation de même nature "
        "(article 32, alinéas 2 et 3).",
        "Signalement sur PHAROS par toute personne ; plainte de la personne visée ou d'une association "
        "habilitée. Délai de prescription : un an à compter de la publication (article 65-3 de la loi de 1881).",
        (PHAROS,),
    ),
    "insult": LegalPointer(
        "insult",
        "Injure ou diffamation envers une personne",
        "Injure publique (expression outrageante sans fait précis) envers un particulier (article 29, "
        "alinéa 2, et article 33, alinéa 2, de la loi du 29 juillet 1881) ou envers un élu, un agent ou une personne "
        "chargée d'un mandat public en raison de ses fonctions (articles 31 et 33, alinéa 1) ; diffamation "
        "(allégation d'un fait précis portant atteinte à l'honneur, articles 29, alinéa 1, 31 et 32). Un "
        "message privé adressé directement à un élu ou un agent peut constituer un outrage (article 433-5 du "
        "code pénal).",
        "La poursuite exige en principe la plainte de la personne visée elle-même (article 48 de la loi de "
        "1881). Délai de prescription très court : TROIS MOIS à compter de la publication (article 65) — "
        "agissez vite.",
        (COMPLAINT,),
    ),
    "threat": LegalPointer(
        "threat",
        "Menaces",
        "Menace de commettre un crime ou un délit contre les personnes, lorsqu'elle est écrite, et menace de "
        "mort (articles 222-17 et 222-18 du code pénal) ; peines aggravées lorsqu'elle vise un élu ou une "
        "personne chargée d'une mission de service public (article 433-3 du code pénal).",
        "Plainte de la personne menacée ou de la commune. En cas de danger immédiat, appelez le 17. Les menaces "
        "peuvent aussi être signalées sur PHAROS.",
        (COMPLAINT, PHAROS),
    ),
    "harassment": LegalPointer(
        "harassment",
        "Harcèlement",
        "Harcèlement moral, y compris en ligne ou en « raid » à plusieurs (article 222-33-2-2 du code pénal, "
        "aggravé lorsqu'il passe par un service de communication au public en ligne) ; harcèlement sexuel "
        "(article 222-33 du code pénal).",
        "Plainte de la personne visée. Pour un jeune victime de cyberharcèlement : le 3018 (gratuit, anonyme).",
        (COMPLAINT,),
    ),
    "personal_data": LegalPointer(
        "personal_data",
        "Divulgation d'informations personnelles",
        "Révéler ou diffuser des informations permettant d'identifier ou de localiser une personne pour "
        "l'exposer, elle ou sa famille, à un risque (article 223-1-1 du code pénal) ; atteinte à la vie "
        "privée (article 9 du code civil).",
        "Plainte de la personne exposée ; demandez aussi le retrait immédiat à la plateforme.",
        (COMPLAINT, PLATFORM),
    ),
    "sexual": LegalPointer(
        "sexual",
        "Contenu sexuel",
        "Selon le cas : message à caractère pornographique susceptible d'être vu par un mineur (article 227-24 "
        "du code pénal), harcèlement sexuel (article 222-33), outrage sexiste et sexuel (article 222-33-1-1). "
        "Tout contenu sexuel impliquant un mineur doit être signalé sans attendre sur PHAROS.",
        "Signalement à la plateforme ; PHAROS et plainte lorsque des mineurs sont en cause ou qu'une personne "
        "est visée.",
        (PLATFORM, PHAROS),
    ),
    "spam": LegalPointer(
        "spam",
        "Spam, arnaques",
        "Une fausse annonce ou un faux lien destinés à soutirer de l'argent ou des données peuvent constituer "
        "une escroquerie ou sa tentative (article 313-1 du code pénal).",
        "Signalement à la plateforme ; les escroqueries en ligne peuvent aussi être signalées sur PHAROS.",
        (PLATFORM,),
    ),
}

GENERAL_FR = {
    "pharos": (
        "Signaler sur PHAROS",
        f"PHAROS ({PHAROS_URL}) est la plateforme officielle du ministère de l'Intérieur pour signaler les "
        "contenus illicites de l'internet : propos haineux, menaces, apologie du terrorisme, pédocriminalité, "
        "escroqueries. Indiquez l'adresse (URL) exacte de chaque publication, recopiez le texte et la date "
        "figurant dans ce dossier. Un signalement ne remplace pas une plainte.",
    ),
    "plainte": (
        "Déposer plainte",
        "Au commissariat de police ou à la brigade de gendarmerie (elles sont tenues de recevoir la plainte, "
        "article 15-3 du code de procédure pénale), ou par lettre au procureur de la République du tribunal "
        "judiciaire. Apportez ce dossier imprimé et l'archive ZIP (sur une clé USB) : elle contient les "
        "données d'origine et les empreintes qui permettent de vérifier que rien n'a été modifié. Pour une "
        "injure ou une diffamation, c'est la personne visée (le maire, l'agent, l'habitant) qui porte plainte, "
        "dans les trois mois.",
    ),
    "plateforme": (
        "Signaler à la plateforme",
        "Les hébergeurs doivent retirer promptement les contenus manifestement illicites qui leur sont "
        "signalés (article 6 de la loi n° 2004-575 du 21 juin 2004 pour la confiance dans l'économie "
        "numérique) ; le règlement européen sur les services numériques (DSA) leur impose un mécanisme de "
        "signalement et une réponse motivée.",
    ),
    "force_probante": (
        "Valeur de ce dossier",
        "Ce dossier est un relevé établi par la commune au moment de la modération : textes, dates, adresses, "
        "données d'origine, et empreintes SHA-256 chaînées qui rendent toute modification ultérieure "
        "détectable. Pour les affaires importantes, un constat dressé par un commissaire de justice a une force "
        "probante supérieure : faites-le établir tant que la publication est en ligne. Ces indications "
        "juridiques sont des repères, pas une consultation : en cas de doute, interrogez un avocat ou le "
        "service juridique de l'association des maires.",
    ),
}


def pointers_for(labels: list[str] | tuple[str, ...]) -> list[LegalPointer]:
    order = ["threat", "hate", "harassment", "insult", "personal_data", "sexual", "spam"]
    present = set(labels)
    return [POINTERS[label] for label in order if label in present]


def paths_for(labels: list[str] | tuple[str, ...]) -> list[str]:
    """Which paths an item calls for, most important first (complaint, PHAROS, platform)."""
    paths: list[str] = []
    for pointer in pointers_for(labels):
        for path in pointer.paths:
            if path not in paths:
                paths.append(path)
    order = {COMPLAINT: 0, PHAROS: 1, PLATFORM: 2}
    return sorted(paths, key=order.__getitem__)


def label_fr(label: str) -> str:
    return LABELS_FR.get(label, label)


@dataclass(frozen=True)
class Route:
    """A legal path an item calls for, and the pointers (labels) that lead there, gravest first."""

    path: str  # COMPLAINT or PHAROS
    pointers: tuple[LegalPointer, ...]

    @property
    def titles(self) -> str:
        return ", ".join(pointer.title for pointer in self.pointers)

    @property
    def purpose(self) -> str:
        """The evidence pack's purpose for this path (``evidence_pack.PURPOSES``)."""
        return "plainte" if self.path == COMPLAINT else "pharos"


def routes_for(labels: list[str] | tuple[str, ...]) -> list[Route]:
    """The complaint and PHAROS paths an item's labels call for (complaint first), from the same
    mapping as the evidence packs (:data:`POINTERS`). Reporting to the platform is left out: the item
    screen offers it as an action. The ``insult`` label is only given to abuse aimed at a person (the
    engine calls abuse of a protected group ``hate``), so it leads to a complaint of that person."""
    routes = []
    for path in (COMPLAINT, PHAROS):
        pointers = tuple(pointer for pointer in pointers_for(labels) if path in pointer.paths)
        if pointers:
            routes.append(Route(path, pointers))
    return routes
