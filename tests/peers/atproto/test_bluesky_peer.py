"""The Bluesky connector against a real local AT Protocol network (@atproto/dev-env: PLC, PDS, App View,
Ozone). alice.test plays the commune's account, bob.test and carla.test residents; they write with the
plain ``atproto`` SDK, the commune only through Beffroi (the connector and the framework's sync)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from atproto import Client, models

from beffroi.connectors.base import ActionRequest, ActionTarget, AuthError, NotAllowed, PermanentError
from beffroi.connectors.bluesky.connector import BlueskyConnector
from beffroi.connectors.bluesky.convert import THREADGATE, AtUri
from beffroi.connectors.runtime import connector_for
from beffroi.connectors.sync import sync_account
from tests.peers.atproto.network import AtprotoPeer

pytestmark = [pytest.mark.atproto_peer, pytest.mark.slow, pytest.mark.xdist_group("atproto_peer")]


def resident(peer: AtprotoPeer, short: str, password: str | None = None) -> Client:
    client = Client(peer.pds)
    client.login(f"{short}.test", password or peer.account(short)["password"])
    return client


def reply_to(client: Client, parent: Any, text: str, root: Any = None) -> Any:
    parent_ref = models.create_strong_ref(parent)
    root_ref = models.create_strong_ref(root) if root is not None else parent_ref
    return client.send_post(text, reply_to=models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref))


def target_of(item: Any) -> ActionTarget:
    """What the outbox gives a connector about a stored item."""
    return ActionTarget(
        item_external_id=item.external_id,
        item_kind=item.kind,
        item_published_at=item.published_at,
        thread_external_id=item.thread_external_id,
        parent_external_id=item.parent_external_id,
        author_external_id=item.author.external_id if item.author else "",
        raw=item.raw_payload,
    )


@pytest.fixture
def commune_account(atproto_network: AtprotoPeer, commune: Any) -> Callable[..., Any]:
    """The commune's Bluesky account stored in Beffroi (encrypted credentials), as the accounts screen saves it."""
    from beffroi.workspace.models import Account

    def make(password: str | None = None, external_id: str | None = None) -> Any:
        alice = atproto_network.account("alice")
        account = Account(
            commune=commune,
            platform="bluesky",
            external_id=external_id or alice["did"],
            name="Mairie (Bluesky)",
            handle=alice["handle"],
            options={"moderation_service_did": atproto_network.ozone_did},
        )
        account.set_credentials(
            {
                "handle": alice["handle"],
                "app_password": password or alice["password"],
                "service": atproto_network.pds,
            }
        )
        account.save()
        return account

    return make


def thread_v2(client: Client, uri: str) -> tuple[list[str], list[str]]:
    """(replies shown in the thread, replies the App View puts behind « hidden replies »)."""
    shown = client.app.bsky.unspecced.get_post_thread_v2(
        models.AppBskyUnspeccedGetPostThreadV2.Params(anchor=uri)
    )
    other = client.app.bsky.unspecced.get_post_thread_other_v2(
        models.AppBskyUnspeccedGetPostThreadOtherV2.Params(anchor=uri)
    )
    return [i.uri for i in shown.thread if i.uri != uri], [i.uri for i in other.thread]


def gate_of(peer: AtprotoPeer, root_uri: str) -> dict[str, Any] | None:
    """The thread gate record in the commune's repository (read straight from the PDS)."""
    import httpx

    at = AtUri.parse(root_uri)
    response = httpx.get(
        f"{peer.pds}/xrpc/com.atproto.repo.getRecord",
        params={"repo": at.repo, "collection": THREADGATE, "rkey": at.rkey},
        timeout=30,
    )
    if response.status_code == 400 and response.json().get("error") == "RecordNotFound":
        return None
    response.raise_for_status()
    return dict(response.json()["value"])


# ---------------------------------------------------------------------------------------------


def test_the_commune_logs_in_with_its_handle_and_password(
    atproto_network: AtprotoPeer, commune_account: Any
) -> None:
    account = commune_account()
    identity = connector_for(account).identify()
    assert identity is not None
    assert identity.external_id == atproto_network.account("alice")["did"]
    assert identity.handle == "alice.test" and identity.name == "Mairie de Test (Alice)"

    wrong = commune_account(password="pas-le-bon", external_id="did:plc:wrongpassword")
    with pytest.raises(AuthError) as refused:
        connector_for(wrong).identify()
    assert "mot de passe" in refused.value.message_fr


