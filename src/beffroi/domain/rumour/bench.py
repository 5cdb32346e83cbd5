"""``beffroi bench veille``: throughput of the watch pipeline (sentiment, clustering, velocity,
detection) on a generated stream, in mentions per second, and peak memory."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from typing import Any

from beffroi.domain.rumour.detector import Detector
from beffroi.domain.rumour.simulate import bench_stream
from beffroi.domain.rumour.types import CommuneConfig, Post, load_zone

FACTS = [
    "La piscine municipale est ouverte à toutes et à tous, aux horaires habituels.",
    "Aucun projet de centre d'accueil pour migrants n'existe dans la commune.",
    "Le marché du samedi a lieu comme chaque semaine.",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--posts", type=int, default=20000, help="Nombre de mentions du flux généré (20000).")
    parser.add_argument("--seed", type=int, default=7, help="Graine du générateur (7).")
    parser.add_argument("--json", action="store_true", help="Résultat en JSON.")


def _run_once(posts: list[Post]) -> tuple[float, int, Detector]:
    detector = Detector(CommuneConfig(slug="bench", name="Bench", facts=list(FACTS), posts_per_day=400))
    alerts = 0
    start = time.perf_counter()
    for post in posts:
        alerts += len(detector.observe(post))
    return time.perf_counter() - start, alerts, detector


def run(args: argparse.Namespace) -> int:
    zone = load_zone("Europe/Paris")
    raw = bench_stream(args.posts, args.seed)
    posts = [Post.from_dict(obj, zone) for obj in raw]
    # warm-up: lexicons, word frequencies, caches
    _run_once(posts[:300])
    elapsed, alerts, detector = _run_once(posts)
    rate = len(posts) / elapsed if elapsed > 0 else float("inf")
    snapshot_bytes = len(json.dumps(detector.snapshot()))
    # peak Python memory of a second run, measured apart (tracemalloc slows the run down)
    tracemalloc.start()
    _run_once(posts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    days = (posts[-1].created_at - posts[0].created_at).total_seconds() / 86400 if posts else 0.0
    result: dict[str, Any] = {
        "mentions": len(posts),
        "simulated_days": round(days, 1),
        "seconds": round(elapsed, 3),
        "mentions_per_second": round(rate, 1),
        "ms_per_mention": round(1000 * elapsed / max(len(posts), 1), 3),
        "alerts": alerts,
        "active_clusters": len(detector.clusters),
        "snapshot_kib": round(snapshot_bytes / 1024, 1),
        "peak_python_mib": round(peak / 2**20, 1),
        "peak_rss_mib": round(rss_kib / 1024, 1),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(
            f"Chaîne de veille (sentiment + regroupement + vitesse + détection), un cœur, Python {sys.version.split()[0]}"
        )
        print(f"  mentions            : {result['mentions']} ({result['simulated_days']} jours simulés)")
        print(f"  durée               : {result['seconds']} s")
        print(
            f"  débit               : {result['mentions_per_second']} mentions/s ({result['ms_per_mention']} ms/mention)"
        )
        print(
            f"  alertes             : {alerts} ; groupes actifs en fin de flux : {result['active_clusters']}"
        )
        print(f"  instantané JSON     : {result['snapshot_kib']} Kio")
        print(f"  mémoire Python max  : {result['peak_python_mib']} Mio (tracemalloc)")
        print(f"  mémoire du processus: {result['peak_rss_mib']} Mio (RSS max)")
    return 0
