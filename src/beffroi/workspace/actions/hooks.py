"""Calls into part B of the workspace (evidence and learning) for every decision on an item.

- ``beffroi.workspace.actions.evidence.record_evidence(item, decision)``: an immutable, hash-chained
  record of every item acted on. Called INSIDE the decision's transaction: a decision is never
  stored without its evidence.
- ``beffroi.workspace.actions.learning.record_human_decision(item, decision)``: a person's decision
  compared with the engine (agreement statistics, labelled examples). Called in a savepoint: a
  failure there is logged and never loses the moderator's decision.

Both modules are imported lazily; when one is not installed (a trimmed deployment), the decision is
still recorded and the audit trail says so.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from beffroi.workspace.models import Decision, DecisionKind, Item

logger = logging.getLogger(__name__)

# Decisions that act on an item and therefore get an evidence record.
EVIDENCE_KINDS = frozenset(
    {
        DecisionKind.HIDE,
        DecisionKind.UNHIDE,
        DecisionKind.DELETE,
        DecisionKind.KEEP,
        DecisionKind.ESCALATE,
        DecisionKind.REPORT,
        DecisionKind.BLOCK_AUTHOR,
        DecisionKind.REPLY,
        DecisionKind.PRIVATE_REPLY,
        DecisionKind.FILTER_STATUS,
        DecisionKind.MUTE_AUTHOR,
    }
)
# Decisions that say something about the item's content, compared with the engine; undos too (the
# learning loop forgets the example of a decision taken back).
LEARNING_KINDS = frozenset(
    {DecisionKind.HIDE, DecisionKind.UNHIDE, DecisionKind.DELETE, DecisionKind.KEEP, DecisionKind.ESCALATE, DecisionKind.UNDO}
)


def _hook(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(f"beffroi.workspace.actions.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"beffroi.workspace.actions.{module}":
            raise
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def after_decision(item: Item | None, decision: Decision) -> None:
    """Run part B's hooks for a decision (inside the caller's transaction)."""
    if item is None:
        return
    if decision.kind in EVIDENCE_KINDS:
        record_evidence = _hook("evidence", "record_evidence")
        if record_evidence is None:
            logger.warning("evidence module missing: decision %s has no evidence record", decision.pk)
        else:
            record_evidence(item, decision)
    if not decision.automatic and decision.kind in LEARNING_KINDS:
        record_human_decision = _hook("learning", "record_human_decision")
        if record_human_decision is not None:
            try:
                with transaction.atomic():
                    record_human_decision(item, decision)
            except Exception:
                logger.exception("learning hook failed for decision %s (the decision is kept)", decision.pk)
