"""`beffroi bench <what>`: benchmarks that print figures (never timed unit tests)."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

# name -> (module, function, help). Each benchmark module exposes
# ``add_arguments(parser)`` (optional) and ``run(args) -> int``.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "classify": ("beffroi.domain.moderation.bench", "Débit et latence du moteur de modération (un cœur)."),
    "veille": ("beffroi.domain.rumour.bench", "Débit de la chaîne de veille (mentions par seconde)."),
}


def register(sub: Any) -> None:
    parser = sub.add_parser("bench", help="Mesures de performance (affiche des chiffres).")
    bench_sub = parser.add_subparsers(dest="bench", metavar="MESURE")
    bench_sub.required = True
    for name, (module_name, help_text) in BENCHMARKS.items():
        p = bench_sub.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "add_arguments"):
            module.add_arguments(p)
        p.set_defaults(handler=_runner(module_name))


def _runner(module_name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        module = importlib.import_module(module_name)
        return int(module.run(args) or 0)

    return run
