"""The website comment endpoint end to end: POST → judged by the engine → published or not → GET."""

from __future__ import annotations

import json
from typing import Any

import pytest

from beffroi.connectors.testing import load_fixture

SITE = "https://www.saint-aubin.example"
PAGE = "https://www.saint-aubin.example/actualites/marche-de-nuit"

pytestmark = pytest.mark.django_db


def post(client: Any, api: str, payload: dict[str, Any], *, origin: str | None = SITE, ip: str = "203.0.113.7") -> Any:
    headers: dict[str, str] = {"REMOTE_ADDR": ip}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    return client.post(api, json.dumps(payload), content_type="application/json", **headers)


def get(client: Any, api: str, page: str = PAGE, *, origin: str | None = SITE) -> Any:
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.get(api, {"page": page}, **headers)


def body(response: Any) -> Any:
    return json.loads(response.content.decode("utf-8"))


def test_a_kept_comment_is_published_at_once_and_served_to_the_site(client: Any, site: Any, api: str) -> None:
    from beffroi.connectors.website.models import WebsiteComment
    from beffroi.workspace.models import Item, PlatformState

    response = post(client, api, load_fixture(__file__, "submission_praise.json"))
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["status"] == "published" and data["message"] == "Merci ! Votre commentaire est publié."
    assert data["comment"]["name"] == "Camille" and "email" not in data["comment"]
    assert response["Access-Control-Allow-Origin"] == SITE and "Origin" in response["Vary"]
    assert "Set-Cookie" not in response and not response.cookies

    comment = WebsiteComment.objects.get()
    assert comment.page_url == PAGE  # tracking parameters and fragment dropped
    assert comment.author_email == "camille@exemple.fr" and comment.ip_hash and "203.0.113.7" not in comment.ip_hash
    item = Item.objects.get(platform="website")
    assert comment.item_id == item.pk and item.external_id == f"site-{comment.pk}"
    assert item.moderated and item.current_verdict is not None and item.current_verdict.action == "keep"
    assert item.platform_state == PlatformState.VISIBLE
    assert item.raw_payload["has_email"] is True and "camille@exemple.fr" not in json.dumps(item.raw_payload)

    listing = get(client, api)
    assert listing.status_code == 200
    page = body(listing)
    assert page["page"] == PAGE and page["count"] == 1
    assert page["comments"][0]["text"] == "Bravo pour le marché de nuit, super soirée avec les enfants !"
    assert page["comments"][0]["replies"] == []
    assert listing["Access-Control-Allow-Origin"] == SITE


def test_a_comment_the_charter_flags_waits_for_a_moderator(
    client: Any, site: Any, api: str, real_engine: None, make_member: Any
) -> None:
    from beffroi.connectors.website.models import WebsiteComment
    from beffroi.workspace.models import Decision, Item, ItemStatus, PlatformState

    response = post(client, api, load_fixture(__file__, "submission_insult.json"))
    assert response.status_code == 201
    data = body(response)
    assert data["status"] == "pending" and data["comment"] is None
    assert "après relecture" in data["message"]
    assert body(get(client, api))["comments"] == []

    item = Item.objects.get(platform="website")
    assert item.status == ItemStatus.REVIEW and item.platform_state == PlatformState.HIDDEN
    # Automatic hiding is opt-in: this commune never enabled it, so the engine asks a person.
    assert item.current_verdict is not None and item.current_verdict.action == "review"
    assert not Decision.objects.filter(item=item).exists()
    assert WebsiteComment.objects.get().state == "pending"

    # A moderator decides to keep it after all ("conserver" approves a held comment): it is published.
    from beffroi.core.roles import Role
    from beffroi.workspace.actions.decisions import do_keep_item

    do_keep_item(item, make_member(item.commune, Role.SECRETAIRE))
    assert WebsiteComment.objects.get().state == "published"
    assert [c["name"] for c in body(get(client, api))["comments"]] == ["Anonyme"]
    item.refresh_from_db()
    assert item.platform_state == PlatformState.VISIBLE


