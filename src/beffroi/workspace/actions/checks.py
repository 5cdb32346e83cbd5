"""Permission and state checks of the moderation actions (``check_*``).

Every ``do_*`` action calls the matching check before writing, and the screens call the same checks
to decide which buttons to offer (``available_actions``), so a button is never shown for an action
that would be refused, and the reason is always said in plain French.

The role rules come from ``core/roles.py`` (the single source of truth); this module only says which
permissions each action needs (:data:`ACTION_PERMS`). Private messages need ``VIEW_PRIVATE`` for
ANY action, and are reported as "introuvable" to roles that may not see them (not "interdit": their
existence is not revealed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from beffroi.core.models import Commune, Membership
from beffroi.core.roles import Perm, Role, has_perm
from beffroi.workspace.models import Item, ItemStatus, OutboxEntry, OutboxState, PlatformState


class ActionError(Exception):
    """An action refused; ``message`` is French and shown to the person as is."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ActionForbidden(ActionError, PermissionDenied):
    """The person's role does not allow this action (HTTP 403: a view that does not catch it answers
    403 like Django's ``PermissionDenied``)."""

    status = 403


class ActionNotFound(ActionError, Http404):
    """The object does not exist for this person (another commune, or a private message they may
    not see) (HTTP 404: a view that does not catch it answers 404 like Django's ``Http404``)."""

    status = 404


# Which permissions each action needs (all of them). Acting on a private message also needs
# VIEW_PRIVATE, whatever the action.
ACTION_PERMS: dict[str, frozenset[Perm]] = {
    "hide": frozenset({Perm.MODERATE}),
    "unhide": frozenset({Perm.MODERATE}),
    "keep": frozenset({Perm.MODERATE}),
    "escalate": frozenset({Perm.MODERATE}),
    "report": frozenset({Perm.MODERATE}),
    "delete": frozenset({Perm.DELETE}),
    "reply": frozenset({Perm.REPLY}),
    # A private reply opens a private conversation: volunteers handle public comments only.
    "private_reply": frozenset({Perm.REPLY, Perm.VIEW_PRIVATE}),
    "like": frozenset({Perm.REPLY}),
    "route": frozenset({Perm.REPLY}),
    "request_block": frozenset({Perm.REQUEST_BLOCK}),
    "approve_block": frozenset({Perm.APPROVE_BLOCK}),
    "unblock": frozenset({Perm.APPROVE_BLOCK}),
    "retry": frozenset({Perm.MODERATE}),
    # Mastodon only: hide a reply for the commune's account, mute its author for a while.
    "filter_status": frozenset({Perm.MODERATE}),
    "mute_author": frozenset({Perm.MODERATE}),
}

ACTION_LABELS_FR: dict[str, str] = {
    "hide": "Masquer",
    "unhide": "Rendre visible",
    "keep": "Conserver",
    "escalate": "Transmettre à la direction",
    "report": "Signaler à la plateforme",
    "delete": "Supprimer définitivement",
    "reply": "Répondre",
    "private_reply": "Répondre en privé",
    "like": "Remercier (j'aime)",
    "route": "Transmettre à un service",
    "request_block": "Demander le blocage de l'auteur",
    "approve_block": "Approuver un blocage",
    "unblock": "Débloquer un auteur",
    "filter_status": "Filtrer pour le compte de la commune",
    "mute_author": "Mettre l'auteur en sourdine",
}

# Actions sent to the platform through the outbox (the others only change Beffroi's state).
PLATFORM_ACTIONS = frozenset(
    {"hide", "unhide", "delete", "reply", "private_reply", "like", "report", "block_author", "unblock_author", "filter_status", "mute_author"}
)
MAX_MUTE_DAYS = 365
OPEN_STATUSES = (ItemStatus.NEW, ItemStatus.REVIEW, ItemStatus.TODO, ItemStatus.ESCALATED)
MAX_REPLY_LENGTH = 8000


