"""TikTok connector against TikTok API for Business v1.3 documented shapes (recorded payloads, no network)."""

from __future__ import annotations

import datetime as dt
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
from beffroi.connectors.testing import Router, json_payload, load_fixture
from beffroi.connectors.tiktok.connector import TikTokConnector

BID = "-000AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
TOKEN = "act.ACCESSTOKENFIXTURE000000000000000"
API = "/open_api/v1.3/business"
VIDEO = "7375000000000000002"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)


def fx(name: str) -> Any:
    return load_fixture(__file__, name)


def ok(name: str) -> httpx.Response:
    return httpx.Response(200, json=fx(name))


def make(router: Router, **credentials: Any) -> TikTokConnector:
    creds = {"access_token": TOKEN, **credentials}
    connector = TikTokConnector(AccountConfig(platform="tiktok", external_id=BID, credentials=creds, handle="mairie.saintaubin"), http=router.http(retries=0))
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def target(comment: str = "7375100000000000002", kind: str = "comment", **kw: Any) -> ActionTarget:
    values: dict[str, Any] = {
        "item_external_id": comment,
        "item_kind": kind,
        "thread_external_id": VIDEO,
        "parent_external_id": VIDEO,
        "author_external_id": "6900000000000000002",
        "raw": {"owner": False, "video_id": VIDEO},
    }
    values.update(kw)
    return ActionTarget(**values)


def test_identify_reads_the_business_account() -> None:
    router = Router().add("GET", f"{API}/get/", json=fx("business_get.json"))
    identity = make(router).identify()
    assert identity is not None
    assert (identity.external_id, identity.name, identity.handle) == (BID, "Mairie de Saint-Aubin", "mairie.saintaubin")
    assert identity.url == "https://www.tiktok.com/@mairie.saintaubin"
    request = router.requests[0]
    assert request.headers["Access-Token"] == TOKEN
    assert TOKEN not in str(request.url)
    assert request.url.params["business_id"] == BID
    assert request.url.params["fields"] == '["username","display_name","profile_image"]'


def test_a_polling_round_lists_videos_then_comments_then_replies() -> None:
    router = Router()
    router.add("GET", f"{API}/video/list/", ok("video_list_page1.json"), ok("video_list_page2.json"))
    router.add("GET", f"{API}/comment/list/", json=fx("comment_list.json"))
    router.add("GET", f"{API}/comment/reply/list/", json=fx("reply_list.json"))
    tt = make(router)

    page1 = tt.fetch({})
    assert page1.has_more
    (video,) = page1.items
    assert video.kind == "post" and video.external_id == VIDEO and video.is_from_account
    assert video.published_at == dt.datetime.fromtimestamp(1717236000, tz=dt.UTC)
    assert (video.likes, video.shares) == (120, 7)
    first = router.requests[0]
    assert first.url.params["business_id"] == BID and first.url.params["max_count"] == "20"
    assert "share_url" in first.url.params["fields"] and "cursor" not in first.url.params
    assert page1.cursor["queue"] == [{"video": VIDEO}]

    page2 = tt.fetch(page1.cursor)
    comments_call = router.requests[1]
    assert comments_call.url.path == f"{API}/comment/list/"
    assert comments_call.url.params["video_id"] == VIDEO
    assert comments_call.url.params["sort_field"] == "create_time" and comments_call.url.params["sort_order"] == "desc"
    insult, question = page2.items  # oldest first
    assert insult.is_hidden and insult.kind == "comment" and insult.parent_external_id == VIDEO and insult.thread_external_id == VIDEO
    assert insult.author is not None and insult.author.handle == "anonyme_77"
    assert question.text == "C'est à quelle heure ?" and not question.is_from_account
    assert page2.cursor["queue"] == [{"video": VIDEO, "comment": "7375100000000000003"}]

    page3 = tt.fetch(page2.cursor)
    replies_call = router.requests[2]
    assert replies_call.url.path == f"{API}/comment/reply/list/"
    assert replies_call.url.params["comment_id"] == "7375100000000000003"
    (reply,) = page3.items
    assert reply.kind == "reply" and reply.parent_external_id == "7375100000000000003" and reply.is_from_account

    page4 = tt.fetch(page3.cursor)
    assert router.requests[3].url.params["cursor"] == "1717236000"
    assert [i.external_id for i in page4.items] == ["7375000000000000001"]  # the March video is outside the window
    assert not page4.has_more
    cursor = page4.cursor
    assert cursor["round_start"] is None and cursor["last_round"] == int(NOW.timestamp())
    assert cursor["videos"][VIDEO]["n"] == 3 and cursor["videos"][VIDEO]["c"] == 1717250000
    assert cursor["comments"]["7375100000000000003"]["r"] == 1

    # Next round: nothing changed → only the video list is read.
    before = len(router.requests)
    router.add("GET", f"{API}/video/list/", json=fx("video_list_page2.json") | {"data": fx("video_list_page1.json")["data"] | {"has_more": False}})
    nxt = tt.fetch(cursor)
    assert not nxt.has_more and len(router.requests) == before + 1


