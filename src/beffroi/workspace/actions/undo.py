"""Undo ("Annuler"): take a decision back.

- If nothing reached the platform yet (the outbox entry is still waiting), the entry is cancelled:
  the platform never sees the action.
- Otherwise the opposite action is sent: a hide is undone by making the item visible again, an
  unhide by hiding it, a public reply by deleting that reply (where the platform allows it), a
  block by lifting it.
- Some things cannot be undone once done, and the person is told so plainly: a deletion, a private
  message already delivered, a report already sent.

The item's status goes back to what it was before the decision (unless someone decided again since).
Every undo is a decision of its own (``undoes`` points to the decision taken back) and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from beffroi.core.audit import log_audit
from beffroi.workspace.actions import checks, outbox
from beffroi.workspace.actions.decisions import decide, lock_item
from beffroi.workspace.models import Decision, DecisionKind, Item, OutboxEntry, OutboxState

# The permission needed to undo each kind of decision (that of the action itself).
UNDO_ACTION = {
    DecisionKind.HIDE: "hide",
    DecisionKind.UNHIDE: "unhide",
    DecisionKind.DELETE: "delete",
    DecisionKind.KEEP: "keep",
    DecisionKind.ESCALATE: "escalate",
    DecisionKind.REPLY: "reply",
    DecisionKind.PRIVATE_REPLY: "private_reply",
    DecisionKind.LIKE: "like",
    DecisionKind.ROUTE: "route",
    DecisionKind.REPORT: "report",
    DecisionKind.BLOCK_AUTHOR: "unblock",
    DecisionKind.FILTER_STATUS: "filter_status",
    DecisionKind.MUTE_AUTHOR: "mute_author",
}


@dataclass
class UndoResult:
    decisions: list[Decision] = field(default_factory=list)
    message: str = ""


_NEVER_REACHED = (outbox.NOT_SENT, outbox.RATE_LIMITED, outbox.AUTH, outbox.REFUSED)


def _cancellable(entry: OutboxEntry) -> bool:
    """Surely never applied on the platform: never tried, or every try failed before reaching it
    (refused, rate-limited, connection broken). A time-out or a 5xx may have been applied: then the
    opposite action is sent instead."""
    if entry.state == OutboxState.PENDING:
        return entry.attempts == 0 or entry.error_kind in _NEVER_REACHED
    return entry.state == OutboxState.FAILED and entry.error_kind in _NEVER_REACHED


def _cancel_all(entries: list[OutboxEntry]) -> bool:
    """Cancel every entry, or return False if one of them cannot be (a worker just took it)."""
    if not all(_cancellable(e) for e in entries):
        return False
    return all(outbox.cancel(e) for e in entries)


def _restore_status(item: Item, decision: Decision) -> None:
    later = [
        d
        for d in item.decisions.filter(id__gt=decision.pk, undoes__isnull=True).exclude(kind=DecisionKind.UNDO)
        if (d.data or {}).get("with_decision") != decision.pk
    ]
    previous = (decision.data or {}).get("previous_status")
    if previous and not later and item.status != previous:
        item.status = previous
        item.save(update_fields=["status", "updated_at"])


def _companions(decision: Decision) -> list[Decision]:
    """Decisions taken together with this one (the message to the author sent with a hide)."""
    if decision.item_id is None:
        return []
    return [
        d
        for d in Decision.objects.filter(item_id=decision.item_id, id__gt=decision.pk)
        if (d.data or {}).get("with_decision") == decision.pk and not d.undone_by.exists()
    ]


@transaction.atomic
def do_undo(decision: Decision, actor: Any) -> UndoResult:
    decision = Decision.objects.select_for_update(of=("self",)).select_related("commune", "item", "author").get(pk=decision.pk)
    if decision.kind == DecisionKind.UNDO or decision.undoes_id is not None:
        raise checks.ActionError("C'est déjà une annulation : refaites l'action si besoin.")
    action = UNDO_ACTION.get(DecisionKind(decision.kind))
    if action is None:
        raise checks.ActionError("Cette décision ne peut pas être annulée.")
    item = lock_item(decision.item) if decision.item_id is not None else None
    if item is not None:
        checks.check_item_access(actor, item, action)
    else:
        checks.check_perm(checks.role_of(actor, decision.commune), action)
    if decision.undone_by.exists():
        raise checks.ActionError("Cette décision a déjà été annulée.")

    if decision.kind == DecisionKind.BLOCK_AUTHOR:
        return _undo_block(decision, actor)
    assert item is not None

    entries = list(decision.outbox.all())
    result = UndoResult()
    if _cancel_all(entries):
        result.decisions.append(decide(item, DecisionKind.UNDO, actor, undoes=decision, data={"cancelled": [e.pk for e in entries]}))
        result.message = "Décision annulée : rien n'avait encore été envoyé à la plateforme." if entries else "Décision annulée."
    else:
        result.decisions.append(_inverse(decision, item, actor, entries))
        result.message = "Décision annulée : l'opération inverse est envoyée à la plateforme."
    for companion in _companions(decision):
        if _cancel_all(list(companion.outbox.all())):
            result.decisions.append(decide(item, DecisionKind.UNDO, actor, undoes=companion))
        else:
            result.message += " Le message à l'auteur était déjà parti : il n'a pas été retiré."
    _restore_status(item, decision)
    log_audit(
        "decision.undo",
        commune=decision.commune,
        actor=actor,
        target=decision,
        item=item.pk,
        kind=decision.kind,
        by=[d.pk for d in result.decisions],
    )
    return result


def _inverse(decision: Decision, item: Item, actor: Any, entries: list[OutboxEntry]) -> Decision:
    kind = decision.kind
    if any(e.state == OutboxState.SENDING for e in entries) and kind in (DecisionKind.REPLY,):
        raise checks.ActionError("La réponse est en cours d'envoi : réessayez d'annuler dans un instant.")
    if kind == DecisionKind.HIDE:
        checks.check_platform(item, "unhide", confirm=True)
        return decide(item, DecisionKind.UNHIDE, actor, undoes=decision, platform_action="unhide")
    if kind == DecisionKind.UNHIDE:
        checks.check_platform(item, "hide", confirm=True)
        return decide(item, DecisionKind.HIDE, actor, undoes=decision, article=decision.article, platform_action="hide")
    if kind == DecisionKind.REPLY:
        remote_id = str((decision.data or {}).get("remote_id") or "")
        applied = [e for e in entries if e.state == OutboxState.APPLIED]
        if not remote_id and applied:
            remote_id = str((applied[-1].result or {}).get("remote_id") or "")
        if not remote_id:
            raise checks.ActionError("La réponse est publiée mais son identifiant est inconnu : supprimez-la sur la plateforme.")
        check = checks.platform_check(item, "delete")
        if not check.allowed:
            raise checks.ActionError("La réponse est déjà publiée et la plateforme ne permet pas de la supprimer d'ici.")
        return decide(
            item,
            DecisionKind.DELETE,
            actor,
            undoes=decision,
            note="Suppression de la réponse de la commune (annulation).",
            data={"reply_remote_id": remote_id},
            platform_action="delete",
            payload={"target_external_id": remote_id},
        )
    if kind == DecisionKind.MUTE_AUTHOR:  # Mastodon: the mute is lifted
        checks.check_platform(item, "unmute_author", confirm=True)
        return decide(
            item, DecisionKind.UNDO, actor, undoes=decision, note="Sourdine levée (annulation).", platform_action="unmute_author"
        )
    reasons = {
        DecisionKind.FILTER_STATUS: "Le message est déjà filtré : retirez-le du filtre « Beffroi » dans les réglages de "
        "Mastodon (Préférences > Filtres) pour le voir de nouveau.",
        DecisionKind.DELETE: "La suppression a déjà été appliquée sur la plateforme : elle est définitive.",
        DecisionKind.PRIVATE_REPLY: "Le message privé a déjà été envoyé : il ne peut pas être retiré.",
        DecisionKind.LIKE: "Le « j'aime » a déjà été envoyé et la plateforme ne permet pas de le retirer d'ici.",
        DecisionKind.REPORT: "Le signalement a déjà été transmis à la plateforme.",
    }
    raise checks.ActionError(reasons.get(DecisionKind(kind), "Cette décision ne peut plus être annulée."))


def _undo_block(decision: Decision, actor: Any) -> UndoResult:
    from beffroi.workspace.actions.blocking import _lift
    from beffroi.workspace.models import BlockRequest

    request_id = (decision.data or {}).get("block_request")
    request = BlockRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.state != BlockRequest.State.APPROVED:
        raise checks.ActionError("Ce blocage n'est plus en cours.")
    lifted = _lift(request, actor, automatic=False, note="Annulation du blocage.")
    Decision.objects.filter(pk=lifted.pk).update(undoes=decision)
    lifted.undoes = decision
    return UndoResult([lifted], "Blocage levé.")
