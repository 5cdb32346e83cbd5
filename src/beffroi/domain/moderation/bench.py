"""``beffroi bench classify``: throughput and latency of the moderation engine on one core.

The corpus is generated (deterministic for a seed): short and long comments, civil ones, insults,
hate, threats, spam, personal data, obfuscated spellings, emoji, capitals. Prints comments per
second, p50/p99/max latency per comment, the engine's construction time and the peak memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import time
from typing import Any

_OPENINGS = (
    "",
    "Bonjour, ",
    "Franchement ",
    "Sérieux ",
    "@Mairie ",
    "Mdr ",
    "Bonsoir à tous, ",
    "Encore une fois, ",
)
_CIVIL = (
    "merci pour le marché de Noël, c'était magnifique",
    "à quelle heure ouvre la déchetterie samedi ?",
    "les travaux de la rue principale n'avancent pas, c'est inadmissible",
    "est-ce que la cantine sera ouverte pendant les vacances ?",
    "bravo aux bénévoles du comité des fêtes",
    "le parking de la gare est toujours plein le matin",
    "on attend toujours la réponse pour le ralentisseur devant l'école",
    "super initiative le repas des anciens, ma grand-mère a adoré",
    "pourquoi les poubelles ne sont pas ramassées depuis une semaine ?",
    "quelle belle journée pour la fête du village",
    "je voudrais savoir comment inscrire mon fils au périscolaire",
    "les horaires de la médiathèque ne sont pas adaptés aux familles",
    "putain quelle journée, raté le bus deux fois",
    "ce parking est une vraie merde, impossible de se garer",
    "je déteste les lundis et les bouchons",
    "les réfugiés ukrainiens arrivés à l'école ont été très bien accueillis",
    "je suis fière d'être lesbienne et d'habiter ici",
    "dire que les gays sont malades, c'est de l'homophobie",
)
_TOXIC = (
    "t'es qu'une ordure",
    "le maire est un incapable et un menteur",
    "les élus sont des parasites",
    "ferme ta gueule connard",
    "les {g} sont des rats",
    "je déteste les {g}",
    "il faudrait tous les pendre ces {g}",
    "les {g} n'ont rien à faire ici",
    "je vais te retrouver et te casser la gueule",
    "personne ne t'aime, va te pendre",
    "t moche grosse vache ntm",
    "gagnez 500€ par jour depuis chez vous, cliquez ici https://bit.ly/x",
    "il habite au 12 rue des Lilas, son numéro c'est le 06 12 34 56 78",
    "envoie des nudes ma belle",
    "s4l0pe",
    "c o n n a r d",
    "les musulmans sont des t3rr0ristes",
)
_GROUPS = (
    "musulmans",
    "juifs",
    "Arabes",
    "Noirs",
    "Roms",
    "migrants",
    "femmes",
    "gays",
    "trans",
    "handicapés",
)
_TAILS = ("", " !", " !!!", " 😡", " 👏👏", " ?", " mdr", "...", " #village", " 🙏")


_NAMES = ("Sylvie", "Kevin", "Mme Martin", "le maire", "Julien", "Nadia", "M. Durand", "Léa", "Karim", "Patrick")
_PLACES = ("rue des Lilas", "place de l'Église", "la gare", "l'école Jean-Moulin", "le stade", "la médiathèque", "le marché")
_EXTRAS = ("{n} a raison", "comme l'a dit {n}", "vu ce matin {p}", "depuis {d} jours", "pour la {d}e fois", "avec {n}", "près de {p}")


def corpus(count: int, seed: int = 7) -> list[str]:
    """A deterministic list of ``count`` comments (about one in four toxic, some long, mostly unique)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = []
        for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 5)):
            pool = _TOXIC if rng.random() < 0.25 else _CIVIL
            part = rng.choice(pool).format(g=rng.choice(_GROUPS))
            if rng.random() < 0.6:
                extra = rng.choice(_EXTRAS).format(n=rng.choice(_NAMES), p=rng.choice(_PLACES), d=rng.randint(2, 40))
                part = f"{part}, {extra}" if rng.random() < 0.5 else f"{extra}, {part}"
            parts.append(part)
        text = rng.choice(_OPENINGS) + ". ".join(parts) + rng.choice(_TAILS)
        if rng.random() < 0.05:
            text = text.upper()
        out.append(text)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--count", type=int, default=20_000, help="nombre de commentaires générés (défaut : 20 000)"
    )
    parser.add_argument("--seed", type=int, default=7, help="graine du corpus généré")
    parser.add_argument("--charter", help="charte TOML à utiliser (défaut : la charte fournie)")
    parser.add_argument("--no-model", action="store_true", help="règles seules, sans le modèle appris")
    parser.add_argument("--json", action="store_true", help="sortie JSON")


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            cores = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cores[0]})
            return f"cœur {cores[0]}"
        except OSError:
            pass
    return "un seul fil d'exécution"


