"""Turning ingested items into mentions.

:func:`on_item_ingested` listens to ``beffroi.workspace.signals.item_ingested``. An item becomes a
mention when it landed on one of the commune's own accounts, when it comes from a watched source the
commune follows entirely (a local group), or when it names one of the commune's watch terms (the
commune's name always counts). Private messages never enter the watch. The mention is written in the
ingestion's transaction; the commune's detector is fed once that transaction commits.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Max

from beffroi.core.models import Commune
from beffroi.domain.sentiment import analyse
from beffroi.veille.matching import TermMatcher
from beffroi.veille.models import Mention, VeilleSettings, WatchTerm
from beffroi.workspace.models import Item, ItemKind

logger = logging.getLogger(__name__)

MAX_CUES = 12


def _terms_version(commune_id: int) -> tuple[int, int]:
    agg = WatchTerm.objects.filter(commune_id=commune_id).aggregate(n=Max("id"))
    count = WatchTerm.objects.filter(commune_id=commune_id).count()
    return int(agg["n"] or 0), count


@lru_cache(maxsize=256)
def _matcher_cached(commune_id: int, version: tuple[int, int], name: str) -> TermMatcher:
    terms = [name, *WatchTerm.objects.filter(commune_id=commune_id).order_by("id").values_list("text", flat=True)]
    return TermMatcher(terms)


def matcher_for(commune: Commune) -> TermMatcher:
    """The commune's term matcher (its name + its watch terms), cached until the terms change."""
    return _matcher_cached(commune.pk, _terms_version(commune.pk), commune.name)


def _is_official(item: Item, settings: VeilleSettings | None) -> bool:
    if item.is_from_commune:
        return True
    if settings is None or item.author is None:
        return False
    names = {str(a).strip().lower().lstrip("@") for a in settings.official_accounts if str(a).strip()}
    author = item.author
    return any(
        v and v.strip().lower().lstrip("@") in names for v in (author.handle, author.display_name, author.external_id)
    )


def record_mention(item: Item) -> Mention | None:
    """The item's mention, created if the item concerns the commune (see the module doc)."""
    if item.kind == ItemKind.PRIVATE_MESSAGE:
        return None
    existing = Mention.objects.filter(item=item).first()
    if existing is not None:
        return existing
    commune = item.commune
    account = item.account
    settings = VeilleSettings.objects.filter(commune=commune).first()
    own = account is not None and account.owned
    followed = (
        account is not None
        and not account.owned
        and settings is not None
        and account.pk in {int(a) for a in settings.follow_all_accounts if str(a).isdigit()}
    )
    names = item.author.display_name if item.author is not None else ""
    matched = matcher_for(commune).find(f"{item.text}\n{names}") if item.text else []
    if not (own or followed or matched):
        return None
    sentiment = analyse(item.text or "")
    cues = [[c.text, round(c.weight, 2), c.kind] for c in sentiment.cues[:MAX_CUES]]
    mention = Mention.objects.create(
        commune=commune,
        item=item,
        platform=item.platform,
        account_name=account.name if account is not None else "",
        published_at=item.published_at,
        matched_terms=matched,
        own_account=own,
        official=_is_official(item, settings),
        sentiment=sentiment.label,
        sentiment_score=round(sentiment.score, 3),
        sentiment_cues=cues,
        sentiment_explanation=sentiment.explain_fr()[:500],
    )
    schedule_observation(commune.pk)
    return mention


def on_item_ingested(sender: Any, item: Item, **kwargs: Any) -> None:
    """Signal receiver: a watch failure must never break the ingestion of an item."""
    try:
        with transaction.atomic():
            record_mention(item)
    except Exception:
        logger.exception("veille: could not record the mention of item %s", item.pk)


def schedule_observation(commune_id: int) -> None:
    """Feed the commune's detector once the current transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for entry in connection.run_on_commit:
            func = entry[1] if len(entry) > 1 else None
            if getattr(func, "veille_commune", None) == commune_id:
                return

    def run() -> None:
        from beffroi.tasks import enqueue

        try:
            enqueue("veille.observe", commune_id=commune_id)
        except Exception:  # the periodic sweep feeds pending mentions anyway
            logger.exception("veille: could not enqueue the observation of commune %s", commune_id)

    run.veille_commune = commune_id  # type: ignore[attr-defined]
    transaction.on_commit(run)
