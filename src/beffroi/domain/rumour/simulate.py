"""A deterministic generator of mention streams: ordinary chatter with a day/night rhythm, ordinary
bursts (football, storms, fires, festivals, a tax rise) and rumour cascades (paraphrases, typos,
sarcasm, hearsay, doubts, debunking replies, new accounts amplifying).

It writes the scenarios of ``data/veille/scenarios`` (``beffroi veille evaluate``) and feeds the
benchmark. The sentences come from the template files of ``data/veille/templates``.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from beffroi.domain.rumour.baseline import PRIOR_SHAPE
from beffroi.domain.rumour.types import load_zone

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "data" / "veille" / "templates"
PLATFORMS = ["facebook"] * 10 + ["x"] * 4 + ["instagram"] * 2 + ["bluesky", "mastodon", "youtube", "tiktok"]


@lru_cache(maxsize=8)
def _load(name: str) -> Any:
    return json.loads((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


@dataclass
class RumourSpec:
    type: str
    start_h: float  # hours after the stream start
    size: int = 50
    rate0: float = 8.0  # posts per hour at the start of the cascade
    doubling_min: float = 40.0
    cue_rate: float = 0.35
    new_account_rate: float = 0.3
    with_fact: bool = True
    holdout: bool = False


@dataclass
class BurstSpec:
    type: str
    day: int
    size: int = 30
    hour: int | None = None


@dataclass
class ScenarioSpec:
    name: str
    town: int
    start: str  # local date-time, ISO
    days: float
    posts_per_day: float
    seed: int
    rumours: list[RumourSpec] = field(default_factory=list)
    bursts: list[BurstSpec] = field(default_factory=list)
    holdout: bool = False
    description: str = ""
    shuffle: float = 0.0  # share of lines written out of order
    malformed: int = 0  # malformed lines added


class _Gen:
    def __init__(self, spec: ScenarioSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        towns = _load("towns.json")
        self.town: dict[str, Any] = towns[spec.town % len(towns)]
        self.chatter = _load("chatter.json")
        self.cascade = _load("cascade.json")
        self.zone = load_zone("Europe/Paris")
        self.start = datetime.fromisoformat(spec.start).replace(tzinfo=self.zone)
        self.posts: list[dict[str, Any]] = []
        self.counter = 0
        names = self.chatter["first_names"]
        initials = self.chatter["last_initials"]
        size = max(40, int(spec.posts_per_day * 2.5))
        self.locals = [f"{self.rng.choice(names)} {self.rng.choice(initials)}" for _ in range(size)]
        self.locals = list(dict.fromkeys(self.locals))
        self.weights = [1.0 / (i + 1) ** 0.8 for i in range(len(self.locals))]
        self.events: list[dict[str, Any]] = []
        self.facts: list[str] = []

    # -- helpers ------------------------------------------------------------------------------------
    def fill(self, template: str) -> str:
        t = self.town
        values = {
            "town": t["name"], "street": self.rng.choice(t["streets"]), "place": self.rng.choice(t["places"]),
            "pool": t["pool"], "school": t["school"], "team": t["team"], "festival": t["festival"],
            "market_day": t["market_day"], "mayor": t["mayor"], "shop": t["shop"],
        }  # fmt: skip
        out = template
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out

    def new_id(self) -> str:
        self.counter += 1
        return f"{self.spec.name[:12]}-{self.counter:05d}"

    def local_author(self) -> str:
        return self.rng.choices(self.locals, self.weights)[0]

    def fresh_account(self) -> str:
        base = self.rng.choice(
            ["patriote", "citoyen", "verite", "info", "libre", "reveil", "lucas", "nina", "ju"]
        )
        return f"{base}_{self.rng.randint(1000, 99999)}"

    def emit(
        self,
        when: datetime,
        author: str,
        text: str,
        reply_to: str | None = None,
        likes: int | None = None,
        shares: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        pid = self.new_id()
        platform = self.rng.choice(PLATFORMS)
        post: dict[str, Any] = {
            "id": pid,
            "created_at": when.replace(microsecond=0).isoformat(),
            "platform": platform,
            "author": author,
            "text": text,
            "url": f"https://{platform}.example/{pid}",
        }
        if reply_to:
            post["reply_to"] = reply_to
        post["likes"] = likes if likes is not None else int(self.rng.expovariate(1 / 4))
        post["shares"] = shares if shares is not None else int(self.rng.expovariate(1 / 1.5))
        if extra:
            post.update(extra)
        self.posts.append(post)
        return pid

    def typo(self, text: str) -> str:
        chars = list(text)
        for _ in range(self.rng.randint(1, 3)):
            if len(chars) < 6:
                break
            i = self.rng.randrange(1, len(chars) - 2)
            op = self.rng.random()
            if op < 0.4:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            elif op < 0.7:
                del chars[i]
            else:
                chars.insert(i, chars[i])
        return "".join(chars)

    # -- chatter ------------------------------------------------------------------------------------
    def chatter_stream(self) -> None:
        topics = self.chatter["topics"]
        names = sorted(topics)
        hours = int(self.spec.days * 24)
        recent: list[tuple[datetime, str]] = []
        for h in range(hours):
            hour_start = self.start + timedelta(hours=h)
            weekend = hour_start.weekday() >= 5
            level = self.spec.posts_per_day * (1.15 if weekend else 1.0)
            mean = level * PRIOR_SHAPE[hour_start.hour] * self.rng.uniform(0.7, 1.3)
            for _ in range(_poisson(self.rng, mean)):
                when = hour_start + timedelta(seconds=self.rng.uniform(0, 3600))
                recent = [(t, p) for t, p in recent if (when - t).total_seconds() < 6 * 3600]
                if recent and self.rng.random() < 0.22:
                    _, parent = self.rng.choice(recent)
                    self.emit(
                        when, self.local_author(), self.rng.choice(self.chatter["replies"]), reply_to=parent
                    )
                    continue
                text = self.fill(self.rng.choice(topics[self.rng.choice(names)]))
                prefix = self.rng.choice(self.chatter["prefixes"])
                if prefix:
                    text = prefix + text[0].lower() + text[1:]
                text += self.rng.choice(self.chatter["suffixes"])
                if self.rng.random() < 0.05:
                    text = self.typo(text)
                pid = self.emit(when, self.local_author(), text)
                recent.append((when, pid))
                if self.rng.random() < 0.03:  # an ordinary lively thread
                    for _ in range(self.rng.randint(3, 9)):
                        reply_at = when + timedelta(minutes=self.rng.uniform(2, 90))
                        self.emit(
                            reply_at,
                            self.local_author(),
                            self.rng.choice(self.chatter["replies"]),
                            reply_to=pid,
                        )
            if h % 24 == 9 and self.rng.random() < 0.6:
                official = self.fill(self.rng.choice([
                    "Rappel : la mairie sera fermée lundi, jour férié.",
                    "Les inscriptions pour le vide-grenier de {place} sont ouvertes.",
                    "Travaux {street} : circulation alternée jusqu'à vendredi.",
                    "Conseil municipal jeudi à 19h, en direct sur notre page.",
                    "Collecte de sang mardi à la salle des fêtes.",
                ]))  # fmt: skip
                self.emit(
                    hour_start + timedelta(minutes=self.rng.uniform(0, 50)), self.town["official"], official
                )

    # -- bursts -------------------------------------------------------------------------------------
    def burst(self, b: BurstSpec) -> None:
        spec = _load("bursts.json")[b.type]
        hour = b.hour if b.hour is not None else self.rng.choice(spec["hours"])
        t0 = self.start + timedelta(days=b.day)
        t0 = t0.replace(hour=hour, minute=self.rng.randint(0, 40))
        if t0 < self.start:
            t0 += timedelta(days=1)
        ids: list[str] = []
        duration = float(spec["duration_min"])
        if spec.get("fact"):
            self.facts.append(self.fill(spec["fact"]))
        for text in spec.get("official", []):
            author = (
                self.town["official"]
                if b.type != "storm"
                else self.rng.choice(["Préfecture de la région", "Météo-France"])
            )
            ids.append(
                self.emit(
                    t0,
                    author,
                    self.fill(text),
                    likes=self.rng.randint(20, 200),
                    shares=self.rng.randint(10, 80),
                )
            )
            t0 += timedelta(minutes=self.rng.uniform(5, 30))
        posts = spec["posts"]
        for i in range(b.size):
            # a hump: most posts in the middle of the burst
            frac = self.rng.betavariate(2.0, 3.0)
            when = t0 + timedelta(minutes=frac * duration)
            text = self.fill(self.rng.choice(posts))
            if self.rng.random() < 0.1:
                text = self.typo(text)
            if b.type == "tax_rise" and i % 17 == 5:
                text = "Il paraît que la taxe foncière va augmenter de 10 %, c'est du vol"
            reply_to = ids[0] if ids and self.rng.random() < 0.3 else None
            ids.append(self.emit(when, self.local_author(), text, reply_to=reply_to))
        self.events.append(
            {
                "kind": spec["kind"],
                "type": b.type,
                "post_ids": ids,
                "optional": b.type not in {"festival", "tax_rise"},
            }
        )

    # -- rumours ------------------------------------------------------------------------------------
    def rumour(self, r: RumourSpec) -> None:
        pool = "rumours_holdout.json" if r.holdout else "rumours.json"
        spec = next(x for x in _load(pool) if x["id"] == r.type)
        c = self.cascade
        claims = [self.fill(x) for x in spec["claims"]]
        if r.with_fact and spec["fact"]:
            self.facts.append(self.fill(spec["fact"]))
        t = self.start + timedelta(hours=r.start_h)
        ids: list[str] = []
        times: list[datetime] = []
        origin = self.rng.choice(
            [
                f"Info{self.town['name'].split('-')[0]}",
                f"{self.town['slug'][:10]}_actu",
                self.fresh_account(),
                self.local_author(),
            ]
        )
        for i in range(r.size):
            if i == 0:
                author = origin
                text = self._claim_text(claims, r, force_cue=True)
                reply_to = None
            else:
                progress = i / r.size
                roll = self.rng.random()
                new_account = self.rng.random() < r.new_account_rate
                author = self.fresh_account() if new_account else self.local_author()
                reply_to = None
                if roll < 0.45:
                    text = self._claim_text(claims, r)
                elif roll < 0.55:
                    text = self.rng.choice(c["doubts"]).replace("{claim}", self.rng.choice(claims))
                elif roll < 0.63:
                    src = self.posts[-1]["text"] if self.rng.random() < 0.3 else self._claim_text(claims, r)
                    text = ("RT " if self.rng.random() < 0.5 else "") + src
                elif roll < 0.7:
                    text = self.fill(self.rng.choice(spec["opinions"]))
                else:
                    reply_to = self.rng.choice(ids)
                    kind = self.rng.random()
                    if kind < 0.15 + 0.45 * progress:
                        text = self.fill(self.rng.choice(spec["debunks"] + c["debunk_replies"]))
                        author = self.local_author()
                    elif kind < 0.55:
                        text = self.rng.choice(c["doubt_replies"])
                    else:
                        text = self.rng.choice(c["echo_replies"])
            extra: dict[str, Any] = {}
            if author.count("_") and any(ch.isdigit() for ch in author) and self.rng.random() < 0.5:
                extra["author_created_at"] = (t - timedelta(days=self.rng.randint(0, 20))).isoformat()
            ids.append(
                self.emit(
                    t,
                    author,
                    text,
                    reply_to=reply_to,
                    shares=int(self.rng.expovariate(1 / 6)),
                    likes=int(self.rng.expovariate(1 / 15)),
                    extra=extra,
                )
            )
            times.append(t)
            elapsed = (t - times[0]).total_seconds() / 60
            rate = r.rate0 * 2 ** (elapsed / r.doubling_min)
            if i > 0.65 * r.size:
                rate = max(2.0, rate * 0.3)
            rate = min(rate, 90.0)
            t += timedelta(hours=self.rng.expovariate(rate))
        self.events.append(
            {
                "kind": "rumour",
                "type": r.type,
                "post_ids": ids,
                "optional": False,
                "holdout": r.holdout,
                "with_fact": bool(r.with_fact and spec["fact"]),
            }
        )

    def _claim_text(self, claims: list[str], r: RumourSpec, force_cue: bool = False) -> str:
        c = self.cascade
        claim = self.rng.choice(claims)
        roll = self.rng.random()
        if roll < 0.08:
            text = self.fill(self.rng.choice(c["sarcasm"])).replace("{claim}", claim)
        else:
            if force_cue or self.rng.random() < r.cue_rate:
                prefix = self.rng.choice(c["prefixes_hearsay"])
            else:
                prefix = self.fill(self.rng.choice(c["prefixes_claim"]))
            body = claim[0].upper() + claim[1:] if not prefix else claim
            text = prefix + body
            if force_cue or self.rng.random() < r.cue_rate * 0.6:
                text += self.rng.choice(c["suffixes_urgency"])
            else:
                text += self.rng.choice(c["suffixes_emotion"])
        if self.rng.random() < 0.15:
            text = self.typo(text)
        if self.rng.random() < 0.05:
            text = text.upper()
        return text


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit = math.exp(-mean)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate(spec: ScenarioSpec) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """Posts (in output order), facts and the ground truth of a scenario."""
    gen = _Gen(spec)
    gen.chatter_stream()
    for b in spec.bursts:
        gen.burst(b)
    for r in spec.rumours:
        gen.rumour(r)
    for fact in _load("facts_generic.json")[: 3 + spec.seed % 4]:
        gen.facts.append(fact)
    posts = sorted(gen.posts, key=lambda p: (p["created_at"], p["id"]))
    if spec.shuffle > 0:
        n = int(len(posts) * spec.shuffle)
        for _ in range(n):
            i = gen.rng.randrange(len(posts))
            j = min(len(posts) - 1, i + gen.rng.randint(1, 5))
            posts[i], posts[j] = posts[j], posts[i]
    truth = {
        "name": spec.name,
        "commune": gen.town["slug"],
        "town": gen.town["name"],
        "description": spec.description,
        "holdout": spec.holdout,
        "days": spec.days,
        "official_accounts": [gen.town["official"]],
        "events": gen.events,
    }
    return posts, gen.facts, truth


def write_scenario(spec: ScenarioSpec, directory: Path) -> Path:
    posts, facts, truth = generate(spec)
    out = directory / spec.name
    out.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(p, ensure_ascii=False) for p in posts]
    rng = random.Random(spec.seed + 1)
    for k in range(spec.malformed):
        lines.insert(rng.randrange(len(lines)), f'{{"id": "broken-{k}", "text": ')
    (out / "stream.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "facts.txt").write_text("\n".join(facts) + "\n", encoding="utf-8")
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def bench_stream(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """About ``n`` posts of a mixed stream (chatter, bursts, two rumours) for the benchmark."""
    per_day = 400.0
    days = max(1.0, n / per_day)
    spec = ScenarioSpec(
        name="bench", town=seed, start="2025-03-03T00:00:00", days=days, posts_per_day=per_day, seed=seed,
        rumours=[RumourSpec("piscine_femmes", days * 8, 80), RumourSpec("centre_migrants", days * 16, 80)],
        bursts=[BurstSpec("festival", 0, 60), BurstSpec("storm", int(days // 2), 60)],
    )  # fmt: skip
    posts, _, _ = generate(spec)
    return posts[:n]