@pytest.mark.django_db
def test_an_insult_is_fetched_hidden_unhidden_reported_its_author_blocked_and_answered(
    atproto_network: AtprotoPeer, commune_account: Any
) -> None:
    from beffroi.workspace.models import Item

    peer = atproto_network
    alice, bob = resident(peer, "alice"), resident(peer, "bob")
    reader = resident(peer, "carla")  # a third person reads the thread (its author still sees his own reply)
    post = alice.send_post("La mairie sera fermée lundi 14 juillet.")
    peer.process_all()
    insult = reply_to(bob, post, "Bande d'incapables à la mairie, vous êtes des crétins.")
    peer.process_all()

    # Fetch: the framework's sync stores the reply once, with the right ids.
    account = commune_account()
    result = sync_account(account)
    assert result.status == "ok", result.detail_fr
    item = Item.objects.get(commune=account.commune, platform="bluesky", external_id=insult.uri)
    assert item.kind == "comment"
    assert item.parent_external_id == post.uri and item.thread_external_id == post.uri
    assert item.parent is not None and item.parent.external_id == post.uri and item.parent.is_from_commune
    assert (
        item.author is not None and item.author.external_id == bob.me.did and item.author.handle == "bob.test"
    )
    assert item.text == "Bande d'incapables à la mairie, vous êtes des crétins."
    assert item.url == f"https://bsky.app/profile/bob.test/post/{AtUri.parse(insult.uri).rkey}"
    assert not item.is_from_commune and item.moderated
    assert item.raw_payload["cid"] == insult.cid
    assert sync_account(account).items_created == 0  # a second round stores nothing twice
    assert Item.objects.filter(platform="bluesky", external_id=insult.uri).count() == 1

    bluesky = connector_for(account)
    target = target_of(item)

    # Hide: the thread gate of the ROOT post lists the reply; the App View puts it behind "hidden replies".
    assert bluesky.check("hide", target).allowed
    hidden = bluesky.perform(ActionRequest("hide", target, idempotency_key="hide-1"))
    assert hidden.applied
    gate = gate_of(peer, post.uri)
    assert gate is not None and gate["hiddenReplies"] == [insult.uri] and gate["post"] == post.uri
    assert "allow" not in gate  # still open to every reply
    peer.process_all()
    shown, behind = thread_v2(reader, post.uri)
    assert insult.uri not in shown and insult.uri in behind
    view = alice.get_post_thread(post.uri).thread.post.threadgate
    assert view is not None and view.record.hidden_replies == [insult.uri]
    assert bluesky.perform(ActionRequest("hide", target, idempotency_key="hide-2")).applied  # idempotent
    assert gate_of(peer, post.uri)["hiddenReplies"] == [insult.uri]  # type: ignore[index]

    # Unhide: nothing else in the gate, so the record goes; the reply is shown again.
    assert bluesky.perform(ActionRequest("unhide", target, idempotency_key="unhide-1")).applied
    assert gate_of(peer, post.uri) is None
    peer.process_all()
    shown, behind = thread_v2(reader, post.uri)
    assert insult.uri in shown and insult.uri not in behind

    # Report: createReport through the PDS to the moderation service (Ozone) named in the account's options.
    report = bluesky.perform(ActionRequest("report", target, idempotency_key="report-1", reason="insult"))
    assert report.applied and report.remote_id
    events = [e for e in peer.ozone_reports() if str(e["id"]) == report.remote_id]
    assert len(events) == 1
    event = events[0]
    assert event["subject"]["uri"] == insult.uri and event["subject"]["cid"] == insult.cid
    assert event["event"]["reportType"] == "com.atproto.moderation.defs#reasonRude"
    assert event["createdBy"] == alice.me.did and "Beffroi" in event["event"]["comment"]

    # Block: an app.bsky.graph.block record in the commune's repository; twice is still one block.
    blocked = bluesky.perform(ActionRequest("block_author", target, idempotency_key="block-1"))
    assert blocked.applied and AtUri.parse(blocked.remote_id).collection == "app.bsky.graph.block"
    again = bluesky.perform(ActionRequest("block_author", target, idempotency_key="block-2"))
    assert again.remote_id == blocked.remote_id
    blocks = alice.com.atproto.repo.list_records(
        models.ComAtprotoRepoListRecords.Params(repo=alice.me.did, collection="app.bsky.graph.block")
    ).records
    assert [b.value.subject for b in blocks] == [bob.me.did]
    peer.process_all()
    assert alice.get_profile("bob.test").viewer.blocking == blocked.remote_id
    assert bluesky.perform(ActionRequest("unblock_author", target, idempotency_key="unblock-1")).applied
    peer.process_all()
    assert alice.get_profile("bob.test").viewer.blocking is None

    # Reply as the commune: a post with reply.root / reply.parent strong refs, found again by reconcile.
    request = ActionRequest(
        "reply",
        target,
        idempotency_key="reply-1",
        text="Merci de rester courtois : la charte est sur https://example.org/charte",
    )
    before = bluesky.reconcile(request)
    assert before is not None and not before.applied  # not sent yet: the outbox may send it
    answer = bluesky.perform(request)
    assert answer.applied
    record = alice.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(
            repo=alice.me.did, collection="app.bsky.feed.post", rkey=AtUri.parse(answer.remote_id).rkey
        )
    ).value
    assert record.reply.parent.uri == insult.uri and record.reply.parent.cid == insult.cid
    assert record.reply.root.uri == post.uri and record.reply.root.cid == post.cid
    assert record.facets and record.facets[0].features[0].uri == "https://example.org/charte"
    found = bluesky.reconcile(request)
    assert found is not None and found.applied and found.remote_id == answer.remote_id
    peer.process_all()
    replies = [r.post.uri for r in bob.get_post_thread(insult.uri).thread.replies]
    assert replies == [answer.remote_id]