def membership_of(actor: Any, commune: Commune) -> Membership:
    """The actor's membership in the commune, or ActionNotFound (non-members learn nothing)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ActionNotFound("Élément introuvable.")
    membership = Membership.objects.filter(user=actor, commune=commune, commune__is_active=True).first()
    if membership is None:
        raise ActionNotFound("Élément introuvable.")
    return membership


def role_of(actor: Any, commune: Commune) -> Role:
    return Role(membership_of(actor, commune).role)


def check_commune_perm(actor: Any, commune: Commune, perm: Perm, what_fr: str) -> Role | None:
    """A governance action (charter, team, saved replies, retention, legal hold, duty settings): the
    actor must be a member of ``commune`` whose role has ``perm``.

    ``what_fr`` completes "Votre rôle ne permet pas de …" (e.g. "modifier la charte"). ``actor=None``
    is Beffroi itself (command line, background jobs, the demo, a new commune's default charter): no
    person to check. Non-members get ActionNotFound (they learn nothing), members whose role lacks
    the permission ActionForbidden."""
    if actor is None:
        return None
    role = role_of(actor, commune)
    if not has_perm(role, perm):
        raise ActionForbidden(f"Votre rôle ne permet pas de {what_fr}.")
    return role


def can_see_item(role: Role | str | None, item: Item) -> bool:
    if not has_perm(role, Perm.VIEW_ITEMS):
        return False
    return not item.is_private or has_perm(role, Perm.VIEW_PRIVATE)


def visible_items(queryset: Any, role: Role | str | None) -> Any:
    """The items of ``queryset`` this role may see (private messages only with VIEW_PRIVATE)."""
    from beffroi.workspace.models import ItemKind

    if not has_perm(role, Perm.VIEW_ITEMS):
        return queryset.none()
    if not has_perm(role, Perm.VIEW_PRIVATE):
        queryset = queryset.exclude(kind=ItemKind.PRIVATE_MESSAGE)
    return queryset


def check_perm(role: Role | str, action: str) -> None:
    missing = [p for p in ACTION_PERMS[action] if not has_perm(role, p)]
    if missing:
        label = ACTION_LABELS_FR.get(action, action).lower()
        raise ActionForbidden(f"Votre rôle ne permet pas de faire cette action ({label}).")


def check_item_access(actor: Any, item: Item, action: str) -> Role:
    """Member of the item's commune, allowed to see it, and whose role allows ``action``."""
    role = role_of(actor, item.commune)
    if not can_see_item(role, item):
        raise ActionNotFound("Élément introuvable.")
    check_perm(role, action)
    return role


def pending_entry(item: Item, action: str | Iterable[str]) -> OutboxEntry | None:
    actions = [action] if isinstance(action, str) else list(action)
    return (
        OutboxEntry.objects.filter(item=item, action__in=actions, state__in=[OutboxState.PENDING, OutboxState.SENDING])
        .order_by("-id")
        .first()
    )


def _require_platform(item: Item) -> None:
    if not item.moderated or item.account_id is None:
        raise ActionError(
            "Cet élément n'est pas publié sur un compte de la commune : Beffroi ne peut pas agir dessus sur "
            "la plateforme (vous pouvez le conserver ou le transmettre)."
        )


# ---------------------------------------------------------------------------------------------
# Capability checks (what the platform allows), through the account's connector


@dataclass(frozen=True)
class PlatformCheck:
    allowed: bool
    reason_fr: str = ""
    needs_confirmation: bool = False


def platform_check(item: Item, action: str, *, connectors: dict[int, Any] | None = None) -> PlatformCheck:
    """Ask the account's connector whether the platform allows ``action`` on this item."""
    from beffroi.connectors.base import ConnectorError
    from beffroi.workspace.actions.outbox import action_target

    if item.account is None:
        return PlatformCheck(False, "Aucun compte connecté ne porte cet élément.")
    cache = connectors if connectors is not None else {}
    connector = cache.get(item.account_id) if item.account_id is not None else None
    if connector is None:
        from beffroi.connectors.runtime import connector_for

        try:
            connector = connector_for(item.account)
        except (KeyError, ImportError):
            return PlatformCheck(False, "Cette plateforme n'est pas encore prise en charge pour agir.")
        except (ConnectorError, ValueError) as exc:
            return PlatformCheck(False, getattr(exc, "message_fr", "") or "Le compte n'est pas utilisable.")
        if item.account_id is not None:
            cache[item.account_id] = connector
    try:
        result = connector.check(action, action_target(item))
    except ConnectorError as exc:
        return PlatformCheck(False, exc.message_fr)
    return PlatformCheck(result.allowed, result.reason_fr, result.needs_confirmation)


def check_platform(item: Item, action: str, *, confirm: bool = False) -> PlatformCheck:
    _require_platform(item)
    result = platform_check(item, action)
    if not result.allowed:
        raise ActionError(result.reason_fr or "La plateforme ne permet pas cette action.")
    if result.needs_confirmation and not confirm:
        raise ActionError(
            (result.reason_fr + " " if result.reason_fr else "") + "Cette action est irréversible : confirmez-la."
        )
    return result


# ---------------------------------------------------------------------------------------------
# One check per action: permission, then the item's state, then the platform


def _awaiting_approval(item: Item) -> bool:
    """Held by the platform until a moderator approves it (pre-moderation): "masquer" refuses it,
    "conserver" approves it."""
    from beffroi.workspace.actions.ingest import awaiting_approval

    return awaiting_approval(item)


def check_hide(actor: Any, item: Item, *, confirm: bool = False, automatic: bool = False) -> None:
    if not automatic:
        check_item_access(actor, item, "hide")
    if item.platform_state == PlatformState.DELETED:
        raise ActionError("Cet élément a été supprimé de la plateforme.")
    if item.platform_state == PlatformState.HIDDEN and not _awaiting_approval(item):
        raise ActionError("Cet élément est déjà masqué.")
    if pending_entry(item, "hide") is not None:
        raise ActionError("Le masquage de cet élément est déjà en cours d'envoi.")
    # An automatic hide never confirms an irreversible action (YouTube's "rejected"): a person decides.
    check_platform(item, "hide", confirm=confirm)


def check_unhide(actor: Any, item: Item) -> None:
    check_item_access(actor, item, "unhide")
    if item.platform_state != PlatformState.HIDDEN:
        raise ActionError("Cet élément n'est pas masqué.")
    if pending_entry(item, "unhide") is not None:
        raise ActionError("Cet élément est déjà en train d'être rendu visible.")
    check_platform(item, "unhide", confirm=True)


def check_delete(actor: Any, item: Item, *, confirm: bool = False) -> None:
    check_item_access(actor, item, "delete")
    if item.platform_state == PlatformState.DELETED or pending_entry(item, "delete") is not None:
        raise ActionError("Cet élément est déjà supprimé (ou en cours de suppression).")
    if not confirm:
        raise ActionError(
            "La suppression est définitive et ne pourra pas être annulée : préférez « Masquer », ou confirmez "
            "la suppression."
        )
    check_platform(item, "delete", confirm=True)


def check_keep(actor: Any, item: Item) -> None:
    check_item_access(actor, item, "keep")
    if item.platform_state == PlatformState.HIDDEN and not _awaiting_approval(item):
        raise ActionError("Cet élément est masqué : pour le laisser en ligne, utilisez « Rendre visible ».")
    if item.platform_state == PlatformState.DELETED:
        raise ActionError("Cet élément a été supprimé de la plateforme.")
    if item.status not in OPEN_STATUSES:
        raise ActionError("Cet élément est déjà traité.")


def check_escalate(actor: Any, item: Item) -> None:
    check_item_access(actor, item, "escalate")
    if item.status == ItemStatus.ESCALATED:
        raise ActionError("Cet élément est déjà transmis à la direction.")


def check_reply_text(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ActionError("Écrivez le texte de la réponse.")
    if len(cleaned) > MAX_REPLY_LENGTH:
        raise ActionError(f"La réponse est trop longue ({len(cleaned)} caractères, {MAX_REPLY_LENGTH} au plus).")
    return cleaned


def check_reply(actor: Any, item: Item, text: str, *, private: bool = False) -> str:
    action = "private_reply" if private else "reply"
    check_item_access(actor, item, action)
    cleaned = check_reply_text(text)
    if item.platform_state == PlatformState.DELETED:
        raise ActionError("Cet élément a été supprimé : on ne peut plus y répondre.")
    check_platform(item, action, confirm=True)
    return cleaned


def check_like(actor: Any, item: Item) -> None:
    check_item_access(actor, item, "like")
    if item.is_from_commune:
        raise ActionError("C'est une publication de la commune.")
    if item.decisions.filter(kind="like", undone_by__isnull=True).exists():
        raise ActionError("Vous avez déjà remercié cette personne (j'aime).")
    check_platform(item, "like", confirm=True)


def check_route(actor: Any, item: Item, service: Any) -> None:
    check_item_access(actor, item, "route")
    if service is None or service.commune_id != item.commune_id:
        raise ActionError("Choisissez un service de la commune.")
    if not service.email:
        raise ActionError(f"Le service « {service.name} » n'a pas d'adresse e-mail : ajoutez-la d'abord.")


def check_report(actor: Any, item: Item) -> None:
    check_item_access(actor, item, "report")
    if item.decisions.filter(kind="report", undone_by__isnull=True).exists():
        raise ActionError("Cet élément a déjà été signalé à la plateforme.")
    check_platform(item, "report", confirm=True)


def check_filter_status(actor: Any, item: Item) -> None:
    """Mastodon: hide a message for the commune's account only (its « Beffroi » filter)."""
    check_item_access(actor, item, "filter_status")
    if item.platform_state == PlatformState.DELETED:
        raise ActionError("Cet élément a été supprimé de la plateforme.")
    if item.is_from_commune:
        raise ActionError("C'est un message de la commune : il ne se filtre pas.")
    if pending_entry(item, "filter_status") is not None or item.decisions.filter(
        kind="filter_status", undone_by__isnull=True
    ).exists():
        raise ActionError("Ce message est déjà filtré pour le compte de la commune.")
    check_platform(item, "filter_status", confirm=True)


def check_mute_author(actor: Any, item: Item, duration_days: int | None) -> None:
    """Mastodon: mute the item's author for the commune's account (``None``: without end)."""
    check_item_access(actor, item, "mute_author")
    if item.author is None:
        raise ActionError("L'auteur de cet élément est inconnu : impossible de le mettre en sourdine.")
    if duration_days is not None and not 1 <= duration_days <= MAX_MUTE_DAYS:
        raise ActionError(f"Indiquez une durée de sourdine entre 1 et {MAX_MUTE_DAYS} jours (ou sans limite).")
    if pending_entry(item, "mute_author") is not None:
        raise ActionError("La mise en sourdine de cet auteur est déjà en cours d'envoi.")
    check_platform(item, "mute_author", confirm=True)


def check_request_block(actor: Any, item: Item | None, author: Any, reason: str, duration_days: int | None) -> None:
    if author is None:
        raise ActionError("L'auteur de cet élément est inconnu : impossible de le bloquer.")
    role = role_of(actor, author.commune)
    if item is not None and not can_see_item(role, item):
        raise ActionNotFound("Élément introuvable.")
    check_perm(role, "request_block")
    if not (reason or "").strip():
        raise ActionError("Indiquez le motif du blocage (il sera conservé).")
    if duration_days is None or duration_days < 1 or duration_days > 3650:
        raise ActionError("Indiquez une durée de blocage entre 1 et 3650 jours.")
    if author.is_blocked:
        raise ActionError("Cet auteur est déjà bloqué.")
    if author.block_requests.filter(state="pending").exists():
        raise ActionError("Une demande de blocage de cet auteur attend déjà une approbation.")
