"""Bluesky connector against the AT Protocol's documented shapes (lexicon JSON), through the atproto SDK
over an httpx MockTransport (no network). The real network is exercised in tests/peers/atproto."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

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
)
from beffroi.connectors.bluesky.actions import BLUESKY_MODERATION_DID, key_hash, report_reason
from beffroi.connectors.bluesky.connector import BlueskyConnector
from beffroi.connectors.bluesky.session import forget_sessions
from beffroi.connectors.testing import Router, json_payload, load_fixture

COMMUNE = "did:plc:mairiesaintaubinexemplea"
BOB = "did:plc:habitantbobexemple234567"
CARLA = "did:plc:carlaexempleabcdefghijkl"
ROOT = f"at://{COMMUNE}/app.bsky.feed.post/3ktmairiepost"
ROOT_CID = "bafyreigrootpostcid2y7ulkacx6yfpgqzkj3l3u2gsamdbwbn3lcuzqyoizhe"
OLDROOT = f"at://{COMMUNE}/app.bsky.feed.post/3kobcommune22"
INSULT = f"at://{BOB}/app.bsky.feed.post/3ktbobinsult2"
INSULT_CID = "bafyreibobinsultcidfzp7zr3fhcbxgqaynkjrfvc4hixu5wt4jmtgebwpf3a"
DEEP = f"at://{CARLA}/app.bsky.feed.post/3ktcarladeep2"
MENTION = f"at://{CARLA}/app.bsky.feed.post/3ktcarlament2"
QUOTE = f"at://{BOB}/app.bsky.feed.post/3ktbobquote22"
HIDDEN = f"at://{CARLA}/app.bsky.feed.post/3ktcarlahide2"
GATE = f"at://{COMMUNE}/app.bsky.feed.threadgate/3ktmairiepost"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
X = "/xrpc"


def fx(name: str) -> Any:
    return load_fixture(__file__, name)


@pytest.fixture(autouse=True)
def _no_shared_sessions() -> Iterator[None]:
    forget_sessions()
    yield
    forget_sessions()


def logged_router() -> Router:
    router = Router()
    router.add("POST", f"{X}/com.atproto.server.createSession", json=fx("createSession.json"))
    return router


def make(router: Router, **options: Any) -> BlueskyConnector:
    config = AccountConfig(
        platform="bluesky",
        external_id=COMMUNE,
        credentials={"handle": "mairie-saint-aubin.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        options=options,
    )
    connector = BlueskyConnector(config, http=httpx.MockTransport(router))
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def xrpc_error(status: int, name: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=fx(name), headers=headers)


def insult_target(**kw: Any) -> ActionTarget:
    notification = fx("listNotifications_page2.json")["notifications"][0]
    values: dict[str, Any] = {
        "item_external_id": INSULT,
        "item_kind": "comment",
        "thread_external_id": ROOT,
        "parent_external_id": ROOT,
        "author_external_id": BOB,
        "raw": notification,
    }
    values.update(kw)
    return ActionTarget(**values)


def untyped(value: Any) -> Any:
    """A record without the ``$type`` of its nested objects (the SDK's lexicon models add them: valid)."""
    if isinstance(value, dict):
        return {k: untyped(v) for k, v in value.items() if k != "$type"}
    if isinstance(value, list):
        return [untyped(v) for v in value]
    return value


def authed(request: httpx.Request) -> None:
    access = fx("createSession.json")["accessJwt"]
    assert request.headers["authorization"] == f"Bearer {access}"
    assert request.url.host == "pds.example"  # the PDS of the account's DID document, not bsky.social


# ---------------------------------------------------------------------------------------------
# Sessions


def test_identify_creates_a_session_with_the_app_password_then_reads_the_profile() -> None:
    router = logged_router().add("GET", f"{X}/app.bsky.actor.getProfile", json=fx("getProfile_commune.json"))
    identity = make(router).identify()
    assert identity is not None
    assert (identity.external_id, identity.handle, identity.name) == (
        COMMUNE,
        "mairie-saint-aubin.bsky.social",
        "Mairie de Saint-Aubin",
    )
    login = router.requests[0]
    assert login.url == "https://bsky.social/xrpc/com.atproto.server.createSession"
    assert json_payload(login) == {
        "identifier": "mairie-saint-aubin.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    profile = router.requests[1]
    assert profile.url.params["actor"] == COMMUNE
    authed(profile)


def test_the_session_is_reused_by_the_next_connector_of_the_same_account() -> None:
    router = logged_router().add("GET", f"{X}/app.bsky.actor.getProfile", json=fx("getProfile_commune.json"))
    make(router).identify()
    make(router).identify()
    assert (
        len(router.calls("POST", f"{X}/com.atproto.server.createSession")) == 1
    )  # 30 logins / 5 min at most
    assert len(router.calls("GET", f"{X}/app.bsky.actor.getProfile")) == 2


def test_an_expired_token_is_refreshed_once_and_the_call_retried() -> None:
    router = logged_router()
    router.add("POST", f"{X}/com.atproto.server.refreshSession", json=fx("refreshSession.json"))
    router.add(
        "GET",
        f"{X}/app.bsky.actor.getProfile",
        xrpc_error(400, "error_expired_token.json"),
        httpx.Response(200, json=fx("getProfile_commune.json")),
    )
    assert make(router).identify() is not None
    refresh = router.calls("POST", f"{X}/com.atproto.server.refreshSession")[0]
    assert refresh.headers["authorization"] == f"Bearer {fx('createSession.json')['refreshJwt']}"
    retried = router.calls("GET", f"{X}/app.bsky.actor.getProfile")[1]
    assert retried.headers["authorization"] == f"Bearer {fx('refreshSession.json')['accessJwt']}"


def test_a_refused_refresh_logs_in_again_and_a_refused_login_breaks_the_connection() -> None:
    router = logged_router()
    router.add("POST", f"{X}/com.atproto.server.refreshSession", xrpc_error(400, "error_expired_token.json"))
    router.add(
        "GET",
        f"{X}/app.bsky.actor.getProfile",
        xrpc_error(400, "error_expired_token.json"),
        httpx.Response(200, json=fx("getProfile_commune.json")),
    )
    assert make(router).identify() is not None
    assert len(router.calls("POST", f"{X}/com.atproto.server.createSession")) == 2

    forget_sessions()
    refused = Router().add(
        "POST", f"{X}/com.atproto.server.createSession", xrpc_error(401, "error_authentication_required.json")
    )
    with pytest.raises(AuthError) as broken:
        make(refused).identify()
    assert "mot de passe d'application" in broken.value.message_fr and broken.value.status == 401


def test_a_suspended_account_is_an_auth_error_with_its_own_explanation() -> None:
    router = Router().add(
        "POST", f"{X}/com.atproto.server.createSession", xrpc_error(400, "error_account_takedown.json")
    )
    with pytest.raises(AuthError) as broken:
        make(router).identify()
    assert "suspendu" in broken.value.message_fr


def test_missing_credentials_are_an_auth_error() -> None:
    with pytest.raises(AuthError):
        BlueskyConnector(
            AccountConfig(platform="bluesky", external_id=COMMUNE, credentials={"handle": "x.bsky.social"})
        )


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (lambda: xrpc_error(500, "error_internal.json"), TransientError),
        (lambda: httpx.Response(502, text="Bad Gateway"), TransientError),
        (lambda: xrpc_error(400, "error_invalid_request.json"), PermanentError),
        (lambda: httpx.Response(404, json={"error": "NotFound"}), PermanentError),
    ],
)
def test_xrpc_errors_map_to_the_base_errors(response: Any, error: type) -> None:
    router = logged_router().add("GET", f"{X}/app.bsky.notification.listNotifications", response())
    with pytest.raises(error):
        make(router).fetch({})


