"""Instagram professional accounts over the Instagram Graph API (``META_GRAPH_VERSION``, v21.0 by default).

Two ways to connect, both documented by Meta: "Instagram API with Facebook Login" (host
``graph.facebook.com``, the Page's token, permissions ``instagram_basic``, ``instagram_manage_comments``,
``pages_read_engagement``), the default; or "Instagram API with Instagram Login" (host
``graph.instagram.com``, option ``graph_host``, permissions ``instagram_business_basic``,
``instagram_business_manage_comments``).

Reading (one Graph call per ``fetch``):
1. ``GET /{ig-user-id}/media`` (``since`` = start of the window) with ``comments_count``: only media whose
   count changed are scanned;
2. ``GET /{ig-media-id}/comments`` with their ``replies`` (IG threads have two levels).
Webhooks (object ``instagram``): ``comments`` (a new comment on the account's media) and ``mentions``
(``{"media_id", "comment_id"}``: the account was @mentioned; the content is read with
``GET /{ig-user-id}?fields=mentioned_comment.comment_id(…)`` or ``mentioned_media.media_id(…)``).

Acting: hide / unhide ``POST /{ig-comment-id}`` ``hide=true|false``; delete ``DELETE /{ig-comment-id}``;
reply ``POST /{ig-comment-id}/replies`` (or ``/{ig-media-id}/comments``, or ``/{ig-user-id}/mentions`` for a
mention); private reply ``POST /{ig-user-id}/messages`` (Instagram Login) or ``/me/messages`` with the Page
token (Facebook Login), ``{"recipient": {"comment_id"}, "message": {"text"}}``, once per comment within 7
days. Instagram offers no API to block, restrict, report or like.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
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
    PermanentError,
    WebhookRequest,
)
from beffroi.connectors.meta import MetaGraphConnector, parse_time, success, unix, webhook_payloads

MEDIA_FIELDS = "id,caption,timestamp,permalink,username,comments_count,like_count,media_product_type"
REPLY_FIELDS = "id,text,timestamp,username,from,like_count,hidden,parent_id"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"
MENTIONED_COMMENT_FIELDS = "id,text,timestamp,like_count,media{id,permalink,username}"
MENTIONED_MEDIA_FIELDS = "id,caption,timestamp,permalink,username,like_count,comments_count"
PAGE_SIZE = 50
PRIVATE_REPLY_WINDOW = dt.timedelta(days=7)
CURSOR_VERSION = 1


def _norm(text: str) -> str:
    return " ".join((text or "").split())


class InstagramConnector(MetaGraphConnector):
    platform = "instagram"
    label = "Instagram"
    guide = "GUIDE.fr.md"
    capabilities = frozenset(
        {
            Capability.FETCH,
            Capability.WEBHOOK,
            Capability.HIDE,
            Capability.UNHIDE,
            Capability.DELETE,
            Capability.REPLY,
            Capability.PRIVATE_REPLY,
        }
    )
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.BLOCK: "Instagram ne permet pas de bloquer ou de restreindre un compte via son API : faites-le "
        "depuis l'application Instagram. Vous pouvez masquer ses commentaires depuis Beffroi.",
        Capability.UNBLOCK: "Instagram ne permet pas de débloquer un compte via son API : faites-le depuis l'application.",
        Capability.REPORT: "Instagram ne permet pas de signaler un contenu via son API : signalez-le depuis l'application.",
        Capability.LIKE: "Instagram ne permet pas d'aimer un commentaire via son API.",
        Capability.PRIVATE_MESSAGES: "Beffroi ne lit pas encore les messages privés Instagram.",
    }
    credential_fields = (
        CredentialField(
            "access_token",
            "Jeton d'accès",
            "Le jeton de la Page Facebook liée au compte Instagram (ou le jeton Instagram, voir le guide).",
        ),
        CredentialField(
            "app_secret",
            "Clé secrète de l'application Meta",
            "Dans Meta for Developers, Paramètres > Général. Laissez vide si l'instance a sa propre application.",
            required=False,
        ),
    )
    external_id_label_fr = "Identifiant du compte Instagram professionnel"
    idempotent_actions = frozenset({"hide", "unhide", "delete", "private_reply"})

    clock = staticmethod(time.time)

    @property
    def ig_user_id(self) -> str:
        return self.config.external_id

    def identify(self) -> AccountIdentity | None:
        if self.config.external_id:
            data = self.get(self.ig_user_id, {"fields": "id,username,name"})
        else:
            # With a Page token: the Instagram account linked to the Page.
            page = self.get("me", {"fields": "instagram_business_account{id,username,name}"})
            data = page.get("instagram_business_account") or {}
            if not data:
                raise AuthError(
                    "no instagram_business_account",
                    message_fr="Aucun compte Instagram professionnel n'est lié à cette Page Facebook.",
                )
        username = str(data.get("username", ""))
        return AccountIdentity(
            external_id=str(data.get("id", "")),
            name=str(data.get("name") or username),
            handle=username,
            url=f"https://www.instagram.com/{username}/" if username else "",
        )

    # -- reading ---------------------------------------------------------------------------
    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        from beffroi import conf

        state: dict[str, Any] = (
            json.loads(json.dumps(cursor))
            if cursor.get("v") == CURSOR_VERSION
            else {"v": CURSOR_VERSION, "media": {}}
        )
        state.setdefault("media", {})
        now = int(self.clock())
        if state.get("round_start") is None:
            key, setting = (
                ("active_days", "SYNC_ACTIVE_DAYS")
                if state.get("last_round")
                else ("backfill_days", "SYNC_BACKFILL_DAYS")
            )
            days = int(self.config.options.get(key) or conf.get(setting))
            state.update(
                round_start=now,
                since=now - days * 86400,
                media_after=None,
                media_done=False,
                pending=[],
                current=None,
            )
        try:
            if state.get("current") or state.get("pending"):
                items = self._scan_comments(state)
            elif not state.get("media_done"):
                items = self._list_media(state)
            else:
                items = []
        except PermanentError:
            if not state.get("current"):
                raise
            state["current"] = None  # media deleted meanwhile: skip it
            items = []
        except NotAllowed as exc:
            raise AuthError(str(exc), message_fr=exc.message_fr, status=exc.status) from exc
        finished = not state.get("current") and not state.get("pending") and state.get("media_done")
        if finished:
            since = state["since"]
            state["media"] = {k: v for k, v in state["media"].items() if (v.get("t") or 0) >= since}
            state.update(
                last_round=state["round_start"], round_start=None, media_after=None, media_done=False
            )
        return FetchPage(items=items, cursor=state, has_more=not finished)

    def _list_media(self, state: dict[str, Any]) -> list[FetchedItem]:
        params: dict[str, Any] = {"fields": MEDIA_FIELDS, "limit": PAGE_SIZE, "since": state["since"]}
        if state.get("media_after"):
            params["after"] = state["media_after"]
        data = self.get(f"{self.ig_user_id}/media", params)
        items = []
        for media in data.get("data") or []:
            items.append(self._media_item(media))
            count = int(media.get("comments_count") or 0)
            known = state["media"].get(media["id"])
            created = unix(parse_time(media["timestamp"]))
            queued = {m for m, _ in state["pending"]} | {(state.get("current") or {}).get("media")}
            if count > 0 and (known is None or known.get("n") != count) and media["id"] not in queued:
                state["pending"].append([media["id"], count])
            if known is None:
                state["media"][media["id"]] = {"t": created, "n": None}
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if (data.get("paging") or {}).get("next") and after:
            state["media_after"] = after
        else:
            state["media_after"], state["media_done"] = None, True
        items.reverse()
        return items

    def _scan_comments(self, state: dict[str, Any]) -> list[FetchedItem]:
        if not state.get("current"):
            media_id, count = state["pending"].pop(0)
            state["current"] = {"media": media_id, "count": count, "after": None}
        current = state["current"]
        params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": PAGE_SIZE}
        if current.get("after"):
            params["after"] = current["after"]
        data = self.get(f"{current['media']}/comments", params)
        items: list[FetchedItem] = []
        for comment in data.get("data") or []:
            items.append(self._comment_item(comment, current["media"]))
            for reply in (comment.get("replies") or {}).get("data") or []:
                items.append(self._comment_item(reply, current["media"], parent=str(comment["id"])))
        after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
        if (data.get("paging") or {}).get("next") and after:
            current["after"] = after
        else:
            entry = state["media"].setdefault(current["media"], {"t": 0, "n": None})
            entry["n"] = current["count"]
            state["current"] = None
        items.sort(key=lambda i: i.published_at)
        return items

    # -- mapping ---------------------------------------------------------------------------
    def _is_own(self, author_id: str, username: str) -> bool:
        return (bool(author_id) and author_id == self.ig_user_id) or (
            bool(username)
            and bool(self.config.handle)
            and username.lower() == self.config.handle.lower().lstrip("@")
        )

    def _author(self, data: Mapping[str, Any]) -> FetchedAuthor | None:
        author = data.get("from") or {}
        username = str(author.get("username") or data.get("username") or "")
        author_id = str(author.get("id") or "") or (f"@{username}" if username else "")
        if not author_id:
            return None
        return FetchedAuthor(
            external_id=author_id,
            handle=username,
            display_name=username,
            profile_url=f"https://www.instagram.com/{username}/" if username else "",
        )

    def _media_item(self, media: Mapping[str, Any], *, mention: bool = False) -> FetchedItem:
        username = str(media.get("username") or "")
        own = not mention
        return FetchedItem(
            external_id=str(media["id"]),
            kind="mention" if mention else "post",
            text=str(media.get("caption") or ""),
            published_at=parse_time(media["timestamp"]),
            author=FetchedAuthor(external_id=f"@{username}", handle=username, display_name=username)
            if username
            else None,
            url=str(media.get("permalink") or ""),
            thread_external_id=str(media["id"]),
            is_from_account=own,
            likes=int(media.get("like_count") or 0),
            raw=dict(media),
            moderated=False if mention else None,
        )

    def _comment_item(self, comment: Mapping[str, Any], media_id: str, parent: str = "") -> FetchedItem:
        author = self._author(comment)
        parent = parent or str(comment.get("parent_id") or "")
        return FetchedItem(
            external_id=str(comment["id"]),
            kind="reply" if parent else "comment",
            text=str(comment.get("text") or ""),
            published_at=parse_time(comment["timestamp"]),
            author=author,
            parent_external_id=parent or media_id,
            thread_external_id=media_id,
            is_from_account=self._is_own(
                str((comment.get("from") or {}).get("id") or ""), str(comment.get("username") or "")
            ),
            is_hidden=bool(comment.get("hidden")),
            likes=int(comment.get("like_count") or 0),
            raw={**{k: v for k, v in comment.items() if k != "replies"}, "media_id": media_id},
        )

    # -- webhooks --------------------------------------------------------------------------
    def parse_webhook(self, request: WebhookRequest) -> list[FetchedItem]:
        entries = [
            e
            for p in webhook_payloads(request)
            if p.get("object") == "instagram"
            for e in (p.get("entry") or [])
        ]
        items: list[FetchedItem] = []
        for entry in entries:
            if str(entry.get("id")) != self.ig_user_id:
                continue
            sent = parse_time(
                entry["time"] / 1000
                if entry.get("time", 0) > 10_000_000_000
                else entry.get("time") or self.clock()
            )
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                if change.get("field") in ("comments", "live_comments") and value.get("id"):
                    media_id = str((value.get("media") or {}).get("id") or "")
                    author = self._author(value)
                    parent = str(value.get("parent_id") or "")
                    items.append(
                        FetchedItem(
                            external_id=str(value["id"]),
                            kind="reply" if parent else "comment",
                            text=str(value.get("text") or ""),
                            published_at=sent,
                            author=author,
                            parent_external_id=parent or media_id,
                            thread_external_id=media_id,
                            is_from_account=self._is_own(
                                str((value.get("from") or {}).get("id") or ""),
                                str((value.get("from") or {}).get("username") or ""),
                            ),
                            raw={**dict(value), "media_id": media_id},
                        )
                    )
                elif change.get("field") == "mentions" and value.get("media_id"):
                    item = self._mention_item(str(value["media_id"]), str(value.get("comment_id") or ""))
                    if item is not None:
                        items.append(item)
        return items

    def _mention_item(self, media_id: str, comment_id: str) -> FetchedItem | None:
        """Read a mention's content (the webhook only gives ids)."""
        if comment_id:
            data = self.get(
                self.ig_user_id,
                {"fields": f"mentioned_comment.comment_id({comment_id}){{{MENTIONED_COMMENT_FIELDS}}}"},
            )
            comment = data.get("mentioned_comment") or {}
            if not comment.get("id"):
                return None
            media = comment.get("media") or {}
            return FetchedItem(
                external_id=str(comment["id"]),
                kind="mention",
                text=str(comment.get("text") or ""),
                published_at=parse_time(comment["timestamp"]),
                author=None,
                url=str(media.get("permalink") or ""),
                parent_external_id=str(media.get("id") or media_id),
                thread_external_id=str(media.get("id") or media_id),
                likes=int(comment.get("like_count") or 0),
                raw={**dict(comment), "mention": "comment", "media_id": str(media.get("id") or media_id)},
                moderated=False,
            )
        data = self.get(
            self.ig_user_id, {"fields": f"mentioned_media.media_id({media_id}){{{MENTIONED_MEDIA_FIELDS}}}"}
        )
        media = data.get("mentioned_media") or {}
        if not media.get("id"):
            return None
        item = self._media_item(media, mention=True)
        return dataclasses.replace(item, raw={**dict(media), "mention": "media"})

    # -- acting ----------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        now = now or dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)
        kind = target.item_kind
        mention = kind == "mention"
        if action in ("hide", "unhide", "delete"):
            if mention:
                return Check(
                    False,
                    "Cette mention est publiée chez quelqu'un d'autre : Instagram ne permet pas de la masquer ni de la "
                    "supprimer. Vous pouvez y répondre ou la signaler depuis l'application.",
                )
            if kind not in ("comment", "reply"):
                return Check(
                    False,
                    "Instagram ne permet de masquer ou supprimer que les commentaires, pas les publications.",
                )
        if action in ("hide", "unhide") and self._is_own(
            str((target.raw.get("from") or {}).get("id") or ""), str(target.raw.get("username") or "")
        ):
            return Check(False, "Instagram ne permet pas de masquer les commentaires du compte lui-même.")
        if action == "delete":
            return Check(
                True,
                "La suppression est définitive sur Instagram : le commentaire ne pourra pas être rétabli. Masquer suffit "
                "souvent.",
                needs_confirmation=True,
            )
        if action == "private_reply":
            if kind not in ("comment", "reply"):
                return Check(
                    False,
                    "Instagram ne permet une réponse privée qu'à un commentaire publié sur vos publications.",
                )
            if "private_reply" in target.previous_actions:
                return Check(
                    False,
                    "Instagram ne permet qu'une seule réponse privée par commentaire, et elle a déjà été envoyée.",
                )
            if "private_reply" in target.pending_actions:
                return Check(
                    False,
                    "Une réponse privée à ce commentaire est déjà en cours d'envoi, et Instagram n'en permet qu'une "
                    "seule : attendez qu'elle soit partie (ou annulez-la) avant d'en écrire une autre.",
                )
            if target.item_published_at and now - target.item_published_at > PRIVATE_REPLY_WINDOW:
                return Check(
                    False,
                    "Instagram ne permet une réponse privée que dans les 7 jours qui suivent le commentaire ; ce délai est "
                    "dépassé. Vous pouvez répondre publiquement.",
                )
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        target = request.target
        verdict = self.check(request.action, target)
        if not verdict.allowed:
            raise NotAllowed(f"instagram cannot {request.action} here", message_fr=verdict.reason_fr)
        action = request.action
        if action in ("hide", "unhide"):
            data = self.post(
                target.item_external_id, {"hide": "true" if action == "hide" else "false"}, idempotent=True
            )
            return ActionResult(applied=success(data))
        if action == "delete":
            try:
                data = self.delete(target.item_external_id)
            except PermanentError:
                try:
                    self.get(target.item_external_id, {"fields": "id"})
                except PermanentError:
                    return ActionResult(applied=True, detail="déjà supprimé sur Instagram")
                raise
            return ActionResult(applied=success(data))
        if action == "reply":
            path, params = self._reply_call(target, request.text)
            data = self.post(path, params)
            return ActionResult(applied=True, remote_id=str(data.get("id", "")))
        if action == "private_reply":
            body = {"recipient": {"comment_id": target.item_external_id}, "message": {"text": request.text}}
            try:
                data = self.post(f"{self._messages_node()}/messages", json_body=body)
            except PermanentError as exc:
                if getattr(exc, "already_done", False):
                    return ActionResult(
                        applied=True, detail="déjà envoyée (Instagram refuse une deuxième réponse privée)"
                    )
                raise
            return ActionResult(applied=True, remote_id=str(data.get("message_id", "")), data=dict(data))
        raise NotAllowed(
            f"instagram cannot {action}", message_fr="Instagram ne permet pas cette action via son API."
        )

    def _messages_node(self) -> str:
        if "instagram.com" in self.base:
            return self.ig_user_id  # Instagram Login: POST /{ig-user-id}/messages
        return str(
            self.config.options.get("page_id") or "me"
        )  # Facebook Login: the Page's token, /me = the Page

    def _reply_call(self, target: ActionTarget, text: str) -> tuple[str, dict[str, str]]:
        media_id = str(target.raw.get("media_id") or target.thread_external_id)
        if target.item_kind == "mention":
            params = {"media_id": media_id, "message": text}
            if target.raw.get("mention") == "comment":
                params["comment_id"] = target.item_external_id
            return f"{self.ig_user_id}/mentions", params
        if target.item_kind == "post":
            return f"{target.item_external_id}/comments", {"message": text}
        # Instagram threads have two levels: a reply to a reply goes under the top-level comment.
        top = (
            target.parent_external_id
            if target.item_kind == "reply" and target.parent_external_id
            else target.item_external_id
        )
        return f"{top}/replies", {"message": text}

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        if request.action != "reply" or request.target.item_kind == "mention":
            return None
        path, _ = self._reply_call(request.target, request.text)
        # The reply lives under /{comment}/replies or /{media}/comments: list it and look for our text.
        data = self.get(path, {"fields": "id,text,username,from", "limit": 50})
        for comment in data.get("data") or []:
            own = self._is_own(
                str((comment.get("from") or {}).get("id") or ""), str(comment.get("username") or "")
            )
            if own and _norm(comment.get("text", "")) == _norm(request.text):
                return ActionResult(
                    applied=True, remote_id=str(comment["id"]), detail="réponse retrouvée sur Instagram"
                )
        return ActionResult(applied=False)
