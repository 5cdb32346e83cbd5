"""Replaying a JSON Lines stream of posts through a detector, in simulated time.

The input may be unsorted: posts are ordered by (``created_at``, line number), so the same file always
gives the same alerts. Malformed lines are reported (line number, French message) and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import tzinfo

from beffroi.domain.rumour.classify import Params
from beffroi.domain.rumour.detector import Detector
from beffroi.domain.rumour.types import Alert, CommuneConfig, Post, PostError, load_zone

#: A provider gives the commune's configuration (facts, watch terms, official accounts) from its slug,
#: e.g. from the web app's database; ``None`` when it does not know the commune.
ConfigProvider = Callable[[str], CommuneConfig | None]


@dataclass
class LineError:
    line: int
    error: str

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "error": self.error}


@dataclass
class Stream:
    posts: list[Post] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def read_stream(lines: Iterable[str], zone: tzinfo) -> Stream:
    """Parse JSON Lines into posts sorted by time (stable on the line order)."""
    out = Stream()
    indexed: list[tuple[float, int, Post]] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.errors.append(LineError(number, f"JSON invalide : {exc.msg} (colonne {exc.colno})"))
            continue
        try:
            post = Post.from_dict(obj, zone)
        except PostError as exc:
            out.errors.append(LineError(number, str(exc)))
            continue
        if post.id in seen:
            out.errors.append(LineError(number, f"identifiant en double ignoré : {post.id}"))
            continue
        seen.add(post.id)
        indexed.append((post.created_at.timestamp(), number, post))
    indexed.sort(key=lambda item: (item[0], item[1]))
    out.posts = [p for _, _, p in indexed]
    return out


def read_facts(text: str) -> list[str]:
    """One statement per line; blank lines and lines starting with ``#`` are ignored."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def build_config(
    slug: str,
    facts: list[str] | None = None,
    provider: ConfigProvider | None = None,
    posts_per_day: float | None = None,
    timezone: str | None = None,
    name: str | None = None,
) -> CommuneConfig:
    """The commune's configuration: the provider's (database) if any, plus facts given on the side.

    Without a provider the commune is named by ``name`` ("Saint-Lô") or, failing that, by its slug
    ("saintlo"); the detector compares names without accents, hyphens or spaces, so the slug alone
    already recognises "Saint-Lô", "saint lo" and "SAINT-LÔ" in the posts."""
    config = provider(slug) if provider is not None else None
    if config is None:
        config = CommuneConfig(slug=slug, name=(name or "").strip() or slug.replace("-", " "))
    elif name and name.strip():
        config.name = name.strip()
    if facts:
        config.facts = [*config.facts, *[f for f in facts if f not in config.facts]]
    if posts_per_day is not None:
        config.posts_per_day = posts_per_day
    if timezone:
        config.timezone = timezone
    return config


def replay(posts: Iterable[Post], config: CommuneConfig, params: Params | None = None) -> list[Alert]:
    detector = Detector(config, params)
    return detector.observe_many(posts)


def zone_of(config: CommuneConfig) -> tzinfo:
    return load_zone(config.timezone)
