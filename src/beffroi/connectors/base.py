"""The one interface every platform connector implements.

A connector is built for one account (``AccountConfig``: ids, decrypted credentials, options, the
stored cursor) and does four things, with no Django and no database:

- ``fetch(cursor)``: new items since the cursor, one page at a time (``FetchPage``);
- ``verify_webhook`` / ``parse_webhook``: check a webhook delivery's signature and turn it into items;
- ``check(action, target)``: whether an action is allowed on this platform for this item, and if not,
  a French explanation for the workspace ("X ne permet de masquer que les réponses …");
- ``perform(request)``: apply an action (hide, reply …) and ``reconcile(request)``: after a crash,
  find out whether an action with this idempotency key was already applied.

Errors are raised as the exceptions below, so the calling layer (ingestion, outbox) can back off,
honour Retry-After, mark the account's connection broken, or give up.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


class Capability(StrEnum):
    FETCH = "fetch"
    WEBHOOK = "webhook"
    PRIVATE_MESSAGES = "private_messages"
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    REPLY = "reply"
    PRIVATE_REPLY = "private_reply"
    REPORT = "report"
    BLOCK = "block"
    UNBLOCK = "unblock"
    LIKE = "like"
    # Hide a message for the commune's own account only (Mastodon's filters): others still see it.
    FILTER = "filter"
    # Mute an author for the commune's account, for a while (Mastodon): softer than a block.
    MUTE = "mute"


# Actions the outbox can ask for, and the capability each needs.
ACTION_CAPABILITY: dict[str, Capability] = {
    "hide": Capability.HIDE,
    "unhide": Capability.UNHIDE,
    "delete": Capability.DELETE,
    "reply": Capability.REPLY,
    "private_reply": Capability.PRIVATE_REPLY,
    "report": Capability.REPORT,
    "block_author": Capability.BLOCK,
    "unblock_author": Capability.UNBLOCK,
    "like": Capability.LIKE,
    "filter_status": Capability.FILTER,
    "mute_author": Capability.MUTE,
    "unmute_author": Capability.MUTE,
}


# ---------------------------------------------------------------------------------------------
# Errors


class ConnectorError(Exception):
    """Base class. ``message_fr`` is shown to the team."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, message_fr: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message_fr = message_fr or message
        self.status = status


class TransientError(ConnectorError):
    """5xx, time-out, connection reset: try again later with backoff."""

    retryable = True


class RateLimited(TransientError):
    """429 or quota exhausted: try again after ``retry_after`` seconds (from Retry-After if given)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AuthError(ConnectorError):
    """Token expired or revoked: the account's connection is broken until someone reconnects it."""


class NotAllowed(ConnectorError):
    """The platform does not allow this action here (capability or platform rule)."""


class PermanentError(ConnectorError):
    """The platform refused for good (object deleted, invalid request)."""


class WebhookRejected(ConnectorError):
    """Bad signature, replayed or stale delivery."""


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class AccountConfig:
    platform: str
    external_id: str  # page id, channel id, account DID, feed URL …
    credentials: Mapping[str, Any] = field(default_factory=dict)  # decrypted; never log it
    options: Mapping[str, Any] = field(default_factory=dict)
    handle: str = ""
    # The stored Account's primary key, for connectors that keep per-account state in the database
    # (YouTube's daily quota ledger, the website's stored submissions). None outside Django.
    account_id: int | None = None


@dataclass(frozen=True)
class FetchedAuthor:
    external_id: str
    handle: str = ""
    display_name: str = ""
    profile_url: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)  # created_at, followers, location …


