"""Reading a YouTube channel's comments: the polling round (a resumable cursor) and the item mapping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from beffroi.connectors.base import FetchedAuthor, FetchedItem, FetchPage
from beffroi.connectors.youtube.quota import LIST_COST

DEFAULT_STATUSES = ("published", "heldForReview")
KNOWN_STATUSES = frozenset({"published", "heldForReview", "likelySpam"})
CURSOR_VERSION = 1


def parse_time(value: Any) -> dt.datetime:
    """RFC 3339 times of the Data API (``2024-06-01T09:30:00Z``)."""
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def unix(value: Any) -> int:
    return int(parse_time(value).timestamp())


class ReadingMixin:
    """``read(cursor)`` for :class:`~beffroi.connectors.youtube.connector.YouTubeConnector`."""

    config: Any
    clock: Any

    @property
    def channel_id(self) -> str:  # provided by the connector
        raise NotImplementedError

    def youtube(self) -> Any:
        raise NotImplementedError

    def execute(self, request: Any, *, cost: int, what: str, for_action: bool = False) -> Any:
        raise NotImplementedError

    def _statuses(self) -> list[str]:
        wanted = self.config.options.get("moderation_statuses") or DEFAULT_STATUSES
        return [s for s in wanted if s in KNOWN_STATUSES] or list(DEFAULT_STATUSES)

    def _listings(self) -> list[tuple[str, str | None]]:
        """(moderation status, video) pairs to list each round: the whole channel
        (``allThreadsRelatedToChannelId``), or only the videos of ``options["video_ids"]``."""
        videos = [str(v) for v in self.config.options.get("video_ids") or [] if v]
        return [(status, video) for status in self._statuses() for video in (videos or [None])]

    def _days(self, option: str, setting: str) -> int:
        from beffroi import conf

        value = self.config.options.get(option)
        return int(value) if value else int(conf.get(setting))

    def read(self, cursor: Mapping[str, Any]) -> FetchPage:
        state = _Round.load(cursor)
        now = int(self.clock())
        if state.round_start is None:
            days = self._days("active_days", "SYNC_ACTIVE_DAYS") if state.last_round else self._days("backfill_days", "SYNC_BACKFILL_DAYS")
            state.start(now, since=now - days * 86400)
        listings = self._listings()
        from beffroi.connectors.base import AuthError, NotAllowed

        try:
            if state.current is not None or state.queue:
                items = self._scan_replies(state)
            elif state.status_idx < len(listings):
                items = self._list_threads(state, *listings[state.status_idx])
                if state.page_token is None:
                    state.status_idx += 1
            else:
                items = []
        except NotAllowed as exc:  # reading refused: the connection no longer works
            raise AuthError(str(exc), message_fr=exc.message_fr, status=exc.status) from exc
        finished = state.current is None and not state.queue and state.status_idx >= len(listings)
        if finished:
            state.end()
        return FetchPage(items=items, cursor=state.dump(), has_more=not finished)

    def _list_threads(self, state: _Round, status: str, video: str | None = None) -> list[FetchedItem]:
        params: dict[str, Any] = {
            "part": "snippet,replies",
            **({"videoId": video} if video else {"allThreadsRelatedToChannelId": self.channel_id}),
            "moderationStatus": status,
            "order": "time",
            "textFormat": "plainText",
            "maxResults": 100,
        }
        if state.page_token:
            params["pageToken"] = state.page_token
        data = self.execute(self.youtube().commentThreads().list(**params), cost=LIST_COST, what="commentThreads.list")
        items: list[FetchedItem] = []
        threads = data.get("items") or []
        all_old = bool(threads)
        for thread in threads:
            items.extend(self._thread(state, thread, status))
            published = unix(((thread.get("snippet") or {}).get("topLevelComment") or {}).get("snippet", {}).get("publishedAt"))
            all_old = all_old and published < state.since
        next_token = data.get("nextPageToken")
        state.page_token = str(next_token) if next_token and not all_old else None
        items.sort(key=lambda i: (i.published_at, i.external_id))
        return items

    def _thread(self, state: _Round, thread: Mapping[str, Any], status: str) -> list[FetchedItem]:
        snippet = thread.get("snippet") or {}
        top = snippet.get("topLevelComment") or {}
        top_snippet = top.get("snippet") or {}
        tid = str(thread.get("id") or top.get("id"))
        video = str(snippet.get("videoId") or top_snippet.get("videoId") or snippet.get("channelId") or "")
        published, updated = unix(top_snippet.get("publishedAt")), unix(top_snippet.get("updatedAt") or top_snippet.get("publishedAt"))
        known = state.threads.get(tid)
        if known is None and published < state.since:
            return []  # outside the window
        entry = known or {"t": published, "u": None, "v": video, "n": None, "c": None, "c_ids": []}
        items: list[FetchedItem] = []
        if entry.get("u") != updated:
            items.append(self._item(top, video, status=status))
            entry["u"] = updated
        total = int(snippet.get("totalReplyCount") or 0)
        if total != entry.get("n"):
            included = list((thread.get("replies") or {}).get("comments") or [])
            if total > len(included):
                entry["pending_n"] = total
                state.enqueue(tid)
            else:
                for reply in included:
                    if _Round.is_new(entry, reply):
                        items.append(self._item(reply, video, status=status))
                    _Round.note(entry, reply)
                entry["n"] = total
        state.threads[tid] = entry
        return items

    def _scan_replies(self, state: _Round) -> list[FetchedItem]:
        if state.current is None:
            state.current = {"thread": state.queue.pop(0), "page_token": None, "newest": None, "newest_ids": []}
        current = state.current
        tid = str(current["thread"])
        entry = state.threads.setdefault(tid, {"t": 0, "u": None, "v": "", "n": None, "c": None, "c_ids": []})
        params: dict[str, Any] = {"part": "snippet", "parentId": tid, "maxResults": 100, "textFormat": "plainText"}
        if current.get("page_token"):
            params["pageToken"] = current["page_token"]
        from beffroi.connectors.base import PermanentError

        try:
            data = self.execute(self.youtube().comments().list(**params), cost=LIST_COST, what="comments.list")
        except PermanentError:  # the thread was deleted meanwhile
            state.current = None
            return []
        items = []
        for reply in data.get("items") or []:
            if _Round.is_new(entry, reply):
                items.append(self._item(reply, str(entry.get("v") or ""), status="published"))
            _Round.note(current, reply, prefix="newest")
        next_token = data.get("nextPageToken")
        if next_token:
            current["page_token"] = str(next_token)
        else:
            _Round.merge(entry, current)
            entry["n"] = entry.pop("pending_n", entry.get("n"))
            state.current = None
        items.sort(key=lambda i: (i.published_at, i.external_id))
        return items

    def _item(self, comment: Mapping[str, Any], video: str, *, status: str) -> FetchedItem:
        snippet = comment.get("snippet") or {}
        comment_id = str(comment["id"])
        parent = str(snippet.get("parentId") or "")
        author_id = str((snippet.get("authorChannelId") or {}).get("value") or "")
        name = str(snippet.get("authorDisplayName") or "")
        author = (
            FetchedAuthor(
                external_id=author_id,
                handle=name if name.startswith("@") else "",
                display_name=name,
                profile_url=str(snippet.get("authorChannelUrl") or ""),
            )
            if author_id
            else None
        )
        moderation = str(snippet.get("moderationStatus") or status)
        video = video or str(snippet.get("videoId") or "")
        return FetchedItem(
            external_id=comment_id,
            kind="reply" if parent else "comment",
            text=str(snippet.get("textDisplay") or snippet.get("textOriginal") or ""),
            published_at=parse_time(snippet.get("publishedAt")),
            author=author,
            url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else "",
            parent_external_id=parent or video,
            thread_external_id=video,
            is_from_account=author_id == self.channel_id,
            is_hidden=moderation != "published",
            likes=int(snippet.get("likeCount") or 0),
            raw={**dict(comment), "videoId": video, "listedAs": status},
        )


class _Round:
    """The polling cursor (stored as JSON in Account.cursor)."""

    def __init__(self) -> None:
        self.round_start: int | None = None
        self.since = 0
        self.last_round: int | None = None
        self.status_idx = 0
        self.page_token: str | None = None
        self.threads: dict[str, dict[str, Any]] = {}
        self.queue: list[str] = []
        self.current: dict[str, Any] | None = None

    @classmethod
    def load(cls, cursor: Mapping[str, Any]) -> _Round:
        state = cls()
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            return state
        state.round_start = cursor.get("round_start")
        state.since = int(cursor.get("since") or 0)
        state.last_round = cursor.get("last_round")
        state.status_idx = int(cursor.get("status_idx") or 0)
        state.page_token = cursor.get("page_token")
        state.threads = {k: dict(v) for k, v in (cursor.get("threads") or {}).items()}
        state.queue = [str(t) for t in cursor.get("queue") or []]
        state.current = dict(cursor["current"]) if cursor.get("current") else None
        return state

    def dump(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "round_start": self.round_start,
            "since": self.since,
            "last_round": self.last_round,
            "status_idx": self.status_idx,
            "page_token": self.page_token,
            "threads": self.threads,
            "queue": self.queue,
            "current": self.current,
        }

    def start(self, now: int, *, since: int) -> None:
        self.round_start, self.since, self.status_idx, self.page_token, self.queue, self.current = now, since, 0, None, [], None

    def enqueue(self, tid: str) -> None:
        if tid not in self.queue and (self.current or {}).get("thread") != tid:
            self.queue.append(tid)

    @staticmethod
    def is_new(entry: Mapping[str, Any], reply: Mapping[str, Any]) -> bool:
        seen = entry.get("c")
        if seen is None:
            return True
        published = unix((reply.get("snippet") or {}).get("publishedAt"))
        return published > int(seen) or (published == int(seen) and str(reply.get("id")) not in (entry.get("c_ids") or []))

    @staticmethod
    def note(target: dict[str, Any], reply: Mapping[str, Any], *, prefix: str = "c") -> None:
        """Remember the newest reply time (and the ids at that time) in ``target``."""
        ids_key = f"{prefix}_ids" if prefix == "c" else "newest_ids"
        published = unix((reply.get("snippet") or {}).get("publishedAt"))
        newest = target.get(prefix)
        if newest is None or published > int(newest):
            target[prefix], target[ids_key] = published, [str(reply.get("id"))]
        elif published == int(newest) and str(reply.get("id")) not in (target.get(ids_key) or []):
            target.setdefault(ids_key, []).append(str(reply.get("id")))

    @staticmethod
    def merge(entry: dict[str, Any], current: Mapping[str, Any]) -> None:
        newest = current.get("newest")
        if newest is None:
            return
        if entry.get("c") is None or int(newest) > int(entry["c"]):
            entry["c"], entry["c_ids"] = int(newest), list(current.get("newest_ids") or [])
        elif int(newest) == int(entry["c"]):
            entry["c_ids"] = sorted({*(entry.get("c_ids") or []), *(current.get("newest_ids") or [])})

    def end(self) -> None:
        self.last_round = self.round_start
        self.threads = {k: v for k, v in self.threads.items() if int(v.get("t") or 0) >= self.since}
        self.round_start, self.status_idx, self.page_token, self.queue, self.current = None, 0, None, [], None
