"""The commune's watch configuration for the rumour detector, read from the database.

- :func:`config_for` builds a :class:`beffroi.domain.rumour.CommuneConfig` from a commune (its facts in
  force, its watch terms, its official accounts, its own accounts' names, its places and its rhythm);
- :func:`commune_config` is the provider hook of ``beffroi veille replay`` (setting
  ``BEFFROI_VEILLE_CONFIG_PROVIDER``): slug -> configuration, or None when the commune is unknown;
- :func:`commune_config_if_database` is what the command uses when that setting is empty: it looks for
  a database first and never fails (the command must work without one).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from beffroi.core.models import Commune
    from beffroi.domain.rumour import CommuneConfig

logger = logging.getLogger(__name__)


def config_for(commune: Commune) -> CommuneConfig:
    from beffroi.domain.rumour import CommuneConfig
    from beffroi.veille.models import Fact, VeilleSettings, WatchTerm
    from beffroi.workspace.models import Account

    settings = VeilleSettings.objects.filter(commune=commune).first()
    official: list[str] = []
    places: list[str] = []
    posts_per_day = 40.0
    if settings is not None:
        official = [str(a) for a in settings.official_accounts if str(a).strip()]
        places = [str(p) for p in settings.local_places if str(p).strip()]
        posts_per_day = float(settings.posts_per_day or 40.0)
    for name, handle in Account.objects.filter(commune=commune, owned=True).values_list("name", "handle"):
        for value in (name, handle):
            if value and value not in official:
                official.append(value)
    return CommuneConfig(
        slug=commune.slug,
        name=commune.name,
        timezone=commune.timezone or "Europe/Paris",
        facts=list(Fact.objects.filter(commune=commune, active=True).order_by("id").values_list("text", flat=True)),
        watch_terms=list(WatchTerm.objects.filter(commune=commune).order_by("id").values_list("text", flat=True)),
        official_accounts=official,
        local_places=places,
        posts_per_day=posts_per_day,
    )


def commune_config(slug: str) -> CommuneConfig | None:
    """Provider hook (``module:function``): the commune's configuration from the database."""
    _setup_django()
    from beffroi.core.models import Commune

    commune = Commune.objects.filter(slug=slug).first()
    return config_for(commune) if commune is not None else None


def _database_exists() -> bool:
    from beffroi import conf

    if str(conf.get("DATABASE_URL") or "").strip():
        return True
    return (Path(str(conf.get("DATA_DIR"))) / "beffroi.sqlite3").is_file()


def _setup_django() -> None:
    from django.conf import settings

    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beffroi.web.settings")
        import django

        django.setup()


def commune_config_if_database(slug: str) -> CommuneConfig | None:
    """The commune's configuration when a database exists and knows the commune; None otherwise (no
    database, no such commune, database unreachable or not migrated). Never raises."""
    if not _database_exists():
        return None
    try:
        return commune_config(slug)
    except Exception as exc:  # no database reachable, tables missing…: replay from the file alone
        logger.debug("no commune configuration from the database: %s", exc)
        return None


def describe(config: Any) -> str:
    """One French line saying what the configuration holds (for the command's stderr)."""
    return (
        f"commune « {config.name or config.slug} » : {len(config.facts)} fait(s), "
        f"{len(config.watch_terms)} terme(s) suivi(s), {len(config.official_accounts)} compte(s) officiel(s)"
    )