@pytest.mark.django_db
def test_replies_in_threads_the_commune_did_not_start_cannot_be_hidden(
    atproto_network: AtprotoPeer, commune_account: Any
) -> None:
    peer = atproto_network
    alice, bob, carla = resident(peer, "alice"), resident(peer, "bob"), resident(peer, "carla")
    elsewhere = bob.send_post("Quelqu'un sait si la mairie est ouverte ?")
    peer.process_all()
    answer = reply_to(alice, elsewhere, "Oui, de 9 h à 12 h.")
    peer.process_all()
    rude = reply_to(carla, answer, "Personne ne vous a rien demandé, la mairie.", root=elsewhere)
    peer.process_all()

    account = commune_account()
    bluesky = connector_for(account)
    items: dict[str, Any] = {}
    cursor: dict[str, Any] = {}
    for _ in range(20):
        page = bluesky.fetch(cursor)
        items.update({i.external_id: i for i in page.items})
        cursor = page.cursor
        if not page.has_more:
            break
    item = items[rude.uri]  # the reply notification reaches the commune (its answer was replied to)
    assert (
        item.kind == "reply"
        and item.parent_external_id == answer.uri
        and item.thread_external_id == elsewhere.uri
    )
    target = ActionTarget(
        item_external_id=item.external_id,
        item_kind=item.kind,
        thread_external_id=item.thread_external_id,
        parent_external_id=item.parent_external_id,
        author_external_id=carla.me.did,
        raw=item.raw,
    )
    check = bluesky.check("hide", target)
    assert not check.allowed and "fils lancés par le compte de la commune" in check.reason_fr
    with pytest.raises(NotAllowed):
        bluesky.perform(ActionRequest("hide", target, idempotency_key="hide-elsewhere"))
    assert gate_of(peer, elsewhere.uri) is None
    delete = bluesky.check("delete", target)
    assert not delete.allowed and "que les publications du compte de la commune" in delete.reason_fr
    assert bluesky.check("report", target).allowed and bluesky.check("block_author", target).allowed


@pytest.mark.django_db
def test_deep_replies_are_found_by_reading_the_commune_threads(
    atproto_network: AtprotoPeer, commune_account: Any
) -> None:
    peer = atproto_network
    alice, bob, carla = resident(peer, "alice"), resident(peer, "bob"), resident(peer, "carla")
    post = alice.send_post("Réunion publique sur le PLU jeudi à 20 h.")
    peer.process_all()
    first = reply_to(bob, post, "Enfin une réunion !")
    peer.process_all()
    second = reply_to(carla, first, "Bob, tu racontes n'importe quoi.", root=post)
    third = reply_to(bob, second, "Carla, occupe-toi de tes affaires.", root=post)
    peer.process_all()

    account = commune_account()
    bluesky = connector_for(account)
    seen: dict[str, Any] = {}
    cursor: dict[str, Any] = {}
    calls = 0
    while True:
        page = bluesky.fetch(cursor)
        calls += 1
        seen.update({i.external_id: i for i in page.items})
        cursor = page.cursor
        if not page.has_more:
            break
    for reply, parent in ((first, post), (second, first), (third, second)):
        item = seen[reply.uri]
        assert item.parent_external_id == parent.uri and item.thread_external_id == post.uri
    assert seen[first.uri].kind == "comment" and seen[third.uri].kind == "reply"
    assert cursor["posts"][post.uri][1] == 1  # direct replies counted: the next round skips this thread

    # Hiding a deep reply works too: the gate lives on the root post.
    target = ActionTarget(
        item_external_id=third.uri, item_kind="reply", thread_external_id=post.uri, raw=seen[third.uri].raw
    )
    assert bluesky.perform(ActionRequest("hide", target, idempotency_key="hide-deep")).applied
    assert gate_of(peer, post.uri)["hiddenReplies"] == [third.uri]  # type: ignore[index]
    peer.process_all()

    # Next round: no new reply, so the thread is not read again (2 calls: notifications, feed).
    calls_before = bluesky.session.request.calls  # type: ignore[attr-defined]
    page = bluesky.fetch(cursor)
    while page.has_more:
        page = bluesky.fetch(page.cursor)
    assert bluesky.session.request.calls - calls_before == 2  # type: ignore[attr-defined]

    # A new reply changes the count: the thread is read again and the hidden reply comes back as hidden.
    reply_to(carla, post, "Je serai là.")
    peer.process_all()
    again: dict[str, Any] = {}
    page = bluesky.fetch(page.cursor)
    again.update({i.external_id: i for i in page.items})
    while page.has_more:
        page = bluesky.fetch(page.cursor)
        again.update({i.external_id: i for i in page.items})
    assert again[third.uri].is_hidden and not again[second.uri].is_hidden
    assert calls >= 3


