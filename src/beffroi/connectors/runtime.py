"""Bridge between stored accounts (Django) and connector instances (pure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from beffroi.connectors.base import AccountConfig, Connector
from beffroi.connectors.registry import connector_class
from beffroi.workspace.models import Account, AccountStatus


def account_config(account: Account) -> AccountConfig:
    return AccountConfig(
        platform=account.platform,
        external_id=account.external_id,
        credentials=account.get_credentials(),
        options=dict(account.options),
        handle=account.handle,
        account_id=account.pk,
    )


# Where connectors built without an explicit client get one: None = a real network client. Tests and
# local tools set it (e.g. to an httpx.Client over a MockTransport or a fake platform server).
default_http: Callable[[str], Any] | None = None


def connector_for(account: Account, *, http: Any | None = None) -> Connector:
    """A connector instance for this account (credentials decrypted in memory only)."""
    if http is None and default_http is not None:
        http = default_http(account.platform)
    return connector_class(account.platform)(account_config(account), http=http)


def mark_broken(account: Account, detail_fr: str) -> bool:
    """Show "connexion cassée" for this account. Returns True if it was not broken before (so the
    caller sends the e-mail once). Race-free: with several workers failing at the same time, exactly
    one gets True."""
    now = timezone.now()
    changed = (
        Account.objects.filter(pk=account.pk)
        .exclude(status=AccountStatus.BROKEN)
        .update(status=AccountStatus.BROKEN, status_detail=detail_fr, status_changed_at=now)
    )
    if not changed:
        Account.objects.filter(pk=account.pk).update(status_detail=detail_fr)
    account.status = AccountStatus.BROKEN
    account.status_detail = detail_fr
    if changed:
        account.status_changed_at = now
    return bool(changed)


def mark_ok(account: Account) -> bool:
    """Back to "connecté" after a reconnection or a successful call. Returns True if it was broken."""
    now = timezone.now()
    changed = Account.objects.filter(pk=account.pk, status=AccountStatus.BROKEN).update(
        status=AccountStatus.ACTIVE, status_detail="", status_changed_at=now
    )
    if changed or account.status == AccountStatus.BROKEN:
        account.status = AccountStatus.ACTIVE
        account.status_detail = ""
        account.status_changed_at = now
    return bool(changed)
