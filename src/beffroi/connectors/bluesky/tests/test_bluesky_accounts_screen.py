"""Connecting a Bluesky account from the accounts screen (handle + app password), over a MockTransport."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.urls import reverse

from beffroi.connectors import runtime
from beffroi.connectors.bluesky.session import forget_sessions
from beffroi.connectors.testing import Router, load_fixture

pytestmark = pytest.mark.django_db


def test_the_team_connects_the_account_with_its_handle_and_an_app_password(
    commune: Any, client_as: Any, monkeypatch: Any
) -> None:
    from beffroi.core.roles import Role
    from beffroi.workspace.models import Account

    forget_sessions()
    router = Router()
    router.add(
        "POST", "/xrpc/com.atproto.server.createSession", json=load_fixture(__file__, "createSession.json")
    )
    router.add(
        "GET", "/xrpc/app.bsky.actor.getProfile", json=load_fixture(__file__, "getProfile_commune.json")
    )
    monkeypatch.setattr(
        runtime, "default_http", lambda platform: httpx.Client(transport=httpx.MockTransport(router))
    )
    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:account_connect", kwargs={"commune": commune.slug, "platform": "bluesky"})
    assert "Mot de passe d" in client.get(url).content.decode()
    response = client.post(
        url, {"cred_handle": "@mairie-saint-aubin.bsky.social", "cred_app_password": "abcd-efgh-ijkl-mnop"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = Account.objects.get(commune=commune, platform="bluesky")
    assert (
        account.external_id == "did:plc:mairiesaintaubinexemplea" and account.name == "Mairie de Saint-Aubin"
    )
    assert account.handle == "mairie-saint-aubin.bsky.social"
    assert "abcd-efgh-ijkl-mnop" not in account.credentials_encrypted
    login = router.calls("POST", "/xrpc/com.atproto.server.createSession")[0]
    assert b'"identifier":"mairie-saint-aubin.bsky.social"' in login.content  # the @ is dropped
    forget_sessions()


def test_the_setup_guide_is_shown_in_french(commune: Any, client_as: Any) -> None:
    from beffroi.core.roles import Role

    client = client_as(commune, Role.DIRECTION_COM)
    page = client.get(
        reverse("workspace:account_guide", kwargs={"commune": commune.slug, "platform": "bluesky"})
    )
    text = page.content.decode().replace("&#x27;", "'")
    assert page.status_code == 200
    assert "Créer un mot de passe d'application" in text and "Afficher les réponses masquées" in text
