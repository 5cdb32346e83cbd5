"""`beffroi import FILE --commune SLUG [--format jsonl|csv|facebook]` (and `beffroi sync`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="Importe l'historique d'une commune depuis un fichier (JSON Lines, CSV ou export Facebook).",
        description=(
            "Importe des messages dans une commune. Formats : jsonl (un objet JSON par ligne), csv (colonnes texte, "
            "date, auteur…), facebook (comments_and_reactions/comments.json de « Télécharger vos informations »). "
            "Réimporter le même fichier ne crée pas de doublons."
        ),
    )
    p.add_argument("file", help="Chemin du fichier à importer.")
    p.add_argument("--commune", required=True, help="Identifiant (slug) de la commune, par ex. saint-aubin.")
    p.add_argument(
        "--format", choices=["jsonl", "csv", "facebook"], default=None, help="Format (deviné sinon)."
    )
    p.add_argument("--check", action="store_true", help="Vérifie seulement le fichier, sans rien importer.")
    p.set_defaults(handler=_import)

    p = sub.add_parser(
        "sync", help="Synchronise maintenant un compte connecté (ou tous les comptes d'une commune)."
    )
    p.add_argument("--commune", required=True)
    p.add_argument("--account", type=int, default=None, help="Numéro du compte (sinon : tous).")
    p.set_defaults(handler=_sync)


def _import(args: argparse.Namespace) -> int:
    from beffroi.cli.admin import setup_django

    setup_django()
    from beffroi.connectors.importer.formats import parse_bytes
    from beffroi.connectors.importer.service import prepare_import, run_import
    from beffroi.core.models import Commune

    path = Path(args.file)
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 2
    commune = Commune.objects.filter(slug=args.commune).first()
    if commune is None:
        print(f"Commune inconnue : « {args.commune} ».", file=sys.stderr)
        return 2
    data = path.read_bytes()
    if args.check:
        from beffroi.connectors.importer.formats import detect_format

        fmt = args.format or detect_format(path.name, data[:4096]) or ""
        parsed = parse_bytes(data, fmt, timezone=commune.timezone)
        for problem in parsed.problems[:50]:
            print(f"  {problem}", file=sys.stderr)
        print(f"{len(parsed.items)} message(s) lisible(s), {len(parsed.problems)} problème(s).")
        return 1 if parsed.problems else 0
    prepared = prepare_import(commune, data, path.name, args.format)
    if prepared.account is None:
        print("Le fichier n'a pas été importé :", file=sys.stderr)
        for problem in prepared.problems[:50]:
            print(f"  {problem}", file=sys.stderr)
        if len(prepared.problems) > 50:
            print(f"  … et {len(prepared.problems) - 50} autre(s) problème(s).", file=sys.stderr)
        return 1
    print(f"{prepared.items} message(s) à importer ({prepared.fmt}) dans « {commune.name} »…")
    result = run_import(prepared.account)
    if result.status != "ok":
        print(f"Import interrompu : {result.detail_fr}", file=sys.stderr)
        return 1
    known = result.items_seen - result.items_created
    print(
        f"Import terminé : {result.items_created} nouveau(x) message(s), {known} déjà connu(s) ({result.duration_s:.1f} s)."
    )
    if prepared.skipped:
        print(f"{prepared.skipped} entrée(s) sans texte ignorée(s) (photos, réactions…).")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from beffroi.cli.admin import setup_django

    setup_django()
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account

    accounts = Account.objects.filter(commune__slug=args.commune).exclude(platform="import")
    if args.account:
        accounts = accounts.filter(pk=args.account)
    if not accounts.exists():
        print("Aucun compte à synchroniser.", file=sys.stderr)
        return 1
    code = 0
    for account in accounts:
        result = sync_account(account)
        while result.status == "more":
            result = sync_account(account)
        print(
            f"{account.name} ({account.platform}) : {result.status}, {result.items_created} nouveau(x). {result.detail_fr}"
        )
        code = code or int(result.status not in ("ok", "skipped"))
    return code
