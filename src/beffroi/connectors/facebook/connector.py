"""Facebook Pages over the Graph API (version ``META_GRAPH_VERSION``, v21.0 by default).

Reading (a polling round, one Graph call per ``fetch``; webhooks bring items sooner):
1. ``GET /{page-id}/feed`` (posts of the Page and visitors' posts, ``since`` = start of the window) with
   ``comments.summary(true).limit(0)`` so only posts whose comments changed are scanned;
2. for each such post, ``GET /{post-id}/comments?filter=stream&order=reverse_chronological`` (comments
   and replies flattened, ``parent`` tells replies) until the last comment already seen;
3. with the ``private_messages`` option (``pages_messaging``): ``GET /{page-id}/conversations`` updated
   since the previous round, with their latest messages.
The cursor (stored by the sync in the same transaction as the items) remembers where the round is,
so a round interrupted by a rate limit or a crash resumes where it stopped.

Webhooks: ``feed`` field of the Page object (comments and posts added or edited) and ``messages``
(Messenger), signed with X-Hub-Signature-256 (``connectors.meta``).

Acting:
- hide / unhide: ``POST /{comment-id}`` ``is_hidden=true|false`` (comments only);
- delete: ``DELETE /{object-id}`` (irreversible: confirmation);
- reply: ``POST /{object-id}/comments`` ``message=…`` (a reply to a reply goes to its top comment,
  Facebook has two levels); to a private message: ``POST /{page-id}/messages`` within 24 h;
- private reply: ``POST /{page-id}/messages`` ``{"recipient": {"comment_id"}, "message": {"text"}}`` —
  once per comment, within 7 days (Messenger Platform, Private Replies);
- block / unblock the author: ``POST`` / ``DELETE /{page-id}/blocked`` ``user=…``; the Page's blocked list
  (``GET /{page-id}/blocked``: people and Pages blocked from the Page, by Beffroi or in Facebook's own
  interface) is read by ``blocked_authors`` (``connectors.blocklist`` shows it on the account screen);
- like: ``POST /{object-id}/likes``.
Facebook offers no API to report content, and Groups lost their API in April 2024.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from beffroi.connectors.base import (
    AccountIdentity,
    ActionRequest,
    ActionResult,
    ActionTarget,
    AuthError,
    Capability,
    Check,
    CredentialField,
    FetchedAuthor,
    FetchedItem,
    FetchPage,
    NotAllowed,
    OptionField,
    PermanentError,
    WebhookRequest,
)
from beffroi.connectors.facebook.cursor import PollState as _State
from beffroi.connectors.meta import MetaGraphConnector, parse_time, success, unix, webhook_payloads

POST_FIELDS = (
    "id,message,story,created_time,updated_time,permalink_url,from{id,name},is_hidden,shares,"
    "comments.summary(true).limit(0),reactions.summary(true).limit(0)"
)
COMMENT_FIELDS = (
    "id,message,created_time,from{id,name},parent{id},is_hidden,permalink_url,like_count,comment_count"
)
CONVERSATION_FIELDS = "id,updated_time,participants,messages.limit(25){id,message,from,created_time}"
PAGE_SIZE = 100
PRIVATE_REPLY_WINDOW = dt.timedelta(days=7)
MESSAGING_WINDOW = dt.timedelta(hours=24)


def _norm(text: str) -> str:
    return " ".join((text or "").split())


class FacebookConnector(MetaGraphConnector):
    platform = "facebook"
    label = "Facebook"
    guide = "GUIDE.fr.md"
    capabilities = frozenset(
        {
            Capability.FETCH,
            Capability.WEBHOOK,
            Capability.PRIVATE_MESSAGES,
            Capability.HIDE,
            Capability.UNHIDE,
            Capability.DELETE,
            Capability.REPLY,
            Capability.PRIVATE_REPLY,
            Capability.BLOCK,
            Capability.UNBLOCK,
            Capability.LIKE,
        }
    )
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.REPORT: "Facebook ne permet pas de signaler un contenu via son API : signalez-le depuis Facebook "
        "(menu « … » du commentaire, « Signaler »).",
    }
    credential_fields = (
        CredentialField(
            "access_token",
            "Jeton d'accès de la Page",
            "Jeton « Page » longue durée, obtenu dans l'explorateur de l'API Graph (voir le guide, étape 4).",
        ),
        CredentialField(
            "app_secret",
            "Clé secrète de l'application Meta",
            "Dans Meta for Developers, Paramètres > Général. Laissez vide si l'instance a sa propre application.",
            required=False,
        ),
    )
    option_fields = (
        OptionField(
            "private_messages",
            "Lire aussi les messages privés de la Page (Messenger)",
            "Il faut l'autorisation pages_messaging (voir le guide). Seuls les rôles autorisés les voient dans Beffroi.",
        ),
    )
    external_id_label_fr = "Identifiant de la Page Facebook"
    # A private reply can only be sent once per comment: Meta refuses a second one, which perform()
    # reports as already applied, so retrying it is safe.
    idempotent_actions = frozenset(
        {"hide", "unhide", "delete", "block_author", "unblock_author", "like", "private_reply"}
    )

    clock = staticmethod(time.time)

    @property
    def page_id(self) -> str:
        return self.config.external_id

    # -- identity --------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        """``GET /me`` with a Page token is the Page itself."""
        data = self.get("me", {"fields": "id,name,link,username"})
        return AccountIdentity(
            external_id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            handle=str(data.get("username", "")),
            url=str(data.get("link", "")),
        )

    def after_connect(self) -> str:
        """Install the app on the Page so that Meta sends its ``feed`` (and ``messages``) webhooks:
        ``POST /{page-id}/subscribed_apps`` (needs ``pages_manage_metadata``)."""
        fields = "feed,messages" if self.config.options.get("private_messages") else "feed"
        data = self.post(f"{self.page_id}/subscribed_apps", {"subscribed_fields": fields}, idempotent=True)
        if not success(data):
            return ""
        return "La Page est abonnée aux notifications en temps réel de l'application."

    # -- reading ---------------------------------------------------------------------------
    def _option_days(self, name: str, setting: str) -> int:
        from beffroi import conf

        value = self.config.options.get(name)
        return int(value) if value else int(conf.get(setting))

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        state = _State.load(cursor)
        now = int(self.clock())
        if state.round_start is None:
            days = self._option_days("active_days", "SYNC_ACTIVE_DAYS")
            if state.last_round is None:
                days = self._option_days("backfill_days", "SYNC_BACKFILL_DAYS")
            state.start_round(now, since=now - days * 86400)
        try:
            if state.current is not None or state.pending:
                items = self._scan_comments(state)
            elif not state.feed_done:
                items = self._list_feed(state)
            elif self.config.options.get("private_messages") and not state.conv_done:
                items = self._list_conversations(state)
            else:
                items = []
        except PermanentError:
            if state.current is None:
                raise
            # The post was deleted while we scanned it: skip it, do not block the round.
            state.finish_post(state.current["post"], None)
            items = []
        except NotAllowed as exc:
            raise AuthError(str(exc), message_fr=exc.message_fr, status=exc.status) from exc
        finished = state.current is None and not state.pending and state.feed_done
        if finished and self.config.options.get("private_messages") and not state.conv_done:
            finished = False
        if finished:
            state.end_round()
        return FetchPage(items=items, cursor=state.dump(), has_more=not finished)

    def _list_feed(self, state: _State) -> list[FetchedItem]:
        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": PAGE_SIZE, "since": state.since}
        if state.feed_after:
            params["after"] = state.feed_after
        data = self.get(f"{self.page_id}/feed", params)
        items = []
        for post in data.get("data") or []:
            items.append(self._post_item(post))
            count = int(((post.get("comments") or {}).get("summary") or {}).get("total_count") or 0)
            known = state.posts.get(post["id"])
            updated = unix(parse_time(post.get("updated_time") or post["created_time"]))
            changed = (
                known is None
                or known.get("n") != count
                or (state.last_round is not None and updated >= state.last_round)
            )
            if count > 0 and changed:
                state.queue(post["id"], unix(parse_time(post["created_time"])), count)
            elif known is None:
                state.posts[post["id"]] = {"t": unix(parse_time(post["created_time"])), "c": None, "n": count}
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if (data.get("paging") or {}).get("next") and after:
            state.feed_after = after
        else:
            state.feed_after = None
            state.feed_done = True
        items.reverse()  # Graph lists newest first; the interface wants oldest first
        return items

    def _scan_comments(self, state: _State) -> list[FetchedItem]:
        if state.current is None:
            post_id = state.pending.pop(0)
            state.current = {"post": post_id, "after": None, "newest": None}
        current = state.current
        post_id = current["post"]
        known = state.posts.get(post_id) or {}
        seen_until = known.get("c")
        params: dict[str, Any] = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
            "limit": PAGE_SIZE,
        }
        if current.get("after"):
            params["after"] = current["after"]
        data = self.get(f"{post_id}/comments", params)
        items = []
        reached_known = False
        for comment in data.get("data") or []:
            created = unix(parse_time(comment["created_time"]))
            if seen_until is not None and created < seen_until:
                reached_known = True
                break
            items.append(self._comment_item(comment, post_id))
            current["newest"] = max(current.get("newest") or 0, created)
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if not reached_known and (data.get("paging") or {}).get("next") and after:
            current["after"] = after
        else:
            state.finish_post(post_id, current.get("newest"))
        items.reverse()
        return items

    def _list_conversations(self, state: _State) -> list[FetchedItem]:
        params: dict[str, Any] = {"platform": "messenger", "fields": CONVERSATION_FIELDS, "limit": 25}
        if state.conv_after:
            params["after"] = state.conv_after
        data = self.get(f"{self.page_id}/conversations", params)
        items: list[FetchedItem] = []
        stop = False
        for conv in data.get("data") or []:
            updated = unix(parse_time(conv.get("updated_time") or "1970-01-01T00:00:00+0000"))
            if state.conv_since is not None and updated < state.conv_since:
                stop = True
                break
            items.extend(self._conversation_items(conv))
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if not stop and (data.get("paging") or {}).get("next") and after:
            state.conv_after = after
        else:
            state.conv_after = None
            state.conv_done = True
        items.sort(key=lambda i: i.published_at)
        return items

    # -- mapping ---------------------------------------------------------------------------
    def _author(self, data: Mapping[str, Any] | None) -> FetchedAuthor | None:
        if not data or not data.get("id"):
            return None
        return FetchedAuthor(external_id=str(data["id"]), display_name=str(data.get("name") or ""))

    def _post_item(self, post: Mapping[str, Any]) -> FetchedItem:
        author = post.get("from") or {}
        return FetchedItem(
            external_id=str(post["id"]),
            kind="post",
            text=str(post.get("message") or post.get("story") or ""),
            published_at=parse_time(post["created_time"]),
            author=self._author(author),
            url=str(post.get("permalink_url") or ""),
            thread_external_id=str(post["id"]),
            is_from_account=str(author.get("id", "")) == self.page_id,
            is_hidden=bool(post.get("is_hidden")),
            likes=int(((post.get("reactions") or {}).get("summary") or {}).get("total_count") or 0),
            shares=int((post.get("shares") or {}).get("count") or 0),
            raw=dict(post),
        )

    def _comment_item(self, comment: Mapping[str, Any], post_id: str) -> FetchedItem:
        author = comment.get("from") or {}
        parent = (comment.get("parent") or {}).get("id")
        return FetchedItem(
            external_id=str(comment["id"]),
            kind="reply" if parent else "comment",
            text=str(comment.get("message") or ""),
            published_at=parse_time(comment["created_time"]),
            author=self._author(author),
            url=str(comment.get("permalink_url") or ""),
            parent_external_id=str(parent or post_id),
            thread_external_id=post_id,
            is_from_account=str(author.get("id", "")) == self.page_id,
            is_hidden=bool(comment.get("is_hidden")),
            likes=int(comment.get("like_count") or 0),
            raw={**dict(comment), "post_id": post_id},
        )

    def _conversation_items(self, conv: Mapping[str, Any]) -> list[FetchedItem]:
        others = [
            p
            for p in ((conv.get("participants") or {}).get("data") or [])
            if str(p.get("id")) != self.page_id
        ]
        person = str(others[0]["id"]) if others else str(conv.get("id"))
        items = []
        for message in (conv.get("messages") or {}).get("data") or []:
            author = message.get("from") or {}
            items.append(
                FetchedItem(
                    external_id=str(message["id"]),
                    kind="private_message",
                    text=str(message.get("message") or ""),
                    published_at=parse_time(message["created_time"]),
                    author=self._author(author),
                    thread_external_id=f"messenger:{person}",
                    is_from_account=str(author.get("id", "")) == self.page_id,
                    raw={**dict(message), "conversation_id": conv.get("id")},
                )
            )
        return items

    # -- webhooks --------------------------------------------------------------------------
    def parse_webhook(self, request: WebhookRequest) -> list[FetchedItem]:
        entries = [
            e for p in webhook_payloads(request) if p.get("object") == "page" for e in (p.get("entry") or [])
        ]
        items: list[FetchedItem] = []
        for entry in entries:
            if str(entry.get("id")) != self.page_id:
                continue  # another Page of the same app: not this account
            for change in entry.get("changes") or []:
                if change.get("field") == "feed":
                    item = self._feed_change_item(change.get("value") or {})
                    if item is not None:
                        items.append(item)
            for event in entry.get("messaging") or []:
                item = self._messaging_item(event)
                if item is not None:
                    items.append(item)
        return items

    def _feed_change_item(self, value: Mapping[str, Any]) -> FetchedItem | None:
        verb = value.get("verb")
        if verb not in ("add", "edited"):
            return None  # remove / hide / unhide: no new content
        kind = value.get("item")
        author = value.get("from") or {}
        created = parse_time(value.get("created_time") or int(self.clock()))
        post_id = str(value.get("post_id") or "")
        if kind == "comment" and value.get("comment_id"):
            parent = str(value.get("parent_id") or post_id)
            return FetchedItem(
                external_id=str(value["comment_id"]),
                kind="reply" if parent and parent != post_id else "comment",
                text=str(value.get("message") or ""),
                published_at=created,
                author=self._author(author),
                url=str((value.get("post") or {}).get("permalink_url") or ""),
                parent_external_id=parent,
                thread_external_id=post_id,
                is_from_account=str(author.get("id", "")) == self.page_id,
                raw=dict(value),
            )
        if kind in ("status", "post", "photo", "video", "share") and post_id:
            return FetchedItem(
                external_id=post_id,
                kind="post",
                text=str(value.get("message") or ""),
                published_at=created,
                author=self._author(author),
                url=str(value.get("link") or ""),
                thread_external_id=post_id,
                is_from_account=str(author.get("id", "")) == self.page_id,
                raw=dict(value),
            )
        return None

    def _messaging_item(self, event: Mapping[str, Any]) -> FetchedItem | None:
        message = event.get("message") or {}
        if not message.get("mid") or not message.get("text"):
            return None
        sender = str((event.get("sender") or {}).get("id") or "")
        recipient = str((event.get("recipient") or {}).get("id") or "")
        from_page = bool(message.get("is_echo")) or sender == self.page_id
        person = recipient if from_page else sender
        return FetchedItem(
            external_id=str(message["mid"]),
            kind="private_message",
            text=str(message["text"]),
            published_at=parse_time(int(event.get("timestamp") or self.clock() * 1000) / 1000),
            author=FetchedAuthor(external_id=sender) if sender else None,
            thread_external_id=f"messenger:{person}",
            is_from_account=from_page,
            raw=dict(event),
        )

    # -- acting ----------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        now = now or dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)
        kind = target.item_kind
        if action in ("hide", "unhide"):
            if kind not in ("comment", "reply"):
                return Check(
                    False,
                    "Facebook ne permet de masquer que les commentaires. Une publication d'un visiteur peut être "
                    "supprimée de la Page.",
                )
            if str((target.raw.get("from") or {}).get("id", "")) == self.page_id:
                return Check(
                    False, "Facebook ne permet pas de masquer les commentaires publiés par la Page elle-même."
                )
        if action == "delete":
            return Check(
                True,
                "La suppression est définitive sur Facebook : l'élément ne pourra pas être rétabli. Masquer suffit "
                "souvent.",
                needs_confirmation=True,
            )
        if action == "private_reply":
            if kind not in ("comment", "reply", "post"):
                return Check(
                    False,
                    "Facebook ne permet une réponse privée qu'à un commentaire ou à une publication d'un visiteur.",
                )
            if "private_reply" in target.previous_actions:
                return Check(
                    False,
                    "Facebook ne permet qu'une seule réponse privée par commentaire, et elle a déjà été envoyée.",
                )
            if "private_reply" in target.pending_actions:
                return Check(
                    False,
                    "Une réponse privée à ce commentaire est déjà en cours d'envoi, et Facebook n'en permet qu'une "
                    "seule : attendez qu'elle soit partie (ou annulez-la) avant d'en écrire une autre.",
                )
            if target.item_published_at and now - target.item_published_at > PRIVATE_REPLY_WINDOW:
                return Check(
                    False,
                    "Facebook ne permet une réponse privée que dans les 7 jours qui suivent le commentaire ; ce délai est "
                    "dépassé. Vous pouvez répondre publiquement.",
                )
        if (
            action == "reply"
            and kind == "private_message"
            and target.item_published_at
            and now - target.item_published_at > MESSAGING_WINDOW
        ):
            return Check(
                False,
                "Facebook n'autorise la réponse à un message privé que dans les 24 heures qui suivent le dernier "
                "message de la personne. Répondez depuis la boîte de réception de la Page.",
            )
        if action in ("block_author", "unblock_author") and not target.author_external_id:
            return Check(
                False, "L'auteur de cet élément n'est pas connu : impossible de le bloquer via Facebook."
            )
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        target = request.target
        verdict = self.check(request.action, target)
        if not verdict.allowed:
            raise NotAllowed(f"facebook cannot {request.action} here", message_fr=verdict.reason_fr)
        action = request.action
        object_id = target.item_external_id
        if action in ("hide", "unhide"):
            data = self.post(
                object_id, {"is_hidden": "true" if action == "hide" else "false"}, idempotent=True
            )
            return ActionResult(applied=success(data))
        if action == "delete":
            return self._delete(object_id)
        if action == "reply":
            if target.item_kind == "private_message":
                return self._send_message({"id": target.author_external_id}, request.text)
            data = self.post(f"{self._reply_target(target)}/comments", {"message": request.text})
            return ActionResult(applied=True, remote_id=str(data.get("id", "")))
        if action == "private_reply":
            try:
                return self._send_message({"comment_id": object_id}, request.text)
            except PermanentError as exc:
                if getattr(exc, "already_done", False):
                    return ActionResult(
                        applied=True, detail="déjà envoyée (Facebook refuse une deuxième réponse privée)"
                    )
                raise
        if action == "block_author":
            data = self.post(f"{self.page_id}/blocked", {"user": target.author_external_id}, idempotent=True)
            return ActionResult(
                applied=bool(data.get(target.author_external_id, True))
                if isinstance(data, dict)
                else bool(data)
            )
        if action == "unblock_author":
            data = self.delete(f"{self.page_id}/blocked", {"user": target.author_external_id})
            return ActionResult(applied=success(data))
        if action == "like":
            data = self.post(f"{object_id}/likes", idempotent=True)
            return ActionResult(applied=success(data))
        raise NotAllowed(
            f"facebook cannot {action}", message_fr="Facebook ne permet pas cette action via son API."
        )

    def _reply_target(self, target: ActionTarget) -> str:
        # Facebook threads have two levels: a reply to a reply is posted under the top-level comment.
        if target.item_kind == "reply" and target.parent_external_id:
            return target.parent_external_id
        return target.item_external_id

    def _delete(self, object_id: str) -> ActionResult:
        try:
            data = self.delete(object_id)
        except PermanentError:
            # Already deleted (by its author or a previous attempt)? Then the goal is reached.
            try:
                self.get(object_id, {"fields": "id"})
            except PermanentError:
                return ActionResult(applied=True, detail="déjà supprimé sur Facebook")
            raise
        return ActionResult(applied=success(data))

    def _send_message(self, recipient: Mapping[str, str], text: str) -> ActionResult:
        body = {"recipient": dict(recipient), "message": {"text": text}, "messaging_type": "RESPONSE"}
        data = self.post(f"{self.page_id}/messages", json_body=body)
        return ActionResult(applied=True, remote_id=str(data.get("message_id", "")), data=dict(data))

    def blocked_authors(self) -> list[FetchedAuthor]:
        """``GET /{page-id}/blocked?fields=id,name`` (Page token), every page of it."""
        authors: list[FetchedAuthor] = []
        seen: set[str] = set()
        for page in self.paged(f"{self.page_id}/blocked", {"fields": "id,name", "limit": PAGE_SIZE}):
            for profile in page:
                ident = str(profile.get("id") or "")
                if ident and ident not in seen:
                    seen.add(ident)
                    authors.append(FetchedAuthor(external_id=ident, display_name=str(profile.get("name") or "")))
        return authors

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """Replies are not idempotent: look for a reply by the Page with the same text."""
        target = request.target
        if request.action == "reply" and target.item_kind != "private_message":
            data = self.get(
                f"{self._reply_target(target)}/comments",
                {
                    "fields": "id,message,from{id},created_time",
                    "filter": "stream",
                    "order": "reverse_chronological",
                    "limit": 100,
                },
            )
            for comment in data.get("data") or []:
                if str((comment.get("from") or {}).get("id", "")) == self.page_id and _norm(
                    comment.get("message", "")
                ) == _norm(request.text):
                    return ActionResult(
                        applied=True, remote_id=str(comment["id"]), detail="réponse retrouvée sur Facebook"
                    )
            return ActionResult(applied=False)
        if request.action == "reply" and target.item_kind == "private_message" and target.author_external_id:
            data = self.get(
                f"{self.page_id}/conversations",
                {
                    "platform": "messenger",
                    "user_id": target.author_external_id,
                    "fields": "messages.limit(20){id,message,from}",
                },
            )
            for conv in data.get("data") or []:
                for message in (conv.get("messages") or {}).get("data") or []:
                    if str((message.get("from") or {}).get("id", "")) == self.page_id and _norm(
                        message.get("message", "")
                    ) == _norm(request.text):
                        return ActionResult(
                            applied=True, remote_id=str(message["id"]), detail="message retrouvé sur Facebook"
                        )
            return ActionResult(applied=False)
        return None
