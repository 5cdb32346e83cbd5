"""The watch's background jobs: the periodic sweep is the safety net when a job was lost (mentions
left pending, deliveries not sent)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beffroi.core.roles import Role
from beffroi.tasks import PERIODIC, run_task
from beffroi.veille.models import Alert, AlertDelivery, DeliveryState, Mention
from tests.veille.conftest import demo_rows, ingest

pytestmark = pytest.mark.django_db


def test_the_sweep_is_periodic() -> None:
    import beffroi.veille.tasks  # noqa: F401 (registers the jobs)

    assert PERIODIC["veille.sweep"].every == dt.timedelta(seconds=30)


def test_sweep_observes_lost_mentions_and_sends_due_alerts(watch, make_member, mailoutbox) -> None:
    user = make_member(watch, Role.DIRECTION_COM, username="direction", in_crisis_circle=True)
    user.email = "direction@saint-aubin.example"
    user.save()
    rows = demo_rows()
    newest = min(float(r["minutes_ago"]) for r in rows)
    now = timezone.now()
    for row in rows:  # the on-commit jobs never ran (a worker crashed): everything waits
        ingest(watch, row, now - dt.timedelta(minutes=float(row["minutes_ago"]) - newest + 1))
    assert Mention.objects.filter(commune=watch, observed_at__isnull=True).count() > 50
    result = run_task("veille.sweep", {})
    assert result["observed"] > 50 and result["deliveries"] == 1
    assert not Mention.objects.filter(commune=watch, observed_at__isnull=True).exists()
    alert = Alert.objects.get(commune=watch, kind="rumour")
    assert AlertDelivery.objects.get(alert=alert).state == DeliveryState.SENT
    assert len(mailoutbox) == 1
    assert run_task("veille.sweep", {})["observed"] == 0
