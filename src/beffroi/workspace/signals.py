"""Signals other apps listen to (the veille app observes every new item for rumours)."""

from django.dispatch import Signal

# Sent after a NEW item is stored and routed: sender=Item, item=<Item>.
item_ingested = Signal()

# Sent by the retention purge, inside its transaction and before the expired items are deleted, so
# that apps keeping personal data about items elsewhere purge it on the same schedule:
# sender=Item, commune=<Commune>, item_ids=<list of expired item ids>, cutoff=<datetime: data not
# linked to an item and older than this is expired too>, dry_run=<bool: count only>.
# Each receiver returns ``(name, count)`` (what it purged, or would purge), shown in the report.
items_purging = Signal()
