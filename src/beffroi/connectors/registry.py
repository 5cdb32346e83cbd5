"""The single place where connectors are registered."""

from __future__ import annotations

import importlib

from beffroi.connectors.base import Connector

# platform -> "module:Class". Each module lives in connectors/<platform>/.
CONNECTORS: dict[str, str] = {
    "facebook": "beffroi.connectors.facebook.connector:FacebookConnector",
    "instagram": "beffroi.connectors.instagram.connector:InstagramConnector",
    "youtube": "beffroi.connectors.youtube.connector:YouTubeConnector",
    "x": "beffroi.connectors.x.connector:XConnector",
    "tiktok": "beffroi.connectors.tiktok.connector:TikTokConnector",
    "mastodon": "beffroi.connectors.mastodon.connector:MastodonConnector",
    "bluesky": "beffroi.connectors.bluesky.connector:BlueskyConnector",
    "rss": "beffroi.connectors.rss.connector:RssConnector",
    "website": "beffroi.connectors.website.connector:WebsiteConnector",
    "import": "beffroi.connectors.importer.connector:ImportConnector",
    "replay": "beffroi.connectors.replay.connector:ReplayConnector",
}

PLATFORM_LABELS: dict[str, str] = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "x": "X (Twitter)",
    "tiktok": "TikTok",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": "Flux RSS / Atom",
    "website": "Site de la commune",
    "import": "Import de fichier",
    "replay": "Plateforme de test (rejeu)",
}


def register(platform: str, target: str) -> None:
    CONNECTORS[platform] = target


def connector_class(platform: str) -> type[Connector]:
    try:
        target = CONNECTORS[platform]
    except KeyError:
        raise KeyError(f"no connector for platform {platform!r}") from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        raise TypeError(f"{target} is not a Connector")
    return cls


def platform_label(platform: str) -> str:
    return PLATFORM_LABELS.get(platform, platform)


def supports(platform: str, action: str) -> bool:
    """Whether the platform's connector has the capability ``action`` needs (``base.ACTION_CAPABILITY``);
    False for an unknown platform or action. Used to offer platform-specific actions (Mastodon's filter
    and mute) only where they exist."""
    from beffroi.connectors.base import ACTION_CAPABILITY

    capability = ACTION_CAPABILITY.get(action)
    if capability is None:
        return False
    try:
        cls = connector_class(platform)
    except (KeyError, ImportError, AttributeError, TypeError):
        return False
    return capability in cls.capabilities
