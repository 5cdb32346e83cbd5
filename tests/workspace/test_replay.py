"""The replay connector and the test platform, through the exact connector interface real
connectors use: reading recorded files and the platform's feed (pagination, cursor, sync and
ingestion), every action over HTTP, error mapping, platform rules, reconciliation, local mode."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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
from beffroi.connectors.registry import connector_class
from beffroi.connectors.replay.connector import ReplayConnector
from beffroi.connectors.testplatform import Fault, PlatformStore, TestPlatformServer, file_store


def connector(platform: TestPlatformServer, **options: object) -> ReplayConnector:
    config = AccountConfig(
        platform="replay",
        external_id=platform.store.page_id,
        credentials={"access_token": platform.store.token},
        options={"base_url": platform.url, "page_size": 2, **options},
    )
    return ReplayConnector(config)


def request(action: str, target: str, **kw: object) -> ActionRequest:
    return ActionRequest(action=action, target=ActionTarget(item_external_id=target, item_kind="comment", author_external_id="u-1"), idempotency_key=f"k-{action}-{target}", **kw)  # type: ignore[arg-type]


def test_registered_under_replay() -> None:
    assert connector_class("replay") is ReplayConnector


def test_fetches_the_platform_feed_page_by_page(platform) -> None:
    for n in range(4):
        platform.store.add_comment("post-1", f"Commentaire {n}", author={"id": f"u-{n}", "name": f"Personne {n}"})
    c = connector(platform)
    seen, cursor, pages = [], {}, 0
    while True:
        page = c.fetch(cursor)
        pages += 1
        seen += page.items
        cursor = page.cursor
        if not page.has_more:
            break
    assert pages == 3 and cursor == {"after": 5}
    assert [i.external_id for i in seen][:1] == ["post-1"] and seen[0].is_from_account and seen[0].kind == "post"
    comment = seen[1]
    assert comment.kind == "comment" and comment.parent_external_id == "post-1" and comment.author.display_name == "Personne 0"
    assert comment.published_at.tzinfo is not None
    assert c.fetch(cursor).items == []  # nothing new
    platform.store.add_comment("post-1", "Nouveau")
    assert [i.text for i in c.fetch(cursor).items] == ["Nouveau"]


def test_replays_a_recorded_file_in_demo_shape(tmp_path: Path) -> None:
    rows = [
        {"id": "demo-1", "platform": "facebook", "account": "fb-page", "kind": "post", "parent": None,
         "author": {"id": "page", "name": "Ville"}, "text": "Fête de la musique samedi", "minutes_ago": 600},
        {"id": "demo-2", "platform": "facebook", "account": "fb-page", "kind": "comment", "parent": "demo-1",
         "author": {"id": "fb-u-1", "name": "Julien M."}, "text": "Super !", "minutes_ago": 30, "likes": 3},
        {"id": "demo-3", "platform": "x", "account": "x-ville", "kind": "comment", "parent": None,
         "author": {"id": "x-1", "name": "@lou"}, "text": "Autre compte", "minutes_ago": 10},
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    c = ReplayConnector(AccountConfig(platform="replay", external_id="page", options={"file": str(path), "account": "fb-page"}))
    page = c.fetch({})
    assert [i.external_id for i in page.items] == ["demo-1", "demo-2"] and page.cursor == {"line": 2}
    post, comment = page.items
    assert post.is_from_account and comment.parent_external_id == "demo-1" and comment.likes == 3
    age = dt.datetime.now(dt.UTC) - comment.published_at
    assert dt.timedelta(minutes=29) < age < dt.timedelta(minutes=31)
    assert c.fetch(page.cursor).items == []


@pytest.mark.django_db
def test_sync_ingests_a_replay_account_once(commune, tmp_path: Path) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account, Item

    rows = [{"id": f"r-{n}", "kind": "comment", "text": f"Question n° {n} : quand ouvre la mairie ?",
             "published_at": "2025-03-10T08:00:00Z", "author": {"id": f"u-{n}", "name": f"P{n}"}} for n in range(5)]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    account = Account.objects.create(commune=commune, platform="replay", external_id="page-x", name="Rejeu", options={"file": str(path), "page_size": 2})
    first = sync_account(account.pk)
    assert first.items_created == 5
    assert Item.objects.filter(commune=commune, platform="replay").count() == 5
    account.refresh_from_db()
    assert account.cursor == {"line": 5}
    again = sync_account(account.pk)
    assert again.items_created == 0 and Item.objects.filter(commune=commune).count() == 5
    assert all(i.current_verdict_id for i in Item.objects.filter(commune=commune))  # judged at once


def test_every_action_is_applied_on_the_platform_with_its_key(platform) -> None:
    store = platform.store
    comment = store.add_comment("post-1", "Texte", author={"id": "u-1", "name": "Lou"})["id"]
    c = connector(platform)
    assert c.perform(request("hide", comment)).applied and store.objects[comment]["hidden"]
    assert c.perform(request("unhide", comment)).applied and not store.objects[comment]["hidden"]
    assert c.perform(request("like", comment)).applied and store.objects[comment]["liked_by_page"]
    assert c.perform(request("report", comment, reason="Spam")).applied and store.objects[comment]["reports"][0]["reason"] == "Spam"
    reply = c.perform(request("reply", comment, text="Merci"))
    assert store.objects[reply.remote_id]["parent_id"] == comment and store.objects[reply.remote_id]["meta"]["idempotency_key"] == f"k-reply-{comment}"
    private = c.perform(request("private_reply", comment, text="Bonjour"))
    assert store.messages[0]["id"] == private.remote_id and store.messages[0]["to"] == "u-1"
    assert c.perform(request("block_author", "", reason="Menaces", duration_days=30)).applied and store.blocked["u-1"]["duration_days"] == 30
    assert c.perform(request("unblock_author", "")).applied and "u-1" not in store.blocked
    assert c.perform(request("delete", comment)).applied and store.objects[comment]["deleted"]
    assert store.applied[("hide", comment)] == 1


def test_errors_are_mapped_to_the_base_errors(platform) -> None:
    store = platform.store
    comment = store.add_comment("post-1", "Texte")["id"]
    c = connector(platform)
    store.inject(Fault("429", action="hide", retry_after=120))
    with pytest.raises(RateLimited) as limited:
        c.perform(request("hide", comment))
    assert limited.value.retry_after == pytest.approx(120, abs=2)
    store.inject(Fault("500", action="hide"))
    with pytest.raises(TransientError):
        c.perform(request("hide", comment))
    store.inject(Fault("401", action="hide"))
    with pytest.raises(AuthError):
        c.perform(request("hide", comment))
    with pytest.raises(PermanentError) as gone:
        c.perform(request("hide", "n-existe-pas"))
    assert gone.value.message_fr == "Cet élément n'existe plus sur la plateforme."
    wrong = connector(platform)
    wrong.config = AccountConfig(platform="replay", external_id="page-1", credentials={"access_token": "faux"}, options=wrong.config.options)
    wrong._api = None
    with pytest.raises(AuthError):
        wrong.fetch({})
    store.inject(Fault("apply_then_drop", action="reply"))
    with pytest.raises(TransientError):
        c.perform(request("reply", comment, text="Bonjour"))
    assert len(store.replies_of(comment)) == 1  # applied although the answer was lost


def test_platform_rules_and_capability_checks(platform) -> None:
    store = platform.store
    comment = store.add_comment("post-1", "Texte", author={"id": "u-1"})["id"]
    c = connector(platform)
    c.perform(request("private_reply", comment, text="Bonjour"))
    with pytest.raises(NotAllowed) as twice:
        c.perform(ActionRequest("private_reply", ActionTarget(comment, "comment"), "autre-cle", text="Encore"))
    assert "une seule" in twice.value.message_fr
    target = ActionTarget(comment, "comment", previous_actions=("private_reply",))
    assert not c.check("private_reply", target).allowed
    old = ActionTarget(comment, "comment", item_published_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
    assert "7 jours" in c.check("private_reply", old).reason_fr
    assert c.check("delete", target).needs_confirmation
    assert not c.check("hide", ActionTarget("post-1", "post")).allowed
    youtube_like = connector(platform, capabilities=["fetch", "hide", "reply"], confirm=["hide"], label="Vidéos")
    check = youtube_like.check("hide", ActionTarget(comment, "comment"))
    assert check.allowed and check.needs_confirmation and "définitive" in check.reason_fr
    refused = youtube_like.check("private_reply", ActionTarget(comment, "comment"))
    assert not refused.allowed and "Vidéos" in refused.reason_fr


def test_reconcile_finds_an_applied_reply_by_its_key(platform) -> None:
    store = platform.store
    store.honour_idempotency_keys = False
    comment = store.add_comment("post-1", "Texte")["id"]
    c = connector(platform)
    req = request("reply", comment, text="Merci")
    assert c.reconcile(req).applied is False
    reply = c.perform(req)
    found = c.reconcile(req)
    assert found.applied and found.remote_id == reply.remote_id
    assert c.reconcile(request("hide", comment)) is None  # idempotent: nothing to reconcile


def test_local_mode_keeps_the_platform_state_in_a_file(tmp_path: Path) -> None:
    store_path = tmp_path / "store.json"
    c = ReplayConnector(AccountConfig(platform="replay", external_id="demo", options={"store_path": str(store_path)}))
    target = ActionTarget("demo-12", "comment", author_external_id="fb-u-3", parent_external_id="demo-1")
    key = "cle-1"
    assert c.perform(ActionRequest("hide", target, key)).applied
    reply = c.perform(ActionRequest("reply", target, "cle-2", text="Merci de rester courtois"))
    with file_store(store_path) as store:
        assert store.objects["demo-12"]["hidden"] is True
        assert store.replies_of("demo-12")[0]["id"] == reply.remote_id
    assert c.reconcile(ActionRequest("reply", target, "cle-2")).remote_id == reply.remote_id
    assert c.reconcile(ActionRequest("reply", target, "cle-3")).applied is False


def test_the_platform_is_a_real_http_service(platform) -> None:
    http = httpx.Client(base_url=platform.url)
    assert http.get("/v1/feed").status_code == 401
    created = http.post("/_admin/comments", json={"parent_id": "post-1", "text": "Par HTTP", "author": {"id": "u-5"}}).json()
    http.post("/_admin/faults", json={"kind": "503", "action": "hide"})
    headers = {"Authorization": f"Bearer {platform.store.token}", "Idempotency-Key": "abc"}
    assert http.post(f"/v1/items/{created['id']}/hide", headers=headers).status_code == 503
    assert http.post(f"/v1/items/{created['id']}/hide", headers=headers).json() == {"success": True, "hidden": True}
    state = http.get("/_admin/state").json()
    assert state["objects"][created["id"]]["hidden"] is True


def test_store_alone_is_thread_safe() -> None:
    import threading

    store = PlatformStore()
    store.add_post("p", post_id="p")
    comment = store.add_comment("p", "x")["id"]
    store.honour_idempotency_keys = True

    def hit() -> None:
        for _ in range(50):
            store.act("hide", comment, key="same")

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.applied[("hide", comment)] == 1 and len(store.requests) == 200
