"""What happens to items and blocks after the first decision: polling that sees an item again, and
blocks that end by themselves at the end of their duration (a periodic job)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from beffroi.connectors.sync import sync_account
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.actions import blocking, outbox
from beffroi.workspace.actions.judging import forget_engines
from beffroi.workspace.models import (
    Author,
    BlockRequest,
    Decision,
    Item,
    ItemStatus,
    OutboxEntry,
    OutboxState,
    PlatformState,
    Verdict,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engines() -> Any:
    forget_engines()
    yield
    forget_engines()


def poll_again(account: Any) -> None:
    """A polling that reads the feed from the start again (overlap, lost cursor, full re-sync)."""
    type(account).objects.filter(pk=account.pk).update(cursor={})
    account.refresh_from_db()
    result = sync_account(account, force=True)
    assert result.status not in ("failed",), result.detail_fr


# ---------------------------------------------------------------------------------------------
# Polling an item already stored


def test_polling_an_item_again_follows_the_platform_without_a_duplicate(commune, account, platform) -> None:
    question = platform.store.add_comment("post-1", "Bonjour, à quelle heure ouvre la piscine dimanche ?", author={"id": "u-7"})
    insult = platform.store.add_comment("post-1", "Espèce de connard, dégage", author={"id": "u-8"})
    sync_account(account, force=True)
    assert Item.objects.filter(commune=commune, external_id__in=[question["id"], insult["id"]]).count() == 2
    flagged = Item.objects.get(external_id=insult["id"])
    assert flagged.status == ItemStatus.REVIEW and flagged.platform_state == PlatformState.VISIBLE
    first_verdict = Item.objects.get(external_id=question["id"]).current_verdict_id
    stored = Item.objects.filter(commune=commune).count()  # the post and its two comments

    # On the platform: the page's admin hides the insult themselves, the question's author edits it.
    platform.store.objects[insult["id"]]["hidden"] = True
    platform.store.objects[question["id"]]["text"] = "Bande de nuls, vous êtes des incapables à la mairie"
    poll_again(account)

    assert Item.objects.filter(commune=commune).count() == stored  # seen again, never stored twice
    flagged.refresh_from_db()
    assert flagged.platform_state == PlatformState.HIDDEN
    assert flagged.status == ItemStatus.DONE  # nothing left to decide in the queue
    assert not Decision.objects.filter(item=flagged).exists()  # Beffroi did not act: the platform did
    assert AuditRecord.objects.filter(verb="item.platform_state_changed", target_id=str(flagged.pk)).exists()

    edited = Item.objects.get(external_id=question["id"])
    assert edited.text == "Bande de nuls, vous êtes des incapables à la mairie"
    assert edited.current_verdict_id != first_verdict  # judged again on the new text
    assert Verdict.objects.filter(item=edited).count() == 2
    assert "insult" in edited.current_verdict.labels and edited.status == ItemStatus.REVIEW
    assert AuditRecord.objects.filter(verb="item.edited_on_platform", target_id=str(edited.pk)).exists()

    # Polling once more with nothing new changes nothing (no new verdict, no duplicate).
    poll_again(account)
    assert Item.objects.filter(commune=commune).count() == stored
    assert Verdict.objects.filter(item=edited).count() == 2


def test_hidden_on_the_platform_while_beffroi_is_hiding_it_is_left_to_the_outbox(
    commune, account, platform, make_member
) -> None:
    """An action of Beffroi still on its way wins over what a polling saw before it landed."""
    from beffroi.workspace.actions.decisions import do_hide_item

    comment = platform.store.add_comment("post-1", "Espèce de connard, dégage", author={"id": "u-9"})
    sync_account(account, force=True)
    item = Item.objects.get(external_id=comment["id"])
    do_hide_item(item, make_member(commune, Role.SECRETAIRE))  # recorded, not sent yet
    platform.store.objects[comment["id"]]["hidden"] = True
    poll_again(account)
    item.refresh_from_db()
    assert item.platform_state == PlatformState.VISIBLE  # the outbox entry will set it
    entry = OutboxEntry.objects.get(item=item, action="hide")
    outbox.deliver(entry.pk)
    item.refresh_from_db()
    assert item.platform_state == PlatformState.HIDDEN


# ---------------------------------------------------------------------------------------------
# Timed blocks


def test_a_block_is_lifted_by_the_periodic_job_at_the_end_of_its_duration(
    commune, make_member, make_item, platform
) -> None:
    from beffroi.tasks.registry import PERIODIC, TASKS, autodiscover, run_task

    item = make_item("Je sais où tu habites", labels=("threat",), action="review", author_id="u-42")
    requester = make_member(commune, Role.SECRETAIRE)
    approver = make_member(commune, Role.COMMUNITY_MANAGER)
    request = blocking.do_request_block(item.author, requester, reason="Menaces répétées", duration_days=7, item=item)
    block = blocking.do_approve_block(request, approver)
    outbox.deliver(OutboxEntry.objects.get(decision=block).pk)
    assert "u-42" in platform.store.blocked  # blocked on the platform, which never lifts it by itself
    request.refresh_from_db()
    assert request.expires_at is not None
    assert request.expires_at - request.decided_at == dt.timedelta(days=7)

    autodiscover()
    job = next(p for p in PERIODIC.values() if p.name == "workspace.sweep")
    assert job.name in TASKS and job.every <= dt.timedelta(hours=1)

    # Before the end of the duration, the periodic job leaves the block alone.
    run_task(job.name, {})
    request.refresh_from_db()
    author = Author.objects.get(pk=item.author_id)
    assert request.state == BlockRequest.State.APPROVED and author.is_blocked

    # The duration is over: the next run lifts it, in Beffroi and on the platform.
    BlockRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    result = run_task(job.name, {})
    assert result["blocks_lifted"] == 1
    request.refresh_from_db()
    author.refresh_from_db()
    assert request.state == BlockRequest.State.LIFTED
    assert not author.is_blocked and author.blocked_until is None
    unblock = Decision.objects.get(kind="unblock_author", author=author)
    assert unblock.automatic and unblock.actor is None
    entry = OutboxEntry.objects.get(decision=unblock)
    assert entry.action == "unblock_author"
    outbox.deliver(entry.pk)
    entry.refresh_from_db()
    assert entry.state == OutboxState.APPLIED
    assert "u-42" not in platform.store.blocked
    lifted = AuditRecord.objects.get(verb="block.lifted", target_id=str(request.pk))
    assert lifted.actor_label == "Beffroi (fin de durée)"

    # Run again: nothing more to lift, no second unblock.
    assert run_task(job.name, {})["blocks_lifted"] == 0
    assert Decision.objects.filter(kind="unblock_author", author=author).count() == 1
