"""The crisis room: checklist, reports to the platforms, replies to residents that restore the facts
without repeating the rumour, the information sheet, closing, and the post-crisis report (PDF)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.veille.models import ChecklistEntry, Crisis, CrisisReply, PostReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(cascade: Any, client: Any) -> dict[str, Any]:
    client.force_login(cascade["director"])
    crisis = cascade["crisis"]
    return {**cascade, "client": client, "base": f"/c/{cascade['commune'].slug}/veille/crise/{crisis.pk}/"}


def test_the_room_shows_cascade_amplifiers_reach_facts_and_templates(room) -> None:
    crisis: Crisis = room["crisis"]
    assert crisis.kind == "rumour" and crisis.is_open
    assert "piscine municipale Jean-Taris est ouverte à toutes et à tous" in crisis.contradicted_fact
    page = room["client"].get(room["base"]).content.decode()
    for expected in ("Chronologie de la cascade", "Messages par quart d&#x27;heure", "Comptes qui amplifient", "Vérité Saint-Aubin",
                     "compte créé il y a", "personnes touchées", "Les faits à rétablir", crisis.contradicted_fact,
                     "Utiliser ce modèle", "Check-list de crise", "Ne pas nourrir les trolls",
                     "Messages à signaler aux plateformes", "ouvrir sur Facebook", "comment signaler sur X"):
        assert expected in page, expected
    assert crisis.posts.count() >= 10


def test_reply_templates_state_the_fact_without_the_rumour(room) -> None:
    from beffroi.veille.actions.crisis import lint, reply_templates

    crisis = room["crisis"]
    for title, text in reply_templates(crisis):
        assert "ouverte à toutes et à tous" in text, title
        assert not [w for w in lint(crisis, text) if w.code in ("repeats_claim", "headline")], title


def test_checklist_ticked_and_unticked_with_audit(room) -> None:
    c = room["client"]
    assert c.post(room["base"] + "etape/", {"step": "no_feed", "done": "1"}).status_code == 302
    entry = ChecklistEntry.objects.get(crisis=room["crisis"], step="no_feed")
    assert entry.done and entry.by == room["director"]
    page = c.get(room["base"]).content.decode()
    assert "Coché par direction" in page and "1 sur 6" in page
    c.post(room["base"] + "etape/", {"step": "no_feed", "done": "0"})
    entry.refresh_from_db()
    assert not entry.done
    assert AuditRecord.objects.filter(verb="veille.checklist", actor=room["director"]).count() == 2
    response = c.post(room["base"] + "etape/", {"step": "n-importe-quoi", "done": "1"}, follow=True)
    assert "Étape inconnue." in response.content.decode()


def test_false_posts_reported_and_recorded(room) -> None:
    c = room["client"]
    item = room["crisis"].posts.filter(carries_claim=True).first().item
    # A post outside the commune's accounts cannot be reported through Beffroi: a French explanation.
    response = c.post(room["base"] + "signaler/", {"item": item.pk, "method": "platform"}, follow=True)
    assert "signalez-le depuis la plateforme" in response.content.decode()
    assert not PostReport.objects.exists()
    c.post(room["base"] + "signaler/", {"item": item.pk, "method": "manual"})
    report = PostReport.objects.get(crisis=room["crisis"], item=item)
    assert report.method == "manual" and report.by == room["director"]
    assert AuditRecord.objects.filter(verb="veille.post_reported", data__item=item.pk).exists()
    page = c.get(room["base"]).content.decode()
    assert "signalé à la main par direction" in page and "1 signalé" in page
    again = c.post(room["base"] + "signaler/", {"item": item.pk, "method": "manual"}, follow=True)
    assert "Ce message est déjà signalé." in again.content.decode()
    other = c.post(room["base"] + "signaler/", {"item": 999999, "method": "manual"}, follow=True)
    assert "Ce message ne fait pas partie de cette alerte." in other.content.decode()


def test_reply_repeating_the_rumour_is_held_until_confirmed(room) -> None:
    c = room["client"]
    item = room["crisis"].posts.filter(carries_claim=True).last().item
    draft = f"FAUX : {room['crisis'].title}"  # a headline denial that repeats the rumour's wording
    check = c.post(room["base"] + "relire/", {"text": draft}, HTTP_HX_REQUEST="true").content.decode()
    assert "reprend les mots de la rumeur" in check and "démenti en titre" in check
    held = c.post(room["base"] + "repondre/", {"item": item.pk, "text": draft, "method": "manual"})
    assert held.status_code == 400 and "Relisez le brouillon avant l" in held.content.decode()
    assert "envoyer quand même" in held.content.decode()
    assert not CrisisReply.objects.exists()
    good = ("Bonjour, la piscine municipale Jean-Taris est ouverte à toutes et à tous, à tous les créneaux, "
            "y compris le mardi. Bonne journée.")
    ok = c.post(room["base"] + "relire/", {"text": good}).content.decode()
    assert "Rien à signaler" in ok
    assert c.post(room["base"] + "repondre/", {"item": item.pk, "text": good, "method": "manual"}).status_code == 302
    reply = CrisisReply.objects.get()
    assert reply.item == item and reply.method == "manual" and reply.warnings == []
    c.post(room["base"] + "repondre/", {"item": item.pk, "text": draft, "method": "manual", "confirm": "1"})
    assert CrisisReply.objects.count() == 2
    assert AuditRecord.objects.filter(verb="veille.resident_answered").count() == 2


def test_reply_form_errors_are_french(room) -> None:
    c = room["client"]
    empty = c.post(room["base"] + "repondre/", {"item": "", "text": ""})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.content.decode()
    long = c.post(room["base"] + "repondre/", {"item": room["items"][45].pk, "text": "x" * 2500})
    assert long.status_code == 400 and "Assurez-vous que cette valeur comporte au plus 2000 caractères" in long.content.decode()


def test_information_sheet_about_fake_accounts(room) -> None:
    c = room["client"]
    page = c.get(room["base"] + "fiche/").content.decode()
    assert "Attention aux faux comptes" in page and "Comment reconnaître un faux compte" in page
    text = "Attention aux faux comptes\n\nLes seuls comptes officiels de Saint-Aubin sont sur le site de la mairie."
    assert c.post(room["base"] + "fiche/", {"text": text}).status_code == 302
    room["crisis"].refresh_from_db()
    assert room["crisis"].info_sheet == text and room["crisis"].info_sheet_updated_by == room["director"]
    download = c.get(room["base"] + "fiche.txt")
    assert download.content.decode() == text and "attachment" in download["Content-Disposition"]
    empty = c.post(room["base"] + "fiche/", {"text": "  "})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.content.decode()


def test_close_reopen_and_report_pdf(room, make_member) -> None:
    from pypdf import PdfReader

    c = room["client"]
    item = room["crisis"].posts.filter(carries_claim=True).first().item
    c.post(room["base"] + "etape/", {"step": "circle", "done": "1"})
    c.post(room["base"] + "signaler/", {"item": item.pk, "method": "manual"})
    refused = c.post(room["base"] + "cloture/", {"note": "Retombée"})
    assert refused.status_code == 400 and "Cochez la case pour confirmer la clôture." in refused.content.decode()
    assert c.post(room["base"] + "cloture/", {"note": "Rumeur retombée en 24 h.", "confirm": "1"}).status_code == 302
    crisis = Crisis.objects.get(pk=room["crisis"].pk)
    assert not crisis.is_open and crisis.closed_by == room["director"]
    # A closed room accepts nothing but reopening.
    response = c.post(room["base"] + "etape/", {"step": "answer", "done": "1"}, follow=True)
    assert "La cellule de crise est close" in response.content.decode()
    # The mayor reads the report.
    c.force_login(make_member(room["commune"], Role.ELU))
    pdf = c.get(room["base"] + "rapport.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("Rapport de crise", "Saint-Aubin", "Cellule close", "Fait officiel rétabli", "Comptes qui ont amplifié",
                     "Resserrer le cercle de décision", "Messages signalés aux plateformes : 1", "Rumeur retombée en 24 h",
                     "Premiers messages"):
        assert expected in text, expected
    assert AuditRecord.objects.filter(verb="veille.report_generated").exists()
    c.force_login(room["director"])
    assert c.post(room["base"] + "reouvrir/").status_code == 302
    assert Crisis.objects.get(pk=crisis.pk).is_open


def test_a_spike_can_be_followed_in_a_room(room, feed) -> None:
    from beffroi.domain.rumour import Alert as DomainAlert
    from beffroi.veille.actions.alerts import store_alert

    item = room["items"][10]
    raw = DomainAlert(at=item.published_at.isoformat(), kind="spike", cluster_id="c-spike", claim="Programme du festival",
                      post_ids=[str(item.pk)], velocity=12.0)
    alert, deliveries = store_alert(room["commune"], raw, None)
    assert alert.crisis is None and deliveries == []  # a spike reaches no one by default
    response = room["client"].post(f"/c/{room['commune'].slug}/veille/alertes/{alert.pk}/suivre/")
    alert.refresh_from_db()
    assert response.status_code == 302 and alert.crisis is not None
    assert alert.crisis.posts.filter(item=item).exists()