def test_a_new_comment_is_found_without_returning_the_known_ones() -> None:
    router = Router()
    router.add("GET", f"{API}/video/list/", ok("video_list_page1.json"), ok("video_list_page2.json"))
    router.add("GET", f"{API}/comment/list/", json=fx("comment_list.json"))
    router.add("GET", f"{API}/comment/reply/list/", json=fx("reply_list.json"))
    tt = make(router)
    cursor: dict[str, Any] = {}
    for _ in range(4):
        cursor = tt.fetch(cursor).cursor
    videos = fx("video_list_page1.json")
    videos["data"]["videos"][0]["comments"] = 4
    videos["data"]["has_more"] = False
    comments = fx("comment_list.json")
    comments["data"]["comments"].insert(0, {**comments["data"]["comments"][0], "comment_id": "7375100000000000010", "text": "nouveau", "create_time": 1717300000, "replies": 0})
    router.add("GET", f"{API}/video/list/", json=videos)
    router.add("GET", f"{API}/comment/list/", json=comments)
    page = tt.fetch(cursor)
    page = tt.fetch(page.cursor)
    assert [i.external_id for i in page.items] == ["7375100000000000010"]
    assert not page.has_more


@pytest.mark.parametrize(
    ("fixture", "error"),
    [("error_rate_limit.json", RateLimited), ("error_server.json", TransientError), ("error_token_expired.json", AuthError), ("error_permission.json", AuthError)],
)
def test_error_codes_in_the_envelope_map_to_base_errors_when_reading(fixture: str, error: type[Exception]) -> None:
    router = Router().add("GET", f"{API}/video/list/", json=fx(fixture))
    with pytest.raises(error) as caught:
        make(router).fetch({})
    if error is RateLimited:
        assert caught.value.retry_after == 60  # type: ignore[attr-defined]


@pytest.mark.parametrize(("status", "error"), [(429, RateLimited), (500, TransientError), (401, AuthError)])
def test_http_errors_map_to_base_errors(status: int, error: type[Exception]) -> None:
    router = Router().add("GET", f"{API}/video/list/", httpx.Response(status, headers={"Retry-After": "30"}, text="x"))
    with pytest.raises(error) as caught:
        make(router).fetch({})
    if error is RateLimited:
        assert caught.value.retry_after == 30  # type: ignore[attr-defined]


