"""Bluesky (AT Protocol) through the ``atproto`` SDK: the commune's account, its notifications and threads.

Reading — one XRPC call per ``fetch``, a polling round in three phases (the cursor says where it is):
1. ``app.bsky.notification.listNotifications`` (``reasons`` = reply, mention, quote), newest first,
   paged with the API's ``cursor`` until the notifications already seen: the cursor keeps the
   ``indexedAt`` of the newest one of the last finished round (``since``). ``seenAt`` is left alone:
   Beffroi never marks the team's notifications as read in the Bluesky app.
2. ``app.bsky.feed.getAuthorFeed`` (``filter=posts_and_author_threads``) for the commune's posts of the
   last ``SYNC_ACTIVE_DAYS`` (``SYNC_BACKFILL_DAYS`` the first time); a post whose ``replyCount``
   (direct replies) changed, or whose thread was not read for ``thread_refresh_minutes`` (60), is queued;
3. ``app.bsky.feed.getPostThread`` of each queued post: every reply, however deep, with its hidden
   state from the thread gate. The App View notifies the authors of the 5 posts above a reply, and
   none above a hidden reply: deeper answers are only found this way.
Items are ingested idempotently (the post's AT URI is the id), so overlapping phases cost nothing.

Acting (records written in the commune's repository with ``com.atproto.repo.*``):
- hide / unhide: the ``app.bsky.feed.threadgate`` record of the thread's ROOT post (same rkey) lists
  the reply in ``hiddenReplies`` (at most 300); only for threads the commune's account started, as the
  AT Protocol wants the thread gate in the root post's repository. Unhide removes the reply from the
  list, and the record itself when nothing else is left in it (no reply rules): threads stay open to
  everyone. The author is not notified; the reply stays readable behind « Afficher les réponses
  masquées ».
- delete: ``com.atproto.repo.deleteRecord`` of the commune's own posts only;
- reply: an ``app.bsky.feed.post`` record with ``reply.root`` / ``reply.parent`` strong refs (uri + cid),
  carrying ``beffroiKey`` (a hash of the outbox's idempotency key) so ``reconcile`` finds it for sure;
- report: ``com.atproto.moderation.createReport`` (``reasonType`` from the charter's label, subject a
  strong ref), sent through the PDS to the moderation service in ``atproto-proxy`` (Bluesky's own by
  default, ``moderation_service_did`` option otherwise);
- block / unblock: an ``app.bsky.graph.block`` record (``subject`` = the author's DID) / its deletion;
- like: an ``app.bsky.feed.like`` record.
Private messages (``chat.bsky.*``) are a separate service that app passwords only reach with a special
permission: not used.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
from atproto_client import models
from atproto_client.request import Request

from beffroi.connectors.base import (
    AccountConfig,
    AccountIdentity,
    ActionRequest,
    ActionResult,
    ActionTarget,
    Capability,
    Check,
    Connector,
    CredentialField,
    FetchedItem,
    FetchPage,
    NotAllowed,
    PermanentError,
)
from beffroi.connectors.bluesky import convert
from beffroi.connectors.bluesky.actions import BlueskyActions, key_hash, root_of
from beffroi.connectors.bluesky.convert import POST, did_of, parse_time, post_item
from beffroi.connectors.bluesky.cursor import RoundState
from beffroi.connectors.bluesky.session import DEFAULT_SERVICE, BlueskySession

NOTIFICATION_REASONS = ["reply", "mention", "quote"]
PAGE_SIZE = 50
THREAD_DEPTH = 100
# Every active thread is read again at least this often (option ``thread_refresh_minutes``).
THREAD_REFRESH_MINUTES = 60


class BlueskyConnector(BlueskyActions, Connector):
    platform = "bluesky"
    label = "Bluesky"
    guide = "GUIDE.fr.md"
    capabilities = frozenset(
        {
            Capability.FETCH,
            Capability.HIDE,
            Capability.UNHIDE,
            Capability.DELETE,
            Capability.REPLY,
            Capability.REPORT,
            Capability.BLOCK,
            Capability.UNBLOCK,
            Capability.LIKE,
        }
    )
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.PRIVATE_REPLY: "Bluesky ne permet pas à Beffroi d'envoyer des messages privés : les "
        "discussions passent par un service séparé. Répondez publiquement ou écrivez depuis l'application Bluesky.",
        Capability.PRIVATE_MESSAGES: "Beffroi ne lit pas les messages privés Bluesky (service de discussion séparé).",
        Capability.WEBHOOK: "Bluesky n'envoie pas de webhooks : Beffroi relève les notifications régulièrement.",
    }
    credential_fields = (
        CredentialField(
            "handle",
            "Identifiant Bluesky",
            "Par exemple mairie-saint-aubin.bsky.social (sans @).",
            secret=False,
        ),
        CredentialField(
            "app_password",
            "Mot de passe d'application",
            "Créé dans Bluesky : Paramètres > Confidentialité et sécurité > Mots de passe d'application "
            "(jamais le mot de passe du compte).",
        ),
        CredentialField(
            "service",
            "Serveur (facultatif)",
            "Laissez vide pour un compte bsky.social ; sinon l'adresse de votre serveur (PDS).",
            required=False,
            secret=False,
        ),
    )
    external_id_label_fr = "Identifiant DID du compte (did:plc:…)"
    address_fields = ("service",)
    idempotent_actions = frozenset({"hide", "unhide", "delete", "block_author", "unblock_author", "like"})

    clock = staticmethod(time.time)

    def __init__(self, config: AccountConfig, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        if isinstance(http, BlueskySession):
            self.session = http
            self.session.clock = lambda: float(self.clock())
            return
        creds = config.credentials
        request = http if isinstance(http, Request) else None
        transport: httpx.BaseTransport | None = None
        if isinstance(http, httpx.BaseTransport):
            transport = http
        elif isinstance(http, httpx.Client):
            transport = http._transport  # a client over a MockTransport (connectors.runtime.default_http)
        elif http is not None and request is None:
            raise TypeError(f"cannot use {type(http).__name__} as a Bluesky transport")
        self.session = BlueskySession(
            handle=str(creds.get("handle") or config.handle or ""),
            app_password=str(creds.get("app_password") or ""),
            service=str(creds.get("service") or config.options.get("service") or DEFAULT_SERVICE),
            request=request,
            transport=transport,
        )
        self.session.clock = lambda: float(self.clock())

    # -- identity --------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        """Log in (``createSession``) and read the profile (``app.bsky.actor.getProfile``)."""
        did = self.session.did
        handle = self.session.logged_handle
        name = ""
        try:
            profile = self.session.query(
                "app.bsky.actor.getProfile", models.AppBskyActorGetProfile.Params(actor=did)
            )
            name = str(profile.get("displayName") or "")
            handle = str(profile.get("handle") or handle)
        except PermanentError:
            pass  # a PDS without the App View: the session is enough
        return AccountIdentity(
            external_id=did, name=name or handle, handle=handle, url=f"{convert.WEB}/profile/{handle}"
        )

    def usage(self) -> Mapping[str, Any]:
        return self.session.usage()

    # -- reading ---------------------------------------------------------------------------
    def _days(self, name: str, setting: str) -> int:
        from beffroi import conf

        value = self.config.options.get(name)
        return int(value) if value else int(conf.get(setting))

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        state = RoundState.load(cursor)
        now = int(self.clock())
        if state.round_start is None:
            state.round_start = now
        if state.phase == "notifications":
            items = self._notifications(state, now)
        elif state.phase == "feed":
            items = self._feed(state, now)
        else:
            items = self._thread(state, now)
        finished = state.phase == "threads" and not state.pending
        if finished:
            state.end_round(now - self._days("active_days", "SYNC_ACTIVE_DAYS") * 86400)
        return FetchPage(items=items, cursor=state.dump(), has_more=not finished)

    def _notifications(self, state: RoundState, now: int) -> list[FetchedItem]:
        params = models.AppBskyNotificationListNotifications.Params(
            limit=PAGE_SIZE, reasons=NOTIFICATION_REASONS, cursor=state.page
        )
        data = self.session.query("app.bsky.notification.listNotifications", params)
        notifications = [n for n in data.get("notifications") or [] if isinstance(n, Mapping)]
        if state.page is None and notifications:
            state.top = str(notifications[0].get("indexedAt") or "") or state.top
        since = parse_time(state.since) if state.since else None
        floor = since or dt.datetime.fromtimestamp(
            now - self._days("backfill_days", "SYNC_BACKFILL_DAYS") * 86400, tz=dt.UTC
        )
        fresh = [n for n in notifications if parse_time(n.get("indexedAt")) >= floor]
        if data.get("cursor") and notifications and len(fresh) == len(notifications):
            state.page = str(data["cursor"])
        else:
            state.page = None
            state.since = state.top or state.since
            state.top = None
            state.phase = "feed"
        items = []
        for notification in reversed(fresh):  # oldest first
            if notification.get("reason") not in NOTIFICATION_REASONS:
                continue
            item = post_item(notification, account_did=self.did, reason=str(notification.get("reason")))
            if item is not None:
                items.append(item)
        return items

    def _feed(self, state: RoundState, now: int) -> list[FetchedItem]:
        days = self._days("active_days", "SYNC_ACTIVE_DAYS")
        if state.last_round is None:
            days = self._days("backfill_days", "SYNC_BACKFILL_DAYS")
        floor = now - days * 86400
        refresh = int(self.config.options.get("thread_refresh_minutes") or THREAD_REFRESH_MINUTES) * 60
        params = models.AppBskyFeedGetAuthorFeed.Params(
            actor=self.did, filter="posts_and_author_threads", limit=PAGE_SIZE, cursor=state.feed_page
        )
        data = self.session.query("app.bsky.feed.getAuthorFeed", params)
        entries = [e for e in data.get("feed") or [] if isinstance(e, Mapping)]
        items: list[FetchedItem] = []
        older = False
        for entry in entries:
            post = entry.get("post") or {}
            if entry.get("reason") or did_of(str(post.get("uri") or "")) != self.did:
                continue  # a repost, a pinned post shown again, someone else's post
            record = post.get("record") or {}
            created = int(parse_time(record.get("createdAt") or post.get("indexedAt")).timestamp())
            if created < floor:
                older = True
                continue
            item = post_item(post, account_did=self.did)
            if item is None:
                continue
            items.append(item)
            root, _ = convert.reply_refs(record)
            if root:
                continue  # the commune's own answers: their threads are followed from the root post
            uri = item.external_id
            count = int(post.get("replyCount") or 0)
            known = state.posts.get(uri) or [created, 0, 0]
            # replyCount only counts direct replies; deeper ones reach the commune as notifications up to 5
            # levels and not below a hidden reply: every thread is also read again now and then.
            stale = now - known[2] >= refresh
            if count > 0 and (known[1] != count or stale) and uri not in state.pending:
                state.pending.append(uri)
            state.posts[uri] = [created, known[1], known[2]]
        if data.get("cursor") and entries and not older:
            state.feed_page = str(data["cursor"])
        else:
            state.feed_page = None
            state.phase = "threads"
        items.reverse()
        return items

    def _thread(self, state: RoundState, now: int) -> list[FetchedItem]:
        if not state.pending:
            return []
        uri = state.pending.pop(0)
        params = models.AppBskyFeedGetPostThread.Params(uri=uri, depth=THREAD_DEPTH, parent_height=0)
        try:
            data = self.session.query("app.bsky.feed.getPostThread", params)
        except PermanentError:
            state.posts.pop(uri, None)  # deleted meanwhile: forget it, do not block the round
            return []
        thread = data.get("thread") or {}
        views = convert.thread_posts(thread)
        if not views:
            state.posts.pop(uri, None)
            return []
        root = views[0]
        hidden = convert.hidden_replies(root)
        items = [
            i for i in (post_item(v, account_did=self.did, hidden=hidden) for v in views[1:]) if i is not None
        ]
        known = state.posts.get(uri)
        created = (
            known[0] if known else int(parse_time((root.get("record") or {}).get("createdAt")).timestamp())
        )
        state.posts[uri] = [created, int(root.get("replyCount") or 0), now]
        return items

    # -- acting ----------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        account = self.config.external_id if self.config.external_id.startswith("did:") else self.did
        uri = target.item_external_id
        if action in ("hide", "unhide"):
            root = root_of(target)
            if not root or root == uri:
                return Check(
                    False,
                    "Bluesky ne permet de masquer que les réponses : une publication d'une autre personne peut être "
                    "signalée, ou son auteur bloqué.",
                )
            if did_of(root) != account:
                return Check(
                    False,
                    "Bluesky ne permet de masquer une réponse que dans les fils lancés par le compte de la commune "
                    "(le « thread gate » appartient à l'auteur de la première publication). Vous pouvez la signaler "
                    "ou bloquer son auteur.",
                )
            if action == "hide":
                return Check(
                    True,
                    "La réponse sera masquée pour tout le monde sous « Afficher les réponses masquées » ; son auteur "
                    "n'est pas prévenu.",
                )
        if action == "delete":
            if did_of(uri) != account:
                return Check(
                    False,
                    "Bluesky ne permet de supprimer que les publications du compte de la commune. Pour le message d'une "
                    "autre personne : masquez-le (réponse à une publication de la commune), signalez-le ou bloquez "
                    "son auteur.",
                )
            return Check(True, "La suppression est définitive sur Bluesky.", needs_confirmation=True)
        if action in ("block_author", "unblock_author") and not (target.author_external_id or did_of(uri)):
            return Check(False, "L'auteur de ce message est inconnu : impossible de le bloquer.")
        if action == "block_author" and target.author_external_id == account:
            return Check(False, "Le compte de la commune ne peut pas se bloquer lui-même.")
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        verdict = self.check(request.action, request.target)
        if not verdict.allowed:
            raise NotAllowed(f"bluesky cannot {request.action} here", message_fr=verdict.reason_fr)
        handler = getattr(self, f"_do_{request.action}", None)
        if handler is None:
            raise NotAllowed(
                f"bluesky cannot {request.action}", message_fr=f"{self.label} ne permet pas cette action."
            )
        result: ActionResult = handler(request)
        return result

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """A reply is found by the ``beffroiKey`` it carries, or by its text under the same post."""
        if request.action != "reply":
            return None
        wanted = key_hash(request.idempotency_key)
        text = " ".join(request.text.split())
        params = models.ComAtprotoRepoListRecords.Params(repo=self.did, collection=POST, limit=100)
        data = self.session.query("com.atproto.repo.listRecords", params)
        for entry in data.get("records") or []:
            value = entry.get("value") or {}
            _, parent = convert.reply_refs(value)
            same_key = value.get("beffroiKey") == wanted
            same_text = (
                parent == request.target.item_external_id
                and " ".join(str(value.get("text", "")).split()) == text
            )
            if same_key or same_text:
                return ActionResult(
                    applied=True, remote_id=str(entry.get("uri", "")), detail="réponse retrouvée sur Bluesky"
                )
        return ActionResult(applied=False)