def test_a_time_out_is_a_transient_error() -> None:
    router = logged_router().add(
        "GET", f"{X}/app.bsky.notification.listNotifications", httpx.ReadTimeout("slow")
    )
    with pytest.raises(TransientError):
        make(router).fetch({})


def test_rate_limit_headers_give_the_wait_and_the_usage() -> None:
    reset = int(NOW.timestamp()) + 240
    headers = {
        "ratelimit-limit": "3000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(reset),
        "ratelimit-policy": "3000;w=300",
    }
    router = logged_router().add(
        "GET",
        f"{X}/app.bsky.notification.listNotifications",
        xrpc_error(429, "error_rate_limit.json", headers),
    )
    bluesky = make(router)
    with pytest.raises(RateLimited) as limited:
        bluesky.fetch({})
    assert limited.value.retry_after == 240
    assert bluesky.usage() == {
        "ratelimit_limit": 3000,
        "ratelimit_remaining": 0,
        "ratelimit_reset": reset,
        "ratelimit_policy": "3000;w=300",
    }


# ---------------------------------------------------------------------------------------------
# Reading


def reading_router() -> Router:
    router = logged_router()
    router.add(
        "GET",
        f"{X}/app.bsky.notification.listNotifications",
        httpx.Response(200, json=fx("listNotifications_page1.json")),
        httpx.Response(200, json=fx("listNotifications_page2.json")),
    )
    router.add("GET", f"{X}/app.bsky.feed.getAuthorFeed", json=fx("getAuthorFeed.json"))
    router.add("GET", f"{X}/app.bsky.feed.getPostThread", json=fx("getPostThread.json"))
    return router