def test_an_expired_token_is_refreshed_once_and_the_new_tokens_are_handed_over() -> None:
    router = Router()
    router.add("GET", f"{API}/get/", ok("error_token_expired.json"), ok("business_get.json"))
    router.add("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", json=fx("refresh_token.json"))
    saved: list[dict[str, Any]] = []
    tt = make(router, refresh_token="rft.OLD000000000000", client_id="aw1exampleclientkey", client_secret="shh-secret-000")
    tt.tiktok.on_tokens = saved.append
    assert tt.identify() is not None
    refresh = router.requests[1]
    assert json_payload(refresh) == {
        "client_id": "aw1exampleclientkey",
        "client_secret": "shh-secret-000",
        "grant_type": "refresh_token",
        "refresh_token": "rft.OLD000000000000",
    }
    assert router.requests[2].headers["Access-Token"] == "act.NEWACCESSTOKEN00000000000000000000"
    assert saved[0]["refresh_token"] == "rft.NEWREFRESHTOKEN000000000000000000"
    assert saved[0]["access_token_expires_at"] == int(NOW.timestamp()) + 86400
    assert tt.usage() == {"token_refreshed": True}


def test_a_token_about_to_expire_is_refreshed_before_the_call() -> None:
    router = Router()
    router.add("GET", f"{API}/get/", json=fx("business_get.json"))
    router.add("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", json=fx("refresh_token.json"))
    tt = make(router, refresh_token="r", client_id="c", client_secret="s", access_token_expires_at=int(NOW.timestamp()) + 60)
    tt.identify()
    assert [r.url.path for r in router.requests] == ["/open_api/v1.3/tt_user/oauth2/refresh_token/", f"{API}/get/"]


def test_a_refused_refresh_breaks_the_connection() -> None:
    router = Router()
    router.add("GET", f"{API}/get/", json=fx("error_token_expired.json"))
    router.add("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", json=fx("error_token_expired.json"))
    with pytest.raises(AuthError) as caught:
        make(router, refresh_token="r", client_id="c", client_secret="s").identify()
    assert "renouveler" in caught.value.message_fr


# ---------------------------------------------------------------------------------------------
# Acting


def test_hide_and_unhide_post_the_documented_body() -> None:
    router = Router().add("POST", f"{API}/comment/hide/", json=fx("ok_empty.json"))
    tt = make(router)
    assert tt.perform(ActionRequest("hide", target(), "k1")).applied
    assert json_payload(router.requests[0]) == {"business_id": BID, "comment_id": "7375100000000000002", "video_id": VIDEO, "action": "HIDE"}
    assert router.requests[0].headers["Access-Token"] == TOKEN
    assert router.requests[0].headers["Content-Type"] == "application/json"
    result = tt.perform(ActionRequest("unhide", target(), "k2"))
    assert json_payload(router.requests[1])["action"] == "UNHIDE"
    assert "filtres" in result.detail  # TikTok may keep it hidden


def test_delete_only_the_accounts_own_comments() -> None:
    router = Router().add("POST", f"{API}/comment/delete/", json=fx("ok_empty.json"))
    tt = make(router)
    check = tt.check("delete", target())
    assert not check.allowed and "Masquez ce commentaire" in check.reason_fr
    with pytest.raises(NotAllowed):
        tt.perform(ActionRequest("delete", target(), "k"))
    own = target("7375100000000000004", "reply", parent_external_id="7375100000000000003", raw={"owner": True})
    check = tt.check("delete", own)
    assert check.allowed and check.needs_confirmation
    assert tt.perform(ActionRequest("delete", own, "k")).applied
    assert json_payload(router.requests[0]) == {"business_id": BID, "comment_id": "7375100000000000004"}


def test_the_accounts_own_comment_cannot_be_hidden() -> None:
    check = make(Router()).check("hide", target(raw={"owner": True}))
    assert not check.allowed


