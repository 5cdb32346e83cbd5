"""Decisions on items: hide, unhide, delete, keep, reply, private reply, escalate, like, route to a
service, report, and on Mastodon filter (for the commune's account) and mute the author — by a person
or automatically.

Each ``do_*`` function, in ONE transaction: locks the item, runs its ``check_*`` (permission, state,
platform capability), writes the :class:`Decision` (who, when, the charter article), records the
platform action in the outbox (sent once the transaction commits), updates the item's status,
appends to the audit trail and calls part B's hooks (evidence, learning). Views and workers call
these functions and nothing else writes decisions.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.workspace.actions import checks, outbox
from beffroi.workspace.actions.hooks import after_decision
from beffroi.workspace.actions.verdicts import label_fr, main_label
from beffroi.workspace.models import Decision, DecisionKind, Item, ItemStatus

REPLY_KINDS = {"reply": DecisionKind.REPLY, "private_reply": DecisionKind.PRIVATE_REPLY}


def lock_item(item: Item) -> Item:
    """Re-read the item under a write lock (the first statement is a write, which locks the row on
    PostgreSQL and the database on SQLite), so two people acting at once see each other's decision."""
    Item.objects.filter(pk=item.pk).update(updated_at=timezone.now())
    return Item.objects.select_related("commune", "account", "author", "current_verdict", "parent").get(pk=item.pk)


def decide(
    item: Item,
    kind: str,
    actor: Any,
    *,
    automatic: bool = False,
    article: str = "",
    message: str = "",
    note: str = "",
    label: str = "",
    data: dict[str, Any] | None = None,
    new_status: str | None = None,
    platform_action: str | None = None,
    payload: dict[str, Any] | None = None,
    undoes: Decision | None = None,
) -> Decision:
    """Write one decision and its consequences (inside the caller's transaction)."""
    decision = Decision.objects.create(
        commune=item.commune,
        item=item,
        author=item.author,
        kind=kind,
        actor=None if automatic else actor,
        automatic=automatic,
        article=article or "",
        message=message or "",
        note=note or "",
        label=label or "",
        data={**(data or {}), "previous_status": item.status},
        undoes=undoes,
    )
    fields = []
    if new_status is not None and item.status != new_status:
        item.status = new_status
        fields.append("status")
    if new_status == ItemStatus.ESCALATED:
        item.escalated_at = timezone.now()
        fields.append("escalated_at")
    if fields:
        item.save(update_fields=[*fields, "updated_at"])
    if platform_action is not None:
        outbox.record(decision, platform_action, item=item, payload=payload)
    log_audit(
        f"decision.{kind}",
        commune=item.commune,
        actor=None if automatic else actor,
        actor_label="Beffroi (automatique)" if automatic else None,
        target=decision,
        item=item.pk,
        article=decision.article,
        label=decision.label,
        automatic=automatic,
        undoes=undoes.pk if undoes is not None else None,
    )
    after_decision(item, decision)
    return decision


def _closed_status(item: Item) -> str:
    return ItemStatus.DONE


# ---------------------------------------------------------------------------------------------
# Moderation


@transaction.atomic
def do_hide_item(
    item: Item,
    actor: Any,
    *,
    article: str = "",
    label: str = "",
    note: str = "",
    message: str = "",
    message_via: str = "",
    confirm: bool = False,
    automatic: bool = False,
) -> list[Decision]:
    """Hide the item on its platform (reversible). With ``message_via`` ("reply" or
    "private_reply"), the message to the author is sent after the hide, from the same screen."""
    item = lock_item(item)
    checks.check_hide(actor, item, confirm=confirm, automatic=automatic)
    verdict = item.current_verdict
    text = ""
    if message_via:
        if message_via not in REPLY_KINDS:
            raise checks.ActionError("Choisissez comment envoyer le message : réponse publique ou message privé.")
        text = checks.check_reply(actor, item, message, private=message_via == "private_reply")
    hide = decide(
        item,
        DecisionKind.HIDE,
        actor,
        automatic=automatic,
        article=article or (verdict.article if verdict else ""),
        label=label or main_label(verdict),
        note=note,
        message=text,
        new_status=_closed_status(item),
        platform_action="hide",
    )
    decisions = [hide]
    if text:
        decisions.append(
            decide(
                item,
                REPLY_KINDS[message_via],
                actor,
                article=hide.article,
                message=text,
                data={"with_decision": hide.pk, "to_author": True},
                platform_action=message_via,
                payload={"text": text},
            )
        )
    return decisions


@transaction.atomic
def do_unhide_item(item: Item, actor: Any, *, note: str = "", undoes: Decision | None = None) -> Decision:
    item = lock_item(item)
    checks.check_unhide(actor, item)
    return decide(item, DecisionKind.UNHIDE, actor, note=note, new_status=ItemStatus.DONE, platform_action="unhide", undoes=undoes)


@transaction.atomic
def do_delete_item(item: Item, actor: Any, *, confirm: bool = False, article: str = "", note: str = "", label: str = "") -> Decision:
    """Delete the item on the platform: irreversible, so ``confirm=True`` is required."""
    item = lock_item(item)
    checks.check_delete(actor, item, confirm=confirm)
    verdict = item.current_verdict
    return decide(
        item,
        DecisionKind.DELETE,
        actor,
        article=article or (verdict.article if verdict else ""),
        label=label or main_label(verdict),
        note=note,
        new_status=ItemStatus.DONE,
        platform_action="delete",
    )


@transaction.atomic
def do_keep_item(item: Item, actor: Any, *, note: str = "") -> Decision:
    """Leave the item online: nothing to remove (also the answer to a false alarm of the engine)."""
    item = lock_item(item)
    checks.check_keep(actor, item)
    return decide(item, DecisionKind.KEEP, actor, note=note, new_status=ItemStatus.DONE)


