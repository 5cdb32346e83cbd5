"""Telling the team that an account's connection is broken (once per breakage) or back."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from beffroi.connectors.base import ConnectorError
from beffroi.connectors.registry import platform_label
from beffroi.connectors.runtime import mark_broken, mark_ok
from beffroi.core.audit import log_audit
from beffroi.core.models import Membership
from beffroi.core.roles import Role
from beffroi.workspace.models import Account

logger = logging.getLogger(__name__)

# Who hears about a broken connection: the people who can reconnect it or manage the accounts.
NOTIFIED_ROLES = (Role.DIRECTION_COM, Role.COMMUNITY_MANAGER)


def broken_detail_fr(error: ConnectorError | str) -> str:
    reason = error.message_fr if isinstance(error, ConnectorError) else str(error)
    reason = reason.strip().rstrip(".")
    return f"Connexion cassée : {reason[:1].lower() + reason[1:] if reason else 'le jeton a expiré'}. Reconnectez le compte."


def recipients(account: Account) -> list[str]:
    members = Membership.objects.filter(
        commune=account.commune, role__in=[r.value for r in NOTIFIED_ROLES]
    ).select_related("user")
    emails = sorted({m.user.email for m in members if m.user.email})
    if not emails and account.commune.contact_email:
        emails = [account.commune.contact_email]
    return emails


def accounts_url(account: Account) -> str:
    try:
        path = reverse("workspace:accounts", kwargs={"commune": account.commune.slug})
    except Exception:  # the URL map failing must not stop the alert
        path = f"/c/{account.commune.slug}/comptes/"
    return settings.BEFFROI_BASE_URL.rstrip("/") + path


def connection_broken(account: Account, error: ConnectorError | str) -> bool:
    """Mark the account broken; the first time, write the audit line and e-mail the team.
    Returns True when this call is the one that broke it (and sent the e-mail)."""
    detail = broken_detail_fr(error)
    first = mark_broken(account, detail)
    if not first:
        return False
    label = platform_label(account.platform)
    log_audit(
        "account.broken", commune=account.commune, target=account, platform=account.platform, detail=detail
    )
    to = recipients(account)
    if not to:
        logger.warning(
            "account %s broken but nobody to e-mail in commune %s", account.pk, account.commune.slug
        )
        return True
    subject = f"Beffroi : la connexion au compte {label} « {account.name} » est cassée"
    body = (
        "Bonjour,\n\n"
        f"Beffroi ne peut plus lire ni modérer le compte {label} « {account.name} » de {account.commune.name}.\n"
        f"{detail}\n\n"
        "Tant que le compte n'est pas reconnecté, les nouveaux commentaires n'arrivent plus dans Beffroi et les "
        "actions (masquer, répondre…) ne sont pas appliquées sur la plateforme.\n\n"
        f"Pour le reconnecter : {accounts_url(account)}\n"
        "(Comptes connectés > le compte > « Reconnecter » ; le guide de connexion explique comment obtenir un "
        "nouveau jeton.)\n\n"
        "Vous recevez ce message une seule fois ; Beffroi vous écrira de nouveau si la connexion casse encore "
        "après avoir été réparée.\n\n— Beffroi\n"
    )
    try:
        send_mail(subject, body, None, to, fail_silently=False)
    except Exception:  # the broken state is visible in the screen even if mail fails
        logger.exception("could not e-mail the broken connection of account %s", account.pk)
    return True


def connection_restored(account: Account, *, actor: object | None = None) -> bool:
    restored = mark_ok(account)
    if restored:
        log_audit(
            "account.restored",
            commune=account.commune,
            actor=actor,
            target=account,
            platform=account.platform,
        )
    return restored