def test_a_round_reads_notifications_then_the_commune_posts_then_their_threads() -> None:
    router = reading_router()
    bluesky = make(router)
    page1 = bluesky.fetch({})
    call = router.calls("GET", f"{X}/app.bsky.notification.listNotifications")[0]
    assert (
        call.url.params.get_list("reasons") == ["reply", "mention", "quote"]
        and call.url.params["limit"] == "50"
    )
    assert "cursor" not in call.url.params and "seenAt" not in call.url.params
    assert [i.external_id for i in page1.items] == [MENTION, QUOTE]  # oldest first, the like left out
    mention, quote = page1.items
    assert mention.kind == "mention" and mention.moderated is None and mention.thread_external_id == MENTION
    assert mention.author is not None and mention.author.handle == "carla.example.org"
    assert mention.url == "https://bsky.app/profile/carla.example.org/post/3ktcarlament2"
    assert quote.kind == "mention" and quote.moderated is False  # someone's own post: watched, not moderated
    assert page1.has_more and page1.cursor["page"] == "1717243201000::bafyreicursorpage1"
    assert page1.cursor["top"] == "2024-06-01T13:00:01.000Z"

    page2 = bluesky.fetch(page1.cursor)
    assert (
        router.calls("GET", f"{X}/app.bsky.notification.listNotifications")[1].url.params["cursor"]
        == page1.cursor["page"]
    )
    insult = page2.items[0]
    assert insult.external_id == INSULT and insult.kind == "comment"
    assert insult.parent_external_id == ROOT and insult.thread_external_id == ROOT
    assert insult.published_at == dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC)
    assert insult.text == "Bande d'incapables, vous ne fichez rien !" and insult.raw["cid"] == INSULT_CID
    assert page2.cursor["phase"] == "feed" and page2.cursor["since"] == "2024-06-01T13:00:01.000Z"

    page3 = bluesky.fetch(page2.cursor)
    feed = router.calls("GET", f"{X}/app.bsky.feed.getAuthorFeed")[0]
    assert feed.url.params["actor"] == COMMUNE and feed.url.params["filter"] == "posts_and_author_threads"
    assert [i.external_id for i in page3.items] == [
        ROOT
    ]  # the repost and the post out of the window are left out
    root = page3.items[0]
    assert root.kind == "post" and root.is_from_account and root.likes == 27 and root.shares == 5
    assert page3.cursor["pending"] == [ROOT] and page3.cursor["phase"] == "threads"

    page4 = bluesky.fetch(page3.cursor)
    thread = router.calls("GET", f"{X}/app.bsky.feed.getPostThread")[0]
    assert thread.url.params["uri"] == ROOT and thread.url.params["parentHeight"] == "0"
    by_id = {i.external_id: i for i in page4.items}
    assert list(by_id) == [INSULT, DEEP, HIDDEN]  # parents first; the blocked reply is skipped
    assert (
        by_id[DEEP].kind == "reply"
        and by_id[DEEP].parent_external_id == INSULT
        and by_id[DEEP].thread_external_id == ROOT
    )
    assert by_id[HIDDEN].is_hidden and not by_id[INSULT].is_hidden  # from the root's thread gate
    assert not page4.has_more
    cursor = page4.cursor
    assert cursor["phase"] == "notifications" and cursor["last_round"] == int(NOW.timestamp())
    assert cursor["posts"][ROOT] == [
        int(dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC).timestamp()),
        3,
        int(NOW.timestamp()),
    ]
    json.dumps(cursor)


