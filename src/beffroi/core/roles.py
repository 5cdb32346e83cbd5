"""Team roles and what each may do. Pure Python: no Django import, so it is the single source of
truth for views, actions, templates and tests alike."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ELU = "elu"
    DIRECTION_COM = "direction_com"
    COMMUNITY_MANAGER = "community_manager"
    SECRETAIRE = "secretaire"
    MODERATEUR_BENEVOLE = "moderateur_benevole"
    LECTEUR = "lecteur"


ROLE_LABELS_FR: dict[Role, str] = {
    Role.ELU: "Élu·e / maire",
    Role.DIRECTION_COM: "Direction de la communication",
    Role.COMMUNITY_MANAGER: "Community manager",
    Role.SECRETAIRE: "Secrétaire de mairie",
    Role.MODERATEUR_BENEVOLE: "Modérateur·rice bénévole",
    Role.LECTEUR: "Lecteur·rice",
}


class Perm(StrEnum):
    VIEW_ITEMS = "view_items"  # public items of the inbox
    VIEW_PRIVATE = "view_private"  # private messages
    MODERATE = "moderate"  # hide, unhide, keep, escalate
    DELETE = "delete"  # irreversible deletion on the platform
    REPLY = "reply"  # public reply / private reply
    REQUEST_BLOCK = "request_block"
    APPROVE_BLOCK = "approve_block"  # second person approving a block
    EXPORT_EVIDENCE = "export_evidence"
    LEGAL_HOLD = "legal_hold"
    EDIT_CHARTER = "edit_charter"
    MANAGE_TEAM = "manage_team"
    MANAGE_ACCOUNTS = "manage_accounts"  # connect platform accounts
    MANAGE_SAVED_REPLIES = "manage_saved_replies"
    VIEW_AUDIT = "view_audit"
    VIEW_STATS = "view_stats"
    VIEW_ALERTS = "view_alerts"  # rumour alerts, crisis room (read)
    VIEW_VEILLE = "view_veille"
    MANAGE_VEILLE = "manage_veille"  # watch terms, facts, sources, crisis circle
    CRISIS_ACT = "crisis_act"  # act in the crisis room (report posts, checklist, replies)


_ALL = frozenset(Perm)
_READ = frozenset({Perm.VIEW_ITEMS})

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.DIRECTION_COM: _ALL,
    Role.COMMUNITY_MANAGER: frozenset(
        {
            Perm.VIEW_ITEMS,
            Perm.VIEW_PRIVATE,
            Perm.MODERATE,
            Perm.DELETE,
            Perm.REPLY,
            Perm.REQUEST_BLOCK,
            Perm.APPROVE_BLOCK,
            Perm.EXPORT_EVIDENCE,
            Perm.MANAGE_SAVED_REPLIES,
            Perm.VIEW_STATS,
            Perm.VIEW_ALERTS,
            Perm.VIEW_VEILLE,
            Perm.CRISIS_ACT,
        }
    ),
    Role.SECRETAIRE: frozenset(
        {
            Perm.VIEW_ITEMS,
            Perm.VIEW_PRIVATE,
            Perm.MODERATE,
            Perm.DELETE,
            Perm.REPLY,
            Perm.REQUEST_BLOCK,
            Perm.APPROVE_BLOCK,
            Perm.EXPORT_EVIDENCE,
            Perm.MANAGE_SAVED_REPLIES,
            Perm.VIEW_STATS,
            Perm.VIEW_ALERTS,
            Perm.VIEW_VEILLE,
        }
    ),
    # Volunteers moderate public comments only: no private messages, no evidence export, no blocking.
    Role.MODERATEUR_BENEVOLE: frozenset({Perm.VIEW_ITEMS, Perm.MODERATE, Perm.REPLY}),
    Role.ELU: frozenset({Perm.VIEW_ITEMS, Perm.VIEW_ALERTS, Perm.VIEW_VEILLE, Perm.VIEW_STATS}),
    Role.LECTEUR: _READ,
}


def has_perm(role: Role | str | None, perm: Perm | str) -> bool:
    if role is None:
        return False
    try:
        return Perm(perm) in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
