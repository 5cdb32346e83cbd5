"""Operations commands: the demo, Django management, workers, settings, evidence verification."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beffroi.web.settings")
    import django

    django.setup()


def register(sub: Any) -> None:
    p = sub.add_parser("manage", help="Commandes d'administration Django (migrate, createsuperuser …).")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(handler=_manage)

    p = sub.add_parser("demo", help="Prépare la base de démonstration (SQLite) et lance le serveur.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", default="8000")
    p.add_argument("--no-serve", action="store_true", help="Prépare la démo sans lancer le serveur.")
    p.add_argument("--reset", action="store_true", help="Efface la base de démonstration existante.")
    p.set_defaults(handler=_demo)

    p = sub.add_parser("worker", help="Exécute les tâches de fond (mode intégré, sans broker).")
    p.add_argument("--once", action="store_true", help="S'arrête quand la file est vide.")
    p.set_defaults(handler=_worker)

    p = sub.add_parser("celery-worker", help="Lance un worker Celery (BEFFROI_TASK_BACKEND=celery).")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--hostname", default=None)
    p.set_defaults(handler=_celery_worker)

    p = sub.add_parser("celery-beat", help="Lance l'ordonnanceur Celery des tâches périodiques.")
    p.set_defaults(handler=_celery_beat)

    p = sub.add_parser(
        "rotate-keys", help="Rechiffre les jetons stockés avec la première clé de BEFFROI_ENCRYPTION_KEYS."
    )
    p.set_defaults(handler=_rotate_keys)

    p = sub.add_parser("settings", help="Liste les réglages (variables d'environnement BEFFROI_*).")
    p.add_argument("--markdown", action="store_true")
    p.set_defaults(handler=_settings)


def _manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beffroi.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["beffroi manage", *args.args])
    return 0


def _demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("BEFFROI_TASKS_EAGER", "1")
    setup_django()
    from django.core.management import call_command

    from beffroi.workspace.demo import load_demo

    if args.reset:
        from django.conf import settings
        from django.db import connection

        connection.close()
        db_name = settings.DATABASES["default"]["NAME"]
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and os.path.exists(db_name):
            os.remove(db_name)
    call_command("migrate", interactive=False, verbosity=0)
    login = load_demo()
    print()
    print("  Beffroi — démonstration prête.")
    print(f"  Adresse : http://{args.host}:{args.port}/")
    for line in login:
        print(f"  {line}")
    print()
    sys.stdout.flush()
    if args.no_serve:
        return 0
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)
    return 0


def _worker(args: argparse.Namespace) -> int:
    setup_django()
    from beffroi.tasks.worker import work

    count = work(once=args.once)
    print(f"{count} tâche(s) exécutée(s).")
    return 0


def _celery_worker(args: argparse.Namespace) -> int:
    setup_django()
    from beffroi.tasks.celery_app import app

    argv = ["worker", "--loglevel=INFO", f"--concurrency={args.concurrency}", "--pool=prefork"]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    app.worker_main(argv)
    return 0


def _celery_beat(args: argparse.Namespace) -> int:
    setup_django()
    from beffroi.tasks.celery_app import app

    app.start(["beat", "--loglevel=INFO"])
    return 0


def _rotate_keys(args: argparse.Namespace) -> int:
    setup_django()
    from beffroi.core.rotation import rotate_stored_secrets

    report = rotate_stored_secrets()
    print(f"{report.rotated} secret(s) rechiffré(s) avec la nouvelle clé.")
    if report.unreadable:
        print("Illisibles avec les clés configurées (laissés tels quels) : " + ", ".join(report.unreadable))
        return 1
    return 0


def _settings(args: argparse.Namespace) -> int:
    from beffroi import conf

    if args.markdown:
        print(conf.markdown_table(), end="")
        return 0
    for s in conf.all_settings():
        value = "<secret>" if s.secret else repr(s.read())
        print(f"{s.env:<36} {value:<28} {s.doc}")
    return 0
