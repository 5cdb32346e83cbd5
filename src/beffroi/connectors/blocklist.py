"""Who the account has blocked ON THE PLATFORM, compared with the blocks Beffroi knows.

A Page's blocked list also holds people blocked by hand in the platform's own interface, and a block
approved in Beffroi may have been lifted there. ``refresh_platform_blocks`` reads the list through the
connector (``Connector.blocked_authors``: Facebook's ``GET /{page-id}/blocked``) and records it in
``Account.rate_state["platform_blocks"]`` (through ``ratestate.update_rate_state``)::

    {"checked_at": ISO time, "count": n,
     "people": [{"id", "name", "in_beffroi": blocked in Beffroi too}, …],   # at most MAX_PEOPLE
     "only_in_beffroi": [{"id", "name"}, …]}  # blocked in Beffroi, absent from the platform's list

The accounts screen shows it; ``connectors.refresh_platform_blocks`` runs it every 6 hours and after a
"Synchroniser maintenant". Nothing is blocked or unblocked here: blocking stays a decision of two
people (``workspace.actions.blocking``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from beffroi.connectors.base import AuthError, Connector, ConnectorError
from beffroi.workspace.models import Account, Author

logger = logging.getLogger(__name__)

MAX_PEOPLE = 500
KEY = "platform_blocks"


def lists_blocks(cls: type[Connector]) -> bool:
    """Whether the platform's connector can read the account's blocked list."""
    return cls.blocked_authors is not Connector.blocked_authors


def refresh_platform_blocks(account: Account, *, http: Any | None = None) -> dict[str, Any] | None:
    """Read the platform's blocked list and record it on the account. None when the platform cannot
    list blocks or did not answer (a refused token marks the connection broken)."""
    from beffroi.connectors.notify import connection_broken
    from beffroi.connectors.ratestate import update_rate_state
    from beffroi.connectors.runtime import connector_for

    try:
        connector = connector_for(account, http=http)
        blocked = connector.blocked_authors()
    except AuthError as exc:
        connection_broken(account, exc)
        return None
    except ConnectorError as exc:
        logger.warning("blocked list of account %s not read: %s", account.pk, exc)
        return None
    if blocked is None:
        return None
    ids = [a.external_id for a in blocked]
    in_beffroi = set(
        Author.objects.filter(
            commune=account.commune, platform=account.platform, external_id__in=ids, is_blocked=True
        ).values_list("external_id", flat=True)
    )
    only_in_beffroi = [
        {"id": author.external_id, "name": str(author)}
        for author in Author.objects.filter(commune=account.commune, platform=account.platform, is_blocked=True)
        .exclude(external_id__in=ids)
        .order_by("display_name")[:100]
    ]
    summary = {
        "checked_at": timezone.now().isoformat(),
        "count": len(blocked),
        "people": [
            {"id": a.external_id, "name": a.display_name or a.handle, "in_beffroi": a.external_id in in_beffroi}
            for a in blocked[:MAX_PEOPLE]
        ],
        "only_in_beffroi": only_in_beffroi,
    }

    def change(state: dict[str, Any]) -> None:
        state[KEY] = summary

    update_rate_state(account, change)
    return summary
