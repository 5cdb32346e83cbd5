"""What happens to an item once it is stored: judged at once, then routed by the charter.

- The engine's verdict is stored (labels, scores, reasons with evidence, charter article).
- ``hide`` and the commune lets Beffroi act alone for the label(s) (the charter's per-label
  ``automatic`` flag): hidden automatically (a decision by "Beffroi (automatique)", through the
  outbox, with evidence). If the platform cannot hide it, it goes to review instead.
- ``hide`` without the automatic flag, or ``review``: to the review queue, with a deadline in working
  hours (and on-call handling for hate and threats).
- questions and praise: "à traiter" (answer, route to a service, thank).
- the rest: nothing to do.

Items published by the commune's own accounts and watched mentions outside its accounts are judged
(the verdict is useful to the veille) but not put in the queue. An author blocked in Beffroi has
every new message sent to review.
"""

from __future__ import annotations

from beffroi.workspace.actions.ingest import awaiting_approval
from beffroi.workspace.actions.judging import judge_item
from beffroi.workspace.models import Item, ItemStatus, PlatformState, Verdict

TODO_LABELS = frozenset({"question", "praise"})


def _status_for(item: Item, verdict: Verdict) -> str:
    if not item.moderated or item.is_from_commune:
        return ItemStatus.DONE
    if item.platform_state != PlatformState.VISIBLE and not awaiting_approval(item):
        return ItemStatus.DONE  # already hidden (or gone) on the platform: nothing left to decide
    if verdict.action in ("hide", "review"):
        return ItemStatus.REVIEW
    if item.author is not None and item.author.is_blocked:
        return ItemStatus.REVIEW
    if set(verdict.labels) & TODO_LABELS:
        return ItemStatus.TODO
    return ItemStatus.DONE


def route_new_item(item: Item, *, edited: bool = False) -> Verdict:
    """Judge the item and route it. ``edited``: the text changed on the platform (judged again; an
    item already decided goes back to review only if the new text needs it)."""
    from beffroi.workspace.actions.deadlines import alert_if_oncall, assign_deadline
    from beffroi.workspace.actions.decisions import do_automatic_hide
    from beffroi.workspace.actions.verdicts import may_hide_automatically

    verdict = judge_item(item)
    status = _status_for(item, verdict)
    if edited and status == ItemStatus.DONE and item.status != ItemStatus.NEW:
        return verdict  # an edit that needs nothing leaves the earlier decision in place
    if edited and status == ItemStatus.TODO and item.status in (ItemStatus.DONE, ItemStatus.ESCALATED):
        return verdict
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    if status in (ItemStatus.REVIEW, ItemStatus.TODO):
        # Set before an automatic hide too: undoing that hide puts the item back in review, on time.
        assign_deadline(item, alert=False)
    if (
        status == ItemStatus.REVIEW
        and (item.platform_state == PlatformState.VISIBLE or awaiting_approval(item))
        and may_hide_automatically(verdict, item.commune)
        and do_automatic_hide(item) is not None
    ):
        item.refresh_from_db()
        return verdict
    if status == ItemStatus.REVIEW:
        alert_if_oncall(item)
    return verdict