def test_a_commune_that_enabled_automatic_hiding_refuses_a_flagged_comment_at_once(
    client: Any, site: Any, api: str, real_engine: None, django_capture_on_commit_callbacks: Any, make_member: Any
) -> None:
    from beffroi.connectors.website.models import WebsiteComment
    from beffroi.workspace.actions.charter import ensure_published_default
    from beffroi.workspace.models import Decision, Item, ItemStatus, PlatformState

    ensure_published_default(site.commune, automatic={"insult", "hate", "threat", "harassment"})
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, api, load_fixture(__file__, "submission_insult.json"))
    assert response.status_code == 201 and body(response)["comment"] is None
    item = Item.objects.get(platform="website")
    assert item.current_verdict is not None and item.current_verdict.action == "hide"
    decision = Decision.objects.get(item=item)
    assert decision.kind == "hide" and decision.automatic and decision.actor is None
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.platform_state == PlatformState.HIDDEN
    assert WebsiteComment.objects.get().state == "hidden"  # refused: never served to the site
    assert body(get(client, api))["comments"] == []
    # Refused: "conserver" no longer applies (it is hidden now; "rendre visible" would publish it).
    from beffroi.core.roles import Role
    from beffroi.workspace.actions.checks import ActionError
    from beffroi.workspace.actions.decisions import do_keep_item

    with pytest.raises(ActionError, match="masqué"):
        do_keep_item(item, make_member(item.commune, Role.SECRETAIRE))
    assert WebsiteComment.objects.get().state == "hidden"


def test_moderation_actions_act_on_publication(client: Any, site: Any, api: str, real_engine: None) -> None:
    from beffroi.connectors.base import ActionRequest, ActionTarget
    from beffroi.connectors.runtime import connector_for
    from beffroi.workspace.models import Item

    post(client, api, load_fixture(__file__, "submission_praise.json"))
    post(client, api, load_fixture(__file__, "submission_insult.json"), ip="198.51.100.1")
    praise, insult = Item.objects.filter(platform="website").order_by("pk")
    connector = connector_for(site)

    def target(item: Any) -> ActionTarget:
        return ActionTarget(item_external_id=item.external_id, item_kind=item.kind, raw=item.raw_payload)

    connector.perform(ActionRequest("hide", target(praise), "k1"))
    assert body(get(client, api))["comments"] == []
    connector.perform(ActionRequest("unhide", target(insult), "k2"))  # approved by a moderator
    assert [c["name"] for c in body(get(client, api))["comments"]] == ["Anonyme"]
    connector.perform(ActionRequest("unhide", target(praise), "k3"))
    reply = connector.perform(ActionRequest("reply", target(praise), "k4", text="Merci Camille, à l'année prochaine !"))
    assert reply.applied and reply.remote_id.startswith("site-")
    comments = body(get(client, api))["comments"]
    assert [c["name"] for c in comments] == ["Camille", "Anonyme"]
    (answer,) = comments[0]["replies"]
    assert answer["from_commune"] and answer["name"] == "Saint-Aubin" and answer["text"] == "Merci Camille, à l'année prochaine !"
    found = connector.reconcile(ActionRequest("reply", target(praise), "k4", text="Merci  Camille, à l'année prochaine !"))
    assert found is not None and found.applied and found.remote_id == reply.remote_id

    check = connector.check("delete", target(insult))
    assert check.allowed and check.needs_confirmation
    connector.perform(ActionRequest("delete", target(insult), "k5"))
    assert [c["name"] for c in body(get(client, api))["comments"]] == ["Camille"]
    with pytest.raises(Exception) as caught:
        connector.perform(ActionRequest("unhide", target(insult), "k6"))
    assert "supprimé" in caught.value.message_fr  # type: ignore[attr-defined]
    assert not connector.check("block_author", target(insult)).allowed


