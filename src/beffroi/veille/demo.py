"""The watch of the demo commune: its watch terms, its official facts (``facts.txt``), its sources,
and — once the items are ingested — the mentions found among them, the detector fed, and a crisis
room for the pool rumour of ``mentions.jsonl``.

``beffroi.workspace.demo.load_demo`` calls :func:`prepare` before ingesting the mentions (so each one
is recognised as it arrives) and :func:`finish` at the end. Both are idempotent; :func:`finish` alone
also works on a demo loaded before (it scans the items already there).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.db import transaction

from beffroi.core.models import Commune, Membership

logger = logging.getLogger(__name__)

DEMO_TERMS: list[tuple[str, str]] = [
    ("Saint-Aubin", "commune"),
    ("St Aubin", "commune"),
    ("St-Aubin", "commune"),
    ("Claire Vasseur", "person"),
    ("piscine municipale", "place"),
    ("piscine", "place"),
    ("Jean-Taris", "place"),
    ("rue Pasteur", "place"),
    ("médiathèque Colette", "place"),
    ("gymnase Coubertin", "place"),
    ("Loire en fête", "event"),
    ("marché du samedi", "event"),
    ("#SaintAubin", "hashtag"),
    ("#LoireEnFete", "hashtag"),
]
DEMO_OFFICIAL = ["Le Courrier de la Loire", "Préfecture de Maine-et-Loire"]
DEMO_PLACES = ["Saint-Aubin", "Saint-Aubin-sur-Loire", "Maine-et-Loire", "Anjou", "Saumur"]


def prepare(commune: Commune, directory: Path, actor: Any = None) -> None:
    """Watch terms, facts and sources of the demo commune (only what is missing)."""
    from beffroi.veille.actions import config
    from beffroi.veille.models import Fact, VeilleSettings, WatchTerm

    with transaction.atomic():
        if not WatchTerm.objects.filter(commune=commune).exists():
            for text, kind in DEMO_TERMS:
                config.add_terms(commune, text, kind, actor)
        if not Fact.objects.filter(commune=commune).exists():
            path = directory / "facts.txt"
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            for line in lines:
                if line.strip():
                    try:
                        config.add_fact(commune, line, actor)
                    except config.ConfigError as exc:
                        logger.info("demo fact skipped: %s", exc.message)
        settings = VeilleSettings.for_commune(commune)
        if not settings.official_accounts and not settings.local_places:
            config.save_sources(commune, actor, official="\n".join(DEMO_OFFICIAL), places="\n".join(DEMO_PLACES),
                                follow_all=[], posts_per_day=12)


def scan_items(commune: Commune) -> int:
    """Record the mentions among the commune's items ingested before the watch terms existed."""
    from beffroi.veille.actions.mentions import record_mention
    from beffroi.workspace.models import Item

    created = 0
    items = (
        Item.objects.filter(commune=commune, mention__isnull=True)
        .exclude(kind="private_message")
        .select_related("account", "author", "commune")
        .order_by("published_at", "id")
    )
    for item in items:
        with transaction.atomic():
            if record_mention(item) is not None:
                created += 1
    return created


def finish(commune: Commune, actor: Any = None) -> dict[str, int]:
    """Feed the detector every pending mention; open a room for the demo's rumour alerts that came
    from posts too old to be sent (the demo's history is days old)."""
    from beffroi.veille.actions.crisis import open_from_alert
    from beffroi.veille.actions.detection import observe_pending
    from beffroi.veille.models import Alert, Mention

    scanned = scan_items(commune)
    while Mention.objects.filter(commune=commune, observed_at__isnull=True).exists():
        if not observe_pending(commune.pk).observed:
            break
    if actor is None:
        member = Membership.objects.filter(commune=commune, in_crisis_circle=True).select_related("user").first()
        actor = member.user if member is not None else None
    opened = 0
    for alert in Alert.objects.filter(commune=commune, kind="rumour", crisis__isnull=True).order_by("detected_at", "id"):
        with transaction.atomic():
            open_from_alert(alert, actor)
        opened += 1
    return {"scanned": scanned, "crises": opened}
