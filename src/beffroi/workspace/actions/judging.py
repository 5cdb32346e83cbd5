"""Judging items with the moderation engine, under the commune's current charter and model."""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from beffroi.core.models import Commune
from beffroi.domain.moderation.types import Context
from beffroi.domain.moderation.types import Verdict as EngineVerdict
from beffroi.workspace.models import Item, Verdict

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_engines: dict[tuple[int, str], Any] = {}


def engine_for(commune: Commune) -> Any:
    """The engine for this commune's current charter and model (cached until either changes)."""
    from beffroi.domain.moderation import Engine
    from beffroi.domain.moderation import charter as charter_module
    from beffroi.workspace.actions.charter import current_charter
    from beffroi.workspace.models import Charter, CommuneModel

    # DJANGO.md names it parse_charter(toml_text); the engine ships charter.loads(text).
    parse_charter = getattr(charter_module, "parse_charter", None) or charter_module.loads

    charter_row = Charter.objects.filter(commune=commune).order_by("-version").first()
    model_row = CommuneModel.objects.filter(commune=commune, is_active=True).order_by("-version").first()
    charter_key = f"{charter_row.version}:{charter_row.digest}" if charter_row else "default"
    key = (commune.pk, f"{charter_key}:{model_row.version if model_row else 0}")
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            # No saved charter: the workspace default, where no label hides automatically (opt-in).
            charter = parse_charter(charter_row.content) if charter_row else current_charter(commune)
            model = None
            if model_row is not None:
                from django.conf import settings

                from beffroi.domain.moderation.model import Model

                data = (settings.DATA_DIR / model_row.path).read_bytes()
                if hashlib.sha256(data).hexdigest() == model_row.sha256:
                    model = Model.from_bytes(data)
                else:  # altered or replaced file: judge with the shipped model rather than an unknown one
                    logger.error("commune model %s v%s does not match its recorded digest", commune.slug, model_row.version)
            engine = Engine(charter=charter, model=model)
            for stale in [k for k in _engines if k[0] == commune.pk]:
                del _engines[stale]
            _engines[key] = engine
        return engine


def forget_engines() -> None:
    with _lock:
        _engines.clear()


def context_for(item: Item) -> Context:
    author = item.author
    meta = dict(author.metadata) if author is not None else {}
    return Context(
        platform=item.platform,
        replies_to_commune=bool(item.parent and item.parent.is_from_commune),
        is_private=item.is_private,
        author_id=author.external_id if author is not None else None,
        author_account_age_days=meta.get("account_age_days"),
        author_followers=meta.get("followers"),
    )


def judge_item(item: Item) -> Verdict:
    """Run the engine on the item and store the verdict (kept as history; the item points to the latest)."""
    engine = engine_for(item.commune)
    result: EngineVerdict = engine.judge(item.text, context_for(item))
    data = result.to_json()
    verdict = Verdict.objects.create(
        item=item,
        labels=data["labels"],
        scores=data["scores"],
        action=data["action"],
        reasons=data["reasons"],
        article=data.get("article") or "",
        message=data.get("message") or "",
        engine_version=result.engine_version,
        charter_version=result.charter_version,
    )
    item.current_verdict = verdict
    item.save(update_fields=["current_verdict", "updated_at"])
    return verdict