def test_the_sync_ingests_the_commune_reply_and_anything_left_behind(client: Any, site: Any, api: str) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.connectors.website.models import WebsiteComment
    from beffroi.workspace.models import Item

    post(client, api, load_fixture(__file__, "submission_praise.json"))
    comment = WebsiteComment.objects.get()
    # A comment stored while ingestion failed (engine down …): only the sync can bring it in.
    orphan = WebsiteComment.objects.create(commune=site.commune, account=site, page_url=PAGE, author_name="Lou", text="Merci pour les infos")
    from beffroi.connectors.website import service

    service.reply(comment, "Merci !")
    result = sync_account(site)
    assert result.status == "ok", result.detail_fr
    assert result.items_created == 2
    reply_item = Item.objects.get(external_id=f"site-{comment.pk + 2}")
    assert reply_item.is_from_commune and not reply_item.moderated and reply_item.parent is not None
    orphan.refresh_from_db()
    assert orphan.item is not None and orphan.state == "published"
    site.refresh_from_db()
    assert site.cursor == {"last_id": comment.pk + 2}
    assert sync_account(site).items_created == 0


# ---------------------------------------------------------------------------------------------
# Anti-abuse and errors


def test_the_honeypot_refuses_robots(client: Any, site: Any, api: str) -> None:
    from beffroi.connectors.website.models import WebsiteComment

    response = post(client, api, load_fixture(__file__, "submission_bot.json"))
    assert response.status_code == 400
    assert body(response)["error"]["code"] == "honeypot"
    assert WebsiteComment.objects.count() == 0


