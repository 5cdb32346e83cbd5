"""The demo commune's watch: terms and facts, the mentions of mentions.jsonl recognised, the pool
rumour detected (days ago in the demo: kept, not sent) and followed in a crisis room."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from beffroi.veille import demo
from beffroi.veille.models import Alert, Crisis, Fact, Mention, WatchTerm
from tests.veille.conftest import DEMO, demo_rows, ingest

pytestmark = pytest.mark.django_db


def test_demo_watch(commune: Any, make_member: Any) -> None:
    from beffroi.core.roles import Role

    make_member(commune, Role.DIRECTION_COM, username="direction", in_crisis_circle=True)
    demo.prepare(commune, DEMO)
    demo.prepare(commune, DEMO)  # idempotent
    assert WatchTerm.objects.filter(commune=commune).count() >= 10
    assert Fact.objects.filter(commune=commune).count() == 18
    now = timezone.now()
    rows = demo_rows(last="mention-0130")
    for row in rows:  # as the demo loader does: published minutes_ago before now
        ingest(commune, row, now - dt.timedelta(minutes=float(row["minutes_ago"])))
    result = demo.finish(commune)
    assert Mention.objects.filter(commune=commune).count() >= 110
    assert not Mention.objects.filter(commune=commune, observed_at__isnull=True).exists()
    rumour = Alert.objects.filter(commune=commune, kind="rumour").first()
    assert rumour is not None and rumour.stale  # days old: not sent to anyone
    assert "piscine" in rumour.claim.lower()
    crisis = Crisis.objects.get(commune=commune, kind="rumour")
    assert crisis.posts.count() >= 10 and result["crises"] >= 1
    assert demo.finish(commune)["crises"] == 0  # idempotent
