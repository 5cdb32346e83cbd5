"""X connector through tweepy against the X API v2's documented shapes (recorded payloads, no network)."""

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
from beffroi.connectors.x.connector import XConnector
from beffroi.connectors.x.reading import CONV_AUTHOR_KEY, QUERY_MAX, build_query, conversation_batches

ME = "1500000000000000001"
POST = "1796900000000000100"
R1 = "1796950000000000200"
R2 = "1796960000000000300"
M = "1796970000000000400"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
CREDS = {"api_key": "consumer-key-123", "api_secret": "consumer-secret-456", "access_token": f"{ME}-usertoken789", "access_token_secret": "token-secret-000"}


def fx(name: str) -> Any:
    return load_fixture(__file__, name)


def ok(name: str, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=fx(name), headers=headers)


def make(router: Router) -> XConnector:
    connector = XConnector(AccountConfig(platform="x", external_id=ME, credentials=CREDS), http=router.client())
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def assert_oauth1(request: httpx.Request) -> None:
    header = request.headers["Authorization"]
    assert header.startswith("OAuth ")
    assert 'oauth_consumer_key="consumer-key-123"' in header
    assert f'oauth_token="{ME}-usertoken789"' in header
    assert 'oauth_signature_method="HMAC-SHA1"' in header
    assert "consumer-secret-456" not in header and "token-secret-000" not in header


def reply_target(item: str = R2, **kw: Any) -> ActionTarget:
    values: dict[str, Any] = {
        "item_external_id": item,
        "item_kind": "reply",
        "thread_external_id": POST,
        "parent_external_id": R1,
        "author_external_id": "2300000000000000003",
        "raw": {"id": item, "author_id": "2300000000000000003", "conversation_id": POST, CONV_AUTHOR_KEY: ME},
    }
    values.update(kw)
    return ActionTarget(**values)


def test_identify_asks_users_me() -> None:
    router = Router().add("GET", "/2/users/me", json=fx("me.json"))
    identity = make(router).identify()
    assert identity is not None
    assert (identity.external_id, identity.handle, identity.url) == (ME, "@MairieStAubin", "https://x.com/MairieStAubin")
    assert_oauth1(router.requests[0])
    assert router.requests[0].url.params["user.fields"] == "username,name"


def test_a_polling_round_reads_own_posts_then_mentions_then_replies_in_own_conversations() -> None:
    router = Router()
    router.add("GET", f"/2/users/{ME}/tweets", json=fx("own_tweets.json"))
    router.add("GET", f"/2/users/{ME}/mentions", ok("mentions_page1.json", **{"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449", "x-rate-limit-reset": "1717330500"}), ok("mentions_page2.json"))
    router.add("GET", "/2/tweets/search/recent", json=fx("search_conversation.json"))
    x = make(router)

    page1 = x.fetch({})
    assert page1.has_more
    (post,) = page1.items
    assert post.kind == "post" and post.is_from_account and post.thread_external_id == POST
    assert (post.likes, post.shares) == (12, 4)
    own_call = router.requests[0]
    assert_oauth1(own_call)
    assert own_call.url.params["exclude"] == "retweets,replies"
    assert own_call.url.params["start_time"] == "2024-03-04T12:00:00Z"  # first round: 90-day backfill
    assert own_call.url.params["max_results"] == "100"
    assert "conversation_id" in own_call.url.params["tweet.fields"]
    assert page1.cursor["convs"] == {POST: {"since": POST, "t": 1717228800}}

    page2 = x.fetch(page1.cursor)
    (mention,) = page2.items
    assert mention.external_id == M and mention.kind == "mention" and mention.moderated is False  # someone else's conversation
    assert mention.thread_external_id == "1796000000000000050"
    assert router.requests[1].url.params["expansions"] == "author_id,referenced_tweets.id"
    assert x.usage() == {"rate_limits": {"GET /2/users/:id/mentions": {"limit": 450, "remaining": 449, "reset": 1717330500}}}

    page3 = x.fetch(page2.cursor)
    assert router.requests[2].url.params["pagination_token"] == "7140dibdnow9c7btw3z2vwioavpvutgzrzm9icis4ndix"
    (question,) = page3.items
    assert question.kind == "comment" and question.moderated is None and question.parent_external_id == POST
    assert question.raw[CONV_AUTHOR_KEY] == ME
    assert question.author is not None and question.author.handle == "@habitante_sa"
    assert question.author.metadata["followers"] == 150
    assert page3.cursor["mentions_since"] == M and page3.cursor["batches"] == [[POST]]

    page4 = x.fetch(page3.cursor)
    search = router.requests[3]
    assert search.url.params["query"] == f"conversation_id:{POST}"
    assert search.url.params["since_id"] == POST
    assert [i.external_id for i in page4.items] == [R1, R2]  # oldest first
    insult = page4.items[1]
    assert insult.kind == "reply" and insult.parent_external_id == R1 and insult.thread_external_id == POST
    assert insult.author is not None and insult.author.metadata["account_age_days"] == 2
    assert insult.url == f"https://x.com/compte_neuf_123/status/{R2}"
    assert not page4.has_more
    cursor = page4.cursor
    assert cursor["convs"][POST]["since"] == R2 and cursor["own_since"] == POST and cursor["round_start"] is None

    # The next round only asks what is new.
    router.add("GET", f"/2/users/{ME}/tweets", json=fx("empty.json"))
    router.add("GET", f"/2/users/{ME}/mentions", json=fx("empty.json"))
    router.add("GET", "/2/tweets/search/recent", json=fx("empty.json"))
    while True:
        page = x.fetch(cursor)
        cursor = page.cursor
        if not page.has_more:
            break
    assert router.requests[4].url.params["since_id"] == POST and "start_time" not in router.requests[4].url.params
    assert router.requests[5].url.params["since_id"] == M
    assert router.requests[6].url.params["since_id"] == R2


