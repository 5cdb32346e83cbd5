"""The French moderation engine: rules + learned model, decided by the commune's charter.

from beffroi.domain.moderation import Engine, load_charter, default_charter
verdict = Engine().judge("Merci pour le feu d'artifice !")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beffroi.domain.moderation.types import (
    ALL_LABELS,
    REMOVAL_WORTHY,
    TO_ACT_ON,
    Action,
    Context,
    Label,
    Reason,
    Span,
    Verdict,
)

if TYPE_CHECKING:
    from beffroi.domain.moderation.charter import Charter, CharterError, default_charter, load_charter
    from beffroi.domain.moderation.engine import Engine
    from beffroi.domain.moderation.model import Model

_LAZY = {
    "Engine": "beffroi.domain.moderation.engine",
    "Charter": "beffroi.domain.moderation.charter",
    "CharterError": "beffroi.domain.moderation.charter",
    "load_charter": "beffroi.domain.moderation.charter",
    "default_charter": "beffroi.domain.moderation.charter",
    "Model": "beffroi.domain.moderation.model",
}


def __getattr__(name: str) -> Any:
    """Heavy modules (numpy, lexicons) are imported on first use, so importing the types is cheap."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)


__all__ = [
    "ALL_LABELS",
    "REMOVAL_WORTHY",
    "TO_ACT_ON",
    "Action",
    "Charter",
    "CharterError",
    "Context",
    "Engine",
    "Label",
    "Model",
    "Reason",
    "Span",
    "Verdict",
    "default_charter",
    "load_charter",
]
