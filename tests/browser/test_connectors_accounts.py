"""The "Comptes connectés" screen in a real browser, on a phone: states in French, connecting a Page by
pasting a token, no horizontal scrolling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from beffroi.connectors import runtime
from beffroi.connectors.testing import Router
from beffroi.core.roles import Role
from beffroi.workspace.models import Account, AccountStatus
from tests.browser.conftest import screenshot

FB_FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/facebook/fixtures"


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 391"))


@pytest.mark.django_db(transaction=True)
def test_connect_a_facebook_page_on_a_phone(
    phone_page: Any,
    live_server: Any,
    login: Any,
    commune: Any,
    make_member: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = Router().add("GET", "/v21.0/me", json=json.loads((FB_FIXTURES / "me.json").read_text()))
    router.add(
        "GET", "/v21.0/104820123456789/feed", json=json.loads((FB_FIXTURES / "feed_page2.json").read_text())
    )
    router.add("POST", "/v21.0/104820123456789/subscribed_apps", json={"success": True})
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    Account.objects.create(
        commune=commune,
        platform="instagram",
        external_id="17841405822304914",
        name="Instagram de la mairie",
        status=AccountStatus.BROKEN,
        status_detail="Connexion cassée : meta refuse le jeton : il a expiré. Reconnectez le compte.",
    )
    user = make_member(commune, Role.DIRECTION_COM, username="camille")
    page = phone_page
    login(page, user)
    page.goto(f"{live_server.url}/c/{commune.slug}/comptes/")
    assert page.get_by_role("heading", name="Comptes connectés").is_visible()
    assert page.get_by_text("connexion cassée", exact=True).is_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "comptes-connectes-telephone")

    page.get_by_role("link", name="Connecter un compte Facebook").click()
    page.get_by_label("Jeton d'accès de la Page").fill("EAAPAGETOKEN-from-the-browser")
    page.get_by_role("button", name="Vérifier et connecter").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Mairie de Saint-Aubin").is_visible()
    assert page.get_by_text("Compte « Mairie de Saint-Aubin » connecté.").is_visible()
    html = page.content()
    assert "EAAPAGETOKEN-from-the-browser" not in html
    assert no_horizontal_scroll(page)
    screenshot(page, "compte-facebook-telephone")
    assert (
        Account.objects.get(platform="facebook").get_credentials()["access_token"]
        == "EAAPAGETOKEN-from-the-browser"
    )
