"""Workspace models, one module per concern."""

from beffroi.workspace.models.accounts import Account, AccountStatus, Author
from beffroi.workspace.models.charters import Charter
from beffroi.workspace.models.decisions import (
    BlockRequest,
    Decision,
    DecisionKind,
    OnCallShift,
    OutboxEntry,
    OutboxState,
)
from beffroi.workspace.models.evidence import EvidenceChainHead, EvidenceRecord
from beffroi.workspace.models.items import Item, ItemKind, ItemStatus, PlatformState, Verdict
from beffroi.workspace.models.learning import CommuneModel, LabelledExample
from beffroi.workspace.models.replies import SavedReply, Service

__all__ = [
    "Account",
    "AccountStatus",
    "Author",
    "BlockRequest",
    "Charter",
    "CommuneModel",
    "Decision",
    "DecisionKind",
    "EvidenceChainHead",
    "EvidenceRecord",
    "Item",
    "ItemKind",
    "ItemStatus",
    "LabelledExample",
    "OnCallShift",
    "OutboxEntry",
    "OutboxState",
    "PlatformState",
    "SavedReply",
    "Service",
    "Verdict",
]
