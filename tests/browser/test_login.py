"""Log in through the real form and reach the home page listing the commune."""

from __future__ import annotations

import os
from typing import Any

import pytest

from beffroi.core.roles import Role
from tests.browser.conftest import SCREENSHOTS, screenshot


@pytest.mark.django_db(transaction=True)
def test_log_in_and_see_the_commune(page: Any, live_server: Any, login: Any, commune: Any, make_member: Any) -> None:
    user = make_member(commune, Role.SECRETAIRE, username="martine")
    page.goto(live_server.url + "/")
    assert "/connexion/" in page.url
    page.get_by_label("Identifiant").fill("martine")
    page.get_by_label("Mot de passe").fill("faux")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text().startswith("Identifiant ou mot de passe incorrect")
    login(page, user)
    assert page.get_by_role("heading", name="Mes communes").is_visible()
    assert page.get_by_text("Saint-Aubin").first.is_visible()
    shot = screenshot(page, "accueil")
    assert shot.stat().st_size > 0
    # docs/screenshots/ is only rewritten on request: a plain run leaves the git tree clean.
    assert (shot.parent == SCREENSHOTS) == (os.environ.get("BEFFROI_UPDATE_SCREENSHOTS") == "1")
