"""Small template filters of the watch screens."""

from __future__ import annotations

from typing import Any

from django import template

from beffroi.connectors.registry import platform_label as _platform_label

register = template.Library()

SENTIMENT_FR = {"positive": "positif", "neutral": "neutre", "negative": "négatif"}


@register.filter
def platform_label(value: str) -> str:
    return _platform_label(str(value or ""))


@register.filter
def sentiment_fr(value: str) -> str:
    return SENTIMENT_FR.get(str(value or ""), str(value or ""))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def cues_only(explanation: str) -> str:
    """The sentiment explanation without its leading label ("négatif : « idiots » (-2.0)" -> the cues)."""
    text = str(explanation or "")
    for label in SENTIMENT_FR.values():
        if text.startswith(label + " : "):
            return text[len(label) + 3 :]
    return text
