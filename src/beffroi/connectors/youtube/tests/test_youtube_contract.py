"""YouTube connector against the YouTube Data API v3's documented shapes (recorded payloads, no network).

google-api-python-client builds the real requests from its discovery document; they go through
google-auth's AuthorizedHttp (OAuth refresh included) into an httpx MockTransport router.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs

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
from beffroi.connectors.youtube.connector import YouTubeConnector

CH = "UCmairieSaintAubin00000a"
T1 = "UgzT1exampleThreadAAAAAAAA4AaABAg"
T2 = "UgzT2exampleThreadBBBBBBBB4AaABAg"
T4 = "UgzT4exampleThreadDDDDDDDD4AaABAg"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
API = "/youtube/v3"
CREDS = {"client_id": "123-abc.apps.googleusercontent.com", "client_secret": "GOCSPX-secret", "refresh_token": "1//refresh-token-fixture"}


def fx(name: str) -> Any:
    return load_fixture(__file__, name)


def ok(name: str) -> httpx.Response:
    return httpx.Response(200, json=fx(name))


def router_with_token() -> Router:
    return Router().add("POST", "/token", json=fx("token.json"))


def make(router: Router, **options: Any) -> YouTubeConnector:
    config = AccountConfig(platform="youtube", external_id=CH, credentials=CREDS, options=options)
    connector = YouTubeConnector(config, http=router.client())
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def api_calls(router: Router) -> list[httpx.Request]:
    return [r for r in router.requests if r.url.path.startswith(API)]


def target(comment: str = T2, kind: str = "comment", author: str = "UCtroll00000000000000001", **kw: Any) -> ActionTarget:
    values: dict[str, Any] = {
        "item_external_id": comment,
        "item_kind": kind,
        "thread_external_id": "vidEXMPL002",
        "parent_external_id": "vidEXMPL002",
        "author_external_id": author,
        "raw": {"id": comment, "snippet": {"authorChannelId": {"value": author}}},
    }
    values.update(kw)
    return ActionTarget(**values)


def test_identify_refreshes_the_oauth_token_then_asks_for_the_channel() -> None:
    router = router_with_token().add("GET", f"{API}/channels", json=fx("channels_mine.json"))
    identity = make(router).identify()
    assert identity is not None
    assert (identity.external_id, identity.name, identity.handle, identity.url) == (
        CH, "Mairie de Saint-Aubin", "@mairiesaintaubin", "https://www.youtube.com/@mairiesaintaubin")
    token_call, channels_call = router.requests
    assert token_call.url.host == "oauth2.googleapis.com"
    assert parse_qs(token_call.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["1//refresh-token-fixture"],
        "client_id": ["123-abc.apps.googleusercontent.com"],
        "client_secret": ["GOCSPX-secret"],
        "scope": ["https://www.googleapis.com/auth/youtube.force-ssl"],
    }
    assert channels_call.headers["authorization"] == "Bearer ya29.a0FIXTUREaccessTOKEN"
    assert channels_call.url.host == "youtube.googleapis.com"
    assert dict(channels_call.url.params) == {"part": "snippet", "mine": "true", "alt": "json"}


def test_a_google_account_without_channel_is_refused() -> None:
    router = router_with_token().add("GET", f"{API}/channels", json=fx("channels_none.json"))
    with pytest.raises(NotAllowed):
        make(router).identify()


def test_a_revoked_refresh_token_breaks_the_connection() -> None:
    router = Router().add("POST", "/token", json=fx("token_invalid_grant.json"), status=400)
    with pytest.raises(AuthError) as caught:
        make(router).fetch({})
    assert "Reconnectez la chaîne" in caught.value.message_fr


def test_a_polling_round_lists_threads_by_status_and_scans_long_threads() -> None:
    router = router_with_token()
    router.add("GET", f"{API}/commentThreads", ok("threads_published_p1.json"), ok("threads_published_p2.json"), ok("threads_held.json"))
    router.add("GET", f"{API}/comments", json=fx("replies_t2.json"))
    yt = make(router)

    page1 = yt.fetch({})
    assert page1.has_more
    first = api_calls(router)[0]
    assert first.headers["authorization"].startswith("Bearer ")
    params = dict(first.url.params)
    assert params == {
        "part": "snippet,replies",
        "allThreadsRelatedToChannelId": CH,
        "moderationStatus": "published",
        "order": "time",
        "textFormat": "plainText",
        "maxResults": "100",
        "alt": "json",
    }
    by_id = {i.external_id: i for i in page1.items}
    assert set(by_id) == {T1, T1 + ".R1", T2}  # T2's included replies wait for the full scan
    question, ours, insult = by_id[T1], by_id[T1 + ".R1"], by_id[T2]
    assert question.kind == "comment" and question.thread_external_id == "vidEXMPL001" and question.parent_external_id == "vidEXMPL001"
    assert question.published_at == dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC) and question.likes == 4
    assert question.url == f"https://www.youtube.com/watch?v=vidEXMPL001&lc={T1}"
    assert question.author is not None and question.author.handle == "@habitant-exemple"
    assert ours.kind == "reply" and ours.parent_external_id == T1 and ours.is_from_account
    assert not insult.is_hidden and insult.author is not None and insult.author.external_id == "UCtroll00000000000000001"
    assert page1.cursor["queue"] == [T2] and page1.cursor["page_token"] == "QURTSl9pMlQ2OGVfYlF"

    page2 = yt.fetch(page1.cursor)
    replies_call = api_calls(router)[1]
    assert replies_call.url.path == f"{API}/comments"
    assert replies_call.url.params["parentId"] == T2 and replies_call.url.params["textFormat"] == "plainText"
    assert [i.external_id for i in page2.items] == [f"{T2}.R{i}" for i in range(1, 8)]
    assert all(i.kind == "reply" and i.parent_external_id == T2 and i.thread_external_id == "vidEXMPL002" for i in page2.items)

    page3 = yt.fetch(page2.cursor)
    assert api_calls(router)[2].url.params["pageToken"] == "QURTSl9pMlQ2OGVfYlF"
    assert page3.items == []  # January's thread is outside the window: listing stops
    page4 = yt.fetch(page3.cursor)
    assert api_calls(router)[3].url.params["moderationStatus"] == "heldForReview"
    (held,) = page4.items
    assert held.external_id == T4 and held.is_hidden  # held for review by YouTube: not public
    assert not page4.has_more
    assert yt.usage()["units"] == 4 and yt.usage()["quota_used"] == 4

    # Next round: nothing new is returned again.
    router.add("GET", f"{API}/commentThreads", ok("threads_published_p1.json"), ok("threads_empty.json"))
    cursor = page4.cursor
    seen: list[str] = []
    while True:
        page = yt.fetch(cursor)
        seen += [i.external_id for i in page.items]
        cursor = page.cursor
        if not page.has_more:
            break
    assert seen == []
    assert len(api_calls(router)) == 7  # published pages 1 and 2, then the held list: 3 units


def test_a_new_reply_in_a_long_thread_is_found() -> None:
    router = router_with_token()
    router.add("GET", f"{API}/commentThreads", ok("threads_published_p1.json"), ok("threads_empty.json"), ok("threads_empty.json"))
    router.add("GET", f"{API}/comments", json=fx("replies_t2.json"))
    yt = make(router)
    cursor: dict[str, Any] = {}
    while True:
        page = yt.fetch(cursor)
        cursor = page.cursor
        if not page.has_more:
            break
    threads = fx("threads_published_p1.json")
    threads["items"][0]["snippet"]["totalReplyCount"] = 8
    threads.pop("nextPageToken")
    replies = fx("replies_t2.json")
    replies["items"].append({**replies["items"][0], "id": f"{T2}.R8", "snippet": {**replies["items"][0]["snippet"], "publishedAt": "2024-06-02T11:00:00Z", "textDisplay": "huitième"}})
    router.add("GET", f"{API}/commentThreads", httpx.Response(200, json=threads), ok("threads_empty.json"))
    router.add("GET", f"{API}/comments", json=replies)
    new: list[str] = []
    while True:
        page = yt.fetch(cursor)
        new += [i.external_id for i in page.items]
        cursor = page.cursor
        if not page.has_more:
            break
    assert new == [f"{T2}.R8"]


@pytest.mark.parametrize(
    ("status", "fixture", "error"),
    [
        (403, "error_forbidden.json", AuthError),  # reading refused: connection broken
        (403, "error_access_not_configured.json", AuthError),
        (500, "error_backend.json", TransientError),
        (403, "error_quota.json", RateLimited),
    ],
)
def test_errors_when_reading(status: int, fixture: str, error: type[Exception]) -> None:
    router = router_with_token().add("GET", f"{API}/commentThreads", json=fx(fixture), status=status)
    with pytest.raises(error) as caught:
        make(router).fetch({})
    if fixture == "error_access_not_configured.json":
        assert "n'est pas activée" in caught.value.message_fr  # type: ignore[attr-defined]
    if error is RateLimited:
        assert caught.value.retry_after == 19 * 3600  # type: ignore[attr-defined]  # until midnight Pacific time


def test_a_rejected_access_token_is_refreshed_and_then_the_connection_breaks() -> None:
    router = router_with_token().add("GET", f"{API}/commentThreads", json={"error": {"code": 401, "message": "Invalid Credentials", "errors": [{"reason": "authError"}]}}, status=401)
    with pytest.raises(AuthError):
        make(router).fetch({})
    assert len([r for r in router.requests if r.url.path == "/token"]) >= 2  # google-auth refreshed before giving up


def test_429_honours_retry_after() -> None:
    router = router_with_token().add("GET", f"{API}/commentThreads", httpx.Response(429, headers={"Retry-After": "90"}, json={"error": {"code": 429, "errors": [{"reason": "rateLimitExceeded"}]}}))
    with pytest.raises(RateLimited) as caught:
        make(router).fetch({})
    assert caught.value.retry_after == 90


def test_timeouts_are_transient() -> None:
    router = router_with_token().add("GET", f"{API}/commentThreads", httpx.ConnectTimeout("slow"))
    with pytest.raises(TransientError):
        make(router).fetch({})


# ---------------------------------------------------------------------------------------------
# Acting


def test_hide_puts_the_comment_back_in_held_for_review() -> None:
    router = router_with_token().add("POST", f"{API}/comments/setModerationStatus", httpx.Response(204))
    yt = make(router)
    check = yt.check("hide", target())
    assert check.allowed and not check.needs_confirmation and check.cost == 50
    assert yt.perform(ActionRequest("hide", target(), "k")).applied
    call = api_calls(router)[0]
    assert dict(call.url.params) == {"id": T2, "moderationStatus": "heldForReview"}
    assert call.headers["authorization"] == "Bearer ya29.a0FIXTUREaccessTOKEN"
    yt.perform(ActionRequest("unhide", target(), "k2"))
    assert api_calls(router)[1].url.params["moderationStatus"] == "published"
    assert yt.usage()["units"] == 100


def test_rejecting_someone_elses_comment_is_irreversible_and_asks_for_confirmation() -> None:
    router = router_with_token().add("POST", f"{API}/comments/setModerationStatus", httpx.Response(204))
    yt = make(router)
    check = yt.check("delete", target())
    assert check.allowed and check.needs_confirmation and "Irréversible" in check.reason_fr and "masquer" in check.reason_fr
    yt.perform(ActionRequest("delete", target(), "k"))
    assert dict(api_calls(router)[0].url.params) == {"id": T2, "moderationStatus": "rejected"}


def test_block_author_rejects_with_ban() -> None:
    router = router_with_token().add("POST", f"{API}/comments/setModerationStatus", httpx.Response(204))
    yt = make(router)
    check = yt.check("block_author", target())
    assert check.needs_confirmation and "YouTube Studio" in check.reason_fr
    yt.perform(ActionRequest("block_author", target(), "k"))
    assert dict(api_calls(router)[0].url.params) == {"id": T2, "moderationStatus": "rejected", "banAuthor": "true"}
    assert not yt.check("unblock_author", target()).allowed


def test_the_channels_own_comment_is_deleted_not_moderated() -> None:
    router = router_with_token().add("DELETE", f"{API}/comments", httpx.Response(204))
    yt = make(router)
    own = target(T1 + ".R1", "reply", author=CH, parent_external_id=T1)
    assert not yt.check("hide", own).allowed
    yt.perform(ActionRequest("delete", own, "k"))
    call = api_calls(router)[0]
    assert call.method == "DELETE" and call.url.params["id"] == T1 + ".R1"


def test_reply_goes_under_the_top_level_comment() -> None:
    router = router_with_token().add("POST", f"{API}/comments", json=fx("comment_insert.json"))
    yt = make(router)
    result = yt.perform(ActionRequest("reply", target(T1 + ".R1", "reply", parent_external_id=T1, raw={"snippet": {"parentId": T1}}), "k", text="Merci pour votre message."))
    assert result.applied and result.remote_id == T1 + ".R9"
    call = api_calls(router)[0]
    assert call.url.params["part"] == "snippet"
    assert json_payload(call) == {"snippet": {"parentId": T1, "textOriginal": "Merci pour votre message."}}


def test_reconcile_finds_the_channels_reply() -> None:
    router = router_with_token().add("GET", f"{API}/comments", json=fx("replies_t1_with_ours.json"))
    yt = make(router)
    found = yt.reconcile(ActionRequest("reply", target(T1), "k", text="Merci,  à samedi !"))
    assert found is not None and found.applied and found.remote_id == T1 + ".R1"
    assert api_calls(router)[0].url.params["parentId"] == T1
    assert yt.reconcile(ActionRequest("reply", target(T1), "k", text="autre")).applied is False  # type: ignore[union-attr]


def test_moderating_a_comment_that_is_gone_counts_as_done_but_unhiding_a_rejected_one_is_refused() -> None:
    router = router_with_token().add("POST", f"{API}/comments/setModerationStatus", json=fx("error_not_found.json"), status=404)
    assert "n'existe plus" in make(router).perform(ActionRequest("hide", target(), "k")).detail
    router = router_with_token().add("POST", f"{API}/comments/setModerationStatus", json=fx("error_processing.json"), status=400)
    with pytest.raises(PermanentError) as caught:
        make(router).perform(ActionRequest("unhide", target(), "k"))
    assert "rejeté" in caught.value.message_fr
    router = router_with_token().add("POST", f"{API}/comments/setModerationStatus", json=fx("error_forbidden.json"), status=403)
    with pytest.raises(NotAllowed):
        make(router).perform(ActionRequest("hide", target(), "k"))


def test_report_like_and_private_replies_are_explained() -> None:
    yt = make(Router())
    assert "markAsSpam" in yt.check("report", target()).reason_fr
    assert not yt.check("like", target()).allowed
    assert not yt.check("private_reply", target()).allowed
    assert not yt.check("hide", target("vidEXMPL002", "post")).allowed


def test_googleapiclients_own_http_mock_sequence_can_be_injected() -> None:
    from googleapiclient.http import HttpMockSequence

    threads = json.dumps(fx("threads_held.json"))
    mock = HttpMockSequence([({"status": "200"}, threads)])
    config = AccountConfig(platform="youtube", external_id=CH, credentials={"access_token": "ya29.static"}, options={"moderation_statuses": ["heldForReview"]})
    yt = YouTubeConnector(config, http=mock)
    yt.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    page = yt.fetch({})
    assert [i.external_id for i in page.items] == [T4] and not page.has_more


def test_the_listing_can_be_limited_to_some_videos() -> None:
    router = router_with_token().add("GET", f"{API}/commentThreads", json=fx("threads_empty.json"))
    yt = make(router, video_ids=["vidEXMPL001", "vidEXMPL002"], moderation_statuses=["published"])
    cursor: dict[str, Any] = {}
    while True:
        page = yt.fetch(cursor)
        cursor = page.cursor
        if not page.has_more:
            break
    calls = api_calls(router)
    assert [c.url.params["videoId"] for c in calls] == ["vidEXMPL001", "vidEXMPL002"]
    assert all("allThreadsRelatedToChannelId" not in c.url.params for c in calls)
