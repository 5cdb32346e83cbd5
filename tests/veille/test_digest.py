"""The digest by e-mail: what was said, what needs an answer, what was hidden, what is rising; sent
once per slot to the members who asked for it, readable without opening Beffroi."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.veille.actions import digest
from beffroi.veille.models import DigestSubscription
from beffroi.workspace.models import Decision, DecisionKind, Item, ItemStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(cascade: Any) -> dict[str, Any]:
    commune = cascade["commune"]
    items = cascade["items"]
    # a question waiting for an answer, and an insult hidden automatically
    Item.objects.filter(pk=items[3].pk).update(status=ItemStatus.TODO)
    Decision.objects.create(commune=commune, item=items[47], kind=DecisionKind.HIDE, automatic=True, label="insult")
    return cascade


def test_digest_contents(busy) -> None:
    commune = busy["commune"]
    now = timezone.now()
    d = digest.build_digest(commune, Role.ELU, now - dt.timedelta(days=7), now, "weekly")
    assert d.mentions >= 30 and d.sentiment.get("negative", 0) > 0
    assert d.alerts and d.alerts[0]["kind"] == "rumour" and "/veille/crise/" in d.alerts[0]["url"]
    assert d.open_crises and d.open_crises[0]["posts"] >= 10
    assert d.to_answer >= 1
    assert d.hidden == 1 and d.hidden_auto == 1 and d.hidden_reasons == [("insultes", 1)]
    assert d.notable and d.notable[0]["text"]
    subject, text, html = digest.render_digest(d)
    assert subject == "[Beffroi] Résumé de la semaine — Saint-Aubin — alerte en cours"
    for section in ("ALERTES", "CE QUI S'EST DIT", "CE QUI ATTEND UNE RÉPONSE", "CE QUI A ÉTÉ MASQUÉ", "CE QUI MONTE"):
        assert section in text
    assert "1 message(s) masqué(s), dont 1 automatiquement : insultes (1)" in text
    assert "http://" in text or "https://" in text  # absolute links: readable from the mail client
    for section in ("Ce qui s'est dit", "Ce qui attend une réponse", "Ce qui a été masqué", "Ce qui monte"):
        assert section.replace("'", "&#x27;") in html or section in html


def test_digest_without_alert_permission_shows_no_alert(busy) -> None:
    now = timezone.now()
    d = digest.build_digest(busy["commune"], Role.MODERATEUR_BENEVOLE, now - dt.timedelta(days=1), now, "daily")
    assert d.alerts == [] and d.open_crises == []


def test_subscribe_then_one_digest_per_slot(busy, client, mailoutbox, settings) -> None:
    maire = busy["maire"]
    client.force_login(maire)
    response = client.post(f"/c/{busy['commune'].slug}/veille/resume/", {"frequency": "daily"})
    assert response.status_code == 302
    sub = DigestSubscription.objects.get(user=maire)
    assert sub.frequency == "daily"
    assert AuditRecord.objects.filter(verb="veille.digest_subscription", actor=maire).exists()
    bad = client.post(f"/c/{busy['commune'].slug}/veille/resume/", {"frequency": "hourly"})
    assert bad.status_code == 400 and "Sélectionnez un choix valide" in bad.content.decode()
    mailoutbox.clear()
    tomorrow = timezone.now() + dt.timedelta(days=1, hours=1)
    assert digest.send_due_digests(now=tomorrow) == 1
    assert digest.send_due_digests(now=tomorrow + dt.timedelta(minutes=5)) == 0  # once per slot
    (message,) = mailoutbox
    assert message.to == [maire.email] and message.subject.startswith("[Beffroi] Résumé du jour — Saint-Aubin")
    html = message.alternatives[0][0]
    assert "Ce qui monte" in html and "<script" not in html
    assert digest.send_due_digests(now=tomorrow + dt.timedelta(days=1)) == 1


def test_preview_in_the_app(busy, client) -> None:
    client.force_login(busy["director"])
    page = client.get(f"/c/{busy['commune'].slug}/veille/resume/apercu/?frequence=weekly").content.decode()
    assert "Aperçu du résumé de la semaine" in page and "Ce qui a été masqué" in page and "insultes (1)" in page