def test_the_next_round_stops_at_known_notifications_and_skips_unchanged_threads() -> None:
    router = reading_router()
    bluesky = make(router)
    cursor: dict[str, Any] = {}
    for _ in range(4):
        cursor = bluesky.fetch(cursor).cursor
    router.requests.clear()
    router.add("GET", f"{X}/app.bsky.notification.listNotifications", json=fx("listNotifications_page1.json"))
    later = make(router)
    later.clock = lambda: NOW.timestamp() + 300  # type: ignore[method-assign]
    first = later.fetch(cursor)
    # The newest notification was already seen: nothing older is asked for.
    assert [i.external_id for i in first.items] == [QUOTE] and first.cursor["phase"] == "feed"
    second = later.fetch(first.cursor)
    assert not second.has_more  # the thread's reply count did not change: no getPostThread
    assert not router.calls("GET", f"{X}/app.bsky.feed.getPostThread")
    hour_later = make(router)
    hour_later.clock = lambda: NOW.timestamp() + 3700  # type: ignore[method-assign]
    page = hour_later.fetch(second.cursor)
    page = hour_later.fetch(page.cursor)
    assert page.has_more and page.cursor["pending"] == [ROOT]  # read again after an hour (deeper replies)


# ---------------------------------------------------------------------------------------------
# Capabilities and platform rules


def test_hiding_needs_a_reply_in_a_thread_the_commune_started() -> None:
    bluesky = make(logged_router())
    assert bluesky.check("hide", insult_target()).allowed
    root_itself = bluesky.check(
        "hide", ActionTarget(item_external_id=ROOT, item_kind="post", thread_external_id=ROOT)
    )
    assert not root_itself.allowed and "que les réponses" in root_itself.reason_fr
    elsewhere = f"at://{BOB}/app.bsky.feed.post/3ktbobthread2"
    other = bluesky.check(
        "hide", ActionTarget(item_external_id=DEEP, item_kind="reply", thread_external_id=elsewhere)
    )
    assert not other.allowed and "thread gate" in other.reason_fr
    private = bluesky.check("private_reply", insult_target())
    assert not private.allowed and "messages privés" in private.reason_fr
    delete = bluesky.check("delete", insult_target())
    assert not delete.allowed and "que les publications du compte de la commune" in delete.reason_fr
    own = bluesky.check("delete", ActionTarget(item_external_id=ROOT, item_kind="post"))
    assert own.allowed and own.needs_confirmation
    with pytest.raises(NotAllowed):
        bluesky.perform(ActionRequest("delete", insult_target(), idempotency_key="d"))


def test_report_reasons_follow_the_charter_labels() -> None:
    assert report_reason("insult") == "com.atproto.moderation.defs#reasonRude"
    assert report_reason("threat: menace de mort") == "com.atproto.moderation.defs#reasonViolation"
    assert report_reason("spam") == "com.atproto.moderation.defs#reasonSpam"
    assert report_reason("") == "com.atproto.moderation.defs#reasonOther"


# ---------------------------------------------------------------------------------------------
# Thread gate


def test_hide_creates_the_root_threadgate_with_the_reply() -> None:
    router = logged_router()
    router.add("GET", f"{X}/com.atproto.repo.getRecord", xrpc_error(400, "error_record_not_found.json"))
    router.add("POST", f"{X}/com.atproto.repo.createRecord", json=fx("putRecord.json"))
    result = make(router).perform(ActionRequest("hide", insult_target(), idempotency_key="h"))
    assert result.applied and result.remote_id == GATE
    read = router.calls("GET", f"{X}/com.atproto.repo.getRecord")[0]
    assert dict(read.url.params) == {
        "repo": COMMUNE,
        "collection": "app.bsky.feed.threadgate",
        "rkey": "3ktmairiepost",
    }
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.createRecord")[0])
    assert (
        body["repo"] == COMMUNE
        and body["collection"] == "app.bsky.feed.threadgate"
        and body["rkey"] == "3ktmairiepost"
    )
    assert body["record"] == {
        "$type": "app.bsky.feed.threadgate",
        "post": ROOT,
        "hiddenReplies": [INSULT],
        "createdAt": "2024-06-02T12:00:00.000Z",
    }  # no "allow": everyone may still reply


