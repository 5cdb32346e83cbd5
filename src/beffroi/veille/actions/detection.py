"""Feeding each commune's rumour detector in production.

:func:`observe_pending` takes the commune's lock (its :class:`DetectorState` row, written first so
PostgreSQL locks the row and SQLite the database), restores the detector from its snapshot, feeds it
the mentions not yet observed, in stream order, stores the alerts it raises (with their crisis room and
their deliveries to the crisis circle), then saves the snapshot — all in one transaction. Several
workers may run it at once for the same commune: they take turns, and a mention is observed exactly
once. Deliveries start once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from beffroi import conf
from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.domain.rumour import Alert as DomainAlert
from beffroi.domain.rumour import CommuneConfig, Detector, Post
from beffroi.domain.rumour.types import load_zone
from beffroi.veille.models import DetectorState, Mention, VeilleSettings
from beffroi.veille.provider import config_for

logger = logging.getLogger(__name__)


@dataclass
class ObserveResult:
    commune_id: int
    observed: int = 0
    alerts: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    more: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "commune": self.commune_id,
            "observed": self.observed,
            "alerts": list(self.alerts),
            "deliveries": len(self.deliveries),
            "more": self.more,
        }


# ---------------------------------------------------------------------------------------------
# Snapshot storage


def pack(snapshot: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(snapshot, separators=(",", ":")).encode(), 6)


def unpack(blob: bytes | memoryview | None) -> dict[str, Any] | None:
    if not blob:
        return None
    data: dict[str, Any] = json.loads(zlib.decompress(bytes(blob)))
    return data


def config_hash(config: CommuneConfig) -> str:
    return hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()


def reconfigure(snapshot: dict[str, Any], config: CommuneConfig) -> dict[str, Any]:
    """Give a snapshot the commune's current configuration. Facts are referred to by their position:
    when a fact was removed or edited (not only added at the end), the links between clusters and facts
    are forgotten rather than pointing at the wrong fact."""
    old_facts = list(snapshot.get("config", {}).get("facts", []))
    if list(config.facts[: len(old_facts)]) != old_facts:
        for cluster in snapshot.get("clusters", []):
            cluster["contra"] = {}
            cluster["contra_reason"] = {}
            cluster["support"] = {}
        snapshot["fact_hits"] = {}
        snapshot["official_updates"] = {}
    snapshot["config"] = config.to_dict()
    return snapshot


# The last detector this process saved, per commune, with the digest of the state it saved: restoring a
# large state for every batch costs more than observing the batch, so a process that observes a commune
# again, with nobody else having saved in between, goes on with the detector it already has. The entry
# is taken out while in use and put back only once the transaction that saved it commits.
_LIVE: dict[int, tuple[str, Detector]] = {}


def _digest(blob: bytes | memoryview | None) -> str:
    return hashlib.sha256(bytes(blob)).hexdigest() if blob else ""


def load_detector(row: DetectorState, config: CommuneConfig) -> Detector:
    live = _LIVE.pop(row.commune_id, None)
    if live is not None and row.config_hash == config_hash(config) and live[0] == _digest(row.state):
        return live[1]
    snapshot = unpack(row.state)
    if snapshot is None:
        return Detector(config)
    if row.config_hash != config_hash(config):
        snapshot = reconfigure(snapshot, config)
    try:
        return Detector.restore(snapshot)
    except (ValueError, KeyError, TypeError) as exc:  # unknown snapshot version: start again, say so
        log_audit("veille.detector_reset", commune=row.commune, reason=str(exc)[:300])
        return Detector(config)


def save_detector(row: DetectorState, detector: Detector, config: CommuneConfig, last: dt.datetime | None) -> None:
    row.state = pack(detector.snapshot())
    digest = _digest(row.state)
    commune_id = row.commune_id
    transaction.on_commit(lambda: _LIVE.__setitem__(commune_id, (digest, detector)))
    row.config_hash = config_hash(config)
    row.observed = detector.observed
    if last is not None and (row.last_post_at is None or last > row.last_post_at):
        row.last_post_at = last
    row.save(update_fields=["state", "config_hash", "observed", "last_post_at", "updated_at"])


def lock_state(commune_id: int) -> DetectorState:
    """The commune's detector row, locked until the caller's transaction ends."""
    now = timezone.now()
    if not DetectorState.objects.filter(commune_id=commune_id).update(locked_at=now):
        DetectorState.objects.get_or_create(commune_id=commune_id)
        DetectorState.objects.filter(commune_id=commune_id).update(locked_at=now)
    return DetectorState.objects.select_related("commune").get(commune_id=commune_id)


# ---------------------------------------------------------------------------------------------
# Posts


def official_name(mention: Mention, config: CommuneConfig) -> str | None:
    """The name under which the detector must see an official post (as listed in its configuration)."""
    item = mention.item
    if item.is_from_commune and item.account is not None:
        return item.account.name
    author = item.author
    if author is None:
        return None
    listed = {a.strip().lower().lstrip("@"): a for a in config.official_accounts}
    for value in (author.handle, author.display_name, author.external_id):
        key = (value or "").strip().lower().lstrip("@")
        if key and key in listed:
            return listed[key]
    return None


def _metadata_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def post_for(mention: Mention, config: CommuneConfig) -> Post:
    """The detector's view of a mention (its id is the item's id)."""
    item = mention.item
    author = item.author
    meta: dict[str, Any] = dict(author.metadata) if author is not None else {}
    name = official_name(mention, config) if mention.official else None
    if name is None:
        name = (author.handle or author.display_name or author.external_id) if author is not None else "anonyme"
    created = _metadata_time(meta.get("created_at"))
    if created is None and meta.get("account_age_days") is not None:
        try:
            created = item.published_at - dt.timedelta(days=float(meta["account_age_days"]))
        except (TypeError, ValueError):
            created = None
    parent_id = item.parent_id
    return Post(
        id=str(item.pk),
        created_at=item.published_at,
        platform=item.platform,
        author=name or "anonyme",
        text=item.text or "",
        url=item.url or "",
        reply_to=str(parent_id) if parent_id else None,
        likes=item.likes,
        shares=item.shares,
        followers=_int(meta.get("followers") or meta.get("followers_count")),
        author_created_at=created,
        author_location=str(meta.get("location") or ""),
    )


# ---------------------------------------------------------------------------------------------
# Observing


def observe_pending(commune_id: int, *, limit: int | None = None) -> ObserveResult:
    """Feed the commune's detector every mention not observed yet (up to ``limit``); see module doc."""
    from beffroi.veille.actions import alerts as alert_actions

    limit = limit or int(conf.get("VEILLE_BATCH_SIZE"))
    result = ObserveResult(commune_id=commune_id)
    with transaction.atomic():
        row = lock_state(commune_id)
        commune = row.commune
        pending = list(
            Mention.objects.filter(commune_id=commune_id, observed_at__isnull=True)
            .select_related("item", "item__author", "item__account")
            .order_by("published_at", "id")[: limit + 1]
        )
        if not pending:
            return result
        result.more = len(pending) > limit
        pending = pending[:limit]
        config = config_for(commune)
        detector = load_detector(row, config)
        raised: list[DomainAlert] = []
        for mention in pending:
            raised.extend(detector.observe(post_for(mention, config)))
            # the cluster it joined, read at once: in a long batch an old cluster may be forgotten later
            cluster = detector.cluster_of(str(mention.item_id))
            mention.cluster_id = cluster.id if cluster is not None else ""
        now = timezone.now()
        for mention in pending:
            later = detector.cluster_of(str(mention.item_id))
            if later is not None:  # clusters merged since: follow the surviving one
                mention.cluster_id = later.id
            mention.observed_at = now
        Mention.objects.bulk_update(pending, ["cluster_id", "observed_at"])
        settings = VeilleSettings.for_commune(commune)
        for raw in raised:
            alert, delivery_ids = alert_actions.store_alert(commune, raw, detector, settings=settings, now=now)
            result.alerts.append(alert.pk)
            result.deliveries.extend(delivery_ids)
        alert_actions.sync_open_crises(commune, detector)
        save_detector(row, detector, config, max(m.published_at for m in pending))
        result.observed = len(pending)
        deliveries = list(result.deliveries)
        transaction.on_commit(lambda: alert_actions.enqueue_deliveries(deliveries))
    return result


def observe_all_pending(*, limit: int | None = None) -> list[ObserveResult]:
    """Every commune with mentions waiting (the periodic safety net)."""
    results = []
    ids = (
        Mention.objects.filter(observed_at__isnull=True)
        .values_list("commune_id", flat=True)
        .distinct()
        .order_by("commune_id")
    )
    for commune_id in list(ids):
        try:
            results.append(observe_pending(commune_id, limit=limit))
        except Exception:
            logger.exception("veille: observing commune %s failed", commune_id)
    return results


def reset_detector(commune: Commune, actor: Any = None) -> None:
    """Forget the detector's state (it learns the commune's rhythm again from the next mentions)."""
    with transaction.atomic():
        row = lock_state(commune.pk)
        row.state = None
        row.config_hash = ""
        row.observed = 0
        row.save(update_fields=["state", "config_hash", "observed", "updated_at"])
        log_audit("veille.detector_reset", commune=commune, actor=actor)


def zone_of(commune: Commune) -> dt.tzinfo:
    return load_zone(commune.timezone or "Europe/Paris")
