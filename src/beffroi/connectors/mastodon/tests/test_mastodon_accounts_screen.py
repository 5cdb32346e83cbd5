"""Connecting a Mastodon account from the accounts screen: the fields the guide explains, checked live."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from beffroi.connectors.mastodon.tests.fakeserver import FakeMastodon

pytestmark = pytest.mark.django_db


def test_the_team_connects_the_account_with_the_instance_and_the_token(
    fake: FakeMastodon, commune: Any, client_as: Any
) -> None:
    from beffroi.core.roles import Role
    from beffroi.workspace.models import Account

    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:account_connect", kwargs={"commune": commune.slug, "platform": "mastodon"})
    page = client.get(url)
    assert page.status_code == 200
    assert (
        "Adresse de l&#x27;instance" in page.content.decode()
        or "Adresse de l'instance" in page.content.decode()
    )
    response = client.post(url, {"cred_instance_url": fake.url, "cred_access_token": fake.token})
    assert response.status_code == 302, response.content.decode()[:2000]
    account = Account.objects.get(commune=commune, platform="mastodon")
    assert account.external_id == "109000000000000001" and account.name == "Mairie de Saint-Aubin"
    assert account.handle.startswith("@mairie@") and account.get_credentials()["access_token"] == fake.token
    assert fake.token not in account.credentials_encrypted  # encrypted at rest

    refused = client.post(url, {"cred_instance_url": fake.url, "cred_access_token": "pas-le-bon"})
    assert refused.status_code == 200
    assert "refuse le jeton" in refused.content.decode().replace("&#x27;", "'")


def test_the_setup_guide_is_shown_in_french(commune: Any, client_as: Any) -> None:
    from beffroi.core.roles import Role

    client = client_as(commune, Role.DIRECTION_COM)
    page = client.get(
        reverse("workspace:account_guide", kwargs={"commune": commune.slug, "platform": "mastodon"})
    )
    text = page.content.decode().replace("&#x27;", "'")
    assert page.status_code == 200
    assert "Masquer la réponse d'une autre personne : impossible sur Mastodon." in text
    assert "<code>write:reports</code>" in text
