"""Blocking an author: a recorded reason, a duration, and a SECOND person's approval.

``do_request_block`` records the request (nothing happens on the platform yet); another member
allowed to approve (``APPROVE_BLOCK``) approves it with ``do_approve_block`` — the requester can
never approve their own request — or refuses it with ``do_reject_block``. On approval the author is
blocked in Beffroi (their next messages go to the review queue) and, where the platform allows it,
on the platform through the outbox. The block ends by itself at the end of the duration
(:func:`expire_blocks`, periodic) or earlier with ``do_lift_block``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.workspace.actions import checks, outbox
from beffroi.workspace.actions.hooks import after_decision
from beffroi.workspace.models import (
    Account,
    AccountStatus,
    Author,
    BlockRequest,
    Decision,
    DecisionKind,
    Item,
)


def _block_account(author: Author, item: Item | None) -> Account | None:
    """The commune's account through which the author can be blocked on the platform."""
    if item is not None and item.account is not None and item.moderated:
        return item.account
    return (
        Account.objects.filter(commune=author.commune, platform=author.platform, owned=True)
        .exclude(status=AccountStatus.DISABLED)
        .order_by("id")
        .first()
    )


def platform_can_block(author: Author, item: Item | None, action: str = "block_author") -> tuple[bool, str]:
    account = _block_account(author, item)
    if account is None:
        return False, "Aucun compte connecté de la commune sur cette plateforme."
    probe = item if item is not None else Item(commune=author.commune, account=account, platform=author.platform, author=author)
    probe.account = account
    result = checks.platform_check(probe, action)
    return result.allowed, result.reason_fr


@transaction.atomic
def do_request_block(
    author: Author, actor: Any, *, reason: str, duration_days: int | None, item: Item | None = None
) -> BlockRequest:
    author = Author.objects.select_for_update().get(pk=author.pk)
    checks.check_request_block(actor, item, author, reason, duration_days)
    request = BlockRequest.objects.create(
        commune=author.commune,
        author=author,
        item=item,
        reason=reason.strip(),
        duration_days=int(duration_days or 0),
        requested_by=actor,
    )
    log_audit(
        "block.requested",
        commune=author.commune,
        actor=actor,
        target=request,
        author=author.pk,
        item=item.pk if item is not None else None,
        reason=request.reason,
        duration_days=request.duration_days,
    )
    from beffroi.workspace.actions import notifications

    transaction.on_commit(lambda: notifications.block_requested(request.pk))
    return request


def _check_decider(request: BlockRequest, actor: Any, action: str) -> None:
    role = checks.role_of(actor, request.commune)
    if request.item is not None and not checks.can_see_item(role, request.item):
        raise checks.ActionNotFound("Demande introuvable.")
    checks.check_perm(role, action)


def _block_decision(request: BlockRequest, actor: Any, kind: str, *, automatic: bool = False, note: str = "") -> Decision:
    item = request.item
    decision = Decision.objects.create(
        commune=request.commune,
        item=item,
        author=request.author,
        kind=kind,
        actor=None if automatic else actor,
        automatic=automatic,
        note=note,
        data={"block_request": request.pk, "duration_days": request.duration_days, "reason": request.reason},
    )
    can, why = platform_can_block(request.author, item, "block_author" if kind == DecisionKind.BLOCK_AUTHOR else "unblock_author")
    if can:
        outbox.record(
            decision,
            "block_author" if kind == DecisionKind.BLOCK_AUTHOR else "unblock_author",
            item=item,
            account=_block_account(request.author, item),
            payload={
                "author_external_id": request.author.external_id,
                "duration_days": request.duration_days,
                "reason": request.reason,
                **({} if item is not None else {"target_external_id": ""}),
            },
        )
    else:
        decision.data = {**decision.data, "platform": why}
        decision.save(update_fields=["data"])
    log_audit(
        f"decision.{kind}",
        commune=request.commune,
        actor=None if automatic else actor,
        actor_label="Beffroi (automatique)" if automatic else None,
        target=decision,
        author=request.author_id,
        block_request=request.pk,
        on_platform=can,
    )
    if kind == DecisionKind.BLOCK_AUTHOR:
        after_decision(item, decision)
    return decision


@transaction.atomic
def do_approve_block(request: BlockRequest, actor: Any, *, note: str = "") -> Decision:
    request = BlockRequest.objects.select_for_update(of=("self",)).select_related("author", "item", "commune").get(pk=request.pk)
    _check_decider(request, actor, "approve_block")
    if request.state != BlockRequest.State.PENDING:
        raise checks.ActionError("Cette demande a déjà été traitée.")
    if request.requested_by_id == getattr(actor, "pk", None):
        raise checks.ActionError(
            "Un blocage doit être approuvé par une autre personne que celle qui l'a demandé."
        )
    now = timezone.now()
    request.state = BlockRequest.State.APPROVED
    request.approved_by = actor
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = note.strip()
    request.expires_at = now + dt.timedelta(days=request.duration_days)
    request.save()
    Author.objects.filter(pk=request.author_id).update(is_blocked=True, blocked_until=request.expires_at)
    log_audit("block.approved", commune=request.commune, actor=actor, target=request, author=request.author_id)
    return _block_decision(request, actor, DecisionKind.BLOCK_AUTHOR, note=note)


@transaction.atomic
def do_reject_block(request: BlockRequest, actor: Any, *, note: str = "") -> BlockRequest:
    request = BlockRequest.objects.select_for_update(of=("self",)).select_related("author", "item", "commune").get(pk=request.pk)
    _check_decider(request, actor, "approve_block")
    if request.state != BlockRequest.State.PENDING:
        raise checks.ActionError("Cette demande a déjà été traitée.")
    if not note.strip():
        raise checks.ActionError("Indiquez pourquoi vous refusez le blocage (la personne qui l'a demandé le verra).")
    request.state = BlockRequest.State.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    log_audit("block.rejected", commune=request.commune, actor=actor, target=request, author=request.author_id, note=note)
    return request


def _lift(request: BlockRequest, actor: Any, *, automatic: bool, note: str = "") -> Decision:
    request.state = BlockRequest.State.LIFTED
    request.save(update_fields=["state"])
    Author.objects.filter(pk=request.author_id).update(is_blocked=False, blocked_until=None)
    log_audit(
        "block.lifted",
        commune=request.commune,
        actor=None if automatic else actor,
        actor_label="Beffroi (fin de durée)" if automatic else None,
        target=request,
        author=request.author_id,
    )
    return _block_decision(request, actor, DecisionKind.UNBLOCK_AUTHOR, automatic=automatic, note=note)


@transaction.atomic
def do_lift_block(request: BlockRequest, actor: Any, *, note: str = "") -> Decision:
    """End an approved block before its term."""
    request = BlockRequest.objects.select_for_update(of=("self",)).select_related("author", "item", "commune").get(pk=request.pk)
    _check_decider(request, actor, "unblock")
    if request.state != BlockRequest.State.APPROVED:
        raise checks.ActionError("Ce blocage n'est pas en cours.")
    return _lift(request, actor, automatic=False, note=note)


def expire_blocks(*, now: dt.datetime | None = None) -> int:
    """Lift the blocks whose duration is over (periodic)."""
    now = now or timezone.now()
    lifted = 0
    for pk in BlockRequest.objects.filter(state=BlockRequest.State.APPROVED, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            request = BlockRequest.objects.select_for_update(of=("self",)).select_related("author", "item", "commune").get(pk=pk)
            if request.state != BlockRequest.State.APPROVED:
                continue
            _lift(request, None, automatic=True, note="Fin de la durée du blocage.")
            lifted += 1
    return lifted
