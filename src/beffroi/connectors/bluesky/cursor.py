"""The cursor of a Bluesky polling round (JSON, stored by the sync in the same transaction as the page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CURSOR_VERSION = 1


class RoundState:
    """The cursor of a polling round (stored as JSON by the sync, with the page's items)."""

    def __init__(self) -> None:
        self.phase = "notifications"
        self.since: str | None = None  # indexedAt of the newest notification of the last round
        self.top: str | None = None  # newest indexedAt of the round in progress
        self.page: str | None = None  # listNotifications cursor
        self.feed_page: str | None = None  # getAuthorFeed cursor
        self.round_start: int | None = None
        self.last_round: int | None = None
        # root post uri → [created (epoch), direct replies seen, last time its thread was read (epoch)]
        self.posts: dict[str, list[int]] = {}
        self.pending: list[str] = []  # root posts whose thread must be read

    @classmethod
    def load(cls, cursor: Mapping[str, Any]) -> RoundState:
        state = cls()
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            return state
        state.phase = str(cursor.get("phase") or "notifications")
        if state.phase not in ("notifications", "feed", "threads"):
            state.phase = "notifications"
        for name in ("since", "top", "page", "feed_page"):
            value = cursor.get(name)
            setattr(state, name, str(value) if value else None)
        for name in ("round_start", "last_round"):
            value = cursor.get(name)
            setattr(state, name, int(value) if value is not None else None)
        state.posts = {
            str(k): [int(v[0]), int(v[1]), int(v[2]) if len(v) > 2 else 0]
            for k, v in (cursor.get("posts") or {}).items()
        }
        state.pending = [str(u) for u in cursor.get("pending") or []]
        return state

    def end_round(self, forget_before: int) -> None:
        self.last_round = self.round_start
        self.round_start = None
        self.phase = "notifications"
        self.posts = {k: v for k, v in self.posts.items() if v[0] >= forget_before}

    def dump(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "phase": self.phase,
            "since": self.since,
            "top": self.top,
            "page": self.page,
            "feed_page": self.feed_page,
            "round_start": self.round_start,
            "last_round": self.last_round,
            "posts": self.posts,
            "pending": self.pending,
        }
