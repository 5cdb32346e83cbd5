"""Random sweep of generated scenarios: a generalisation check beyond the fixed catalogue.

    .venv/bin/python tests/rumour/random_sweep.py SEED [COUNT]

Draws COUNT scenarios (default 14) with the simulator: random town, volume (8 to 400 mentions a day),
length (2 to 7 days, or a calm 30-day month with bursts only), rumour type (development and held-out
templates), size, starting rate, doubling time, share of cue words, with or without a fact; then
evaluates them and prints the summary, the rumours missed or late and the false rumour alerts. Not a
test (slow): run by hand, results quoted in docs/RUMOUR.md.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from beffroi.domain.rumour.evaluate import evaluate_dir, format_report
from beffroi.domain.rumour.simulate import BurstSpec, RumourSpec, ScenarioSpec, write_scenario

DEV = ["piscine_femmes", "cantine_porc", "arrete_barbecue", "marche_fermeture", "centre_migrants"]
HOLDOUT = ["ecole_fermeture", "fete_annulee", "parking_payant", "antenne_ecole", "camionnette", "eau_polluee"]
BURSTS = ["football_win", "football_loss", "storm", "festival", "tax_rise", "incident", "mayor_thread"]


def main(seed: int, count: int = 14) -> int:
    rng = random.Random(seed)
    types = [(t, False) for t in DEV] + [(t, True) for t in HOLDOUT]
    out = Path(tempfile.mkdtemp(prefix=f"sweep{seed}-"))
    for i in range(count):
        calm = rng.random() < 0.35
        days = 30 if calm else rng.choice([2, 3, 4, 7])
        per_day = rng.choice([8, 15, 30, 60, 120, 250, 400])
        rumours = []
        if not calm:
            kind, held_out = rng.choice(types)
            rumours.append(
                RumourSpec(
                    kind,
                    rng.uniform(20, days * 24 - 12),
                    rng.randint(25, 70),
                    rate0=rng.uniform(3, 14),
                    doubling_min=rng.uniform(30, 70),
                    cue_rate=rng.uniform(0.1, 0.5),
                    with_fact=rng.random() < 0.7,
                    holdout=held_out,
                )
            )
        bursts = [
            BurstSpec(rng.choice(BURSTS), rng.randrange(0, max(1, int(days) - 1)), rng.randint(20, 45))
            for _ in range(rng.randint(0, 3 if calm else 1))
        ]
        town = rng.randrange(10)
        start = f"2025-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}T00:00:00"
        spec = ScenarioSpec(f"s{seed}-{i:02d}", town, start, days, per_day, seed * 100 + i, rumours, bursts)
        write_scenario(spec, out)
    report = evaluate_dir(out)
    print(format_report(report).split("\n\n")[-1])
    for s in report.scenarios:
        for e in s.events:
            if e.kind == "rumour" and not e.on_target:
                print("MISS", s.name, e.type, e.detected, e.posts, e.minutes)
        if s.false_alerts["rumour"]:
            print("FALSE", s.name, [a for a in s.alerts if a["kind"] == "rumour"])
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 14))
