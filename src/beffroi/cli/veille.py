"""`beffroi veille …`: replay a stream of mentions and print the alerts; evaluate the scenarios.

    beffroi veille replay FILE --commune SLUG [--facts FILE] [--name NAME] [--details]
    beffroi veille evaluate [DIR] [--json]

Without a database the commune is named by its slug and its facts come from ``--facts``. When the
setting ``BEFFROI_VEILLE_CONFIG_PROVIDER`` names a function (``module:function``, taking the slug and
returning a ``CommuneConfig`` or ``None``), its configuration (facts, watch terms, official accounts)
is used too: that is the hook the web app uses to load a commune from its database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "veille", help="Veille et alerte rumeurs (rejouer un flux, évaluer les scénarios)."
    )
    veille_sub = parser.add_subparsers(dest="veille", metavar="ACTION")
    veille_sub.required = True

    p = veille_sub.add_parser(
        "replay",
        help="Rejoue un flux JSON Lines en temps simulé et affiche chaque alerte (une ligne JSON).",
    )
    p.add_argument(
        "file", metavar="FICHIER", help="Flux JSON Lines ({id, created_at, platform, author, text, url, …})."
    )
    p.add_argument("--commune", required=True, metavar="SLUG", help="Identifiant (slug) de la commune.")
    p.add_argument(
        "--facts", metavar="FICHIER", help="Faits de la commune, une affirmation officielle par ligne."
    )
    p.add_argument(
        "--name",
        metavar="NOM",
        help="Nom de la commune tel qu'on l'écrit (« Saint-Lô ») ; par défaut, déduit du slug.",
    )
    p.add_argument(
        "--details",
        action="store_true",
        help="Ajoute aux alertes les détails (vitesse, rythme habituel, raisons, comptes, portée).",
    )
    p.set_defaults(handler=_replay)

    e = veille_sub.add_parser(
        "evaluate", help="Évalue la détection sur les scénarios (délai d'alerte, fausses alertes)."
    )
    e.add_argument(
        "directory", nargs="?", metavar="DOSSIER", help="Dossier des scénarios (par défaut ceux du projet)."
    )
    e.add_argument("--json", action="store_true", help="Résultats en JSON.")
    e.set_defaults(handler=_evaluate)


def _provider() -> Any:
    from beffroi.conf import get

    dotted = str(get("VEILLE_CONFIG_PROVIDER") or "").strip()
    if not dotted:
        # Web app hook: the commune's facts and watch terms from the database when one exists (never fails).
        if get("VEILLE_REPLAY_USE_DATABASE"):
            from beffroi.veille.provider import commune_config_if_database

            return commune_config_if_database
        return None
    module_name, _, func = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, func or "get_commune_config")


def _replay(args: argparse.Namespace) -> int:
    from beffroi.conf import get
    from beffroi.domain.rumour.detector import Detector
    from beffroi.domain.rumour.replay import build_config, read_facts, read_stream, zone_of

    facts: list[str] = []
    if args.facts:
        try:
            facts = read_facts(Path(args.facts).read_text(encoding="utf-8"))
        except OSError as exc:
            print(
                json.dumps(
                    {"error": f"fichier de faits illisible : {exc.strerror} ({args.facts})"},
                    ensure_ascii=False,
                ),
                file=sys.stderr,
            )
            return 2
    try:
        provider = _provider()
    except (ImportError, AttributeError) as exc:
        print(
            json.dumps({"error": f"BEFFROI_VEILLE_CONFIG_PROVIDER introuvable : {exc}"}, ensure_ascii=False),
            file=sys.stderr,
        )
        return 2
    config = build_config(
        args.commune,
        facts,
        provider,
        posts_per_day=float(get("VEILLE_POSTS_PER_DAY")),
        timezone=str(get("TIME_ZONE")),
        name=args.name,
    )
    try:
        if args.file == "-":
            stream = read_stream(sys.stdin, zone_of(config))
        else:
            with open(args.file, encoding="utf-8", errors="replace") as fh:
                stream = read_stream(fh, zone_of(config))
    except OSError as exc:
        print(
            json.dumps({"error": f"flux illisible : {exc.strerror} ({args.file})"}, ensure_ascii=False),
            file=sys.stderr,
        )
        return 2
    for err in stream.errors:
        print(json.dumps(err.to_json(), ensure_ascii=False), file=sys.stderr)
    detector = Detector(config)
    out = sys.stdout
    for post in stream.posts:
        for alert in detector.observe(post):
            payload = alert.to_dict() if args.details else alert.to_json()
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from beffroi.domain.rumour.evaluate import SCENARIO_DIR, evaluate_dir, format_report

    directory = Path(args.directory) if args.directory else SCENARIO_DIR
    if not directory.is_dir():
        print(f"Dossier de scénarios introuvable : {directory}", file=sys.stderr)
        return 2
    report = evaluate_dir(directory)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0