def test_hide_adds_to_an_existing_gate_keeping_its_rules_and_retries_a_concurrent_change() -> None:
    router = logged_router()
    router.add("GET", f"{X}/com.atproto.repo.getRecord", json=fx("getRecord_threadgate_allow.json"))
    router.add(
        "POST",
        f"{X}/com.atproto.repo.putRecord",
        xrpc_error(400, "error_invalid_swap.json"),
        httpx.Response(200, json=fx("putRecord.json")),
    )
    result = make(router).perform(ActionRequest("hide", insult_target(), idempotency_key="h"))
    assert result.applied and result.data["hidden_replies"] == 2
    _, second = router.calls("POST", f"{X}/com.atproto.repo.putRecord")
    assert len(router.calls("GET", f"{X}/com.atproto.repo.getRecord")) == 2  # read again after InvalidSwap
    body = json_payload(second)
    assert body["swapRecord"] == "bafyreithreadgatewithallowrulecid"
    assert body["record"]["hiddenReplies"] == [HIDDEN, INSULT]
    assert body["record"]["allow"] == [{"$type": "app.bsky.feed.threadgate#followingRule"}]


def test_hiding_an_already_hidden_reply_changes_nothing() -> None:
    router = logged_router().add(
        "GET", f"{X}/com.atproto.repo.getRecord", json=fx("getRecord_threadgate.json")
    )
    target = insult_target(item_external_id=HIDDEN, author_external_id=CARLA)
    result = make(router).perform(ActionRequest("hide", target, idempotency_key="h"))
    assert result.applied and result.detail == "déjà dans cet état sur Bluesky"
    assert not router.calls("POST")[1:]  # only createSession was posted


def test_unhide_removes_the_reply_and_the_gate_when_nothing_else_is_in_it() -> None:
    router = logged_router()
    router.add("GET", f"{X}/com.atproto.repo.getRecord", json=fx("getRecord_threadgate.json"))
    router.add("POST", f"{X}/com.atproto.repo.deleteRecord", json=fx("deleteRecord.json"))
    target = insult_target(item_external_id=HIDDEN, author_external_id=CARLA)
    assert make(router).perform(ActionRequest("unhide", target, idempotency_key="u")).applied
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.deleteRecord")[0])
    assert body == {
        "repo": COMMUNE,
        "collection": "app.bsky.feed.threadgate",
        "rkey": "3ktmairiepost",
        "swapRecord": "bafyreithreadgatecidfixture2s5x7xkbzq4yq6dzk3lhfpwz6o2jk7u3oqu",
    }


def test_unhide_keeps_a_gate_that_has_reply_rules() -> None:
    gate = fx("getRecord_threadgate_allow.json")
    router = logged_router().add("GET", f"{X}/com.atproto.repo.getRecord", json=gate)
    router.add("POST", f"{X}/com.atproto.repo.putRecord", json=fx("putRecord.json"))
    target = insult_target(item_external_id=HIDDEN, author_external_id=CARLA)
    assert make(router).perform(ActionRequest("unhide", target, idempotency_key="u")).applied
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.putRecord")[0])
    assert body["record"]["hiddenReplies"] == [] and body["record"]["allow"] == gate["value"]["allow"]


# ---------------------------------------------------------------------------------------------
# Reply, reconcile, report, block, delete, like


