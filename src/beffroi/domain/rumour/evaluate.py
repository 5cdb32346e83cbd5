"""``beffroi veille evaluate``: replays every scenario and measures the detector.

A scenario is a folder with ``stream.jsonl`` (posts), ``facts.txt`` (one statement per line, may be
empty) and ``truth.json``::

    {"name": "...", "commune": "slug", "days": 30, "holdout": false, "official_accounts": ["Ville de …"],
     "events": [{"kind": "rumour" | "spike" | "bad_buzz", "post_ids": ["…"], "optional": false}]}

An alert is matched to the event that holds most of the alert's ``post_ids`` (the first posts it
shows: at least three of them, or half). For each rumour event: the number of the
cascade's posts seen when the first rumour alert fires, and the minutes since the cascade's first
post; the target is at most 25 posts and 60 minutes. A rumour alert matching no rumour event is a
false rumour alert; a spike or bad-buzz alert matching no event at all is a false alert of its kind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beffroi.domain.rumour.catalogue import SCENARIO_DIR
from beffroi.domain.rumour.detector import Detector
from beffroi.domain.rumour.replay import build_config, read_facts, read_stream, zone_of
from beffroi.domain.rumour.types import ALERT_KINDS, RUMOUR

TARGET_POSTS = 25
TARGET_MINUTES = 60.0

__all__ = [
    "SCENARIO_DIR",
    "EventResult",
    "Report",
    "ScenarioResult",
    "evaluate_dir",
    "evaluate_scenario",
    "format_report",
]


@dataclass
class EventResult:
    kind: str
    type: str
    optional: bool
    detected: bool = False
    alert_kind: str | None = None
    posts: int | None = None  # cascade posts seen when alerted
    minutes: float | None = None
    #: when the first alert was of another kind and a later one (an upgrade) named the event's kind
    kind_posts: int | None = None
    kind_minutes: float | None = None

    @property
    def on_target(self) -> bool:
        return (
            self.detected
            and self.posts is not None
            and self.minutes is not None
            and self.posts <= TARGET_POSTS
            and self.minutes <= TARGET_MINUTES
        )


@dataclass
class ScenarioResult:
    name: str
    holdout: bool
    days: float
    posts: int
    errors: int
    events: list[EventResult] = field(default_factory=list)
    false_alerts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALERT_KINDS, 0))
    alerts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def weeks(self) -> float:
        return self.days / 7.0


@dataclass
class Report:
    scenarios: list[ScenarioResult]

    def rumour_events(self, holdout: bool | None = None) -> list[EventResult]:
        return [
            e for s in self.scenarios if holdout is None or s.holdout == holdout
            for e in s.events if e.kind == RUMOUR
        ]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        def summary(holdout: bool | None) -> dict[str, Any]:
            scen = [s for s in self.scenarios if holdout is None or s.holdout == holdout]
            events = self.rumour_events(holdout)
            days = sum(s.days for s in scen)
            false = {k: sum(s.false_alerts[k] for s in scen) for k in ALERT_KINDS}
            alerted = [e for s in scen for e in s.events if e.detected or not e.optional]
            return {
                "scenarios": len(scen),
                "events": len(alerted),
                "events_alerted_as_their_kind": sum(e.alert_kind == e.kind for e in alerted),
                "simulated_days": days,
                "rumours": len(events),
                "rumours_detected": sum(e.detected for e in events),
                "rumours_on_target": sum(e.on_target for e in events),
                "false_alerts": false,
                "false_alerts_per_week": {k: round(v / max(days / 7, 1e-9), 3) for k, v in false.items()},
                "false_rumour_alerts_per_month": round(false[RUMOUR] / max(days / 30, 1e-9), 3),
            }

        return {
            "overall": summary(None),
            "development": summary(False),
            "holdout": summary(True),
            "scenarios": [
                {
                    "name": s.name,
                    "holdout": s.holdout,
                    "days": s.days,
                    "posts": s.posts,
                    "malformed_lines": s.errors,
                    "events": [e.__dict__ | {"on_target": e.on_target} for e in s.events],
                    "false_alerts": s.false_alerts,
                    "alerts": s.alerts,
                }
                for s in self.scenarios
            ],
        }


def evaluate_scenario(folder: Path) -> ScenarioResult:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    facts_path = folder / "facts.txt"
    facts = read_facts(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else []
    config = build_config(str(truth.get("commune", folder.name)), facts)
    config.official_accounts = [str(a) for a in truth.get("official_accounts", [])]
    with (folder / "stream.jsonl").open(encoding="utf-8") as fh:
        stream = read_stream(fh, zone_of(config))
    posts = stream.posts
    days = float(truth.get("days") or 0.0)
    if not days and posts:
        days = max(1.0, (posts[-1].created_at - posts[0].created_at).total_seconds() / 86400)
    result = ScenarioResult(
        name=str(truth.get("name", folder.name)),
        holdout=bool(truth.get("holdout", False)),
        days=days,
        posts=len(posts),
        errors=len(stream.errors),
    )
    events = truth.get("events", [])
    event_sets = [set(map(str, ev["post_ids"])) for ev in events]
    times = {p.id: p.created_at for p in posts}
    for ev in events:
        result.events.append(
            EventResult(
                kind=ev["kind"], type=str(ev.get("type", "")), optional=bool(ev.get("optional", False))
            )
        )
    detector = Detector(config)
    for post in posts:
        for alert in detector.observe(post):
            # matched on the alert's public post_ids (what a consumer of the JSON line sees)
            shown = set(alert.post_ids)
            best, best_overlap = -1, 0
            for i, ids in enumerate(event_sets):
                overlap = len(shown & ids)
                if overlap > best_overlap:
                    best, best_overlap = i, overlap
            matched = best >= 0 and (best_overlap >= 3 or best_overlap * 2 >= len(shown))
            record = alert.to_json() | {"event": best if matched else None}
            result.alerts.append(record)
            if not matched:
                result.false_alerts[alert.kind] += 1
                continue
            target = result.events[best]
            if alert.kind == RUMOUR and target.kind != RUMOUR:
                result.false_alerts[RUMOUR] += 1
                continue
            if target.detected and alert.kind == target.kind and target.alert_kind != target.kind:
                # an upgrade (a surge first alerted as a spike, then as the bad buzz it is)
                target.alert_kind = alert.kind
                target.kind_posts = sum(
                    1 for i in event_sets[best] if i in times and times[i] <= post.created_at
                )
                target.kind_minutes = round(
                    (post.created_at - min(times[i] for i in event_sets[best] if i in times)).total_seconds()
                    / 60,
                    1,
                )
                continue
            if target.detected or (target.kind == RUMOUR and alert.kind != RUMOUR):
                continue
            target.detected = True
            target.alert_kind = alert.kind
            ids = event_sets[best]
            first = min(times[i] for i in ids if i in times)
            at = post.created_at
            target.posts = sum(1 for i in ids if i in times and times[i] <= at)
            target.minutes = round((at - first).total_seconds() / 60, 1)
    return result


def evaluate_dir(directory: Path) -> Report:
    folders = sorted(p for p in directory.iterdir() if (p / "truth.json").exists())
    return Report([evaluate_scenario(f) for f in folders])


def format_report(report: Report) -> str:
    lines = []
    header = f"{'scénario':38} {'jours':>5} {'msgs':>6}  {'événement':24} {'alerte':9} {'msgs':>5} {'min':>6}  cible"
    lines.append(header)
    lines.append("-" * len(header))
    for s in report.scenarios:
        tag = " [réservé]" if s.holdout else ""
        first = True
        shown: list[EventResult | None] = [
            e for e in s.events if e.kind == RUMOUR or not e.optional or e.detected
        ]
        for e in shown or [None]:
            name = (s.name + tag) if first else ""
            days = f"{s.days:5.0f}" if first else " " * 5
            posts = f"{s.posts:6d}" if first else " " * 6
            if e is None:
                lines.append(f"{name:38} {days} {posts}  {'(aucun)':24}")
            else:
                label = f"{e.kind}:{e.type}"[:24]
                if e.detected:
                    ok = "OK" if e.on_target else ("—" if e.kind != RUMOUR else "MANQUÉ")
                    if e.kind_posts is not None and e.kind_minutes is not None:
                        ok += f" (d'abord pic ; {e.kind} après {e.kind_posts} messages / {e.kind_minutes:.1f} min)"
                    lines.append(
                        f"{name:38} {days} {posts}  {label:24} {e.alert_kind or '':9} {e.posts:5d} {e.minutes:6.1f}  {ok}"
                    )
                else:
                    status = "MANQUÉ" if e.kind == RUMOUR else "non alerté"
                    lines.append(f"{name:38} {days} {posts}  {label:24} {'—':9} {'':>5} {'':>6}  {status}")
            first = False
        fa = ", ".join(f"{k}={v}" for k, v in s.false_alerts.items())
        lines.append(f"{'':38} fausses alertes : {fa} ; {s.weeks:.1f} semaine(s)")
    data = report.to_dict()
    lines.append("")
    for key, title in (("development", "Développement"), ("holdout", "Réservés"), ("overall", "Ensemble")):
        d = data[key]
        per_week = ", ".join(f"{k}={v}" for k, v in d["false_alerts_per_week"].items())
        lines.append(
            f"{title} : {d['scenarios']} scénarios, {d['simulated_days']:.0f} jours simulés ; rumeurs alertées "
            f"{d['rumours_detected']}/{d['rumours']}, dans la cible (≤{TARGET_POSTS} messages et "
            f"≤{TARGET_MINUTES:.0f} min) {d['rumours_on_target']}/{d['rumours']} ; événements alertés sous leur "
            f"type {d['events_alerted_as_their_kind']}/{d['events']} ; fausses alertes par semaine : "
            f"{per_week} ; fausses alertes rumeur par mois : {d['false_rumour_alerts_per_month']}"
        )
    events = report.rumour_events()
    detected = [e for e in events if e.detected and e.posts is not None and e.minutes is not None]
    if detected:
        counts = sorted(e.posts for e in detected if e.posts is not None)
        minutes = sorted(e.minutes for e in detected if e.minutes is not None)
        lines.append(
            f"Délai d'alerte rumeur : médiane {counts[len(counts) // 2]} messages / "
            f"{minutes[len(minutes) // 2]:.1f} min, pire {counts[-1]} messages / {minutes[-1]:.1f} min"
        )
    return "\n".join(lines)
