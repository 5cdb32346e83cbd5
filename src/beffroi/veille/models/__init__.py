"""Models of the watch ("veille"), rumour alerts and the crisis room, one module per concern."""

from beffroi.veille.models.alerts import Alert, AlertDelivery, AlertWebhook, DeliveryState, WebhookFormat
from beffroi.veille.models.config import Fact, TermKind, VeilleSettings, WatchTerm
from beffroi.veille.models.crisis import (
    ChecklistEntry,
    Crisis,
    CrisisPost,
    CrisisReply,
    CrisisStatus,
    PostReport,
)
from beffroi.veille.models.digest import DigestFrequency, DigestSubscription
from beffroi.veille.models.stream import DetectorState, Mention, TopicSnapshot

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertWebhook",
    "ChecklistEntry",
    "Crisis",
    "CrisisPost",
    "CrisisReply",
    "CrisisStatus",
    "DeliveryState",
    "DetectorState",
    "DigestFrequency",
    "DigestSubscription",
    "Fact",
    "Mention",
    "PostReport",
    "TermKind",
    "TopicSnapshot",
    "VeilleSettings",
    "WatchTerm",
    "WebhookFormat",
]
