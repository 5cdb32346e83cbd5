"""Entry point of the `beffroi` command.

Each area owns one module under ``beffroi.cli`` that exposes ``register(subparsers)``; this file
only lists them. Django is configured lazily, only by the commands that need it, so the pure
commands (classify, bench, veille replay) start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = [
    "beffroi.cli.moderation",  # classify, eval, train
    "beffroi.cli.veille",  # veille replay
    "beffroi.cli.bench",  # bench classify | bench veille | …
    "beffroi.cli.admin",  # demo, manage, worker, settings, verify-evidence, …
    "beffroi.cli.workspace",  # verify-evidence, purge
    "beffroi.connectors.cli",  # import, sync
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beffroi",
        description="Beffroi : modération, veille et alerte rumeurs pour les communes.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    sub.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler
    try:
        result = handler(args)
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        with contextlib.suppress(Exception):
            sys.stdout.close()
        return 0
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