@dataclass(frozen=True)
class FetchedItem:
    """An item as the platform gave it, normalised. ``external_id`` must be stable and unique on the
    platform: it is the idempotency key of ingestion."""

    external_id: str
    kind: str  # post | comment | reply | private_message | mention
    text: str
    published_at: dt.datetime  # timezone-aware
    author: FetchedAuthor | None = None
    url: str = ""
    parent_external_id: str = ""
    thread_external_id: str = ""
    is_from_account: bool = False  # published by the commune's own account
    is_hidden: bool = False  # already hidden on the platform
    # Held by the platform until a moderator approves it (pre-moderation, e.g. website comments): not
    # shown yet (``is_hidden``), but still waiting for a decision.
    awaiting_approval: bool = False
    likes: int = 0
    shares: int = 0
    raw: Mapping[str, Any] = field(default_factory=dict)
    # None: the framework decides (moderated when the account is the commune's own and the item is not
    # by the account). False for items the commune cannot act on (e.g. a mention on someone else's post).
    moderated: bool | None = None


@dataclass(frozen=True)
class FetchPage:
    items: list[FetchedItem]
    cursor: dict[str, Any]  # to store; passed back to the next fetch
    has_more: bool = False


@dataclass(frozen=True)
class ActionTarget:
    """What the workspace knows of the item an action is about."""

    item_external_id: str = ""
    item_kind: str = ""
    item_published_at: dt.datetime | None = None
    thread_external_id: str = ""
    parent_external_id: str = ""
    author_external_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    previous_actions: tuple[str, ...] = ()  # actions already applied to this item (e.g. private_reply)
    # Actions recorded in the outbox for this item that may still reach the platform (waiting, being
    # sent, or failed in a way that is retried): a "once per item" action is refused while one is on its way.
    pending_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionRequest:
    action: str  # a key of ACTION_CAPABILITY
    target: ActionTarget
    idempotency_key: str
    text: str = ""  # for reply / private_reply
    reason: str = ""  # for report / block
    duration_days: int | None = None  # for block


@dataclass(frozen=True)
class ActionResult:
    applied: bool
    remote_id: str = ""  # id of the created reply, report …
    detail: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    allowed: bool
    reason_fr: str = ""  # why not, or a warning (e.g. irreversible)
    needs_confirmation: bool = False  # irreversible on this platform
    cost: int = 0  # quota units this action will cost


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    headers: Mapping[str, str]  # lower-cased names
    query: Mapping[str, str]
    body: bytes
    received_at: dt.datetime


@dataclass(frozen=True)
class CredentialField:
    """One value the team pastes to connect an account (shown as a form field, never shown back)."""

    name: str  # key in the credentials mapping
    label_fr: str
    help_fr: str = ""
    required: bool = True
    secret: bool = True  # password-type field; False for ids that are not secrets (app id …)


@dataclass(frozen=True)
class OptionField:
    """A yes/no setting of an account the team can choose (e.g. also read the private messages)."""

    name: str  # key in the account's options
    label_fr: str
    help_fr: str = ""
    default: bool = False


@dataclass(frozen=True)
class AccountIdentity:
    """What the platform says about the account behind the credentials (Connector.identify)."""

    external_id: str
    name: str = ""
    handle: str = ""
    url: str = ""