def test_reply_goes_under_the_top_comment_and_is_limited_to_150_characters() -> None:
    router = Router().add("POST", f"{API}/comment/reply/create/", json=fx("reply_create.json"))
    tt = make(router)
    reply_target = target("7375100000000000004", "reply", parent_external_id="7375100000000000003")
    result = tt.perform(ActionRequest("reply", reply_target, "k", text="Merci pour votre message."))
    assert result.remote_id == "7375100000000000099"
    assert json_payload(router.requests[0]) == {
        "business_id": BID,
        "video_id": VIDEO,
        "comment_id": "7375100000000000003",
        "text": "Merci pour votre message.",
    }
    with pytest.raises(NotAllowed) as caught:
        tt.perform(ActionRequest("reply", target(), "k2", text="x" * 151))
    assert "150 caractères" in caught.value.message_fr
    assert len(router.requests) == 1


def test_like_a_comment() -> None:
    router = Router().add("POST", f"{API}/comment/like/", json=fx("ok_empty.json"))
    assert make(router).perform(ActionRequest("like", target(), "k")).applied
    assert json_payload(router.requests[0]) == {"business_id": BID, "comment_id": "7375100000000000002", "action": "LIKE"}


def test_actions_the_api_does_not_offer_are_explained() -> None:
    tt = make(Router())
    for action, words in (("report", "signaler"), ("block_author", "bloquer"), ("private_reply", "en privé")):
        check = tt.check(action, target())
        assert not check.allowed and words in check.reason_fr
    assert not tt.check("hide", target(VIDEO, "post")).allowed


def test_errors_when_acting() -> None:
    router = Router().add("POST", f"{API}/comment/hide/", json=fx("error_permission.json"))
    with pytest.raises(NotAllowed):
        make(router).perform(ActionRequest("hide", target(), "k"))
    router = Router().add("POST", f"{API}/comment/hide/", json=fx("error_not_found.json"))
    with pytest.raises(PermanentError):
        make(router).perform(ActionRequest("hide", target(), "k"))
    router = Router().add("POST", f"{API}/comment/delete/", json=fx("error_not_found.json"))
    result = make(router).perform(ActionRequest("delete", target(raw={"owner": True}), "k"))
    assert result.applied and "déjà supprimé" in result.detail


def test_reconcile_finds_a_reply_already_sent() -> None:
    replies = fx("reply_list.json")
    router = Router().add("GET", f"{API}/comment/reply/list/", json=replies)
    tt = make(router)
    found = tt.reconcile(ActionRequest("reply", target("7375100000000000003"), "k", text="Dès 19 h,  place de la Mairie."))
    assert found is not None and found.applied and found.remote_id == "7375100000000000004"
    assert router.requests[0].url.params["comment_id"] == "7375100000000000003"
    missing = tt.reconcile(ActionRequest("reply", target("7375100000000000003"), "k", text="Autre texte"))
    assert missing is not None and not missing.applied
    assert tt.reconcile(ActionRequest("hide", target(), "k")) is None


@pytest.mark.django_db
def test_refreshed_tokens_are_saved_encrypted_on_the_account(commune: Any) -> None:
    from beffroi.connectors.runtime import connector_for
    from beffroi.workspace.models import Account

    account = Account.objects.create(commune=commune, platform="tiktok", external_id=BID, name="TikTok")
    account.set_credentials({"access_token": TOKEN, "refresh_token": "rft.OLD", "client_id": "cid", "client_secret": "csecret"})
    account.save()
    router = Router()
    router.add("GET", f"{API}/get/", ok("error_token_expired.json"), ok("business_get.json"))
    router.add("POST", "/open_api/v1.3/tt_user/oauth2/refresh_token/", json=fx("refresh_token.json"))
    connector = connector_for(account, http=router.http(retries=0))
    assert connector.identify() is not None
    account.refresh_from_db()
    stored = account.get_credentials()
    assert stored["access_token"] == "act.NEWACCESSTOKEN00000000000000000000"
    assert stored["refresh_token"] == "rft.NEWREFRESHTOKEN000000000000000000"
    assert stored["client_secret"] == "csecret"
    assert "act.NEWACCESSTOKEN" not in account.credentials_encrypted  # encrypted at rest
