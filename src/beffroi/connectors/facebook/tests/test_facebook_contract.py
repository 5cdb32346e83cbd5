"""Facebook Pages connector against the Graph API's documented shapes (recorded payloads, no network)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from beffroi.connectors.base import (
    AccountConfig,
    ActionRequest,
    ActionTarget,
    AuthError,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
    WebhookRejected,
    WebhookRequest,
)
from beffroi.connectors.facebook.connector import FacebookConnector
from beffroi.connectors.meta import appsecret_proof, sign_meta_body
from beffroi.connectors.testing import Router, fixture_bytes, form, json_payload, load_fixture

PAGE = "104820123456789"
TOKEN = "EAAPAGETOKENFIXTURE123"
SECRET = "app-secret-for-tests"
V = "/v21.0"
POST2 = f"{PAGE}_801000000000002"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)


def fx(name: str) -> object:
    return load_fixture(__file__, name)


def make(router: Router, **options: object) -> FacebookConnector:
    config = AccountConfig(
        platform="facebook",
        external_id=PAGE,
        credentials={"access_token": TOKEN, "app_secret": SECRET},
        options={"webhook_verify_token": "verif-123", **options},
    )
    connector = FacebookConnector(config, http=router.http())
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def assert_authenticated(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.url.params["appsecret_proof"] == appsecret_proof(TOKEN, SECRET)
    assert TOKEN not in str(request.url)  # the token never travels in a URL (logs, proxies)


def target(kind: str = "comment", **kw: object) -> ActionTarget:
    defaults: dict[str, object] = {
        "item_external_id": "801000000000002_900000000000002",
        "item_kind": kind,
        "item_published_at": NOW - dt.timedelta(hours=3),
        "thread_external_id": POST2,
        "parent_external_id": POST2,
        "author_external_id": "5550002",
    }
    defaults.update(kw)
    return ActionTarget(**defaults)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Reading


def test_identify_asks_me_with_the_page_token() -> None:
    router = Router().add("GET", f"{V}/me", json=fx("me.json"))
    identity = make(router).identify()
    assert identity is not None
    assert (identity.external_id, identity.name, identity.handle) == (
        PAGE,
        "Mairie de Saint-Aubin",
        "mairie.saintaubin.exemple",
    )
    request = router.requests[0]
    assert request.url.params["fields"] == "id,name,link,username"
    assert_authenticated(request)


def test_a_polling_round_lists_the_feed_then_scans_changed_posts_then_resumes_the_feed() -> None:
    router = Router()
    router.add(
        "GET",
        f"{V}/{PAGE}/feed",
        httpx.Response(200, json=fx("feed_page1.json")),
        httpx.Response(200, json=fx("feed_page2.json")),
    )
    router.add("GET", f"{V}/{POST2}/comments", json=fx("comments_post2.json"))
    fb = make(router)

    page1 = fb.fetch({})
    assert page1.has_more
    assert [i.external_id for i in page1.items] == [f"{PAGE}_801000000000001", POST2]  # oldest first
    post = page1.items[1]
    assert post.kind == "post" and post.is_from_account and post.likes == 27 and post.shares == 4
    assert post.published_at == dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC)
    assert post.url.endswith("/posts/801000000000002")
    feed_call = router.requests[0]
    assert feed_call.url.params["since"] == str(int(NOW.timestamp()) - 90 * 86400)  # first round: backfill
    assert feed_call.url.params["limit"] == "100"
    assert "comments.summary(true).limit(0)" in feed_call.url.params["fields"]
    assert_authenticated(feed_call)
    assert page1.cursor["pending"] == [POST2]  # only the post whose comments changed

    page2 = fb.fetch(page1.cursor)
    comments_call = router.requests[1]
    assert comments_call.url.path == f"{V}/{POST2}/comments"
    assert comments_call.url.params["filter"] == "stream"
    assert comments_call.url.params["order"] == "reverse_chronological"
    assert (
        "parent{id}" in comments_call.url.params["fields"]
        and "is_hidden" in comments_call.url.params["fields"]
    )
    ids = [i.external_id for i in page2.items]
    assert ids == [
        "801000000000002_900000000000001",
        "801000000000002_900000000000002",
        "801000000000002_900000000000003",
    ]
    question, insult, reply = page2.items
    assert (
        question.kind == "comment"
        and question.parent_external_id == POST2
        and question.thread_external_id == POST2
    )
    assert question.author is not None and question.author.external_id == "5550001" and question.likes == 5
    assert insult.is_hidden
    assert reply.kind == "reply" and reply.parent_external_id == "801000000000002_900000000000001"
    assert page2.has_more  # the feed has a second page

    page3 = fb.fetch(page2.cursor)
    assert router.requests[2].url.params["after"] == "QVFIUmFmdGVyMQZDZD"
    assert [i.author.display_name for i in page3.items if i.author] == ["Visiteur Exemple"]
    assert not page3.items[0].is_from_account
    assert not page3.has_more
    cursor = page3.cursor
    assert cursor["round_start"] is None and cursor["last_round"] == int(NOW.timestamp())
    assert cursor["posts"][POST2] == {
        "t": int(dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC).timestamp()),
        "c": 1717264931,
        "n": 3,
    }
    json.dumps(cursor)  # stored as JSON


def test_next_round_reads_only_the_active_window_and_stops_at_known_comments() -> None:
    router = Router()
    router.add(
        "GET",
        f"{V}/{PAGE}/feed",
        httpx.Response(200, json=fx("feed_page1.json")),
        httpx.Response(200, json=fx("feed_page2.json")),
    )
    router.add("GET", f"{V}/{POST2}/comments", json=fx("comments_post2.json"))
    fb = make(router)
    cursor: dict = {}
    for _ in range(3):
        cursor = fb.fetch(cursor).cursor
    # One new comment on top of the known ones; the post's updated_time moved.
    feed = fx("feed_page1.json")
    feed["data"][0]["comments"]["summary"]["total_count"] = 4  # type: ignore[index]
    feed["data"][0]["updated_time"] = "2024-06-02T11:00:00+0000"  # type: ignore[index]
    del feed["paging"]["next"]  # type: ignore[index]
    comments = fx("comments_post2.json")
    new = {
        "id": "801000000000002_900000000000004",
        "message": "Nouveau",
        "created_time": "2024-06-02T10:59:00+0000",
        "from": {"id": "5550009", "name": "N"},
    }
    comments["data"].insert(0, new)  # type: ignore[index]
    comments["paging"]["next"] = "https://graph.facebook.com/v21.0/x/comments?after=more"  # type: ignore[index]
    router.add("GET", f"{V}/{PAGE}/feed", json=feed)
    router.add("GET", f"{V}/{POST2}/comments", json=comments)
    router.requests.clear()
    fb.clock = lambda: NOW.timestamp() + 300  # type: ignore[method-assign]
    page = fb.fetch(cursor)
    assert router.requests[0].url.params["since"] == str(
        int(NOW.timestamp()) + 300 - 30 * 86400
    )  # active window
    page = fb.fetch(page.cursor)
    # Reverse chronological: the new comment, then the newest known one (same second kept: ingestion is
    # idempotent), then it stops without asking for the next page.
    assert [i.external_id for i in page.items] == [
        "801000000000002_900000000000003",
        "801000000000002_900000000000004",
    ]
    assert not page.has_more
    assert len(router.calls("GET", f"{V}/{POST2}/comments")) == 1


def test_private_messages_are_read_when_the_option_is_on() -> None:
    feed = fx("feed_page2.json")
    router = (
        Router()
        .add("GET", f"{V}/{PAGE}/feed", json=feed)
        .add("GET", f"{V}/{PAGE}/conversations", json=fx("conversations.json"))
    )
    fb = make(router, private_messages=True)
    page = fb.fetch({})
    assert page.has_more
    page = fb.fetch(page.cursor)
    assert [i.kind for i in page.items] == ["private_message", "private_message"]
    incoming, answer = page.items
    assert incoming.text.startswith("Bonjour, à quelle heure") and not incoming.is_from_account
    assert (
        answer.is_from_account
        and incoming.thread_external_id == answer.thread_external_id == "messenger:7770001"
    )
    assert router.requests[1].url.params["platform"] == "messenger"
    assert not page.has_more


def test_a_post_deleted_during_the_scan_is_skipped() -> None:
    router = Router()
    router.add("GET", f"{V}/{PAGE}/feed", json={**fx("feed_page1.json"), "paging": {}})  # type: ignore[dict-item]
    router.add("GET", f"{V}/{POST2}/comments", json=fx("error_object_missing.json"), status=400)
    fb = make(router)
    page = fb.fetch({})
    page = fb.fetch(page.cursor)
    assert page.items == [] and not page.has_more


# ---------------------------------------------------------------------------------------------
# Webhooks


def webhook(
    body: bytes, signature: str | None = None, method: str = "POST", query: dict | None = None
) -> WebhookRequest:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    return WebhookRequest(method=method, headers=headers, query=query or {}, body=body, received_at=NOW)


def test_verification_handshake_answers_the_challenge_only_with_the_right_token() -> None:
    fb = make(Router())
    ok = fb.verify_webhook(
        webhook(
            b"",
            method="GET",
            query={"hub.mode": "subscribe", "hub.verify_token": "verif-123", "hub.challenge": "1158201444"},
        ),
        secret=SECRET,
    )
    assert ok is not None and ok.status == 200 and ok.body == b"1158201444"
    with pytest.raises(WebhookRejected):
        fb.verify_webhook(
            webhook(
                b"",
                method="GET",
                query={"hub.mode": "subscribe", "hub.verify_token": "faux", "hub.challenge": "1"},
            ),
            secret=SECRET,
        )


def test_signature_is_checked_on_the_raw_body() -> None:
    fb = make(Router())
    body = fixture_bytes(__file__, "webhook_feed.json")
    assert fb.verify_webhook(webhook(body, sign_meta_body(body, SECRET)), secret=fb.webhook_secret()) is None
    with pytest.raises(WebhookRejected) as err:
        fb.verify_webhook(webhook(body + b" ", sign_meta_body(body, SECRET)), secret=SECRET)
    assert err.value.message_fr == "Signature X-Hub-Signature-256 invalide."
    with pytest.raises(WebhookRejected):
        fb.verify_webhook(webhook(body, sign_meta_body(body, "autre-secret")), secret=SECRET)
    with pytest.raises(WebhookRejected) as err:
        fb.verify_webhook(webhook(body), secret=SECRET)
    assert "absente" in err.value.message_fr
    no_secret = FacebookConnector(
        AccountConfig(platform="facebook", external_id=PAGE, credentials={"access_token": TOKEN})
    )
    with pytest.raises(WebhookRejected) as err:  # no app secret anywhere: nothing can be trusted
        no_secret.verify_webhook(
            webhook(body, sign_meta_body(body, SECRET)), secret=no_secret.webhook_secret()
        )
    assert "pas configuré" in err.value.message_fr


def test_feed_webhook_gives_comments_and_replies_and_ignores_other_events() -> None:
    fb = make(Router())
    body = fixture_bytes(__file__, "webhook_feed.json")
    items = fb.parse_webhook(webhook(body))
    assert [(i.external_id, i.kind) for i in items] == [
        ("801000000000002_900000000000010", "comment"),
        ("801000000000002_900000000000011", "reply"),
    ]
    comment, reply = items
    assert comment.parent_external_id == POST2 and comment.thread_external_id == POST2
    assert reply.parent_external_id == "801000000000002_900000000000010"
    assert comment.published_at == dt.datetime.fromtimestamp(1717257590, tz=dt.UTC)
    assert comment.author is not None and comment.author.display_name == "Commentateur Exemple"
    assert fb.webhook_timestamp(webhook(body)) == dt.datetime.fromtimestamp(1717257600, tz=dt.UTC)
    other_page = body.replace(PAGE.encode(), b"999")
    assert make(Router()).parse_webhook(webhook(other_page)) == []


def test_messenger_webhook_gives_a_private_message() -> None:
    items = make(Router()).parse_webhook(webhook(fixture_bytes(__file__, "webhook_messages.json")))
    assert len(items) == 1
    message = items[0]
    assert message.kind == "private_message" and message.thread_external_id == "messenger:7770001"
    assert message.external_id.startswith("m_") and not message.is_from_account


# ---------------------------------------------------------------------------------------------
# Acting


def test_hide_and_unhide_post_is_hidden_on_the_comment() -> None:
    router = Router().add("POST", f"{V}/801000000000002_900000000000002", json={"success": True})
    fb = make(router)
    assert fb.perform(ActionRequest("hide", target(), "k1")).applied
    assert fb.perform(ActionRequest("unhide", target(), "k2")).applied
    hide, unhide = router.requests
    assert form(hide) == {"is_hidden": "true"} and form(unhide) == {"is_hidden": "false"}
    assert_authenticated(hide)


def test_delete_is_a_delete_and_an_already_deleted_comment_counts_as_done() -> None:
    path = f"{V}/801000000000002_900000000000002"
    router = Router().add("DELETE", path, json={"success": True})
    assert make(router).perform(ActionRequest("delete", target(), "k")).applied
    assert router.requests[0].method == "DELETE"
    gone = (
        Router()
        .add("DELETE", path, json=fx("error_object_missing.json"), status=400)
        .add("GET", path, json=fx("error_object_missing.json"), status=400)
    )
    result = make(gone).perform(ActionRequest("delete", target(), "k"))
    assert result.applied and "déjà" in result.detail


def test_reply_posts_a_comment_and_a_reply_to_a_reply_goes_under_its_top_comment() -> None:
    router = Router()
    router.add(
        "POST",
        f"{V}/801000000000002_900000000000002/comments",
        json={"id": "801000000000002_900000000000050"},
    )
    router.add(
        "POST",
        f"{V}/801000000000002_900000000000001/comments",
        json={"id": "801000000000002_900000000000051"},
    )
    fb = make(router)
    result = fb.perform(ActionRequest("reply", target(), "k", text="Merci, nous transmettons."))
    assert result.applied and result.remote_id == "801000000000002_900000000000050"
    assert form(router.requests[0]) == {"message": "Merci, nous transmettons."}
    reply_target = target(
        "reply",
        item_external_id="801000000000002_900000000000003",
        parent_external_id="801000000000002_900000000000001",
    )
    assert fb.perform(ActionRequest("reply", reply_target, "k2", text="Bonjour")).remote_id.endswith("51")


def test_private_reply_uses_the_messages_edge_with_the_comment_id() -> None:
    router = Router().add("POST", f"{V}/{PAGE}/messages", json=fx("private_reply.json"))
    result = make(router).perform(
        ActionRequest("private_reply", target(), "k", text="Bonjour, pouvez-vous nous écrire ?")
    )
    assert result.applied and result.remote_id == "m_privatereply_exemple_1"
    body = json_payload(router.requests[0])
    assert body["recipient"] == {"comment_id": "801000000000002_900000000000002"}
    assert body["message"] == {"text": "Bonjour, pouvez-vous nous écrire ?"}


def test_second_private_reply_refused_by_meta_counts_as_applied() -> None:
    router = Router().add("POST", f"{V}/{PAGE}/messages", json=fx("error_already_replied.json"), status=400)
    result = make(router).perform(ActionRequest("private_reply", target(), "k", text="x"))
    assert result.applied and "déjà" in result.detail
    assert len(router.requests) == 1  # not retried


def test_block_and_unblock_the_author_on_the_page() -> None:
    router = (
        Router()
        .add("POST", f"{V}/{PAGE}/blocked", json={"5550002": True})
        .add("DELETE", f"{V}/{PAGE}/blocked", json={"success": True})
    )
    fb = make(router)
    assert fb.perform(ActionRequest("block_author", target(), "k")).applied
    assert form(router.requests[0]) == {"user": "5550002"}
    assert fb.perform(ActionRequest("unblock_author", target(), "k2")).applied
    assert router.requests[1].url.params["user"] == "5550002"


def test_after_connect_installs_the_app_on_the_page() -> None:
    router = Router().add("POST", f"{V}/{PAGE}/subscribed_apps", json={"success": True})
    assert "temps réel" in make(router).after_connect()
    assert form(router.requests[0]) == {"subscribed_fields": "feed"}
    assert_authenticated(router.requests[0])
    make(router, private_messages=True).after_connect()
    assert form(router.requests[1]) == {"subscribed_fields": "feed,messages"}


def test_webhook_targets_are_the_entries_pages() -> None:
    body = fixture_bytes(__file__, "webhook_feed.json")
    assert make(Router()).webhook_targets(webhook(body)) == frozenset({PAGE})


def test_like_posts_on_the_likes_edge() -> None:
    router = Router().add("POST", f"{V}/801000000000002_900000000000002/likes", json={"success": True})
    assert make(router).perform(ActionRequest("like", target(), "k")).applied
    assert router.requests[0].method == "POST"
    assert_authenticated(router.requests[0])


def test_reply_to_a_private_message_sends_a_message_to_the_person() -> None:
    router = Router().add(
        "POST", f"{V}/{PAGE}/messages", json={"recipient_id": "7770001", "message_id": "m_1"}
    )
    t = target(
        "private_message",
        item_external_id="m_exemple_1",
        author_external_id="7770001",
        item_published_at=NOW - dt.timedelta(hours=2),
    )
    result = make(router).perform(ActionRequest("reply", t, "k", text="Bonjour"))
    assert result.remote_id == "m_1"
    assert json_payload(router.requests[0])["recipient"] == {"id": "7770001"}


# ---------------------------------------------------------------------------------------------
# Platform rules


def test_platform_rules_are_explained_in_french() -> None:
    fb = make(Router())
    assert not fb.check("hide", target("post"), now=NOW).allowed
    old = target(item_published_at=NOW - dt.timedelta(days=8))
    check = fb.check("private_reply", old, now=NOW)
    assert not check.allowed and "7 jours" in check.reason_fr
    twice = fb.check("private_reply", target(previous_actions=("private_reply",)), now=NOW)
    assert not twice.allowed and "une seule réponse privée" in twice.reason_fr
    assert fb.check("private_reply", target(), now=NOW).allowed
    delete = fb.check("delete", target(), now=NOW)
    assert delete.allowed and delete.needs_confirmation and "définitive" in delete.reason_fr
    report = fb.check("report", target(), now=NOW)
    assert not report.allowed and "signaler" in report.reason_fr.lower()
    late = target("private_message", item_published_at=NOW - dt.timedelta(hours=30))
    assert "24 heures" in fb.check("reply", late, now=NOW).reason_fr
    own = target(raw={"from": {"id": PAGE}})
    assert not fb.check("hide", own, now=NOW).allowed


def test_perform_refuses_what_check_refuses_without_calling_facebook() -> None:
    router = Router()
    with pytest.raises(NotAllowed) as err:
        make(router).perform(
            ActionRequest(
                "private_reply", target(item_published_at=NOW - dt.timedelta(days=10)), "k", text="x"
            )
        )
    assert "7 jours" in err.value.message_fr
    assert router.requests == []


# ---------------------------------------------------------------------------------------------
# Errors


def test_expired_token_is_an_auth_error() -> None:
    router = Router().add("GET", f"{V}/{PAGE}/feed", json=fx("error_expired_token.json"), status=400)
    with pytest.raises(AuthError) as err:
        make(router).fetch({})
    assert "expiré" in err.value.message_fr
    assert TOKEN not in str(err.value)
    assert len(router.requests) == 1  # not retried


def test_meta_rate_limit_honours_the_business_use_case_header() -> None:
    buc = json.dumps(
        {
            PAGE: [
                {
                    "type": "pages",
                    "call_count": 100,
                    "total_cputime": 30,
                    "total_time": 40,
                    "estimated_time_to_regain_access": 12,
                }
            ]
        }
    )
    router = Router().add(
        "GET",
        f"{V}/{PAGE}/feed",
        json=fx("error_rate_limit.json"),
        status=400,
        headers={"X-Business-Use-Case-Usage": buc},
    )
    fb = make(router)
    with pytest.raises(RateLimited) as err:
        fb.fetch({})
    assert (
        err.value.retry_after == 12 * 60
    )  # longer than the inline wait: handed to the sync, not retried here
    assert len(router.requests) == 1
    assert fb.usage()["max_percent"] == 100


def test_http_429_honours_retry_after_then_succeeds() -> None:
    router = Router().add(
        "GET",
        f"{V}/me",
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json=fx("me.json")),
    )
    fb = make(router)
    assert fb.identify() is not None
    assert len(router.requests) == 2
    assert fb.api.stats.retries == 1 and 2.0 <= fb.api.stats.waited <= 3.2


def test_5xx_and_timeouts_are_retried_then_transient() -> None:
    router = Router().add(
        "GET",
        f"{V}/me",
        httpx.Response(500, json=fx("error_unknown.json")),
        httpx.ReadTimeout("lent"),
        httpx.Response(200, json=fx("me.json")),
    )
    assert make(router).identify() is not None
    assert len(router.requests) == 3
    always = Router().add("GET", f"{V}/me", httpx.Response(503))
    with pytest.raises(TransientError):
        make(always).identify()
    assert len(always.requests) == 4  # 1 + HTTP_RETRIES (3)


def test_a_failed_reply_is_not_blindly_resent() -> None:
    router = Router().add("POST", f"{V}/801000000000002_900000000000002/comments", httpx.Response(500))
    with pytest.raises(TransientError):
        make(router).perform(ActionRequest("reply", target(), "k", text="Bonjour"))
    assert len(router.requests) == 1  # maybe posted: the outbox reconciles before retrying


def test_missing_permission_is_not_allowed_for_an_action_and_broken_for_reading() -> None:
    router = Router().add("POST", f"{V}/{PAGE}/blocked", json=fx("error_permission.json"), status=403)
    with pytest.raises(NotAllowed):
        make(router).perform(ActionRequest("block_author", target(), "k"))
    reading = Router().add("GET", f"{V}/{PAGE}/feed", json=fx("error_permission.json"), status=403)
    with pytest.raises(AuthError) as err:
        make(reading).fetch({})
    assert "autorisation" in err.value.message_fr


def test_object_missing_is_permanent() -> None:
    router = Router().add(
        "POST", f"{V}/801000000000002_900000000000002", json=fx("error_object_missing.json"), status=400
    )
    with pytest.raises(PermanentError):
        make(router).perform(ActionRequest("hide", target(), "k"))


# ---------------------------------------------------------------------------------------------
# Reconcile


def test_reconcile_finds_the_pages_reply_with_the_same_text() -> None:
    listing = {
        "data": [
            {"id": "c_other", "message": "Merci, nous transmettons.", "from": {"id": "5550001"}},
            {"id": "c_ours", "message": "Merci,  nous transmettons. ", "from": {"id": PAGE}},
        ]
    }
    router = Router().add("GET", f"{V}/801000000000002_900000000000002/comments", json=listing)
    found = make(router).reconcile(ActionRequest("reply", target(), "k", text="Merci, nous transmettons."))
    assert found is not None and found.applied and found.remote_id == "c_ours"
    assert router.requests[0].url.params["order"] == "reverse_chronological"
    nothing = Router().add(
        "GET", f"{V}/801000000000002_900000000000002/comments", json={"data": listing["data"][:1]}
    )
    missing = make(nothing).reconcile(ActionRequest("reply", target(), "k", text="Merci, nous transmettons."))
    assert missing is not None and not missing.applied
    assert make(Router()).reconcile(ActionRequest("hide", target(), "k")) is None


def test_usage_headers_are_kept() -> None:
    router = Router().add(
        "GET",
        f"{V}/me",
        json=fx("me.json"),
        headers={"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'},
    )
    fb = make(router)
    fb.identify()
    assert fb.usage()["app"]["call_count"] == 28 and fb.usage()["max_percent"] == 28


# ---------------------------------------------------------------------------------------------
# The Page's blocked list (GET /{page-id}/blocked)


def test_the_blocked_list_is_read_page_by_page() -> None:
    router = Router().add(
        "GET",
        f"{V}/{PAGE}/blocked",
        httpx.Response(200, json=fx("blocked_page1.json")),
        httpx.Response(200, json=fx("blocked_page2.json")),
    )
    blocked = make(router).blocked_authors()
    assert [(a.external_id, a.display_name) for a in blocked] == [
        ("7770003", "Compte Perturbateur"),
        ("7770009", "Pseudo Anonyme"),
        ("108000000000777", "Page Publicitaire Exemple"),
    ]
    first, second = router.calls("GET", f"{V}/{PAGE}/blocked")
    assert first.url.params["fields"] == "id,name"
    assert second.url.params["after"] == "QVFIUmJsb2NrZWRBZnRlcgZDZD"  # the paging.next link, token stripped
    for request in (first, second):
        assert_authenticated(request)


def test_a_refused_token_while_reading_the_blocked_list_is_an_auth_error() -> None:
    router = Router().add("GET", f"{V}/{PAGE}/blocked", json=fx("error_expired_token.json"), status=400)
    with pytest.raises(AuthError):
        make(router).blocked_authors()
