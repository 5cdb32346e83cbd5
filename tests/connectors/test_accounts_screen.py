"""The "Comptes connectés" screen: permissions, states in plain French, connecting and reconnecting
by pasting a token (checked with the platform, never shown back), capability table, imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beffroi.connectors import runtime
from beffroi.connectors.testing import Router
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.models import Account, AccountStatus, Item

pytestmark = pytest.mark.django_db

FB_FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/facebook/fixtures"
IMPORT_FIXTURES = Path(__file__).resolve().parents[2] / "src/beffroi/connectors/importer/fixtures"
PAGE = "104820123456789"
TOKEN = "EAAPAGETOKEN-pasted-0042"


def u(name: str, commune: Any, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"commune": commune.slug, **kwargs})


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Router:
    router = Router().add("GET", "/v21.0/me", json=json.loads((FB_FIXTURES / "me.json").read_text()))
    router.add("POST", f"/v21.0/{PAGE}/subscribed_apps", json={"success": True})
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    return router


def test_only_roles_that_manage_accounts_get_in(client_as: Any, commune: Any, other_commune: Any) -> None:
    for role in (Role.LECTEUR, Role.SECRETAIRE, Role.COMMUNITY_MANAGER, Role.ELU, Role.MODERATEUR_BENEVOLE):
        client = client_as(commune, role)
        assert client.get(u("accounts", commune)).status_code == 403, role
    client = client_as(commune, Role.DIRECTION_COM)
    page = client.get(u("accounts", commune))
    assert page.status_code == 200
    assert client.get(u("accounts", other_commune)).status_code == 404
    html = page.content.decode()
    assert (
        "Comptes connectés" in html
        and "Connecter un compte Facebook" in html
        and "Connecter un compte Instagram" in html
    )
    assert "Importer un historique" in html


def test_states_are_shown_in_plain_french(client_as: Any, commune: Any, other_commune: Any) -> None:
    Account.objects.create(commune=commune, platform="facebook", external_id="1", name="Page OK")
    Account.objects.create(
        commune=commune,
        platform="instagram",
        external_id="2",
        name="Insta cassé",
        status=AccountStatus.BROKEN,
        status_detail="Connexion cassée : le jeton a expiré. Reconnectez le compte.",
    )
    Account.objects.create(
        commune=other_commune, platform="facebook", external_id="3", name="Page d'une autre commune"
    )
    html = client_as(commune, Role.DIRECTION_COM).get(u("accounts", commune)).content.decode()
    assert "Page OK" in html and "connecté" in html
    assert (
        "Insta cassé" in html
        and "connexion cassée" in html
        and "le jeton a expiré. Reconnectez le compte." in html
    )
    assert "Reconnecter" in html
    assert "Page d'une autre commune" not in html


def test_capability_table_explains_what_each_platform_does_not_allow(client_as: Any, commune: Any) -> None:
    html = client_as(commune, Role.DIRECTION_COM).get(u("accounts", commune)).content.decode()
    assert "Facebook ne permet pas de signaler un contenu via son API" in html
    assert "Instagram ne permet pas de bloquer ou de restreindre un compte via son API" in html
    assert "Irréversible : Beffroi demande confirmation." in html


def test_connecting_a_page_checks_the_token_and_never_shows_it_back(
    client_as: Any, commune: Any, graph: Router
) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    form = client.get(u("account_connect", commune, platform="facebook")).content.decode()
    assert "Jeton d&#x27;accès de la Page" in form or "Jeton d'accès de la Page" in form
    response = client.post(
        u("account_connect", commune, platform="facebook"),
        {"cred_access_token": TOKEN, "cred_app_secret": "mon-secret-app"},
    )
    account = Account.objects.get(commune=commune, platform="facebook")
    assert response.status_code == 302 and response["Location"] == u(
        "account_detail", commune, account_id=account.pk
    )
    assert (account.external_id, account.name, account.handle) == (
        PAGE,
        "Mairie de Saint-Aubin",
        "mairie.saintaubin.exemple",
    )
    assert account.get_credentials() == {"access_token": TOKEN, "app_secret": "mon-secret-app"}
    assert TOKEN not in account.credentials_encrypted
    assert graph.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert AuditRecord.objects.filter(verb="account.connected", target_id=str(account.pk)).exists()
    subscribe = graph.calls("POST", f"/v21.0/{PAGE}/subscribed_apps")  # real-time delivery switched on
    assert len(subscribe) == 1 and subscribe[0].content == b"subscribed_fields=feed"
    detail = client.get(response["Location"]).content.decode()
    assert "abonnée aux notifications en temps réel" in detail
    assert TOKEN not in detail and "mon-secret-app" not in detail
    assert f"/hooks/facebook/{account.pk}/" in detail  # what to paste at Meta
    assert account.options["webhook_verify_token"] in detail


def test_the_private_messages_option_is_chosen_in_the_form(
    client_as: Any, commune: Any, graph: Router
) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    form = client.get(u("account_connect", commune, platform="facebook")).content.decode()
    assert "Lire aussi les messages privés de la Page (Messenger)" in form
    client.post(
        u("account_connect", commune, platform="facebook"),
        {"cred_access_token": TOKEN, "opt_private_messages": "on"},
    )
    account = Account.objects.get(platform="facebook")
    assert account.options["private_messages"] is True
    assert (
        graph.calls("POST", f"/v21.0/{PAGE}/subscribed_apps")[0].content
        == b"subscribed_fields=feed%2Cmessages"
    )
    client.post(
        u("account_detail", commune, account_id=account.pk), {"cred_access_token": TOKEN}
    )  # box unticked
    account.refresh_from_db()
    assert account.options["private_messages"] is False


def test_webhook_subscription_failure_is_only_a_warning(
    client_as: Any, commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    router = Router().add("GET", "/v21.0/me", json=json.loads((FB_FIXTURES / "me.json").read_text()))
    router.add(
        "POST",
        f"/v21.0/{PAGE}/subscribed_apps",
        json=json.loads((FB_FIXTURES / "error_permission.json").read_text()),
        status=403,
    )
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    client = client_as(commune, Role.DIRECTION_COM)
    response = client.post(
        u("account_connect", commune, platform="facebook"), {"cred_access_token": TOKEN}, follow=True
    )
    html = response.content.decode()
    assert Account.objects.filter(platform="facebook", status=AccountStatus.ACTIVE).count() == 1
    assert (
        "la réception en temps réel n&#x27;a pas pu être activée" in html
        or "la réception en temps réel n'a pas pu être activée" in html
    )


def test_a_refused_token_gives_a_french_error_and_saves_nothing(
    client_as: Any, commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired = json.loads((FB_FIXTURES / "error_expired_token.json").read_text())
    router = Router().add("GET", "/v21.0/me", json=expired, status=400)
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    client = client_as(commune, Role.DIRECTION_COM)
    response = client.post(u("account_connect", commune, platform="facebook"), {"cred_access_token": TOKEN})
    html = response.content.decode()
    assert response.status_code == 200 and "Facebook refuse ces informations" in html and "expiré" in html
    assert TOKEN not in html
    assert not Account.objects.exists()
    missing = client.post(u("account_connect", commune, platform="facebook"), {})
    assert "Ce champ est obligatoire" in missing.content.decode()


def test_reconnecting_a_broken_account(client_as: Any, commune: Any, graph: Router) -> None:
    account = Account(
        commune=commune,
        platform="facebook",
        external_id=PAGE,
        name="Page",
        status=AccountStatus.BROKEN,
        status_detail="Connexion cassée : x",
    )
    account.set_credentials({"access_token": "old"})
    account.save()
    client = client_as(commune, Role.DIRECTION_COM)
    page = client.get(u("account_detail", commune, account_id=account.pk)).content.decode()
    assert "Reconnecter le compte" in page
    response = client.post(u("account_detail", commune, account_id=account.pk), {"cred_access_token": TOKEN})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and account.status_detail == ""
    assert account.get_credentials()["access_token"] == TOKEN
    assert AuditRecord.objects.filter(verb="account.restored").exists()


def test_reconnecting_with_a_token_of_another_page_is_refused(
    client_as: Any, commune: Any, graph: Router
) -> None:
    account = Account.objects.create(
        commune=commune,
        platform="facebook",
        external_id="999",
        name="Autre page",
        status=AccountStatus.BROKEN,
    )
    client = client_as(commune, Role.DIRECTION_COM)
    html = client.post(
        u("account_detail", commune, account_id=account.pk), {"cred_access_token": TOKEN}
    ).content.decode()
    assert "Ce jeton donne accès à « Mairie de Saint-Aubin », pas à « Autre page »" in html
    account.refresh_from_db()
    assert account.status == AccountStatus.BROKEN


def test_disconnecting_asks_for_confirmation_and_erases_the_token(client_as: Any, commune: Any) -> None:
    account = Account(commune=commune, platform="facebook", external_id=PAGE, name="Page")
    account.set_credentials({"access_token": TOKEN})
    account.save()
    client = client_as(commune, Role.DIRECTION_COM)
    confirm = client.get(u("account_disable", commune, account_id=account.pk))
    assert confirm.status_code == 200 and "Oui, déconnecter" in confirm.content.decode()
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE  # nothing happens on GET
    client.post(u("account_disable", commune, account_id=account.pk))
    account.refresh_from_db()
    assert account.status == AccountStatus.DISABLED and account.get_credentials() == {}


def test_another_communes_account_is_not_reachable(client_as: Any, commune: Any, other_commune: Any) -> None:
    theirs = Account.objects.create(commune=other_commune, platform="facebook", external_id="1", name="x")
    client = client_as(commune, Role.DIRECTION_COM)
    assert client.get(u("account_detail", commune, account_id=theirs.pk)).status_code == 404
    assert client.post(u("account_disable", commune, account_id=theirs.pk)).status_code == 404


def test_import_form_accepts_a_good_file_and_lists_problems_of_a_bad_one(
    client_as: Any, commune: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    bad = SimpleUploadedFile("erreurs.jsonl", (IMPORT_FIXTURES / "erreurs.jsonl").read_bytes())
    html = client.post(u("account_import", commune), {"file": bad, "format": ""}).content.decode()
    assert "Le fichier n&#x27;a pas été importé" in html or "Le fichier n'a pas été importé" in html
    assert "Ligne 2 : la colonne « texte » est vide ou absente." in html
    assert Item.objects.count() == 0
    good = SimpleUploadedFile("historique.csv", (IMPORT_FIXTURES / "exemple.csv").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(u("account_import", commune), {"file": good, "format": "csv"})
    assert response.status_code == 302
    items = Item.objects.filter(commune=commune, platform="import")
    assert items.count() == 3 and not any(i.moderated for i in items)
    listing = client.get(u("accounts", commune)).content.decode()
    assert "historique.csv" in listing and "terminé" in listing


def test_guides_are_rendered_safely(client_as: Any, commune: Any) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    for platform in ("facebook", "instagram", "import"):
        page = client.get(u("account_guide", commune, platform=platform))
        assert page.status_code == 200, platform
        assert "<h2>" in page.content.decode()
    assert "2024" in client.get(u("account_guide", commune, platform="facebook")).content.decode()


def test_sync_now_button(
    client_as: Any, commune: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = Account(commune=commune, platform="facebook", external_id=PAGE, name="Page")
    account.set_credentials({"access_token": TOKEN})
    account.save()
    router = Router().add("GET", f"/v21.0/{PAGE}/feed", httpx.Response(200, json={"data": [], "paging": {}}))
    monkeypatch.setattr(runtime, "default_http", lambda platform: router.http())
    client = client_as(commune, Role.DIRECTION_COM)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(u("account_sync", commune, account_id=account.pk))
    assert response.status_code == 302
    assert router.calls("GET", f"/v21.0/{PAGE}/feed")
    account.refresh_from_db()
    assert account.rate_state["last_sync"]["status"] == "ok"