@dataclass(frozen=True)
class WebhookResponse:
    """What to answer the platform (e.g. the hub.challenge of a Meta verification request)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"


# ---------------------------------------------------------------------------------------------
# The interface


class Connector(ABC):
    platform: ClassVar[str]
    label: ClassVar[str]  # shown in the UI, e.g. "Facebook"
    capabilities: ClassVar[frozenset[Capability]]
    # French explanation of what the platform does not allow, shown next to disabled buttons.
    limits_fr: ClassVar[Mapping[Capability, str]] = {}
    guide: ClassVar[str] = ""  # path of the French setup guide, relative to the connector's folder
    # What the "connect an account" form asks for (the guide explains where to find each value).
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("access_token", "Jeton d'accès", "Le jeton fourni par la plateforme (voir le guide)."),
    )
    # Yes/no settings shown in the connect form (stored in the account's options).
    option_fields: ClassVar[tuple[OptionField, ...]] = ()
    # Label of the account's id on the platform, asked for when identify() cannot find it.
    external_id_label_fr: ClassVar[str] = "Identifiant du compte sur la plateforme"
    # False for watched sources that are not the commune's own account (RSS feeds): Account.owned.
    owned_account: ClassVar[bool] = True
    # Fields the commune types that are addresses Beffroi will fetch (a credential field's name, or
    # "external_id"): checked when the account is connected (http(s) only, public addresses only:
    # connectors.urlguard).
    address_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: AccountConfig, *, http: Any | None = None) -> None:
        self.config = config
        self.http = http  # an injectable client (httpx.Client or the SDK's), for tests

    # -- reading ---------------------------------------------------------------------------
    @abstractmethod
    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        """New items since ``cursor`` ({} the first time), oldest first within the page."""

    def verify_webhook(self, request: WebhookRequest, *, secret: str) -> WebhookResponse | None:
        """Raise WebhookRejected if the signature is wrong; return a response for verification
        handshakes (GET challenge), or None for a normal delivery."""
        raise WebhookRejected("webhooks not supported", message_fr="Cette plateforme n'envoie pas de webhooks.")

    def parse_webhook(self, request: WebhookRequest) -> list[FetchedItem]:
        return []

    def webhook_secret(self) -> str:
        """The secret that signs this account's webhook deliveries (default: credentials["webhook_secret"])."""
        return str(self.config.credentials.get("webhook_secret", ""))

    def webhook_timestamp(self, request: WebhookRequest) -> dt.datetime | None:
        """When the platform sent the delivery, if the payload says so: a delivery older than
        ``WEBHOOK_MAX_AGE_HOURS`` is refused as stale. None when the delivery carries no time: it is then
        protected from replays by its receipt only (``WebhookReceipt``, one per delivery id, kept
        ``WEBHOOK_MAX_AGE_HOURS``); a replay after the receipts are purged is accepted, and ingestion,
        idempotent, stores nothing twice."""
        return None

    def webhook_targets(self, request: WebhookRequest) -> frozenset[str]:
        """External ids of the accounts a delivery concerns, when one endpoint receives deliveries for
        several accounts (one Meta app for the whole instance). Empty: only this account."""
        return frozenset()

    def after_connect(self) -> str:
        """Called once the credentials are saved (e.g. subscribe the account to the app's webhooks).
        Returns a French note for the team, or "" ; raises a ConnectorError if it failed."""
        return ""

    def identify(self) -> AccountIdentity | None:
        """Ask the platform which account the credentials belong to (used when connecting an account).
        Raises AuthError when the platform refuses the credentials; None when it cannot be known."""
        return None

    def usage(self) -> Mapping[str, Any]:
        """Rate-limit and quota figures seen in the last responses (stored in Account.rate_state)."""
        return {}

    def blocked_authors(self) -> list[FetchedAuthor] | None:
        """The people the account has blocked ON THE PLATFORM (whoever blocked them: Beffroi or a person in
        the platform's own interface). None when the platform cannot list them."""
        return None

    def webhook_delivery_id(self, request: WebhookRequest) -> str:
        """A stable id of the delivery, used to reject replays (default: hash of the body)."""
        import hashlib

        return hashlib.sha256(request.body).hexdigest()

    # -- acting ----------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        capability = ACTION_CAPABILITY.get(action)
        if capability is None or capability not in self.capabilities:
            reason = self.limits_fr.get(capability) if capability else None
            return Check(False, reason or f"{self.label} ne permet pas cette action via son API.")
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        raise NotAllowed(f"{self.platform} cannot {request.action}")

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """Was this request (same idempotency key) already applied? None when it cannot be known,
        in which case the outbox only retries actions that are idempotent on the platform."""
        return None

    # Actions that are naturally idempotent on the platform (applying twice changes nothing).
    idempotent_actions: ClassVar[frozenset[str]] = frozenset({"hide", "unhide", "delete", "block_author", "unblock_author", "like"})
