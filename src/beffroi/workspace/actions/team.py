"""The commune's team: add (or invite) a member, change a role, remove, crisis circle and phone.

Rules: only the "direction de la communication" manages the team (``Perm.MANAGE_TEAM``, checked by
the views and again here by :func:`check_manage_team`); the last "direction de la communication" of a commune can be neither
removed nor given another role (the commune would be left without anyone able to manage it). Every
change is written to the audit trail.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune, Membership
from beffroi.core.roles import ROLE_LABELS_FR, Perm, Role
from beffroi.workspace.actions.checks import check_commune_perm


class TeamError(ValueError):
    """A French message for the person managing the team."""


LAST_DIRECTOR_FR = (
    "Impossible : c'est la dernière personne « Direction de la communication » de la commune. "
    "Donnez d'abord ce rôle à quelqu'un d'autre."
)
_PHONE_CHARS = re.compile(r"[\s.\-()/]")
_USERNAME = re.compile(r"^[\w.@+-]{3,150}$")
# Unambiguous characters for temporary passwords read aloud or copied by hand (no 0/O, 1/l/I).
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class NewMember:
    membership: Membership
    created_user: bool
    temporary_password: str = ""  # shown once, never stored in clear
    invitation_path: str = ""  # /invitation/<uid>/<token>/ (absolute URL built by the view)


def check_manage_team(actor: Any, commune: Commune) -> None:
    """Only roles with ``Perm.MANAGE_TEAM`` change the team (``actor=None``: Beffroi itself)."""
    check_commune_perm(actor, commune, Perm.MANAGE_TEAM, "gérer l'équipe (réservé à la direction de la communication)")


def normalise_phone(raw: str) -> str:
    """French numbers in any usual spelling ("06 12 34 56 78", "+33 6 12…") → "+33612345678";
    other international numbers must start with "+". Empty stays empty."""
    value = _PHONE_CHARS.sub("", raw or "")
    if not value:
        return ""
    if value.startswith("00"):
        value = "+" + value[2:]
    if re.fullmatch(r"0[1-9]\d{8}", value):
        return "+33" + value[1:]
    if re.fullmatch(r"\+33[1-9]\d{8}", value):
        return value
    if re.fullmatch(r"\+(?!33)[1-9]\d{6,14}", value):
        return value
    raise TeamError(
        "Numéro de téléphone non reconnu : écrivez-le comme « 06 12 34 56 78 » ou, hors de France, "
        "avec l'indicatif (« +32 … »)."
    )


def temporary_password() -> str:
    groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def invitation_path(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/invitation/{uid}/{token}/"


def _lock_commune(commune: Commune) -> None:
    """Serialise team changes of one commune (the last-director rule must hold under concurrency)."""
    if connection.features.has_select_for_update:
        Commune.objects.select_for_update().filter(pk=commune.pk).values_list("pk", flat=True).first()
    else:  # SQLite: take the write lock first
        Commune.objects.filter(pk=commune.pk).update(is_active=commune.is_active)


def _directors(commune: Commune) -> int:
    return Membership.objects.filter(commune=commune, role=Role.DIRECTION_COM.value).count()


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise TeamError("Rôle inconnu : choisissez un rôle dans la liste.") from None


def do_add_member(
    commune: Commune,
    *,
    actor: Any,
    username: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    in_crisis_circle: bool = False,
    phone: str = "",
    method: str = "invitation",
) -> NewMember:
    """Add someone to the team. A new account gets either a temporary password (``method=
    "password"``) or an invitation link to choose their own (``method="invitation"``). A person who
    already has a Beffroi account is added when both the identifier and the e-mail match it."""
    check_manage_team(actor, commune)
    role_value = _role(role)
    username = (username or "").strip()
    email = (email or "").strip().lower()
    if not _USERNAME.fullmatch(username):
        raise TeamError(
            "Identifiant invalide : de 3 à 150 caractères, lettres, chiffres et . @ + - _ seulement "
            "(par exemple « martine.lefort »)."
        )
    if method not in ("invitation", "password"):
        raise TeamError("Choisissez comment la personne recevra son accès : lien d'invitation ou mot de passe temporaire.")
    if method == "invitation" and not email:
        raise TeamError("Pour envoyer un lien d'invitation, indiquez l'adresse e-mail de la personne.")
    phone = normalise_phone(phone)
    User = get_user_model()
    with transaction.atomic():
        _lock_commune(commune)
        user = User.objects.filter(username__iexact=username).first()
        created = user is None
        password = ""
        if user is not None:
            if not email or (user.email or "").lower() != email:
                raise TeamError(
                    "Cet identifiant est déjà utilisé. Choisissez-en un autre (par exemple prénom.nom) ; "
                    "pour ajouter une personne qui a déjà un compte Beffroi, indiquez son identifiant ET son "
                    "adresse e-mail exacts."
                )
            if Membership.objects.filter(user=user, commune=commune).exists():
                raise TeamError("Cette personne fait déjà partie de l'équipe.")
        else:
            user = User(username=username, first_name=first_name.strip()[:150], last_name=last_name.strip()[:150], email=email)
            if method == "password":
                password = temporary_password()
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        membership = Membership.objects.create(
            user=user, commune=commune, role=role_value.value, in_crisis_circle=in_crisis_circle, phone=phone
        )
        log_audit(
            "team.member_added",
            commune=commune,
            actor=actor,
            target=membership,
            username=user.get_username(),
            role=role_value.value,
            new_account=created,
            access="invitation" if created and method == "invitation" else ("password" if created else "existing"),
            in_crisis_circle=in_crisis_circle,
        )
    link = invitation_path(user) if created and method == "invitation" else ""
    return NewMember(membership=membership, created_user=created, temporary_password=password, invitation_path=link)


def do_change_role(membership: Membership, *, role: str, actor: Any) -> Membership:
    check_manage_team(actor, membership.commune)
    return _change_role(membership, role=role, actor=actor)


def _change_role(membership: Membership, *, role: str, actor: Any) -> Membership:
    new_role = _role(role)
    with transaction.atomic():
        _lock_commune(membership.commune)
        current = Membership.objects.get(pk=membership.pk)
        old_role = Role(current.role)
        if old_role == new_role:
            return current
        if old_role == Role.DIRECTION_COM and _directors(current.commune) <= 1:
            raise TeamError(LAST_DIRECTOR_FR)
        current.role = new_role.value
        current.save(update_fields=["role"])
        log_audit(
            "team.role_changed",
            commune=current.commune,
            actor=actor,
            target=current,
            username=current.user.get_username(),
            old_role=old_role.value,
            new_role=new_role.value,
        )
    return current


def do_update_member(membership: Membership, *, actor: Any, in_crisis_circle: bool, phone: str) -> Membership:
    check_manage_team(actor, membership.commune)
    return _update_member(membership, actor=actor, in_crisis_circle=in_crisis_circle, phone=phone)


def _update_member(membership: Membership, *, actor: Any, in_crisis_circle: bool, phone: str) -> Membership:
    phone = normalise_phone(phone)
    with transaction.atomic():
        current = Membership.objects.select_related("user", "commune").get(pk=membership.pk)
        changes: dict[str, Any] = {}
        if current.in_crisis_circle != in_crisis_circle:
            changes["in_crisis_circle"] = [current.in_crisis_circle, in_crisis_circle]
            current.in_crisis_circle = in_crisis_circle
        if current.phone != phone:
            changes["phone"] = "modifié" if phone else "retiré"
            current.phone = phone
        if changes:
            current.save(update_fields=["in_crisis_circle", "phone"])
            log_audit(
                "team.member_updated",
                commune=current.commune,
                actor=actor,
                target=current,
                username=current.user.get_username(),
                **changes,
            )
    return current


def do_edit_member(membership: Membership, *, actor: Any, role: str, in_crisis_circle: bool, phone: str) -> Membership:
    """The member screen's form: crisis circle, phone and role together, in one transaction (a
    director may give up their own role: the permission is checked once, before any change)."""
    check_manage_team(actor, membership.commune)
    with transaction.atomic():
        _update_member(membership, actor=actor, in_crisis_circle=in_crisis_circle, phone=phone)
        return _change_role(membership, role=role, actor=actor)


def do_remove_member(membership: Membership, *, actor: Any) -> None:
    """Remove someone from the commune's team (their account stays, for other communes and for the
    audit trail)."""
    check_manage_team(actor, membership.commune)
    with transaction.atomic():
        _lock_commune(membership.commune)
        current = Membership.objects.select_related("user", "commune").get(pk=membership.pk)
        if current.role == Role.DIRECTION_COM.value and _directors(current.commune) <= 1:
            raise TeamError(LAST_DIRECTOR_FR)
        username = current.user.get_username()
        role = current.role
        log_audit(
            "team.member_removed",
            commune=current.commune,
            actor=actor,
            target=current,
            username=username,
            role=role,
        )
        current.delete()


def do_renew_access(membership: Membership, *, actor: Any, method: str) -> NewMember:
    """A new temporary password or a new invitation link for a member who lost access."""
    check_manage_team(actor, membership.commune)
    user = membership.user
    password, link = "", ""
    if method == "password":
        password = temporary_password()
        user.set_password(password)
        user.save(update_fields=["password"])
    elif method == "invitation":
        if not user.email:
            raise TeamError("Cette personne n'a pas d'adresse e-mail : choisissez un mot de passe temporaire.")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        link = invitation_path(user)
    else:
        raise TeamError("Choisissez : lien d'invitation ou mot de passe temporaire.")
    log_audit(
        "team.access_renewed",
        commune=membership.commune,
        actor=actor,
        target=membership,
        username=user.get_username(),
        access=method,
    )
    return NewMember(membership=membership, created_user=False, temporary_password=password, invitation_path=link)


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS_FR[role]) for role in Role]


ROLE_DESCRIPTIONS_FR: dict[Role, str] = {
    Role.ELU: "Consulte les messages, les statistiques et reçoit les alertes ; ne modère pas.",
    Role.DIRECTION_COM: "Peut tout faire : charte, équipe, comptes, modération, preuves.",
    Role.COMMUNITY_MANAGER: "Modère et répond, y compris aux messages privés ; exporte les preuves.",
    Role.SECRETAIRE: "Modère et répond, y compris aux messages privés ; exporte les preuves.",
    Role.MODERATEUR_BENEVOLE: "Modère les commentaires publics seulement : ni messages privés, ni preuves, ni blocage.",
    Role.LECTEUR: "Consulte les commentaires publics, sans agir.",
}