def test_validation_errors_are_french_and_per_field(client: Any, site: Any, api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_WEBSITE_MAX_COMMENT_CHARS", "50")
    response = post(client, api, {"page_url": PAGE, "name": "", "email": "pas-une-adresse", "text": "x" * 51})
    assert response.status_code == 400
    error = body(response)["error"]
    assert error["code"] == "validation"
    assert error["fields"] == {
        "name": "Indiquez votre nom (ou un pseudonyme).",
        "email": "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr). Elle est facultative.",
        "text": "Le commentaire est trop long : 51 caractères pour 50 au plus.",
    }
    assert response["Access-Control-Allow-Origin"] == SITE  # the site can read the error
    assert body(post(client, api, {"page_url": PAGE, "name": "a" * 81, "text": " \u200b "}))["error"]["fields"]["text"] == "Le commentaire est vide."


def test_size_and_format_limits(client: Any, site: Any, api: str) -> None:
    big = post(client, api, {"page_url": PAGE, "name": "A", "text": "x" * 40_000})
    assert big.status_code == 413
    garbled = client.post(api, "{not json", content_type="application/json", HTTP_ORIGIN=SITE)
    assert garbled.status_code == 400 and body(garbled)["error"]["code"] == "bad_json"
    xml = client.post(api, "<a/>", content_type="application/xml", HTTP_ORIGIN=SITE)
    assert xml.status_code == 415
    form = client.post(api, {"page_url": PAGE, "name": "Form", "text": "Envoyé sans JavaScript, bravo"}, HTTP_ORIGIN=SITE, REMOTE_ADDR="192.0.2.9")
    assert form.status_code == 201


def test_the_per_visitor_rate_limit(client: Any, site: Any, api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_WEBSITE_RATE_LIMIT", "3")
    for n in range(3):
        assert post(client, api, {"page_url": PAGE, "name": "Lou", "text": f"Message numéro {n}"}).status_code == 201
    blocked = post(client, api, {"page_url": PAGE, "name": "Lou", "text": "Encore un"})
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 500 and "Réessayez dans 10 minutes" in body(blocked)["error"]["message"]
    assert post(client, api, {"page_url": PAGE, "name": "Sam", "text": "Autre visiteur"}, ip="203.0.113.99").status_code == 201
    # IPv6: the whole /64 is one visitor.
    for n in range(3):
        post(client, api, {"page_url": PAGE, "name": "V6", "text": f"v6 {n}"}, ip=f"2001:db8:1:2::{n + 1}")
    assert post(client, api, {"page_url": PAGE, "name": "V6", "text": "v6 bis"}, ip="2001:db8:1:2::ff").status_code == 429


def test_a_double_click_does_not_store_twice(client: Any, site: Any, api: str) -> None:
    from beffroi.connectors.website.models import WebsiteComment

    payload = {"page_url": PAGE, "name": "Lou", "text": "Merci pour les informations sur le marché."}
    first = post(client, api, payload)
    assert first.status_code == 201
    again = post(client, api, payload)
    assert again.status_code == 200 and body(again)["status"] == body(first)["status"]
    assert WebsiteComment.objects.count() == 1


def test_the_visitor_address_behind_a_reverse_proxy(client: Any, site: Any, api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from beffroi.connectors.website.models import WebsiteComment
    from beffroi.connectors.website.service import ip_hash

    monkeypatch.setenv("BEFFROI_WEBSITE_PROXY_HOPS", "1")
    client.post(api, json.dumps({"page_url": PAGE, "name": "P", "text": "Derrière le proxy"}), content_type="application/json",
                HTTP_ORIGIN=SITE, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
    assert WebsiteComment.objects.get().ip_hash == ip_hash("203.0.113.50")


# ---------------------------------------------------------------------------------------------
# CORS and origins


def test_cors_is_limited_to_the_declared_origins(client: Any, site: Any, api: str) -> None:
    for origin in (SITE, "https://saint-aubin.example", "https://agenda.saint-aubin.example"):
        preflight = client.options(api, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
        assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == origin
        assert preflight["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
        assert preflight["Access-Control-Allow-Headers"] == "Content-Type"
    for origin in ("https://evil.example", "http://www.saint-aubin.example", "null"):
        refused = client.options(api, HTTP_ORIGIN=origin)
        assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused
        assert "déclarée" in body(refused)["error"]["message"]
        assert post(client, api, load_fixture(__file__, "submission_praise.json"), origin=origin).status_code == 403
        assert get(client, api, origin=origin).status_code == 403


def test_the_page_must_belong_to_the_declared_site(client: Any, site: Any, api: str) -> None:
    response = post(client, api, {"page_url": "https://ailleurs.example/page", "name": "A", "text": "Bonjour"})
    assert response.status_code == 403 and body(response)["error"]["code"] == "page_not_allowed"
    # Without an Origin header (a server, curl): the page address decides.
    assert post(client, api, {"page_url": PAGE, "name": "A", "text": "Bonjour"}, origin=None).status_code == 201
    assert get(client, api, "https://ailleurs.example/page", origin=None).status_code == 403
    assert get(client, api, "", origin=None).status_code == 400


def test_unknown_commune_or_site_not_enabled(client: Any, commune: Any, other_commune: Any) -> None:
    assert client.get("/api/website/inconnue/comments", {"page": PAGE}).status_code == 404
    response = client.get(f"/api/website/{other_commune.slug}/comments", {"page": PAGE}, HTTP_ORIGIN=SITE)
    assert response.status_code == 404 and "pas activés" in body(response)["error"]["message"]


def test_one_communes_site_never_sees_another_communes_comments(client: Any, site: Any, api: str, other_commune: Any) -> None:
    from beffroi.workspace.models import Account

    Account.objects.create(commune=other_commune, platform="website", external_id="https://villeneuve.example", name="Site")
    assert post(client, api, load_fixture(__file__, "submission_praise.json")).status_code == 201
    other_api = f"/api/website/{other_commune.slug}/comments"
    assert client.get(other_api, {"page": PAGE}, HTTP_ORIGIN=SITE).status_code == 403
    assert body(client.get(other_api, {"page": "https://villeneuve.example" + "/actualites/marche-de-nuit"}))["comments"] == []
