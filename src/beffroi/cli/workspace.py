"""Evidence and retention commands: ``beffroi verify-evidence`` and ``beffroi purge``."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "verify-evidence",
        help="Vérifie la chaîne de preuves (empreintes SHA-256 et chaînage) d'une commune ou de toutes.",
        description=(
            "Recalcule l'empreinte de chaque preuve et chaque lien de la chaîne. Code de sortie 0 si tout est "
            "intact, 1 en désignant le premier enregistrement altéré, 2 si la commune est inconnue."
        ),
    )
    p.add_argument("--commune", metavar="SLUG", help="Identifiant de la commune (par défaut : toutes).")
    p.set_defaults(handler=_verify)

    p = sub.add_parser(
        "purge",
        help="Efface les messages et preuves dont la durée de conservation est échue (hors gel juridique).",
    )
    p.add_argument("--commune", metavar="SLUG", help="Identifiant de la commune (par défaut : toutes).")
    p.add_argument("--dry-run", action="store_true", help="Affiche ce qui serait effacé, sans rien effacer.")
    p.set_defaults(handler=_purge)


def _communes(slug: str | None) -> list[Any] | None:
    from beffroi.core.models import Commune

    communes = list(Commune.objects.order_by("slug"))
    if slug:
        communes = [c for c in communes if c.slug == slug]
        if not communes:
            print(f"Commune « {slug} » inconnue.", file=sys.stderr)
            return None
    return communes


def _verify(args: argparse.Namespace) -> int:
    from beffroi.cli.admin import setup_django

    setup_django()
    from beffroi.workspace.actions.evidence import verify_chain

    communes = _communes(args.commune)
    if communes is None:
        return 2
    if not communes:
        print("Aucune commune.")
        return 0
    broken = 0
    for commune in communes:
        report = verify_chain(commune)
        print(report.summary_fr())
        broken += not report.ok
    if broken:
        print(f"{broken} chaîne(s) altérée(s) sur {len(communes)}.", file=sys.stderr)
        return 1
    return 0


def _purge(args: argparse.Namespace) -> int:
    from beffroi.cli.admin import setup_django

    setup_django()
    from beffroi.workspace.actions.retention import purge_commune

    communes = _communes(args.commune)
    if communes is None:
        return 2
    for commune in communes:
        print(purge_commune(commune, dry_run=args.dry_run).summary_fr())
    return 0
