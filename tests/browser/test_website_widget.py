"""The website comment widget embedded in a page of "the commune's site" (another origin, a local HTTP
server), driven in chromium: load, send, published at once or after review, errors, no cookie, phone view."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.browser.conftest import screenshot

PAGE_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Le marché de nuit revient — Saint-Aubin</title></head>
<body><main><h1>Le marché de nuit revient</h1><p>Rendez-vous samedi place de la Mairie.</p>
<div id="beffroi-commentaires"></div>
<script src="{beffroi}/widget/{commune}/widget.js" defer></script>
</main></body></html>"""


class SitePage(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def commune_site(live_server: Any, commune: Any) -> Iterator[str]:
    from beffroi.workspace.models import Account

    server = ThreadingHTTPServer(("127.0.0.1", 0), SitePage)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    SitePage.html = PAGE_HTML.format(beffroi=live_server.url, commune=commune.slug).encode()
    Account.objects.create(commune=commune, platform="website", external_id=origin, name="Site de la mairie")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin + "/actualites/marche-de-nuit"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_visitor_comments_from_the_communes_site(page: Any, commune_site: str) -> None:
    from playwright.sync_api import expect

    page.goto(commune_site)
    widget = page.locator(".beffroi-c")
    expect(widget.get_by_role("heading", name="Commentaires")).to_be_visible()
    expect(widget.get_by_text("Aucun commentaire pour le moment.")).to_be_visible()

    # Nothing typed: the errors are said next to the fields and the focus goes to the first one.
    widget.get_by_role("button", name="Envoyer").click()
    name = widget.get_by_label("Nom ou pseudonyme *")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(widget.get_by_text("Indiquez votre nom (ou un pseudonyme).")).to_be_visible()

    name.fill("Camille")
    expect(name).not_to_have_attribute("aria-invalid", "true")  # the error goes away as soon as the field is corrected
    widget.get_by_label("Adresse e-mail (facultative)").fill("camille@exemple.fr")
    widget.get_by_label("Votre commentaire *").fill("Bravo pour le marché de nuit, super soirée avec les enfants !")
    expect(widget.get_by_text("61 caractères sur 2000")).to_be_visible()
    widget.get_by_role("button", name="Envoyer").click()
    # The first comment loads the moderation engine in the server: allow it time.
    expect(widget.get_by_role("status").filter(has_text="Merci ! Votre commentaire est publié.")).to_be_visible(timeout=60_000)
    expect(widget.locator(".beffroi-c__list .beffroi-c__item")).to_have_count(1)
    expect(widget.get_by_text("1 commentaire")).to_be_visible()

    widget.get_by_label("Votre commentaire *").fill("Le maire est un escroc et un voleur, bande de connards")
    widget.get_by_role("button", name="Envoyer").click()
    expect(widget.get_by_text("sera publié après relecture")).to_be_visible()
    expect(widget.locator(".beffroi-c__list .beffroi-c__item")).to_have_count(1)

    # The honeypot is out of the keyboard path.
    assert widget.locator("input[name=homepage]").get_attribute("tabindex") == "-1"
    # No cookie, neither from the site's page nor from Beffroi.
    assert page.context.cookies() == []
    screenshot(page, "website-widget")

    page.reload()
    expect(page.locator(".beffroi-c__list .beffroi-c__item")).to_have_count(1)
    expect(page.get_by_text("Bravo pour le marché de nuit")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_widget_on_a_phone(phone_page: Any, commune_site: str) -> None:
    from playwright.sync_api import expect

    phone_page.goto(commune_site)
    expect(phone_page.get_by_text("Aucun commentaire pour le moment.")).to_be_visible()
    button = phone_page.get_by_role("button", name="Envoyer")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] > 300  # a full-width, tappable button
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scrolling
    screenshot(phone_page, "website-widget-phone")
