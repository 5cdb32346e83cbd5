"""A configuration provider as the web app would register one (here: from the scenario's facts file)."""

from __future__ import annotations

from beffroi.domain.rumour import CommuneConfig
from beffroi.domain.rumour.catalogue import SCENARIO_DIR
from beffroi.domain.rumour.replay import read_facts


def commune_config(slug: str) -> CommuneConfig | None:
    if slug != "roubaix":
        return None
    facts = read_facts((SCENARIO_DIR / "roubaix-piscine" / "facts.txt").read_text(encoding="utf-8"))
    return CommuneConfig(slug=slug, name="Roubaix", facts=facts, official_accounts=["Ville de Roubaix"])
