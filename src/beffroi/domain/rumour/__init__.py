"""Rumour early warning and watch ("veille"): the pure domain part.

Public API (for the web app, the workers and the CLI)::

    from beffroi.domain.rumour import CommuneConfig, Detector, Post

    config = CommuneConfig(slug="roubaix", facts=["La piscine municipale est ouverte à toutes et à tous."])
    detector = Detector(config)
    for obj in stream:                      # dicts {"id", "created_at", "platform", "author", "text", …}
        post = Post.from_dict(obj)          # raises PostError (French message) on a bad post
        for alert in detector.observe(post):
            alert.to_json()                 # {"at", "kind", "cluster_id", "claim", "post_ids"}
            alert.to_dict()                 # + velocity, baseline, reasons, contradicted fact, amplifiers, reach
    state = detector.snapshot()             # JSON-serialisable; Detector.restore(state) continues exactly

See docs/RUMOUR.md.
"""

from beffroi.domain.rumour.classify import Params
from beffroi.domain.rumour.detector import Detector
from beffroi.domain.rumour.facts import Fact, FactBase
from beffroi.domain.rumour.types import (
    ALERT_JSON_KEYS,
    ALERT_KINDS,
    BAD_BUZZ,
    RUMOUR,
    SPIKE,
    Alert,
    CommuneConfig,
    Post,
    PostError,
)

__all__ = [
    "ALERT_JSON_KEYS",
    "ALERT_KINDS",
    "BAD_BUZZ",
    "RUMOUR",
    "SPIKE",
    "Alert",
    "CommuneConfig",
    "Detector",
    "Fact",
    "FactBase",
    "Params",
    "Post",
    "PostError",
]
