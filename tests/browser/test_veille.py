"""The watch and the crisis room in a real browser (Debian's chromium): the overview, the stream of
mentions with its filters, the volumes; then the crisis room of the demo's pool rumour — reply to a
resident from a template (proofread live), tick the checklist, record a report, download the PDF.
Screenshots go to docs/screenshots/ with BEFFROI_UPDATE_SCREENSHOTS=1 (see ``conftest.screenshot_dir``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from beffroi.core.roles import Role
from tests.browser.conftest import screenshot
from tests.veille.conftest import DEMO, demo_rows, ingest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rumour(commune: Any, make_member: Any) -> dict[str, Any]:
    """The demo's watch and its pool rumour, as if it had started an hour and a half ago."""
    from beffroi.veille import demo
    from beffroi.veille.models import Crisis

    director = make_member(commune, Role.DIRECTION_COM, username="camille", in_crisis_circle=True)
    director.email = "camille@saint-aubin.example"
    director.save()
    demo.prepare(commune, DEMO)
    rows = demo_rows()
    newest = min(float(r["minutes_ago"]) for r in rows)
    now = timezone.now()
    for row in rows:
        ingest(commune, row, now - dt.timedelta(minutes=float(row["minutes_ago"]) - newest + 1))
    crisis = Crisis.objects.get(commune=commune, kind="rumour")
    return {"director": director, "crisis": crisis}


def test_watch_screens(page: Any, live_server: Any, login: Any, commune: Any, rumour: dict[str, Any]) -> None:
    login(page, rumour["director"])
    page.goto(f"{live_server.url}/c/{commune.slug}/veille/")
    expect(page.get_by_role("heading", name="Veille — ce qui se dit de Saint-Aubin")).to_be_visible()
    expect(page.get_by_role("heading", name="Cellule de crise ouverte")).to_be_visible()
    expect(page.get_by_role("heading", name="Thèmes de la semaine")).to_be_visible()
    screenshot(page, "veille-accueil")

    page.get_by_role("navigation", name="Veille").get_by_role("link", name="Mentions").click()
    expect(page.get_by_role("heading", name="Mentions de Saint-Aubin")).to_be_visible()
    page.get_by_label("Sentiment").select_option("negative")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert "sentiment=negative" in page.url
    mentions = page.locator("li.mention")
    assert mentions.count() > 3
    assert page.locator("li.mention.sentiment-positive").count() == 0
    expect(mentions.first.get_by_text("Pourquoi « négatif »")).to_be_visible()
    expect(page.get_by_role("link", name="cellule de crise").first).to_be_visible()
    screenshot(page, "veille-mentions")

    page.get_by_role("navigation", name="Veille").get_by_role("link", name="Volumes").click()
    expect(page.get_by_role("heading", name="Par source")).to_be_visible()
    assert page.locator("svg.chart-svg rect").count() > 3
    page.get_by_text("Voir les chiffres").first.click()
    expect(page.locator("details.chart-data table").first).to_be_visible()


def test_crisis_room(page: Any, live_server: Any, login: Any, commune: Any, rumour: dict[str, Any]) -> None:
    from beffroi.veille.models import ChecklistEntry, CrisisReply, PostReport

    crisis = rumour["crisis"]
    login(page, rumour["director"])
    page.goto(f"{live_server.url}/c/{commune.slug}/veille/")
    page.locator(".crisis-banner a").first.click()
    expect(page.get_by_role("heading", name="Cellule de crise")).to_be_visible()
    for heading in ("Chronologie de la cascade", "Comptes qui amplifient", "Les faits à rétablir",
                    "Répondre aux habitants, un par un", "Messages à signaler aux plateformes"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#amplificateurs").get_by_text("Vérité Saint-Aubin")).to_be_visible()
    screenshot(page, "veille-cellule-de-crise")

    # Reply to a resident from a template: the draft is proofread as it is written.
    page.get_by_role("button", name="Utiliser ce modèle").first.click()
    assert "ouverte à toutes et à tous" in page.locator("#reply-text").input_value()
    expect(page.locator("#reply-warnings")).to_contain_text("Rien à signaler")
    page.locator("#reply-text").fill(f"FAUX : {crisis.title}")
    expect(page.locator("#reply-warnings")).to_contain_text("reprend les mots de la rumeur")
    page.get_by_role("button", name="Utiliser ce modèle").first.click()
    page.get_by_label("Message auquel répondre").select_option(index=3)
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_text("Réponse enregistrée (publiée à la main).")).to_be_visible()
    assert CrisisReply.objects.filter(crisis=crisis).count() == 1

    # The playbook checklist.
    page.get_by_role("button", name="Marquer comme fait : Ne pas nourrir les trolls").click()
    expect(page.get_by_text("« Ne pas nourrir les trolls » : fait.")).to_be_visible()
    assert ChecklistEntry.objects.get(crisis=crisis, step="no_feed").done

    # A false post reported by hand on the platform, recorded here.
    page.locator("#signalements").get_by_role("button", name="Signalé à la main").first.click()
    expect(page.get_by_text("Signalement enregistré")).to_be_visible()
    assert PostReport.objects.filter(crisis=crisis).count() == 1
    expect(page.locator("#signalements").get_by_text("signalé à la main par camille")).to_be_visible()

    # The post-crisis report.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rapport de crise (PDF)").click()
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    # The information sheet about fake accounts.
    page.get_by_role("link", name="Fiche « faux comptes » pour les habitants").click()
    expect(page.get_by_label("Texte de la fiche")).to_contain_text("Attention aux faux comptes")


def test_crisis_room_on_a_phone(phone_page: Any, live_server: Any, login: Any, commune: Any, rumour: dict[str, Any]) -> None:
    """The crisis circle is often away from a desk: the room reads on a phone, without sideways scrolling."""
    login(phone_page, rumour["director"])
    phone_page.goto(f"{live_server.url}/c/{commune.slug}/veille/crise/{rumour['crisis'].pk}/")
    expect(phone_page.get_by_role("heading", name="Les faits à rétablir")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone_page, "veille-cellule-de-crise-telephone")