def test_reply_writes_a_post_with_strong_refs_and_the_idempotency_hash() -> None:
    router = logged_router().add("POST", f"{X}/com.atproto.repo.createRecord", json=fx("createRecord.json"))
    text = "Merci de rester courtois : https://example.org/charte"
    result = make(router).perform(
        ActionRequest("reply", insult_target(), idempotency_key="outbox-7", text=text)
    )
    assert result.applied and result.remote_id == f"at://{COMMUNE}/app.bsky.feed.post/3ktnewrecord2"
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.createRecord")[0])
    record = body["record"]
    assert body["repo"] == COMMUNE and body["collection"] == "app.bsky.feed.post" and "rkey" not in body
    assert untyped(record["reply"]) == {
        "root": {"uri": ROOT, "cid": ROOT_CID},
        "parent": {"uri": INSULT, "cid": INSULT_CID},
    }
    assert (
        record["text"] == text and record["langs"] == ["fr"] and record["beffroiKey"] == key_hash("outbox-7")
    )
    link = record["facets"][0]
    assert link["features"][0]["uri"] == "https://example.org/charte"
    assert (
        text.encode()[link["index"]["byteStart"] : link["index"]["byteEnd"]] == b"https://example.org/charte"
    )


def test_reply_to_a_top_level_post_without_its_cid_asks_for_it() -> None:
    router = logged_router().add("GET", f"{X}/app.bsky.feed.getPosts", json=fx("getPosts.json"))
    router.add("POST", f"{X}/com.atproto.repo.createRecord", json=fx("createRecord.json"))
    target = ActionTarget(item_external_id=INSULT, item_kind="mention", author_external_id=BOB)
    make(router).perform(ActionRequest("reply", target, idempotency_key="k", text="Bonjour"))
    record = json_payload(router.calls("POST", f"{X}/com.atproto.repo.createRecord")[0])["record"]
    assert untyped(record["reply"]["parent"]) == {"uri": INSULT, "cid": INSULT_CID}
    assert untyped(record["reply"]["root"]) == {
        "uri": ROOT,
        "cid": ROOT_CID,
    }  # the root of the post's own record


def test_a_too_long_reply_is_refused_before_sending() -> None:
    router = logged_router()
    with pytest.raises(PermanentError) as refused:
        make(router).perform(ActionRequest("reply", insult_target(), idempotency_key="k", text="é" * 301))
    assert "300 caractères" in refused.value.message_fr
    assert not router.calls("POST", f"{X}/com.atproto.repo.createRecord")


def test_reconcile_finds_a_reply_by_its_key_or_by_its_text() -> None:
    posts = fx("listRecords_posts.json")
    posts["records"][0]["value"]["beffroiKey"] = key_hash("outbox-7")
    router = logged_router().add("GET", f"{X}/com.atproto.repo.listRecords", json=posts)
    bluesky = make(router)
    by_key = bluesky.reconcile(
        ActionRequest("reply", insult_target(), idempotency_key="outbox-7", text="autre texte")
    )
    assert by_key is not None and by_key.applied and by_key.remote_id.endswith("/3ktanswer2222")
    by_text = bluesky.reconcile(
        ActionRequest("reply", insult_target(), idempotency_key="other", text="Merci de  rester courtois.")
    )
    assert by_text is not None and by_text.applied
    absent = bluesky.reconcile(
        ActionRequest("reply", insult_target(), idempotency_key="new", text="Autre chose")
    )
    assert absent is not None and not absent.applied
    listing = router.calls("GET", f"{X}/com.atproto.repo.listRecords")[0]
    assert listing.url.params["repo"] == COMMUNE and listing.url.params["collection"] == "app.bsky.feed.post"
    assert bluesky.reconcile(ActionRequest("hide", insult_target(), idempotency_key="h")) is None


def test_report_goes_through_the_pds_to_the_moderation_service() -> None:
    router = logged_router().add(
        "POST", f"{X}/com.atproto.moderation.createReport", json=fx("createReport.json")
    )
    result = make(router).perform(
        ActionRequest("report", insult_target(), idempotency_key="r", reason="insult")
    )
    assert result.applied and result.remote_id == "4127"
    call = router.calls("POST", f"{X}/com.atproto.moderation.createReport")[0]
    assert call.headers["atproto-proxy"] == f"{BLUESKY_MODERATION_DID}#atproto_labeler"
    body = json_payload(call)
    assert body["reasonType"] == "com.atproto.moderation.defs#reasonRude"
    assert body["subject"] == {"$type": "com.atproto.repo.strongRef", "uri": INSULT, "cid": INSULT_CID}
    assert body["reason"] == "insult (signalé via Beffroi)"
    other = logged_router().add(
        "POST", f"{X}/com.atproto.moderation.createReport", json=fx("createReport.json")
    )
    forget_sessions()
    make(other, moderation_service_did="did:plc:labelerdelacommune23456").perform(
        ActionRequest("report", insult_target(), idempotency_key="r2")
    )
    assert (
        other.calls("POST", f"{X}/com.atproto.moderation.createReport")[0].headers["atproto-proxy"]
        == "did:plc:labelerdelacommune23456#atproto_labeler"
    )


