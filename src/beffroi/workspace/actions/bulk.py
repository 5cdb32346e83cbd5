"""Bulk actions: the same decision on many items (a community manager triaging a flood).

Each item is decided in its own transaction with the same checks as one by one; an item that cannot
take the action (already hidden, a platform that does not allow it, a private message the role may not
see) is skipped with its reason, and the others go through. The result lists the decisions taken, so
one "Annuler" can take them all back (:func:`do_bulk_undo`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beffroi.workspace.actions import checks
from beffroi.workspace.actions.decisions import (
    do_delete_item,
    do_escalate,
    do_hide_item,
    do_keep_item,
    do_like,
    do_unhide_item,
)
from beffroi.workspace.actions.undo import do_undo
from beffroi.workspace.models import Decision, Item

BULK_ACTIONS = {
    "hide": "Masquer",
    "unhide": "Rendre visible",
    "keep": "Conserver",
    "escalate": "Transmettre à la direction",
    "like": "Remercier (j'aime)",
    "delete": "Supprimer définitivement",
}
MAX_BULK = 500


@dataclass
class BulkResult:
    action: str
    decisions: list[Decision] = field(default_factory=list)
    done: list[int] = field(default_factory=list)  # item ids
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (item id, French reason)

    @property
    def message(self) -> str:
        verb = BULK_ACTIONS.get(self.action, self.action).lower()
        text = f"{len(self.done)} élément(s) : « {verb} » enregistré."
        if self.skipped:
            reasons = sorted({reason for _, reason in self.skipped})
            text += f" {len(self.skipped)} ignoré(s) : " + " ; ".join(reasons[:3])
        return text


def do_bulk(action: str, items: Iterable[Item], actor: Any, *, note: str = "", confirm: bool = False) -> BulkResult:
    if action not in BULK_ACTIONS:
        raise checks.ActionError("Action groupée inconnue.")
    items = list(items)
    if len(items) > MAX_BULK:
        raise checks.ActionError(f"Sélectionnez au plus {MAX_BULK} éléments à la fois.")
    if not items:
        raise checks.ActionError("Sélectionnez au moins un élément.")
    result = BulkResult(action)
    for item in items:
        try:
            if action == "hide":
                result.decisions += do_hide_item(item, actor, note=note, confirm=confirm)
            elif action == "unhide":
                result.decisions.append(do_unhide_item(item, actor, note=note))
            elif action == "keep":
                result.decisions.append(do_keep_item(item, actor, note=note))
            elif action == "escalate":
                result.decisions.append(do_escalate(item, actor, note=note))
            elif action == "like":
                result.decisions.append(do_like(item, actor))
            elif action == "delete":
                result.decisions.append(do_delete_item(item, actor, confirm=confirm, note=note))
        except checks.ActionNotFound:
            result.skipped.append((item.pk, "élément introuvable"))
        except checks.ActionError as exc:
            if isinstance(exc, checks.ActionForbidden):
                raise
            result.skipped.append((item.pk, exc.message))
        else:
            result.done.append(item.pk)
    return result


# Per-action bulk variants, for callers that prefer explicit names.
def do_bulk_hide(items: Iterable[Item], actor: Any, **kwargs: Any) -> BulkResult:
    return do_bulk("hide", items, actor, **kwargs)


def do_bulk_keep(items: Iterable[Item], actor: Any, **kwargs: Any) -> BulkResult:
    return do_bulk("keep", items, actor, **kwargs)


def do_bulk_escalate(items: Iterable[Item], actor: Any, **kwargs: Any) -> BulkResult:
    return do_bulk("escalate", items, actor, **kwargs)


def do_bulk_undo(decisions: Iterable[Decision], actor: Any) -> tuple[int, list[str]]:
    """Undo several decisions (the "Annuler" of a bulk action). Returns (undone, French problems)."""
    undone, problems = 0, []
    for decision in decisions:
        try:
            do_undo(decision, actor)
        except checks.ActionError as exc:
            problems.append(exc.message)
        else:
            undone += 1
    return undone, problems
