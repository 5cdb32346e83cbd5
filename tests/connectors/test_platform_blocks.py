"""The Page's blocked list on Facebook, read through the connector (recorded payloads), compared with the
blocks Beffroi knows, and shown on the account screen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.urls import reverse

from beffroi.connectors import runtime
from beffroi.connectors.blocklist import refresh_platform_blocks
from beffroi.connectors.testing import Router
from beffroi.core.roles import Role
from beffroi.tasks import run_task
from beffroi.workspace.models import Account, AccountStatus, Author

FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/facebook/fixtures"
PAGE = "104820123456789"

pytestmark = pytest.mark.django_db


def fx(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def graph() -> Router:
    return Router().add(
        "GET",
        f"/v21.0/{PAGE}/blocked",
        httpx.Response(200, json=fx("blocked_page1.json")),
        httpx.Response(200, json=fx("blocked_page2.json")),
    )


@pytest.fixture
def account(commune: Any) -> Account:
    acc = Account(commune=commune, platform="facebook", external_id=PAGE, name="Page de la mairie")
    acc.set_credentials({"access_token": "EAAPAGETOKENFIXTURE123", "app_secret": "s3cr3t-app"})
    acc.save()
    # Beffroi knows two authors as blocked: one is on the Page's list, the other was unblocked on Facebook.
    Author.objects.create(commune=commune, platform="facebook", external_id="7770003", display_name="Compte Perturbateur", is_blocked=True)
    Author.objects.create(commune=commune, platform="facebook", external_id="7770100", display_name="Ancien Bloqué", is_blocked=True)
    return acc


def test_the_blocked_list_is_recorded_and_compared_with_beffroi(account: Account) -> None:
    summary = refresh_platform_blocks(account, http=graph().http())
    assert summary is not None and summary["count"] == 3
    assert [(p["id"], p["in_beffroi"]) for p in summary["people"]] == [
        ("7770003", True),
        ("7770009", False),  # blocked by hand on Facebook
        ("108000000000777", False),
    ]
    assert summary["only_in_beffroi"] == [{"id": "7770100", "name": "Ancien Bloqué"}]
    account.refresh_from_db()
    assert account.rate_state["platform_blocks"]["count"] == 3


def test_the_account_screen_shows_it(account: Account, client_as: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_as(account.commune, Role.DIRECTION_COM)
    url = reverse("workspace:account_detail", kwargs={"commune": account.commune.slug, "account_id": account.pk})
    assert "pas encore été lue" in client.get(url).content.decode().replace("&#x27;", "'")
    router = graph()
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    assert run_task("connectors.refresh_platform_blocks", {}) == [account.pk]
    page = client.get(url).content.decode().replace("&#x27;", "'")
    assert "Personnes bloquées sur Facebook" in page and "3 personnes ou pages bloquées" in page
    assert "Pseudo Anonyme" in page and "bloqué hors de Beffroi" in page and "bloqué aussi dans Beffroi" in page
    assert "Ancien Bloqué" in page  # blocked in Beffroi, absent from the Page's list


def test_a_refused_token_breaks_the_connection(account: Account) -> None:
    router = Router().add("GET", f"/v21.0/{PAGE}/blocked", json=fx("error_expired_token.json"), status=400)
    assert refresh_platform_blocks(account, http=router.http()) is None
    account.refresh_from_db()
    assert account.status == AccountStatus.BROKEN and "platform_blocks" not in account.rate_state


def test_platforms_without_a_blocked_list_are_skipped(commune: Any) -> None:
    Account.objects.create(commune=commune, platform="rss", external_id="https://presse.example/rss", name="Presse", owned=False)
    assert run_task("connectors.refresh_platform_blocks", {}) == []
