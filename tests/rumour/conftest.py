"""Helpers for the watch / rumour tests (pure domain: no database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from beffroi.domain.rumour import Post
from beffroi.domain.rumour.types import load_zone

ZONE = load_zone("Europe/Paris")
T0 = datetime(2025, 3, 4, 0, 0, tzinfo=ZONE)


def post(pid: str, minutes: float, text: str, author: str | None = None, **extra: Any) -> Post:
    obj: dict[str, Any] = {
        "id": pid,
        "created_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "platform": "facebook",
        "author": author or f"auteur-{pid}",
        "text": text,
        "url": f"https://example.org/{pid}",
    }
    obj.update(extra)
    return Post.from_dict(obj, ZONE)


CHATTER = [
    "Encore des travaux rue Nationale, ça bouchonne tous les matins",
    "Beau marché ce samedi matin, plein de producteurs",
    "Chat perdu rue des Tanneurs, tigré, répond au nom de Filou",
    "Le concert de jeudi à la médiathèque était vraiment réussi",
    "Le bus de 7h42 est encore passé en avance ce matin",
    "Quelqu'un connaît un bon plombier sur la commune ?",
    "Magnifique coucher de soleil ce soir depuis le pont",
    "Réunion parents-profs ce soir à l'école Jules-Ferry",
    "Belle victoire de l'équipe de foot ce week-end",
    "Dépôt sauvage près du square Pasteur, c'est honteux",
    "Nouvelle boulangerie avenue de la Gare, les croissants sont excellents",
    "Vide-grenier dimanche quai de Loire, venez nombreux",
]


def chatter(days: int = 2, per_day: int = 24, prefix: str = "bg") -> list[Post]:
    """Ordinary posts spread over the waking hours of ``days`` days, by many authors."""
    out = []
    k = 0
    for day in range(days):
        for i in range(per_day):
            minute = day * 1440 + 7 * 60 + i * (15 * 60 // per_day)
            text = f"{CHATTER[k % len(CHATTER)]} ({k})"
            out.append(post(f"{prefix}{k:04d}", minute, text, author=f"habitant{k % 37}"))
            k += 1
    return out
