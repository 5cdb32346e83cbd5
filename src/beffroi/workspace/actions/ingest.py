"""Ingestion: every item from every connector (polling, webhook, import) enters through
:func:`do_ingest_item`, which is idempotent on (commune, platform, external id)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from beffroi.connectors.base import FetchedAuthor, FetchedItem
from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.workspace.models import Account, Author, Item, ItemKind, ItemStatus, PlatformState


def _upsert_author(commune: Commune, platform: str, author: FetchedAuthor | None) -> Author | None:
    if author is None or not author.external_id:
        return None
    obj, created = Author.objects.get_or_create(
        commune=commune,
        platform=platform,
        external_id=author.external_id,
        defaults={
            "handle": author.handle,
            "display_name": author.display_name,
            "profile_url": author.profile_url,
            "metadata": dict(author.metadata),
        },
    )
    if not created:
        changed = False
        for field, value in (
            ("handle", author.handle),
            ("display_name", author.display_name),
            ("profile_url", author.profile_url),
        ):
            if value and getattr(obj, field) != value:
                setattr(obj, field, value)
                changed = True
        if author.metadata and dict(author.metadata) != obj.metadata:
            obj.metadata = {**obj.metadata, **dict(author.metadata)}
            changed = True
        if changed:
            obj.save()
    return obj


def _json_safe(value: Any) -> Any:
    """Raw payloads may hold datetimes or SDK objects; keep a JSON-serialisable copy."""
    import json

    return json.loads(json.dumps(value, default=str))


AWAITING_APPROVAL = "awaiting_approval"


def _raw_payload(fetched: FetchedItem) -> dict[str, Any]:
    raw = _json_safe(dict(fetched.raw))
    if fetched.awaiting_approval:
        raw[AWAITING_APPROVAL] = True  # routing: hidden, but a moderator still has to decide
    return raw


def awaiting_approval(item: Item) -> bool:
    """The platform holds the item until a moderator approves it (pre-moderation), and nobody has
    decided yet (once refused, it is simply hidden)."""
    return (
        item.platform_state == PlatformState.HIDDEN
        and item.status != ItemStatus.DONE
        and bool((item.raw_payload or {}).get(AWAITING_APPROVAL))
    )


def do_ingest_item(
    *,
    commune: Commune,
    fetched: FetchedItem,
    account: Account | None = None,
    platform: str | None = None,
    moderated: bool | None = None,
    first_seen_at: dt.datetime | None = None,
) -> tuple[Item, bool]:
    """Store an item once, whatever the retries and the overlap of webhook and polling.

    Returns (item, created). A new item is judged at once and routed by the charter (hide
    automatically, send to review, or keep). An item seen again only has its counters refreshed; if
    its text was edited on the platform, it is judged again.
    """
    platform = platform or (account.platform if account else "")
    if not platform:
        raise ValueError("platform is required")
    if moderated is None:
        moderated = bool(account is None or account.owned) and not fetched.is_from_account
    now = timezone.now()
    existing = Item.objects.filter(commune=commune, platform=platform, external_id=fetched.external_id).first()
    if existing is not None:
        return _refresh(existing, fetched), False
    try:
        with transaction.atomic():
            author = _upsert_author(commune, platform, fetched.author)
            parent = None
            if fetched.parent_external_id:
                parent = Item.objects.filter(
                    commune=commune, platform=platform, external_id=fetched.parent_external_id
                ).first()
            item = Item.objects.create(
                commune=commune,
                account=account,
                platform=platform,
                external_id=fetched.external_id,
                kind=fetched.kind if fetched.kind in ItemKind.values else ItemKind.COMMENT,
                author=author,
                parent=parent,
                parent_external_id=fetched.parent_external_id,
                thread_external_id=fetched.thread_external_id or (parent.thread_external_id if parent else ""),
                text=fetched.text or "",
                url=fetched.url,
                raw_payload=_raw_payload(fetched),
                published_at=fetched.published_at,
                first_seen_at=first_seen_at or now,
                likes=max(0, fetched.likes),
                shares=max(0, fetched.shares),
                moderated=moderated,
                is_from_commune=fetched.is_from_account,
                platform_state=PlatformState.HIDDEN if fetched.is_hidden else PlatformState.VISIBLE,
            )
            # Replies that arrived before their parent get attached now.
            Item.objects.filter(
                commune=commune, platform=platform, parent_external_id=fetched.external_id, parent__isnull=True
            ).update(parent=item)
            log_audit("item.ingested", commune=commune, target=item, platform=platform, external_id=fetched.external_id)
    except IntegrityError:
        # Another worker stored it between our check and our insert: same item, not an error.
        item = Item.objects.get(commune=commune, platform=platform, external_id=fetched.external_id)
        return item, False
    from beffroi.workspace.actions.routing import route_new_item
    from beffroi.workspace.signals import item_ingested

    route_new_item(item)
    item_ingested.send(sender=Item, item=item)
    return item, True


def _refresh(item: Item, fetched: FetchedItem) -> Item:
    fields = []
    if fetched.likes != item.likes or fetched.shares != item.shares:
        item.likes, item.shares = max(0, fetched.likes), max(0, fetched.shares)
        fields += ["likes", "shares"]
    text_changed = (fetched.text or "") != item.text and bool(fetched.text)
    if text_changed:
        item.text = fetched.text
        item.raw_payload = _raw_payload(fetched)
        fields += ["text", "raw_payload"]
    elif bool((item.raw_payload or {}).get(AWAITING_APPROVAL)) != fetched.awaiting_approval:
        item.raw_payload = _raw_payload(fetched)  # approved or refused on the platform meanwhile
        fields.append("raw_payload")
    # Hidden directly on the platform (not through Beffroi): follow the platform, unless an action of
    # Beffroi on this item is still on its way. (``is_hidden=False`` may only mean "not reported" by
    # the connector, so it never makes a hidden item visible.)
    platform_state = PlatformState.HIDDEN
    if fetched.is_hidden and item.platform_state == PlatformState.VISIBLE:
        from beffroi.workspace.models import OutboxEntry, OutboxState

        in_flight = OutboxEntry.objects.filter(
            item=item, action__in=["hide", "unhide"], state__in=[OutboxState.PENDING, OutboxState.SENDING]
        ).exists()
        if not in_flight:
            log_audit(
                "item.platform_state_changed",
                commune=item.commune,
                target=item,
                before=item.platform_state,
                after=platform_state,
            )
            item.platform_state = platform_state
            fields.append("platform_state")
            if item.status == ItemStatus.REVIEW:
                # Someone hid it on the platform itself: nothing left to decide in the review queue.
                item.status = ItemStatus.DONE
                fields.append("status")
    if fields:
        item.save(update_fields=[*fields, "updated_at"])
    if text_changed:
        log_audit("item.edited_on_platform", commune=item.commune, target=item)
        from beffroi.workspace.actions.routing import route_new_item

        route_new_item(item, edited=True)
    return item