def test_conversation_searches_are_batched_under_the_query_limit() -> None:
    ids = [str(1796900000000000000 + i) for i in range(40)]
    batches = conversation_batches(ids)
    assert sum(len(b) for b in batches) == 40
    assert all(len(build_query(b)) <= QUERY_MAX for b in batches)
    assert [len(b) for b in batches] == [13, 13, 13, 1]  # 13 × 35 characters + " OR "s fit in 512
    assert build_query(["1", "2"]) == "(conversation_id:1 OR conversation_id:2)"


@pytest.mark.parametrize(
    ("status", "fixture", "error"),
    [
        (401, "error_unauthorized.json", AuthError),
        (403, "error_client_not_enrolled.json", AuthError),  # reading impossible: connection broken
        (500, "error_unauthorized.json", TransientError),
        (400, "error_not_found.json", PermanentError),
    ],
)
def test_errors_when_reading(status: int, fixture: str, error: type[Exception]) -> None:
    router = Router().add("GET", f"/2/users/{ME}/tweets", json=fx(fixture), status=status)
    with pytest.raises(error) as caught:
        make(router).fetch({})
    if status == 403:
        assert "Basic" in caught.value.message_fr  # type: ignore[attr-defined]


def test_429_honours_x_rate_limit_reset() -> None:
    reset = int(NOW.timestamp()) + 600
    router = Router().add("GET", f"/2/users/{ME}/tweets", json=fx("error_too_many.json"), status=429, headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"})
    x = make(router)
    x.x.clock = lambda: NOW.timestamp()
    with pytest.raises(RateLimited) as caught:
        x.fetch({})
    assert caught.value.retry_after == 600


def test_timeouts_are_transient() -> None:
    router = Router().add("GET", f"/2/users/{ME}/tweets", httpx.ReadTimeout("slow"))
    with pytest.raises(TransientError):
        make(router).fetch({})


# ---------------------------------------------------------------------------------------------
# Acting


def test_hide_a_reply_in_the_accounts_conversation() -> None:
    router = Router().add("PUT", f"/2/tweets/{R2}/hidden", json=fx("hide.json"))
    x = make(router)
    check = x.check("hide", reply_target())
    assert check.allowed and "n'est pas prévenu" in check.reason_fr
    result = x.perform(ActionRequest("hide", reply_target(), "k1"))
    assert result.applied
    assert json_payload(router.requests[0]) == {"hidden": True}
    assert_oauth1(router.requests[0])
    router.add("PUT", f"/2/tweets/{R2}/hidden", json=fx("unhide.json"))
    assert x.perform(ActionRequest("unhide", reply_target(), "k2")).applied
    assert json_payload(router.requests[1]) == {"hidden": False}


def test_hide_is_refused_outside_the_accounts_conversations() -> None:
    router = Router()
    x = make(router)
    mention = ActionTarget(item_external_id=M, item_kind="mention", parent_external_id="1796000000000000050", author_external_id="2400000000000000004", raw={"author_id": "2400000000000000004"})
    check = x.check("hide", mention)
    assert not check.allowed and "conversations lancées par le compte" in check.reason_fr
    with pytest.raises(NotAllowed):
        x.perform(ActionRequest("hide", mention, "k"))
    assert not x.check("hide", reply_target(raw={"author_id": "x", CONV_AUTHOR_KEY: "2400000000000000004"})).allowed
    own = reply_target(author_external_id=ME, raw={"author_id": ME})
    assert not x.check("hide", own).allowed
    assert not x.check("hide", ActionTarget(item_external_id=POST, item_kind="post", raw={"author_id": "9"})).allowed
    assert router.requests == []


def test_hide_checks_the_conversation_with_x_when_it_is_not_known() -> None:
    router = Router()
    router.add("GET", f"/2/tweets/{R2}", json=fx("tweet_conversation.json"))
    router.add("GET", f"/2/tweets/{POST}", json=fx("tweet_root_ours.json"))
    router.add("PUT", f"/2/tweets/{R2}/hidden", json=fx("hide.json"))
    target = reply_target(raw={"author_id": "2300000000000000003"})  # e.g. delivered by a webhook
    assert make(router).perform(ActionRequest("hide", target, "k")).applied
    assert [r.url.path for r in router.requests] == [f"/2/tweets/{R2}", f"/2/tweets/{POST}", f"/2/tweets/{R2}/hidden"]

    router = Router()
    router.add("GET", f"/2/tweets/{R2}", json={"data": {"id": R2, "conversation_id": "1796000000000000050"}})
    router.add("GET", "/2/tweets/1796000000000000050", json=fx("tweet_root_other.json"))
    with pytest.raises(NotAllowed) as caught:
        make(router).perform(ActionRequest("hide", target, "k"))
    assert "conversations lancées" in caught.value.message_fr
    assert all(r.method == "GET" for r in router.requests)


def test_x_refusing_the_hide_is_not_allowed() -> None:
    router = Router().add("PUT", f"/2/tweets/{R2}/hidden", json={"title": "Forbidden", "detail": "You cannot hide replies to a conversation you do not own.", "type": "about:blank", "status": 403}, status=403)
    with pytest.raises(NotAllowed) as caught:
        make(router).perform(ActionRequest("hide", reply_target(), "k"))
    assert "conversations lancées" in caught.value.message_fr


def test_reply_posts_a_tweet_in_reply() -> None:
    router = Router().add("POST", "/2/tweets", json=fx("create_tweet.json"), status=201)
    result = make(router).perform(ActionRequest("reply", reply_target(R1, item_kind="comment"), "k", text="Oui, la réunion sera retransmise sur le site de la commune."))
    assert result.applied and result.remote_id == "1797000000000000900"
    assert json_payload(router.requests[0]) == {"text": "Oui, la réunion sera retransmise sur le site de la commune.", "reply": {"in_reply_to_tweet_id": R1}}
    assert_oauth1(router.requests[0])


def test_a_read_only_app_cannot_reply() -> None:
    router = Router().add("POST", "/2/tweets", json=fx("error_oauth1_permissions.json"), status=403)
    with pytest.raises(NotAllowed) as caught:
        make(router).perform(ActionRequest("reply", reply_target(), "k", text="x"))
    assert "Read and write" in caught.value.message_fr


def test_reconcile_finds_the_reply_among_the_accounts_posts() -> None:
    router = Router().add("GET", f"/2/users/{ME}/tweets", json=fx("own_replies.json"))
    x = make(router)
    found = x.reconcile(ActionRequest("reply", reply_target(R1), "k", text="Oui, la réunion sera retransmise sur le site de la commune."))
    assert found is not None and found.applied and found.remote_id == "1797000000000000900"
    assert router.requests[0].url.params["since_id"] == R1
    missing = x.reconcile(ActionRequest("reply", reply_target(R1), "k", text="Un autre texte"))
    assert missing is not None and not missing.applied


def test_delete_only_the_accounts_own_posts() -> None:
    router = Router().add("DELETE", f"/2/tweets/{POST}", json=fx("delete.json"))
    x = make(router)
    assert not x.check("delete", reply_target()).allowed
    own = ActionTarget(item_external_id=POST, item_kind="post", author_external_id=ME, raw={"author_id": ME})
    check = x.check("delete", own)
    assert check.allowed and check.needs_confirmation
    assert x.perform(ActionRequest("delete", own, "k")).applied
    router.add("DELETE", f"/2/tweets/{POST}", json=fx("error_not_found.json"), status=404)
    assert x.perform(ActionRequest("delete", own, "k")).detail == "déjà supprimé sur X"


def test_block_unblock_and_like() -> None:
    router = Router()
    router.add("POST", f"/2/users/{ME}/blocking", json=fx("block.json"))
    router.add("DELETE", f"/2/users/{ME}/blocking/2300000000000000003", json=fx("unblock.json"))
    router.add("POST", f"/2/users/{ME}/likes", json=fx("like.json"))
    x = make(router)
    assert x.perform(ActionRequest("block_author", reply_target(), "k")).applied
    assert json_payload(router.requests[0]) == {"target_user_id": "2300000000000000003"}
    assert_oauth1(router.requests[0])
    assert x.perform(ActionRequest("unblock_author", reply_target(), "k")).applied
    assert x.perform(ActionRequest("like", reply_target(R1), "k")).applied
    assert json_payload(router.requests[2]) == {"tweet_id": R1}


def test_blocking_refused_by_the_access_level_is_explained() -> None:
    router = Router().add("POST", f"/2/users/{ME}/blocking", json=fx("error_client_not_enrolled.json"), status=403)
    with pytest.raises(NotAllowed) as caught:
        make(router).perform(ActionRequest("block_author", reply_target(), "k"))
    assert "niveau d'accès" in caught.value.message_fr


def test_report_and_private_reply_are_not_offered() -> None:
    x = make(Router())
    assert "Signaler" in x.check("report", reply_target()).reason_fr
    assert not x.check("private_reply", reply_target()).allowed


@pytest.mark.django_db
def test_revoked_tokens_mark_the_account_broken_and_a_sync_stores_the_round(commune: Any, caplog: pytest.LogCaptureFixture) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account, AccountStatus, Item

    account = Account.objects.create(commune=commune, platform="x", external_id=ME, name="X mairie")
    account.set_credentials(CREDS)
    account.save()
    router = Router().add("GET", f"/2/users/{ME}/tweets", json=fx("error_unauthorized.json"), status=401)
    result = sync_account(account, http=router.client())
    assert result.status == "broken"
    account.refresh_from_db()
    assert account.status == AccountStatus.BROKEN and "Reconnectez le compte X" in account.status_detail
    assert all(secret not in caplog.text for secret in ("consumer-secret-456", "token-secret-000", "usertoken789"))

    account.status = AccountStatus.ACTIVE
    account.save()
    router = Router()
    router.add("GET", f"/2/users/{ME}/tweets", json=fx("own_tweets.json"))
    router.add("GET", f"/2/users/{ME}/mentions", ok("mentions_page1.json"), ok("mentions_page2.json"))
    router.add("GET", "/2/tweets/search/recent", json=fx("search_conversation.json"))
    result = sync_account(account, http=router.client())
    # The sync runs with the real clock: the 2024 fixtures are outside the search window, so only the
    # timelines are read; every item is stored once.
    assert result.status == "ok", result.detail_fr
    assert set(Item.objects.filter(account=account).values_list("external_id", flat=True)) == {POST, M, R1}
    assert Item.objects.get(external_id=M).moderated is False
    assert sync_account(account, http=router.client()).items_created == 0
