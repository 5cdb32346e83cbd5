"""Fixtures of the watch tests: a commune with its watch terms and facts (those of the demo), the
demo's pool-rumour cascade ingested as if it had just happened, and helpers to ingest mentions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

DEMO = Path(__file__).resolve().parents[2] / "src" / "beffroi" / "data" / "demo"
RUMOUR_LAST = "mention-0072"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo_rows(last: str = RUMOUR_LAST) -> list[dict[str, Any]]:
    rows = []
    for line in (DEMO / "mentions.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.append(row)
        if row["id"] == last:
            break
    return rows


def ingest(commune: Any, row: dict[str, Any], published: dt.datetime, *, account: Any = None) -> Any:
    from beffroi.connectors.base import FetchedAuthor, FetchedItem
    from beffroi.workspace.actions.ingest import do_ingest_item

    a = row.get("author") or {}
    author = FetchedAuthor(
        external_id=str(a.get("id") or a.get("name") or "anonyme"),
        display_name=str(a.get("name") or ""),
        metadata={k: v for k, v in a.items() if k in ("account_age_days", "followers", "location")},
    )
    fetched = FetchedItem(
        external_id=str(row["id"]), kind="mention", text=str(row["text"]), published_at=published, author=author,
        url=str(row.get("url") or ""), likes=int(row.get("likes") or 0), shares=int(row.get("shares") or 0),
        raw=dict(row),
    )
    item, _ = do_ingest_item(
        commune=commune, fetched=fetched, account=account, platform=str(row.get("platform") or "rss"),
        moderated=False if account is None else None, first_seen_at=published,
    )
    return item


@pytest.fixture
def watch(commune: Any) -> Any:
    """The commune watches the demo's terms and knows the demo's facts."""
    from beffroi.veille import demo

    demo.prepare(commune, DEMO)
    return commune


@pytest.fixture
def feed(django_capture_on_commit_callbacks: Any) -> Callable[..., list[Any]]:
    """feed(commune, rows, now=None): ingest demo rows as if the last one was published a minute ago
    (on-commit jobs run, as in production: mentions observed, alerts delivered)."""

    def run(commune: Any, rows: list[dict[str, Any]], now: dt.datetime | None = None) -> list[Any]:
        now = now or timezone.now()
        newest = min(float(r.get("minutes_ago") or 0) for r in rows)
        items = []
        with django_capture_on_commit_callbacks(execute=True):
            for row in rows:
                minutes = float(row.get("minutes_ago") or 0) - newest + 1
                items.append(ingest(commune, row, now - dt.timedelta(minutes=minutes)))
        return items

    return run


@pytest.fixture
def cascade(watch: Any, feed: Callable[..., list[Any]], make_member: Any) -> dict[str, Any]:
    """The demo's pool rumour, fresh: the crisis circle (with e-mail addresses) is alerted."""
    from beffroi.core.roles import Role
    from beffroi.veille.models import Crisis

    maire = make_member(watch, Role.ELU, username="maire", in_crisis_circle=True)
    maire.email = "maire@saint-aubin.example"
    maire.save()
    director = make_member(watch, Role.DIRECTION_COM, username="direction", in_crisis_circle=True)
    director.email = "direction@saint-aubin.example"
    director.save()
    items = feed(watch, demo_rows())
    crisis = Crisis.objects.filter(commune=watch, kind="rumour").first()
    return {"commune": watch, "items": items, "crisis": crisis, "maire": maire, "director": director}
