"""Role labels in the interface language. ``beffroi.core.roles`` stays pure Python (no Django), so
its French labels are the message ids and the translation happens here, at display time."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from beffroi.core.roles import ROLE_LABELS_FR, Role

# The same French labels as ROLE_LABELS_FR, marked so that `makemessages` extracts them
# (tests/core/test_i18n.py checks that both lists agree).
ROLE_LABEL_MSGIDS: tuple[str, ...] = (
    gettext_noop("Élu·e / maire"),
    gettext_noop("Direction de la communication"),
    gettext_noop("Community manager"),
    gettext_noop("Secrétaire de mairie"),
    gettext_noop("Modérateur·rice bénévole"),
    gettext_noop("Lecteur·rice"),
)


def role_label(role: Role | str | None) -> str:
    """The label of a role in the active language ("" for no role, the raw value if unknown)."""
    if role is None:
        return ""
    try:
        label = ROLE_LABELS_FR[Role(role)]
    except ValueError:
        return str(role)
    return gettext(label)
