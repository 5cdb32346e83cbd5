"""Instagram connector against the Instagram Graph API's documented shapes (no network)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from beffroi.connectors.base import (
    AccountConfig,
    ActionRequest,
    ActionTarget,
    AuthError,
    NotAllowed,
    RateLimited,
    TransientError,
    WebhookRejected,
    WebhookRequest,
)
from beffroi.connectors.instagram.connector import InstagramConnector
from beffroi.connectors.meta import appsecret_proof, sign_meta_body
from beffroi.connectors.testing import Router, fixture_bytes, form, json_payload, load_fixture

IG = "17841405822304914"
TOKEN = "IGPAGETOKENFIXTURE456"
SECRET = "ig-app-secret"
V = "/v21.0"
MEDIA = "17895695668004550"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)


def fx(name: str) -> object:
    return load_fixture(__file__, name)


def make(router: Router, external_id: str = IG, **options: object) -> InstagramConnector:
    config = AccountConfig(
        platform="instagram",
        external_id=external_id,
        credentials={"access_token": TOKEN, "app_secret": SECRET},
        options={"webhook_verify_token": "vt-ig", **options},
        handle="mairie_saintaubin_exemple",
    )
    connector = InstagramConnector(config, http=router.http())
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def target(kind: str = "comment", **kw: object) -> ActionTarget:
    defaults: dict[str, object] = {
        "item_external_id": "17870913679156914",
        "item_kind": kind,
        "item_published_at": NOW - dt.timedelta(hours=5),
        "thread_external_id": MEDIA,
        "parent_external_id": MEDIA,
        "raw": {"media_id": MEDIA, "from": {"id": "17841400000000002"}},
    }
    defaults.update(kw)
    return ActionTarget(**defaults)  # type: ignore[arg-type]


def test_identify_from_a_page_token_finds_the_linked_instagram_account() -> None:
    router = Router().add("GET", f"{V}/me", json=fx("page_with_ig.json"))
    identity = make(router, external_id="").identify()
    assert (
        identity is not None and identity.external_id == IG and identity.handle == "mairie_saintaubin_exemple"
    )
    assert router.requests[0].url.params["fields"] == "instagram_business_account{id,username,name}"
    assert router.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert router.requests[0].url.params["appsecret_proof"] == appsecret_proof(TOKEN, SECRET)
    no_ig = Router().add("GET", f"{V}/me", json={"id": "104820123456789"})
    with pytest.raises(AuthError) as err:
        make(no_ig, external_id="").identify()
    assert "Aucun compte Instagram" in err.value.message_fr


def test_polling_lists_media_then_comments_with_their_replies() -> None:
    router = (
        Router()
        .add("GET", f"{V}/{IG}/media", json=fx("media.json"))
        .add("GET", f"{V}/{MEDIA}/comments", json=fx("comments.json"))
    )
    ig = make(router)
    page = ig.fetch({})
    media_call = router.requests[0]
    assert media_call.url.params["since"] == str(int(NOW.timestamp()) - 90 * 86400)
    assert "comments_count" in media_call.url.params["fields"]
    assert [i.external_id for i in page.items] == ["17895695668004549", MEDIA]
    assert all(i.kind == "post" and i.is_from_account for i in page.items)
    assert page.items[1].likes == 41 and page.items[1].url == "https://www.instagram.com/p/C7exemple1/"
    assert page.has_more and page.cursor["pending"] == [[MEDIA, 3]]

    page = ig.fetch(page.cursor)
    comments_call = router.requests[1]
    assert "replies{" in comments_call.url.params["fields"] and "hidden" in comments_call.url.params["fields"]
    kinds = [(i.external_id, i.kind, i.parent_external_id) for i in page.items]
    assert kinds == [
        ("17873440459141021", "comment", MEDIA),
        ("17870913679156914", "comment", MEDIA),
        ("17870913679156915", "reply", "17873440459141021"),
    ]
    insult = page.items[1]
    assert insult.is_hidden and insult.author is not None and insult.author.handle == "anonyme.exemple"
    assert insult.author.profile_url == "https://www.instagram.com/anonyme.exemple/"
    assert page.items[2].is_from_account  # the account's own reply
    assert not page.has_more
    assert page.cursor["media"][MEDIA]["n"] == 3 and page.cursor["last_round"] == int(NOW.timestamp())

    # Next round: nothing changed, so no comment is read again.
    router.requests.clear()
    again = ig.fetch(page.cursor)
    assert [r.url.path for r in router.requests] == [f"{V}/{IG}/media"]
    assert not again.has_more


def test_comment_webhook_in_the_documented_shape() -> None:
    ig = make(Router())
    body = fixture_bytes(__file__, "webhook_comments.json")
    request = WebhookRequest("POST", {"x-hub-signature-256": sign_meta_body(body, SECRET)}, {}, body, NOW)
    assert ig.verify_webhook(request, secret=ig.webhook_secret()) is None
    items = ig.parse_webhook(request)
    assert [(i.external_id, i.kind, i.parent_external_id, i.thread_external_id) for i in items] == [
        ("17865799348089039", "comment", MEDIA, MEDIA),
        ("17865799348089040", "reply", "17865799348089039", MEDIA),
    ]
    assert items[0].author is not None and items[0].author.handle == "visiteur.exemple"
    assert items[0].published_at == dt.datetime.fromtimestamp(1717236000, tz=dt.UTC)
    bad = WebhookRequest("POST", {"x-hub-signature-256": sign_meta_body(body, "x")}, {}, body, NOW)
    with pytest.raises(WebhookRejected):
        ig.verify_webhook(bad, secret=ig.webhook_secret())
    handshake = ig.verify_webhook(
        WebhookRequest(
            "GET", {}, {"hub.mode": "subscribe", "hub.verify_token": "vt-ig", "hub.challenge": "42"}, b"", NOW
        ),
        secret=SECRET,
    )
    assert handshake is not None and handshake.body == b"42"


def test_mention_webhook_reads_mentioned_comment_and_mentioned_media() -> None:
    router = Router()
    router.add(
        "GET",
        f"{V}/{IG}",
        httpx.Response(200, json=fx("mentioned_comment.json")),
        httpx.Response(200, json=fx("mentioned_media.json")),
    )
    ig = make(router)
    body = fixture_bytes(__file__, "webhook_mentions.json")
    items = ig.parse_webhook(WebhookRequest("POST", {}, {}, body, NOW))
    assert router.requests[0].url.params["fields"] == (
        "mentioned_comment.comment_id(17894227972186120){id,text,timestamp,like_count,media{id,permalink,username}}"
    )
    assert router.requests[1].url.params["fields"].startswith("mentioned_media.media_id(17918195224117852){")
    comment, media = items
    assert comment.kind == media.kind == "mention"
    assert comment.moderated is False and media.moderated is False  # on someone else's post: nothing to hide
    assert comment.thread_external_id == "17918195224117851" and comment.raw["mention"] == "comment"
    assert (
        media.author is not None
        and media.author.handle == "association.exemple"
        and not media.is_from_account
    )


def test_hide_unhide_delete_reply_and_private_reply_requests() -> None:
    router = Router()
    router.add("POST", f"{V}/17870913679156914", json={"success": True})
    router.add("DELETE", f"{V}/17870913679156914", json={"success": True})
    router.add("POST", f"{V}/17870913679156914/replies", json={"id": "17870913679156999"})
    router.add(
        "POST",
        f"{V}/me/messages",
        json={
            "recipient_id": "17841400000000002",
            "message_id": "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx",
        },
    )
    ig = make(router)
    assert ig.perform(ActionRequest("hide", target(), "a")).applied
    assert form(router.requests[-1]) == {"hide": "true"}
    assert ig.perform(ActionRequest("unhide", target(), "b")).applied
    assert form(router.requests[-1]) == {"hide": "false"}
    assert ig.perform(ActionRequest("delete", target(), "c")).applied
    assert router.requests[-1].method == "DELETE"
    reply = ig.perform(ActionRequest("reply", target(), "d", text="Merci pour votre message."))
    assert reply.remote_id == "17870913679156999" and form(router.requests[-1]) == {
        "message": "Merci pour votre message."
    }
    private = ig.perform(ActionRequest("private_reply", target(), "e", text="Écrivez-nous en privé."))
    assert private.applied
    assert json_payload(router.requests[-1]) == {
        "recipient": {"comment_id": "17870913679156914"},
        "message": {"text": "Écrivez-nous en privé."},
    }


def test_reply_targets_follow_instagram_threads() -> None:
    router = Router()
    router.add("POST", f"{V}/17873440459141021/replies", json={"id": "r1"})
    router.add("POST", f"{V}/{MEDIA}/comments", json={"id": "r2"})
    router.add("POST", f"{V}/{IG}/mentions", json={"id": "r3"})
    ig = make(router)
    nested = target("reply", item_external_id="17870913679156915", parent_external_id="17873440459141021")
    assert ig.perform(ActionRequest("reply", nested, "a", text="x")).remote_id == "r1"
    assert (
        ig.perform(ActionRequest("reply", target("post", item_external_id=MEDIA), "b", text="x")).remote_id
        == "r2"
    )
    mention = target(
        "mention",
        item_external_id="17894227972186120",
        thread_external_id="17918195224117851",
        raw={"mention": "comment", "media_id": "17918195224117851"},
    )
    assert ig.perform(ActionRequest("reply", mention, "c", text="Merci")).remote_id == "r3"
    assert form(router.requests[-1]) == {
        "media_id": "17918195224117851",
        "comment_id": "17894227972186120",
        "message": "Merci",
    }


def test_instagram_login_host_and_messages_node() -> None:
    router = Router().add("POST", f"{V}/{IG}/messages", json={"recipient_id": "1", "message_id": "m"})
    ig = make(router, graph_host="graph.instagram.com")
    ig.perform(ActionRequest("private_reply", target(), "k", text="x"))
    assert router.requests[0].url.host == "graph.instagram.com"


def test_rules_in_french() -> None:
    ig = make(Router())
    block = ig.check("block_author", target(), now=NOW)
    assert not block.allowed and "bloquer" in block.reason_fr
    assert not ig.check("report", target(), now=NOW).allowed
    mention = ig.check("hide", target("mention"), now=NOW)
    assert not mention.allowed and "quelqu'un d'autre" in mention.reason_fr
    assert ig.check("delete", target(), now=NOW).needs_confirmation
    assert (
        "7 jours"
        in ig.check("private_reply", target(item_published_at=NOW - dt.timedelta(days=9)), now=NOW).reason_fr
    )
    assert not ig.check("private_reply", target(previous_actions=("private_reply",)), now=NOW).allowed
    own = target(raw={"from": {"id": IG}, "media_id": MEDIA})
    assert not ig.check("hide", own, now=NOW).allowed
    with pytest.raises(NotAllowed):
        ig.perform(ActionRequest("like", target(), "k"))


def test_errors_map_to_the_base_errors() -> None:
    expired = Router().add("GET", f"{V}/{IG}/media", json=fx("error_expired_token.json"), status=400)
    with pytest.raises(AuthError):
        make(expired).fetch({})
    limited = Router().add(
        "GET",
        f"{V}/{IG}/media",
        json=fx("error_rate_limit.json"),
        status=400,
        headers={
            "X-Business-Use-Case-Usage": '{"17841405822304914":[{"type":"instagram","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":30}]}'
        },
    )
    with pytest.raises(RateLimited) as err:
        make(limited).fetch({})
    assert err.value.retry_after == 1800
    down = Router().add("GET", f"{V}/{IG}/media", httpx.Response(502))
    with pytest.raises(TransientError):
        make(down).fetch({})
    assert len(down.requests) == 4


def test_reconcile_reply_looks_for_our_text_under_the_comment() -> None:
    listing = {
        "data": [
            {
                "id": "x1",
                "text": "Merci pour votre message.",
                "username": "mairie_saintaubin_exemple",
                "from": {"id": IG},
            }
        ]
    }
    router = Router().add("GET", f"{V}/17870913679156914/replies", json=listing)
    found = make(router).reconcile(ActionRequest("reply", target(), "k", text="Merci pour votre message."))
    assert found is not None and found.applied and found.remote_id == "x1"
    other = make(router).reconcile(ActionRequest("reply", target(), "k", text="Autre texte"))
    assert other is not None and not other.applied
