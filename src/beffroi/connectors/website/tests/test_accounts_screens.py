"""The five connectors of CONNECTORS_2 in the "Comptes connectés" screens: offered, guides shown, connectable."""

from __future__ import annotations

from typing import Any

import pytest

from beffroi.connectors.registry import connector_class

PLATFORMS = ("youtube", "x", "tiktok", "rss", "website")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_guide_is_shown_in_french(client_as: Any, commune: Any, platform: str) -> None:
    client = client_as(commune, "direction_com")
    response = client.get(f"/c/{commune.slug}/comptes/guide/{platform}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>" in html and "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    cls = connector_class(platform)
    assert cls.guide == "GUIDE.fr.md" and cls.label in html


def test_the_accounts_screen_offers_the_platforms_with_their_limits(client_as: Any, commune: Any) -> None:
    client = client_as(commune, "direction_com")
    html = client.get(f"/c/{commune.slug}/comptes/").content.decode()
    for platform in PLATFORMS:
        assert f"/comptes/connecter/{platform}/" in html or f"/comptes/guide/{platform}/" in html
    assert "X ne permet pas de signaler un message via son API" in html
    assert "markAsSpam" in html


def test_connecting_the_website_declares_its_origin(client_as: Any, commune: Any) -> None:
    from beffroi.workspace.models import Account

    client = client_as(commune, "direction_com")
    response = client.post(f"/c/{commune.slug}/comptes/connecter/website/", {"external_id": "https://www.Saint-Aubin.example/accueil", "name": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    account = Account.objects.get(commune=commune, platform="website")
    assert account.external_id == "https://www.saint-aubin.example" and account.owned
    assert client.get(f"/widget/{commune.slug}/widget.js").status_code == 200


def test_a_volunteer_cannot_connect_accounts(client_as: Any, commune: Any) -> None:
    client = client_as(commune, "moderateur_benevole")
    assert client.post(f"/c/{commune.slug}/comptes/connecter/website/", {"external_id": "https://x.example"}).status_code == 403