def test_block_writes_one_block_record_and_unblock_deletes_them() -> None:
    router = logged_router()
    router.add("GET", f"{X}/com.atproto.repo.listRecords", json=fx("listRecords_blocks.json"))
    router.add("POST", f"{X}/com.atproto.repo.createRecord", json=fx("createRecord.json"))
    router.add("POST", f"{X}/com.atproto.repo.deleteRecord", json=fx("deleteRecord.json"))
    bluesky = make(router)
    blocked = bluesky.perform(
        ActionRequest("block_author", insult_target(), idempotency_key="b", duration_days=30)
    )
    assert blocked.applied and blocked.data["lift_after_days"] == 30
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.createRecord")[0])
    assert body["collection"] == "app.bsky.graph.block"
    assert body["record"] == {
        "$type": "app.bsky.graph.block",
        "subject": BOB,
        "createdAt": "2024-06-02T12:00:00.000Z",
    }
    listing = router.calls("GET", f"{X}/com.atproto.repo.listRecords")[0]
    assert listing.url.params["collection"] == "app.bsky.graph.block"  # read from the PDS, not the App View

    # The blocked author of the fixture: already blocked, then unblocked.
    other = ActionTarget(item_external_id="", author_external_id="did:plc:bloquebloquebloquebloque")
    again = bluesky.perform(ActionRequest("block_author", other, idempotency_key="b2"))
    assert (
        again.detail == "auteur déjà bloqué"
        and len(router.calls("POST", f"{X}/com.atproto.repo.createRecord")) == 1
    )
    assert bluesky.perform(ActionRequest("unblock_author", other, idempotency_key="u")).applied
    deleted = json_payload(router.calls("POST", f"{X}/com.atproto.repo.deleteRecord")[0])
    assert deleted == {"repo": COMMUNE, "collection": "app.bsky.graph.block", "rkey": "3ktblockrec22"}
    assert (
        bluesky.perform(ActionRequest("unblock_author", insult_target(), idempotency_key="u2")).detail
        == "auteur déjà débloqué"
    )


def test_delete_removes_the_commune_post() -> None:
    router = logged_router()
    router.add("GET", f"{X}/com.atproto.repo.getRecord", json={"uri": ROOT, "cid": ROOT_CID, "value": {}})
    router.add("POST", f"{X}/com.atproto.repo.deleteRecord", json=fx("deleteRecord.json"))
    target = ActionTarget(item_external_id=ROOT, item_kind="post")
    assert make(router).perform(ActionRequest("delete", target, idempotency_key="d")).applied
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.deleteRecord")[0])
    assert body == {"repo": COMMUNE, "collection": "app.bsky.feed.post", "rkey": "3ktmairiepost"}


def test_like_is_written_once() -> None:
    posts = fx("getPosts.json")
    router = logged_router().add("GET", f"{X}/app.bsky.feed.getPosts", json=posts)
    router.add("GET", f"{X}/com.atproto.repo.listRecords", json={"records": []})
    router.add("POST", f"{X}/com.atproto.repo.createRecord", json=fx("createRecord.json"))
    make(router).perform(ActionRequest("like", insult_target(), idempotency_key="l"))
    body = json_payload(router.calls("POST", f"{X}/com.atproto.repo.createRecord")[0])
    assert body["collection"] == "app.bsky.feed.like" and untyped(body["record"]["subject"]) == {
        "uri": INSULT,
        "cid": INSULT_CID,
    }
    posts["posts"][0]["viewer"]["like"] = f"at://{COMMUNE}/app.bsky.feed.like/3ktlike222222"
    liked = logged_router().add("GET", f"{X}/app.bsky.feed.getPosts", json=posts)
    forget_sessions()
    assert (
        make(liked).perform(ActionRequest("like", insult_target(), idempotency_key="l2")).detail
        == "déjà aimé"
    )