def _percentile(sorted_values: list[int], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index] / 1e6


def run(args: argparse.Namespace) -> int:
    core = _pin_one_core()
    from beffroi.domain.moderation.charter import load_charter
    from beffroi.domain.moderation.engine import Engine

    count = max(1, int(getattr(args, "count", 20_000)))
    texts = corpus(count, int(getattr(args, "seed", 7)))
    start = time.perf_counter()
    charter = load_charter(args.charter) if getattr(args, "charter", None) else None
    engine = Engine(charter=charter, use_model=not getattr(args, "no_model", False))
    build_s = time.perf_counter() - start
    for text in texts[: min(200, count)]:  # warm-up: caches, first calls
        engine.judge(text)
    gc.collect()
    gc.freeze()  # the lexicons and caches are permanent: keep the collector off them
    latencies: list[int] = []
    flagged = 0
    clock = time.perf_counter_ns
    started = clock()
    for text in texts:
        t0 = clock()
        verdict = engine.judge(text)
        latencies.append(clock() - t0)
        flagged += verdict.action.value != "keep"
    total_s = (clock() - started) / 1e9
    latencies.sort()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, Any] = {
        "comments": count,
        "comments_per_second": round(count / total_s, 1),
        "p50_ms": round(_percentile(latencies, 0.50), 3),
        "p99_ms": round(_percentile(latencies, 0.99), 3),
        "max_ms": round(latencies[-1] / 1e6, 3),
        "mean_chars": round(sum(len(t) for t in texts) / count, 1),
        "flagged_share": round(flagged / count, 3),
        "engine_build_s": round(build_s, 2),
        "peak_memory_mb": round(peak_mb, 1),
        "model": engine.model is not None,
        "core": core,
    }
    if getattr(args, "json", False):
        print(json.dumps(result, ensure_ascii=False))
        return 0
    out = sys.stdout
    out.write(
        f"Moteur de modération — {count} commentaires générés (graine {getattr(args, 'seed', 7)}), {core}\n"
    )
    out.write(f"  modèle appris       : {'oui' if result['model'] else 'non (règles seules)'}\n")
    out.write(f"  débit               : {result['comments_per_second']:.0f} commentaires/s\n")
    out.write(f"  latence p50         : {result['p50_ms']:.3f} ms\n")
    out.write(f"  latence p99         : {result['p99_ms']:.3f} ms\n")
    out.write(f"  latence max         : {result['max_ms']:.3f} ms\n")
    out.write(f"  longueur moyenne    : {result['mean_chars']} caractères\n")
    out.write(f"  part non conservée  : {result['flagged_share']:.1%}\n")
    out.write(f"  construction        : {result['engine_build_s']:.2f} s\n")
    out.write(f"  mémoire max (RSS)   : {result['peak_memory_mb']:.0f} Mo\n")
    return 0
