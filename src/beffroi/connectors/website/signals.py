"""Where website comments meet the workspace: a new item is linked to its comment (and published if the engine
keeps it); a moderator's "conserver" decision publishes a comment waiting for review."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def on_item_ingested(sender: Any, item: Any, **kwargs: Any) -> None:
    if getattr(item, "platform", "") != "website":
        return
    from beffroi.connectors.website.service import link_and_decide

    link_and_decide(item)


def on_decision_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A KEEP decision has no platform action for the outbox to apply; on the website it means "publish"."""
    if not created or instance.kind != "keep" or instance.item_id is None:
        return
    from beffroi.connectors.website.service import comment_for_item, publish
    from beffroi.workspace.models import Item

    item = Item.objects.filter(pk=instance.item_id, platform="website").first()
    if item is None:
        return
    comment = comment_for_item(item)
    if comment is not None and comment.state == comment.State.PENDING:
        publish(comment, reason="decision_keep")


def on_items_purging(
    sender: Any, commune: Any, item_ids: list[int], cutoff: Any, dry_run: bool = False, **kwargs: Any
) -> tuple[str, int]:
    """Retention: a visitor's comment (name, e-mail, keyed IP hash, text) goes with its item, on the
    same schedule; a comment that never became an item goes once older than ``cutoff``. A comment
    still answered by a reply that is kept is emptied of its personal data instead of deleted."""
    from django.db.models import Q

    from beffroi.connectors.website.models import WebsiteComment

    doomed: set[int] = set()
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        doomed.update(WebsiteComment.objects.filter(commune=commune, item_id__in=chunk).values_list("pk", flat=True))
    orphans = WebsiteComment.objects.filter(commune=commune, item__isnull=True, created_at__lt=cutoff)
    emptied = Q(author_name="", author_email="", ip_hash="", text="")
    # Expired and never an item (or its item is gone); an emptied one goes once no reply needs it.
    doomed.update(orphans.exclude(emptied).values_list("pk", flat=True))
    doomed.update(orphans.filter(emptied, replies__isnull=True).values_list("pk", flat=True))
    if dry_run or not doomed:
        return ("commentaire(s) du site", len(doomed))
    answered = set(
        WebsiteComment.objects.filter(parent_id__in=doomed).exclude(pk__in=doomed).values_list("parent_id", flat=True)
    )
    WebsiteComment.objects.filter(pk__in=answered).update(
        author_name="", author_email="", ip_hash="", text="", item=None, state=WebsiteComment.State.DELETED
    )
    WebsiteComment.objects.filter(pk__in=doomed - answered).delete()
    return ("commentaire(s) du site", len(doomed))


def connect() -> None:
    from django.db.models.signals import post_save

    from beffroi.workspace.models import Decision
    from beffroi.workspace.signals import item_ingested, items_purging

    item_ingested.connect(on_item_ingested, dispatch_uid="beffroi.website.item_ingested")
    items_purging.connect(on_items_purging, dispatch_uid="beffroi.website.items_purging")
    post_save.connect(on_decision_saved, sender=Decision, dispatch_uid="beffroi.website.decision_saved")