@transaction.atomic
def do_escalate(item: Item, actor: Any, *, note: str = "") -> Decision:
    """Pass the item to the communication director (e-mailed), e.g. for a legal question."""
    item = lock_item(item)
    checks.check_escalate(actor, item)
    decision = decide(item, DecisionKind.ESCALATE, actor, note=note, new_status=ItemStatus.ESCALATED)
    from beffroi.workspace.actions import notifications

    transaction.on_commit(lambda: notifications.escalated_by_person(decision.pk))
    return decision


@transaction.atomic
def do_report(item: Item, actor: Any, *, reason: str = "") -> Decision:
    """Report the item to the platform (its own moderation), where the platform allows it."""
    item = lock_item(item)
    checks.check_report(actor, item)
    verdict = item.current_verdict
    label = main_label(verdict)
    reason = (reason or "").strip() or (
        f"Contenu contraire à la charte de la commune ({label_fr(label).lower()})" if label else "Contenu contraire à la charte de la commune"
    )
    return decide(
        item,
        DecisionKind.REPORT,
        actor,
        note=reason,
        article=verdict.article if verdict else "",
        platform_action="report",
        payload={"reason": reason},
    )


@transaction.atomic
def do_filter_status(item: Item, actor: Any, *, note: str = "") -> Decision:
    """Mastodon: hide the message for the commune's account only (its « Beffroi » filter), where the
    platform cannot hide someone else's reply. Others still see it: report it to have it removed."""
    item = lock_item(item)
    checks.check_filter_status(actor, item)
    verdict = item.current_verdict
    return decide(
        item,
        DecisionKind.FILTER_STATUS,
        actor,
        note=note,
        article=verdict.article if verdict else "",
        label=main_label(verdict),
        new_status=ItemStatus.DONE,
        platform_action="filter_status",
    )


@transaction.atomic
def do_mute_author(item: Item, actor: Any, *, duration_days: int | None = None, note: str = "") -> Decision:
    """Mastodon: mute the item's author for the commune's account, for ``duration_days`` (None: until
    lifted). Softer than a block, so a single person decides it."""
    item = lock_item(item)
    checks.check_mute_author(actor, item, duration_days)
    return decide(
        item,
        DecisionKind.MUTE_AUTHOR,
        actor,
        note=note,
        data={"duration_days": duration_days},
        platform_action="mute_author",
        payload={"duration_days": duration_days},
    )


# ---------------------------------------------------------------------------------------------
# Answering: replies, private replies, thanks, routing a question to a service


def _use_saved_reply(saved_reply: Any, item: Item) -> None:
    if saved_reply is None:
        return
    if saved_reply.commune_id != item.commune_id:
        raise checks.ActionError("Réponse enregistrée introuvable.")
    type(saved_reply).objects.filter(pk=saved_reply.pk).update(uses=F("uses") + 1)


def _reply(item: Item, actor: Any, text: str, *, private: bool, saved_reply: Any = None) -> Decision:
    item = lock_item(item)
    cleaned = checks.check_reply(actor, item, text, private=private)
    _use_saved_reply(saved_reply, item)
    action = "private_reply" if private else "reply"
    new_status = ItemStatus.DONE if item.status == ItemStatus.TODO else None
    return decide(
        item,
        REPLY_KINDS[action],
        actor,
        message=cleaned,
        data={"saved_reply": saved_reply.pk} if saved_reply is not None else {},
        new_status=new_status,
        platform_action=action,
        payload={"text": cleaned},
    )


@transaction.atomic
def do_reply(item: Item, actor: Any, text: str, *, saved_reply: Any = None) -> Decision:
    """Public reply under the item (a question answered is done)."""
    return _reply(item, actor, text, private=False, saved_reply=saved_reply)


@transaction.atomic
def do_private_reply(item: Item, actor: Any, text: str, *, saved_reply: Any = None) -> Decision:
    """Private reply to the author, where the platform allows it (Facebook: once, within 7 days)."""
    return _reply(item, actor, text, private=True, saved_reply=saved_reply)


@transaction.atomic
def do_like(item: Item, actor: Any) -> Decision:
    """Thank a supporter with a "like" from the commune's account."""
    item = lock_item(item)
    checks.check_like(actor, item)
    new_status = ItemStatus.DONE if item.status == ItemStatus.TODO else None
    return decide(item, DecisionKind.LIKE, actor, new_status=new_status, platform_action="like")


@transaction.atomic
def do_route_to_service(item: Item, actor: Any, service: Any, *, note: str = "") -> Decision:
    """Send a question to the municipal service that can answer it (by e-mail)."""
    item = lock_item(item)
    checks.check_route(actor, item, service)
    new_status = ItemStatus.DONE if item.status in (ItemStatus.TODO, ItemStatus.NEW) else None
    decision = decide(
        item,
        DecisionKind.ROUTE,
        actor,
        note=note,
        data={"service": service.pk, "service_name": service.name, "service_email": service.email},
        new_status=new_status,
    )
    from beffroi.workspace.actions import notifications

    transaction.on_commit(lambda: notifications.routed_to_service(decision.pk))
    return decision


# ---------------------------------------------------------------------------------------------
# Automatic decisions (the charter lets Beffroi hide some labels on its own)


def do_automatic_hide(item: Item) -> Decision | None:
    """Hide automatically (charter's automatic flag). Returns None when the platform cannot hide
    this item: it then goes to the review queue."""
    try:
        decisions = do_hide_item(item, None, automatic=True)
    except checks.ActionError as exc:
        log_audit("decision.automatic_skipped", commune=item.commune, target=item, reason=exc.message)
        return None
    return decisions[0]