@pytest.mark.django_db
def test_the_commune_deletes_its_own_reply(atproto_network: AtprotoPeer, commune_account: Any) -> None:
    peer = atproto_network
    alice, bob = resident(peer, "alice"), resident(peer, "bob")
    question = bob.send_post("La déchetterie est-elle ouverte le samedi ?")
    peer.process_all()
    bluesky = connector_for(commune_account())
    target = ActionTarget(item_external_id=question.uri, item_kind="mention", author_external_id=bob.me.did)
    answer = bluesky.perform(
        ActionRequest("reply", target, idempotency_key="answer-1", text="Oui, de 9 h à 17 h.")
    )
    own = ActionTarget(
        item_external_id=answer.remote_id, item_kind="comment", thread_external_id=question.uri
    )
    check = bluesky.check("delete", own)
    assert check.allowed and check.needs_confirmation
    assert bluesky.perform(ActionRequest("delete", own, idempotency_key="delete-1")).applied
    rkey = AtUri.parse(answer.remote_id).rkey
    with pytest.raises(Exception) as gone:
        alice.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(
                repo=alice.me.did, collection="app.bsky.feed.post", rkey=rkey
            )
        )
    assert "RecordNotFound" in str(gone.value)
    assert (
        bluesky.perform(ActionRequest("delete", own, idempotency_key="delete-2")).detail
        == "déjà supprimé sur Bluesky"
    )


@pytest.mark.django_db
def test_session_refresh_then_revoked_app_password_breaks_the_connection(
    atproto_network: AtprotoPeer, commune_account: Any
) -> None:
    from beffroi.workspace.models import AccountStatus

    peer = atproto_network
    alice = resident(peer, "alice")
    app = alice.com.atproto.server.create_app_password(
        models.ComAtprotoServerCreateAppPassword.Data(name="beffroi-test")
    )
    account = commune_account(password=app.password)
    bluesky = connector_for(account)
    assert isinstance(bluesky, BlueskyConnector)
    assert bluesky.identify() is not None and bluesky.session.logins == 1
    before = bluesky.session.client()._session.refresh_jwt  # type: ignore[union-attr]
    bluesky.session.refresh()  # com.atproto.server.refreshSession: a new token pair (the refresh token rotates)
    after = bluesky.session.client()._session.refresh_jwt  # type: ignore[union-attr]
    assert after != before and bluesky.session.logins == 1
    assert connector_for(account).identify() is not None  # a new instance reuses the session: no new login
    assert sync_account(account).status == "ok"

    alice.com.atproto.server.revoke_app_password(
        models.ComAtprotoServerRevokeAppPassword.Data(name="beffroi-test")
    )
    with pytest.raises(AuthError) as broken:
        bluesky.session.refresh()  # refresh token revoked, and logging in again is refused
    assert "mot de passe d'application" in broken.value.message_fr

    from beffroi.connectors.bluesky.session import forget_sessions

    forget_sessions()
    result = sync_account(account)
    account.refresh_from_db()
    assert result.status == "broken" and account.status == AccountStatus.BROKEN
    assert "mot de passe d'application" in account.status_detail


def test_errors_of_the_real_network_map_to_the_base_errors(atproto_network: AtprotoPeer) -> None:
    from beffroi.connectors.base import AccountConfig

    alice = atproto_network.account("alice")
    config = AccountConfig(
        platform="bluesky",
        external_id=alice["did"],
        credentials={
            "handle": alice["handle"],
            "app_password": alice["password"],
            "service": atproto_network.pds,
        },
    )
    bluesky = BlueskyConnector(config)
    missing = f"at://{alice['did']}/app.bsky.feed.post/3kzzzzzzzzzzz"
    with pytest.raises(PermanentError):
        bluesky.perform(
            ActionRequest(
                "reply",
                ActionTarget(item_external_id=missing, item_kind="comment"),
                idempotency_key="x",
                text="?",
            )
        )
