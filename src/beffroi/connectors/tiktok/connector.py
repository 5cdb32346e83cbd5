"""TikTok business accounts through TikTok API for Business v1.3 ("Accounts API", scope Account Comment).

Reading (one API call per ``fetch``, a polling round resumable from the cursor):
1. ``GET /business/video/list/`` — the account's videos (newest first) with their comment counts; each video
   is an item of kind ``post`` (by the account), so comments are attached to it;
2. for each video of the active window whose comment count changed, ``GET /business/comment/list/`` (every
   page: a new reply changes no top-level comment, only its reply count);
3. for each comment whose reply count changed, ``GET /business/comment/reply/list/``.
Webhooks (``comment.update`` events, signed with ``TikTok-Signature``) bring comments sooner.

Acting (``business_id`` = the account's ``open_id``):
- hide / unhide: ``POST /business/comment/hide/`` ``{"action": "HIDE"|"UNHIDE"}`` (TikTok may keep a
  comment hidden that its own filters hid);
- reply: ``POST /business/comment/reply/create/`` (150 characters at most; a reply to a reply goes under
  its top comment: TikTok threads have two levels);
- delete: ``POST /business/comment/delete/`` — only the account's own comments;
- like: ``POST /business/comment/like/`` ``{"action": "LIKE"}``.
TikTok's API offers no report, no block and no private reply to a comment.
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
    Connector,
    CredentialField,
    FetchedAuthor,
    FetchedItem,
    FetchPage,
    NotAllowed,
    PermanentError,
    WebhookRequest,
    WebhookResponse,
)
from beffroi.connectors.tiktok.api import TikTokApi, parse_time, store_tokens
from beffroi.connectors.tiktok.webhooks import parse_event, verify_signature, webhook_time

VIDEO_FIELDS = ["item_id", "create_time", "caption", "share_url", "comments", "likes", "shares"]
VIDEO_PAGE = 20
COMMENT_PAGE = 30
REPLY_MAX_CHARS = 150
CURSOR_VERSION = 1
_NO_MODERATION_API = (
    "L'API de TikTok ne permet pas cette action : faites-la depuis l'application TikTok (appui long sur le "
    "commentaire)."
)


def _norm(text: str) -> str:
    return " ".join((text or "").split())


class TikTokConnector(Connector):
    platform = "tiktok"
    label = "TikTok"
    guide = "GUIDE.fr.md"
    capabilities = frozenset(
        {Capability.FETCH, Capability.WEBHOOK, Capability.HIDE, Capability.UNHIDE, Capability.DELETE, Capability.REPLY, Capability.LIKE}
    )
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.REPORT: "L'API de TikTok ne permet pas de signaler un commentaire : signalez-le depuis l'application "
        "(appui long sur le commentaire, « Signaler »).",
        Capability.BLOCK: "L'API de TikTok ne permet pas de bloquer un compte : bloquez-le depuis l'application "
        "(profil de la personne, « … », « Bloquer »).",
        Capability.UNBLOCK: _NO_MODERATION_API,
        Capability.PRIVATE_REPLY: "TikTok ne permet pas de répondre en privé à un commentaire via son API.",
        Capability.PRIVATE_MESSAGES: "Les messages privés TikTok ne sont pas lus par Beffroi (API réservée à la "
        "messagerie professionnelle).",
    }
    credential_fields = (
        CredentialField("access_token", "Jeton d'accès du compte TikTok", "Obtenu lors de l'autorisation du compte (voir le guide, étape 4)."),
        CredentialField("refresh_token", "Jeton de renouvellement", "Permet à Beffroi de renouveler seul le jeton d'accès, qui expire chaque jour."),
        CredentialField("client_id", "Identifiant de l'application (App ID)", "Dans TikTok API for Business, page de l'application.", secret=False),
        CredentialField("client_secret", "Clé secrète de l'application (Secret)", "Sert aussi à vérifier les notifications (webhooks)."),
    )
    external_id_label_fr = "Identifiant TikTok du compte (open_id / business_id)"
    idempotent_actions = frozenset({"hide", "unhide", "delete", "like"})

    clock = staticmethod(time.time)

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        self.tiktok = TikTokApi(http, config.credentials, on_tokens=store_tokens(config.account_id), clock=lambda: self.clock())
        self.api = self.tiktok.http  # the sync counts calls on it

    @property
    def business_id(self) -> str:
        return self.config.external_id

    # -- identity --------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        if not self.business_id:
            return None
        data = self.tiktok.call("GET", "business/get/", params={"business_id": self.business_id, "fields": ["username", "display_name", "profile_image"]})
        username = str(data.get("username") or "")
        return AccountIdentity(
            external_id=self.business_id,
            name=str(data.get("display_name") or username),
            handle=username,
            url=f"https://www.tiktok.com/@{username}" if username else "",
        )

    # -- reading ---------------------------------------------------------------------------
    def _days(self, option: str, setting: str) -> int:
        from beffroi import conf

        value = self.config.options.get(option)
        return int(value) if value else int(conf.get(setting))

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        state = _Round.load(cursor)
        now = int(self.clock())
        if state.round_start is None:
            days = self._days("active_days", "SYNC_ACTIVE_DAYS") if state.last_round else self._days("backfill_days", "SYNC_BACKFILL_DAYS")
            state.start(now, since=now - days * 86400)
        try:
            if state.current is not None or state.queue:
                items = self._scan(state)
            elif not state.videos_done:
                items = self._list_videos(state)
            else:
                items = []
        except NotAllowed as exc:  # the token lost its scope: reading is impossible
            raise AuthError(str(exc), message_fr=exc.message_fr, status=exc.status) from exc
        except PermanentError:
            if state.current is None:
                raise
            state.current = None  # the video or comment was deleted meanwhile: skip it
            items = []
        finished = state.current is None and not state.queue and state.videos_done
        if finished:
            state.end()
        return FetchPage(items=items, cursor=state.dump(), has_more=not finished)

    def _list_videos(self, state: _Round) -> list[FetchedItem]:
        params: dict[str, Any] = {"business_id": self.business_id, "fields": VIDEO_FIELDS, "max_count": VIDEO_PAGE}
        if state.videos_cursor is not None:
            params["cursor"] = state.videos_cursor
        data = self.tiktok.call("GET", "business/video/list/", params=params)
        items = []
        reached_old = False
        for video in data.get("videos") or []:
            created = int(parse_time(video.get("create_time")).timestamp())
            if created < state.since:
                reached_old = True
                break
            video_id = str(video["item_id"])
            items.append(self._video_item(video))
            count = int(video.get("comments") or 0)
            known = state.videos.get(video_id)
            state.videos[video_id] = {**(known or {"c": None, "n": None}), "t": created, "url": str(video.get("share_url") or "")}
            if count and (known is None or known.get("n") != count):
                state.videos[video_id]["pending_n"] = count
                state.enqueue({"video": video_id})
        if data.get("has_more") and not reached_old and data.get("cursor") is not None:
            state.videos_cursor = int(data["cursor"])
        else:
            state.videos_cursor = None
            state.videos_done = True
        items.reverse()  # oldest first
        return items

    def _scan(self, state: _Round) -> list[FetchedItem]:
        if state.current is None:
            task = state.queue.pop(0)
            state.current = {**task, "cursor": None, "newest": None}
        current = state.current
        video_id = str(current["video"])
        comment_id = current.get("comment")
        params: dict[str, Any] = {
            "business_id": self.business_id,
            "video_id": video_id,
            "sort_field": "create_time",
            "sort_order": "desc",
            "max_count": COMMENT_PAGE,
        }
        if current.get("cursor") is not None:
            params["cursor"] = current["cursor"]
        if comment_id:
            params["comment_id"] = comment_id
            data = self.tiktok.call("GET", "business/comment/reply/list/", params=params)
            known_entry = state.comments.get(str(comment_id)) or {}
        else:
            data = self.tiktok.call("GET", "business/comment/list/", params=params)
            known_entry = state.videos.get(video_id) or {}
        seen_until, seen_ids = known_entry.get("c"), set(known_entry.get("c_ids") or ())
        items = []
        for comment in data.get("comments") or []:
            created = int(parse_time(comment.get("create_time")).timestamp())
            state.note_newest(created, str(comment["comment_id"]))
            is_new = seen_until is None or created > seen_until or (created == seen_until and str(comment["comment_id"]) not in seen_ids)
            if is_new:
                items.append(self._comment_item(comment, video_id, parent=str(comment_id) if comment_id else ""))
            if not comment_id:
                replies = int(comment.get("replies") or 0)
                cid = str(comment["comment_id"])
                known = state.comments.get(cid)
                if replies and (known is None or known.get("r") != replies):
                    state.comments[cid] = {**(known or {"c": None, "r": None}), "v": video_id, "pending_r": replies}
                    state.enqueue({"video": video_id, "comment": cid})
        if data.get("has_more") and data.get("cursor") is not None:
            current["cursor"] = int(data["cursor"])
        else:
            state.finish_scan()
        items.reverse()
        return items

    # -- mapping ---------------------------------------------------------------------------
    def _video_item(self, video: Mapping[str, Any]) -> FetchedItem:
        video_id = str(video["item_id"])
        return FetchedItem(
            external_id=video_id,
            kind="post",
            text=str(video.get("caption") or ""),
            published_at=parse_time(video.get("create_time")),
            author=FetchedAuthor(external_id=self.business_id, handle=self.config.handle),
            url=str(video.get("share_url") or ""),
            thread_external_id=video_id,
            is_from_account=True,
            likes=int(video.get("likes") or 0),
            shares=int(video.get("shares") or 0),
            raw=dict(video),
        )

    def _comment_item(self, comment: Mapping[str, Any], video_id: str, *, parent: str = "") -> FetchedItem:
        parent = parent or str(comment.get("parent_comment_id") or "")
        if parent == str(comment.get("comment_id")):
            parent = ""
        user_id = str(comment.get("user_id") or comment.get("unique_identifier") or "")
        username = str(comment.get("username") or "")
        author = FetchedAuthor(
            external_id=user_id,
            handle=username,
            display_name=str(comment.get("display_name") or username),
            profile_url=f"https://www.tiktok.com/@{username}" if username else "",
        ) if user_id else None
        return FetchedItem(
            external_id=str(comment["comment_id"]),
            kind="reply" if parent else "comment",
            text=str(comment.get("text") or ""),
            published_at=parse_time(comment.get("create_time")),
            author=author,
            url=str(comment.get("share_url") or ""),
            parent_external_id=parent or video_id,
            thread_external_id=video_id,
            is_from_account=bool(comment.get("owner")),
            is_hidden=str(comment.get("status") or "").upper() == "HIDDEN",
            likes=int(comment.get("likes") or 0),
            raw={**dict(comment), "video_id": video_id},
        )

    # -- webhooks --------------------------------------------------------------------------
    def webhook_secret(self) -> str:
        return str(self.config.credentials.get("client_secret") or "")

    def verify_webhook(self, request: WebhookRequest, *, secret: str) -> WebhookResponse | None:
        from beffroi import conf

        verify_signature(request, secret=secret, tolerance=int(conf.get("TIKTOK_WEBHOOK_TOLERANCE_SECONDS")))
        return None

    def webhook_timestamp(self, request: WebhookRequest) -> dt.datetime | None:
        return webhook_time(request)

    def parse_webhook(self, request: WebhookRequest) -> list[FetchedItem]:
        """``comment.update`` events name a comment; its text is read from the API (the event may not
        carry it). Hidden, deleted and other events bring nothing new."""
        event = parse_event(request.body)
        if event is None or event.business_id not in ("", self.business_id):
            return []
        if event.action not in ("insert", "create", "set_to_public") or not event.comment_id or not event.video_id:
            return []
        if event.text is not None:
            comment = {"comment_id": event.comment_id, "text": event.text, "create_time": event.create_time,
                       "parent_comment_id": event.parent_comment_id, "user_id": event.user_id, "username": event.username}
            return [self._comment_item(comment, event.video_id)]
        params: dict[str, Any] = {"business_id": self.business_id, "video_id": event.video_id}
        if event.parent_comment_id:  # a reply: read the replies of its comment
            params.update(comment_id=event.parent_comment_id, sort_field="create_time", sort_order="desc", max_count=COMMENT_PAGE)
            data = self.tiktok.call("GET", "business/comment/reply/list/", params=params)
        else:
            data = self.tiktok.call("GET", "business/comment/list/", params={**params, "comment_ids": [event.comment_id]})
        return [
            self._comment_item(c, event.video_id, parent=event.parent_comment_id)
            for c in data.get("comments") or []
            if str(c.get("comment_id")) == event.comment_id
        ]

    # -- acting ----------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        own = bool(target.raw.get("owner")) or target.author_external_id == self.business_id
        if target.item_kind not in ("comment", "reply"):
            return Check(False, "Sur TikTok, Beffroi n'agit que sur les commentaires ; une vidéo se gère depuis l'application.")
        if action in ("hide", "unhide") and own:
            return Check(False, "TikTok ne permet pas de masquer un commentaire du compte lui-même : supprimez-le si besoin.")
        if action == "unhide":
            return Check(True, "TikTok peut laisser masqué un commentaire que ses propres filtres ont masqué.")
        if action == "delete":
            if not own:
                return Check(
                    False,
                    "TikTok ne permet de supprimer que les commentaires publiés par le compte de la commune. Masquez ce "
                    "commentaire : il ne sera plus visible que de son auteur.",
                )
            return Check(True, "La suppression est définitive sur TikTok.", needs_confirmation=True)
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        target = request.target
        verdict = self.check(request.action, target)
        if not verdict.allowed:
            raise NotAllowed(f"tiktok cannot {request.action} here", message_fr=verdict.reason_fr)
        video_id = target.thread_external_id or str(target.raw.get("video_id") or "")
        comment_id = target.item_external_id
        action = request.action
        if action in ("hide", "unhide"):
            self.tiktok.call(
                "POST",
                "business/comment/hide/",
                body={"business_id": self.business_id, "comment_id": comment_id, "video_id": video_id, "action": action.upper()},
            )
            return ActionResult(applied=True, detail=verdict.reason_fr)
        if action == "delete":
            try:
                self.tiktok.call("POST", "business/comment/delete/", body={"business_id": self.business_id, "comment_id": comment_id})
            except PermanentError as exc:
                return ActionResult(applied=True, detail=f"déjà supprimé sur TikTok ({exc.message_fr})")
            return ActionResult(applied=True)
        if action == "like":
            self.tiktok.call("POST", "business/comment/like/", body={"business_id": self.business_id, "comment_id": comment_id, "action": "LIKE"})
            return ActionResult(applied=True)
        if action == "reply":
            text = request.text.strip()
            if len(text) > REPLY_MAX_CHARS:
                raise NotAllowed(
                    f"reply of {len(text)} characters",
                    message_fr=f"TikTok limite les réponses à {REPLY_MAX_CHARS} caractères (celle-ci en fait {len(text)}) : raccourcissez-la.",
                )
            data = self.tiktok.call(
                "POST",
                "business/comment/reply/create/",
                body={"business_id": self.business_id, "video_id": video_id, "comment_id": self._top_comment(target), "text": text},
            )
            return ActionResult(applied=True, remote_id=str(data.get("comment_id") or ""), data=data)
        raise NotAllowed(f"tiktok cannot {action}", message_fr=_NO_MODERATION_API)

    @staticmethod
    def _top_comment(target: ActionTarget) -> str:
        if target.item_kind == "reply" and target.parent_external_id and target.parent_external_id != target.thread_external_id:
            return target.parent_external_id
        return target.item_external_id

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """A reply is not idempotent: look for a reply by the account with the same text."""
        if request.action != "reply":
            return None
        target = request.target
        data = self.tiktok.call(
            "GET",
            "business/comment/reply/list/",
            params={
                "business_id": self.business_id,
                "video_id": target.thread_external_id,
                "comment_id": self._top_comment(target),
                "sort_field": "create_time",
                "sort_order": "desc",
                "max_count": COMMENT_PAGE,
            },
        )
        for reply in data.get("comments") or []:
            if reply.get("owner") and _norm(str(reply.get("text") or "")) == _norm(request.text):
                return ActionResult(applied=True, remote_id=str(reply.get("comment_id") or ""), detail="réponse retrouvée sur TikTok")
        return ActionResult(applied=False)

    def usage(self) -> Mapping[str, Any]:
        return {"token_refreshed": True} if self.tiktok.refreshed else {}


class _Round:
    """The polling cursor (stored as JSON in Account.cursor)."""

    def __init__(self) -> None:
        self.round_start: int | None = None
        self.since = 0
        self.last_round: int | None = None
        self.videos_cursor: int | None = None
        self.videos_done = False
        self.videos: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, dict[str, Any]] = {}
        self.queue: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None

    @classmethod
    def load(cls, cursor: Mapping[str, Any]) -> _Round:
        state = cls()
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            return state
        state.round_start = cursor.get("round_start")
        state.since = int(cursor.get("since") or 0)
        state.last_round = cursor.get("last_round")
        state.videos_cursor = cursor.get("videos_cursor")
        state.videos_done = bool(cursor.get("videos_done"))
        state.videos = {k: dict(v) for k, v in (cursor.get("videos") or {}).items()}
        state.comments = {k: dict(v) for k, v in (cursor.get("comments") or {}).items()}
        state.queue = [dict(t) for t in cursor.get("queue") or []]
        state.current = dict(cursor["current"]) if cursor.get("current") else None
        return state

    def dump(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "round_start": self.round_start,
            "since": self.since,
            "last_round": self.last_round,
            "videos_cursor": self.videos_cursor,
            "videos_done": self.videos_done,
            "videos": self.videos,
            "comments": self.comments,
            "queue": self.queue,
            "current": self.current,
        }

    def start(self, now: int, *, since: int) -> None:
        self.round_start, self.since = now, since
        self.videos_cursor, self.videos_done, self.queue, self.current = None, False, [], None

    def enqueue(self, task: dict[str, Any]) -> None:
        current = self.current or {}
        if task in self.queue or (current.get("video") == task.get("video") and current.get("comment") == task.get("comment")):
            return
        self.queue.append(task)

    def note_newest(self, created: int, ident: str) -> None:
        """Remember the newest time seen in the scan in flight, and the ids seen at that time."""
        current = self.current if self.current is not None else {}
        newest = int(current.get("newest") or 0)
        if created > newest:
            current["newest"], current["newest_ids"] = created, [ident]
        elif created == newest and ident not in current.setdefault("newest_ids", []):
            current["newest_ids"].append(ident)

    def finish_scan(self) -> None:
        current = self.current or {}
        newest = current.get("newest")
        if current.get("comment"):
            entry = self.comments.setdefault(str(current["comment"]), {"v": current["video"], "c": None, "r": None})
            key_pending, key_count = "pending_r", "r"
        else:
            entry = self.videos.setdefault(str(current["video"]), {"t": 0, "c": None, "n": None})
            key_pending, key_count = "pending_n", "n"
        if newest:
            if int(newest) > int(entry.get("c") or 0):
                entry["c"], entry["c_ids"] = int(newest), list(current.get("newest_ids") or [])
            elif int(newest) == int(entry.get("c") or 0):
                entry["c_ids"] = sorted({*(entry.get("c_ids") or []), *(current.get("newest_ids") or [])})
        entry[key_count] = entry.pop(key_pending, entry.get(key_count))
        self.current = None

    def end(self) -> None:
        self.last_round = self.round_start
        self.videos = {k: v for k, v in self.videos.items() if int(v.get("t") or 0) >= self.since}
        self.comments = {k: v for k, v in self.comments.items() if v.get("v") in self.videos}
        self.round_start, self.videos_cursor, self.videos_done, self.queue, self.current = None, None, False, [], None
