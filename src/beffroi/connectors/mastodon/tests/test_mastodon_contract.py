"""Mastodon connector: Mastodon.py against a local server speaking the documented API (no network)."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable
from typing import Any

import pytest

from beffroi.connectors.base import (
    ActionRequest,
    ActionTarget,
    AuthError,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.connectors.mastodon import connector as connector_module
from beffroi.connectors.mastodon.actions import sync_keyword_filter
from beffroi.connectors.mastodon.connector import MastodonConnector
from beffroi.connectors.mastodon.convert import html_to_text
from beffroi.connectors.mastodon.tests.conftest import COMMUNE_ID, NOW
from beffroi.connectors.mastodon.tests.fakeserver import TOKEN, FakeMastodon, fixture

POST, INSULT, ANSWER, QUESTION, MENTION, DIRECT = (f"11254000000000000{i}" for i in range(1, 7))
OLD = "112000000000000100"
TROLL, JEAN = "109000000000000003", "109000000000000002"
STATUSES = f"/api/v1/accounts/{COMMUNE_ID}/statuses"

Make = Callable[..., MastodonConnector]


def full_round(
    connector: MastodonConnector, cursor: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any], int]:
    items: dict[str, Any] = {}
    cursor = dict(cursor or {})
    pages = 0
    while True:
        page = connector.fetch(cursor)
        pages += 1
        for item in page.items:
            items.setdefault(item.external_id, item)  # like ingestion: the first version of an item is stored
        cursor = page.cursor
        json.dumps(cursor)  # stored as JSON
        if not page.has_more:
            return items, cursor, pages


def target(item_id: str, **kw: Any) -> ActionTarget:
    statuses = fixture("statuses.json")
    raw = next((s for s in statuses.values() if s["id"] == item_id), {})
    defaults: dict[str, Any] = {
        "item_external_id": item_id,
        "item_kind": "comment",
        "author_external_id": raw.get("account", {}).get("id", ""),
        "raw": raw,
    }
    defaults.update(kw)
    return ActionTarget(**defaults)


# ---------------------------------------------------------------------------------------------
# Reading


def test_identify_reads_verify_credentials_with_the_bearer_token(
    fake: FakeMastodon, make_connector: Make
) -> None:
    identity = make_connector(external_id="").identify()
    assert identity is not None
    assert identity.external_id == COMMUNE_ID and identity.name == "Mairie de Saint-Aubin"
    assert (
        identity.handle == f"@mairie@{fake.url.split('://')[1]}"
        and identity.url == "https://social.example/@mairie"
    )
    call = fake.calls("GET", "/api/v1/accounts/verify_credentials")[0]
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["user-agent"].startswith("Beffroi/")


def test_a_round_reads_mentions_then_the_commune_statuses_then_their_replies(
    fake: FakeMastodon, make_connector: Make
) -> None:
    mastodon = make_connector()
    items, cursor, pages = full_round(mastodon)

    notif = fake.calls("GET", "/api/v1/notifications")[0]
    assert notif.query["types[]"] == ["mention"] and notif.query["limit"] == ["40"]
    assert "since_id" not in notif.query  # first round
    statuses = fake.calls("GET", f"/api/v1/accounts/{COMMUNE_ID}/statuses")[0]
    assert statuses.query["exclude_reblogs"] == ["1"]
    contexts = [c.path for c in fake.calls("GET")]
    assert f"/api/v1/statuses/{POST}/context" in contexts
    assert f"/api/v1/statuses/{OLD}/context" not in contexts  # older than the 90 days of backfill
    assert pages == 3  # notifications, statuses, one context

    insult = items[INSULT]
    assert (
        insult.kind == "comment" and insult.parent_external_id == POST and insult.thread_external_id == POST
    )
    assert insult.text == "@mairie Bande d'incapables, vous ne fichez rien !"
    assert insult.published_at == dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC)
    assert (
        insult.author is not None
        and insult.author.handle == "troll@autre.example"
        and insult.author.external_id == TROLL
    )
    assert (
        insult.author.metadata["created_at"] == "2024-05-30T00:00:00Z"
        and insult.author.metadata["followers"] == 0
    )
    assert insult.url == f"https://autre.example/@troll/{INSULT}"
    assert not insult.is_from_account and insult.moderated is None
    answer = items[ANSWER]  # only in the context: it does not mention the commune
    assert (
        answer.kind == "reply" and answer.parent_external_id == INSULT and answer.thread_external_id == POST
    )
    mention = items[MENTION]
    assert mention.kind == "mention" and mention.thread_external_id == MENTION
    assert mention.text == "@mairie la déchetterie est-elle ouverte samedi ?\nMerci d'avance"
    direct = items[DIRECT]
    assert direct.kind == "private_message" and direct.text.startswith("message privé\n\n@mairie je sais")
    post = items[POST]
    assert post.kind == "post" and post.is_from_account and post.likes == 27 and post.shares == 4
    assert items[QUESTION].kind == "comment"
    assert set(items) == {POST, INSULT, ANSWER, QUESTION, MENTION, DIRECT}  # follow / favourite ignored
    json.dumps(dict(insult.raw))
    assert insult.raw["id"] == INSULT and insult.raw["account"]["acct"] == "troll@autre.example"

    assert (
        cursor["since"] == "40006"
        and cursor["phase"] == "statuses"
        and cursor["last_round"] == int(NOW.timestamp())
    )
    assert cursor["posts"][POST][1] == 2  # direct replies seen


def test_next_round_asks_only_newer_mentions_and_skips_unchanged_threads(
    fake: FakeMastodon, make_connector: Make
) -> None:
    mastodon = make_connector()
    _, cursor, _ = full_round(mastodon)
    fake.requests.clear()

    later = make_connector(now=NOW + dt.timedelta(minutes=5))
    items, cursor, _ = full_round(later, cursor)
    notif = fake.calls("GET", "/api/v1/notifications")[0]
    assert notif.query["since_id"] == ["40006"]
    assert items == {POST: items[POST]}  # its own status, refreshed; nothing else
    assert not [c for c in fake.requests if c.path.endswith("/context")]
    assert set(cursor["posts"]) == {POST}

    # A new reply to the commune's post: the mention comes, the post's count changes, its thread is read.
    reply = dict(fake.state.statuses[INSULT])
    reply.update(
        id="112540000000000009",
        in_reply_to_id=POST,
        content="<p>@mairie Encore vous !</p>",
        created_at="2024-06-02T12:01:00.000Z",
    )
    fake.add_status(reply, notify=True)
    fake.state.statuses[POST]["replies_count"] = 3
    fake.requests.clear()
    items, cursor, _ = full_round(make_connector(now=NOW + dt.timedelta(minutes=10)), cursor)
    assert "112540000000000009" in items and items["112540000000000009"].kind == "comment"
    assert [c.path for c in fake.requests if c.path.endswith("/context")] == [
        f"/api/v1/statuses/{POST}/context"
    ]


def test_the_first_round_reads_back_as_far_as_the_backfill_option(
    fake: FakeMastodon, make_connector: Make
) -> None:
    items, cursor, _ = full_round(make_connector(backfill_days=200))
    assert OLD in items and items[OLD].kind == "post"
    assert f"/api/v1/statuses/{OLD}/context" in [c.path for c in fake.requests]
    assert set(cursor["posts"]) == {POST}  # then only the 30 active days are followed


def test_threads_are_read_again_after_an_hour_even_without_new_direct_replies(
    fake: FakeMastodon, make_connector: Make
) -> None:
    _, cursor, _ = full_round(make_connector())
    deep = dict(fake.state.statuses[ANSWER])
    deep.update(id="112540000000000010", in_reply_to_id=ANSWER, content="<p>Et toi alors ?</p>")
    fake.add_status(deep)  # below a reply: no mention, the post's replies_count does not move
    items, cursor, _ = full_round(make_connector(now=NOW + dt.timedelta(minutes=30)), cursor)
    assert "112540000000000010" not in items
    items, _, _ = full_round(make_connector(now=NOW + dt.timedelta(minutes=61)), cursor)
    found = items["112540000000000010"]
    assert found.kind == "reply" and found.parent_external_id == ANSWER and found.thread_external_id == POST


def test_mentions_are_paged_with_max_id_until_the_last_seen(
    fake: FakeMastodon, make_connector: Make, monkeypatch: Any
) -> None:
    mastodon = make_connector()
    statuses = mastodon.fetch({})  # phase 1: the commune's statuses
    assert statuses.cursor["phase"] == "notifications" and [i.external_id for i in statuses.items] == [POST]
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 2)
    first = mastodon.fetch(statuses.cursor)
    assert first.has_more and first.cursor["phase"] == "notifications" and first.cursor["max_id"] == "40005"
    assert [i.external_id for i in first.items] == [MENTION, DIRECT]  # oldest first
    second = mastodon.fetch(first.cursor)
    call = fake.calls("GET", "/api/v1/notifications")[1]
    assert call.query["max_id"] == ["40005"] and call.query["limit"] == ["2"]
    assert [i.external_id for i in second.items] == [INSULT, QUESTION]  # types[]=mention: no favourite
    assert second.has_more and second.cursor["max_id"] == "40002"
    third = mastodon.fetch(second.cursor)
    assert third.items == [] and fake.calls("GET", "/api/v1/notifications")[2].query["max_id"] == ["40002"]
    assert (
        third.cursor["phase"] == "contexts"
        and third.cursor["since"] == "40006"
        and third.cursor["max_id"] is None
    )


def test_html_of_statuses_becomes_plain_text() -> None:
    html = '<p>Bonjour <a href="https://x.example/" rel="nofollow"><span class="invisible">https://</span><span class="">x.example/</span></a><br />ligne 2</p><p>&lt;b&gt; &amp; co</p>'
    assert html_to_text(html) == "Bonjour https://x.example/\nligne 2\n\n<b> & co"


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (401, {}, AuthError),
        (403, {}, AuthError),
        (500, {}, TransientError),
        (502, {}, TransientError),
        (503, {}, TransientError),
    ],
)
def test_http_errors_map_to_the_base_errors(
    fake: FakeMastodon, make_connector: Make, status: int, headers: dict[str, str], error: type
) -> None:
    body = {
        401: fixture("error_401.json"),
        403: fixture("error_403.json"),
        422: fixture("error_422.json"),
    }.get(status)
    fake.fail("GET", STATUSES, status, headers, body)
    with pytest.raises(error) as raised:
        make_connector().fetch({})
    assert raised.value.status == status
    if status == 401:
        assert "jeton" in raised.value.message_fr


def test_a_refused_status_is_a_permanent_error_with_the_instance_message(
    fake: FakeMastodon, make_connector: Make
) -> None:
    fake.fail("POST", "/api/v1/statuses", 422, body=fixture("error_422.json"))
    with pytest.raises(PermanentError) as raised:
        make_connector().perform(ActionRequest("reply", target(INSULT), idempotency_key="k", text="Bonjour"))
    assert raised.value.status == 422 and "Validation failed" in raised.value.message_fr


def test_rate_limit_gives_the_wait_from_x_ratelimit_reset(fake: FakeMastodon, make_connector: Make) -> None:
    import time

    reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 120))
    fake.fail(
        "GET",
        STATUSES,
        429,
        {"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"},
        fixture("error_429.json"),
    )
    mastodon = make_connector()
    mastodon.clock = time.time  # type: ignore[method-assign]
    with pytest.raises(RateLimited) as raised:
        mastodon.fetch({})
    assert raised.value.retry_after is not None and 100 < raised.value.retry_after <= 121
    assert len(fake.calls("GET", STATUSES)) == 1  # never sleeps inside the worker


def test_an_unreachable_instance_is_a_transient_error(make_connector: Make) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from beffroi.connectors.base import AccountConfig

    config = AccountConfig(
        platform="mastodon",
        external_id=COMMUNE_ID,
        credentials={"instance_url": f"http://127.0.0.1:{port}", "access_token": TOKEN},
    )
    with pytest.raises(TransientError):
        MastodonConnector(config).fetch({})


def test_missing_credentials_are_an_auth_error() -> None:
    from beffroi.connectors.base import AccountConfig

    with pytest.raises(AuthError):
        MastodonConnector(
            AccountConfig(platform="mastodon", external_id="1", credentials={"access_token": "x"})
        )


def test_usage_reports_the_rate_limit_headers(fake: FakeMastodon, make_connector: Make) -> None:
    mastodon = make_connector()
    assert mastodon.usage() == {}
    mastodon.identify()
    usage = mastodon.usage()
    assert (
        usage["ratelimit_limit"] == 300
        and usage["ratelimit_remaining"] == 299
        and usage["ratelimit_reset"] > 0
    )


# ---------------------------------------------------------------------------------------------
# Capabilities and platform rules


def test_hide_is_not_possible_and_the_alternatives_are_explained(make_connector: Make) -> None:
    mastodon = make_connector()
    check = mastodon.check("hide", target(INSULT))
    assert not check.allowed
    for word in ("signalez", "bloquez", "sourdine", "filtrez"):
        assert word in check.reason_fr
    assert not mastodon.check("unhide", target(INSULT)).allowed
    with pytest.raises(NotAllowed):
        mastodon.perform(ActionRequest("hide", target(INSULT), idempotency_key="h1"))


def test_only_the_commune_statuses_can_be_deleted(fake: FakeMastodon, make_connector: Make) -> None:
    mastodon = make_connector()
    refused = mastodon.check("delete", target(INSULT))
    assert not refused.allowed and "signalez" in refused.reason_fr
    own = mastodon.check("delete", target(POST, item_kind="post"))
    assert own.allowed and own.needs_confirmation
    assert mastodon.perform(ActionRequest("delete", target(POST), idempotency_key="d1")).applied
    assert fake.calls("DELETE", f"/api/v1/statuses/{POST}")
    again = mastodon.perform(ActionRequest("delete", target(POST), idempotency_key="d2"))
    assert again.applied and again.detail == "déjà supprimé sur Mastodon"  # 404: already gone


# ---------------------------------------------------------------------------------------------
# Actions


def test_reply_mentions_the_author_and_sends_the_idempotency_key(
    fake: FakeMastodon, make_connector: Make
) -> None:
    mastodon = make_connector()
    request = ActionRequest(
        "reply", target(INSULT), idempotency_key="outbox-42", text="Merci de rester courtois."
    )
    assert mastodon.reconcile(request) == mastodon.reconcile(request)
    before = mastodon.reconcile(request)
    assert before is not None and not before.applied
    result = mastodon.perform(request)
    assert result.applied and result.data["visibility"] == "public"
    call = fake.calls("POST", "/api/v1/statuses")[0]
    assert call.headers["idempotency-key"] == "outbox-42"
    assert call.body["status"] == "@troll@autre.example Merci de rester courtois."
    assert (
        call.body["in_reply_to_id"] == INSULT
        and call.body["visibility"] == "public"
        and call.body["language"] == "fr"
    )
    again = mastodon.perform(request)  # a retry after a lost answer: Mastodon returns the same status
    assert again.remote_id == result.remote_id
    mine = [
        s
        for s in fake.state.statuses.values()
        if s.get("in_reply_to_id") == INSULT and s["account"]["id"] == COMMUNE_ID
    ]
    assert len(mine) == 1
    found = mastodon.reconcile(request)
    assert found is not None and found.applied and found.remote_id == result.remote_id


def test_private_messages_are_answered_privately(fake: FakeMastodon, make_connector: Make) -> None:
    mastodon = make_connector()
    mastodon.perform(
        ActionRequest(
            "reply",
            target(DIRECT, item_kind="private_message"),
            idempotency_key="r1",
            text="Nous transmettons à la gendarmerie.",
        )
    )
    mastodon.perform(
        ActionRequest("private_reply", target(QUESTION), idempotency_key="r2", text="Oui, de 10 h à 18 h.")
    )
    first, second = fake.calls("POST", "/api/v1/statuses")
    assert first.body["visibility"] == "direct" and second.body["visibility"] == "direct"
    assert (
        second.body["status"] == "@marie Oui, de 10 h à 18 h." and second.body["in_reply_to_id"] == QUESTION
    )


def test_an_empty_reply_is_refused_before_sending(fake: FakeMastodon, make_connector: Make) -> None:
    with pytest.raises(PermanentError):
        make_connector().perform(ActionRequest("reply", target(INSULT), idempotency_key="e", text="  "))
    assert not fake.calls("POST", "/api/v1/statuses")


def test_report_goes_to_the_instance_and_is_forwarded_for_remote_authors(
    fake: FakeMastodon, make_connector: Make
) -> None:
    mastodon = make_connector()
    result = mastodon.perform(
        ActionRequest(
            "report", target(INSULT), idempotency_key="rep", reason="insult: injure envers le maire"
        )
    )
    assert result.applied and result.remote_id == "48914" and result.data["forwarded"]
    call = fake.calls("POST", "/api/v1/reports")[0]
    assert call.body["account_id"] == TROLL and call.body["status_ids[]"] == [INSULT]
    assert call.body["forward"] == "1" and call.body["category"] == "other"
    assert call.body["comment"].startswith("insult: injure envers le maire")
    local = mastodon.perform(ActionRequest("report", target(MENTION), idempotency_key="rep2", reason="spam"))
    second = fake.calls("POST", "/api/v1/reports")[1]
    assert not local.data["forwarded"] and "forward" not in second.body and second.body["category"] == "spam"


def test_block_unblock_mute_and_unmute(fake: FakeMastodon, make_connector: Make) -> None:
    mastodon = make_connector()
    check = mastodon.check("block_author", target(INSULT))
    assert check.allowed and "pas de durée" in check.reason_fr
    assert (
        mastodon.perform(
            ActionRequest("block_author", target(INSULT), idempotency_key="b", duration_days=7)
        ).data["lift_after_days"]
        == 7
    )
    assert fake.state.relationships[TROLL]["blocking"]
    assert mastodon.perform(ActionRequest("unblock_author", target(INSULT), idempotency_key="u")).applied
    assert not fake.state.relationships[TROLL]["blocking"]
    assert mastodon.perform(
        ActionRequest("mute_author", target(MENTION), idempotency_key="m", duration_days=2)
    ).applied
    mute = fake.calls("POST", f"/api/v1/accounts/{JEAN}/mute")[0]
    assert mute.body == {"notifications": "1", "duration": str(2 * 86400)}
    assert mastodon.perform(ActionRequest("unmute_author", target(MENTION), idempotency_key="um")).applied
    assert not fake.state.relationships[JEAN]["muting"]
    assert not mastodon.check("block_author", target(POST)).allowed  # the commune itself


def test_filter_status_uses_one_beffroi_filter(fake: FakeMastodon, make_connector: Make) -> None:
    mastodon = make_connector()
    mastodon.perform(ActionRequest("filter_status", target(INSULT), idempotency_key="f1"))
    mastodon.perform(ActionRequest("filter_status", target(DIRECT), idempotency_key="f2"))
    create = fake.calls("POST", "/api/v2/filters")
    assert (
        len(create) == 1
        and create[0].body["title"] == "Beffroi"
        and create[0].body["filter_action"] == "hide"
    )
    assert "notifications" in create[0].body["context"]
    assert [s["status_id"] for s in fake.state.filters[0]["statuses"]] == [INSULT, DIRECT]
    assert sync_keyword_filter(mastodon, ["crétin", "Crétin", "incapable"]) == ["crétin", "incapable"]
    assert sync_keyword_filter(mastodon, ["incapable"]) == []
    assert [k["keyword"] for k in fake.state.filters[0]["keywords"]] == ["crétin", "incapable"]


def test_like_favourites_the_status(fake: FakeMastodon, make_connector: Make) -> None:
    assert make_connector().perform(ActionRequest("like", target(QUESTION), idempotency_key="l")).applied
    assert fake.calls("POST", f"/api/v1/statuses/{QUESTION}/favourite")


def test_an_answer_to_an_older_post_is_still_a_comment(fake: FakeMastodon, make_connector: Make) -> None:
    late = dict(fake.state.statuses[INSULT])
    late.update(id="112540000000000011", in_reply_to_id=OLD, content="<p>@mairie Les vœux, c'était nul.</p>")
    fake.add_status(late, notify=True)
    items, _, _ = full_round(make_connector())
    assert fake.calls("GET", f"/api/v1/statuses/{OLD}")  # asked once: is the answered status a post?
    found = items["112540000000000011"]
    assert found.kind == "comment" and found.parent_external_id == OLD and found.thread_external_id == OLD
    assert len(fake.calls("GET", f"/api/v1/statuses/{INSULT}")) == 0  # answers to others' statuses: no lookup
