"""The Facebook polling cursor: a small state machine stored as JSON in Account.cursor.

A round lists the feed (``feed_after`` paging), queues the posts whose comments changed (``pending``),
scans them one page at a time (``current``), and remembers per post its creation time ``t``, the
newest comment seen ``c`` and the comment count ``n`` (``posts``), so the next round only reads what
is new. An interrupted round resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CURSOR_VERSION = 1


class PollState:
    """The polling cursor, as a small state machine (stored as JSON in Account.cursor)."""

    def __init__(self) -> None:
        self.round_start: int | None = None
        self.since = 0
        self.last_round: int | None = None
        self.feed_after: str | None = None
        self.feed_done = False
        self.pending: list[str] = []
        self.current: dict[str, Any] | None = None
        self.posts: dict[str, dict[str, Any]] = {}
        self.conv_after: str | None = None
        self.conv_done = False
        self.conv_since: int | None = None

    @classmethod
    def load(cls, cursor: Mapping[str, Any]) -> PollState:
        state = cls()
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            return state
        state.round_start = cursor.get("round_start")
        state.since = int(cursor.get("since") or 0)
        state.last_round = cursor.get("last_round")
        state.feed_after = cursor.get("feed_after")
        state.feed_done = bool(cursor.get("feed_done"))
        state.pending = list(cursor.get("pending") or [])
        state.current = dict(cursor["current"]) if cursor.get("current") else None
        state.posts = {k: dict(v) for k, v in (cursor.get("posts") or {}).items()}
        state.conv_after = cursor.get("conv_after")
        state.conv_done = bool(cursor.get("conv_done"))
        state.conv_since = cursor.get("conv_since")
        return state

    def dump(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "round_start": self.round_start,
            "since": self.since,
            "last_round": self.last_round,
            "feed_after": self.feed_after,
            "feed_done": self.feed_done,
            "pending": list(self.pending),
            "current": dict(self.current) if self.current else None,
            "posts": {k: dict(v) for k, v in self.posts.items()},
            "conv_after": self.conv_after,
            "conv_done": self.conv_done,
            "conv_since": self.conv_since,
        }

    def start_round(self, now: int, *, since: int) -> None:
        self.round_start = now
        self.since = since
        self.feed_after = None
        self.feed_done = False
        self.pending = []
        self.current = None
        self.conv_after = None
        self.conv_done = False
        self.conv_since = self.last_round

    def queue(self, post_id: str, created: int, count: int) -> None:
        entry = self.posts.setdefault(post_id, {"t": created, "c": None, "n": None})
        entry["t"] = created
        entry["pending_n"] = count
        if post_id not in self.pending and (self.current or {}).get("post") != post_id:
            self.pending.append(post_id)

    def finish_post(self, post_id: str, newest: int | None) -> None:
        entry = self.posts.setdefault(post_id, {"t": 0, "c": None, "n": None})
        if newest is not None:
            entry["c"] = max(entry.get("c") or 0, newest)
        entry["n"] = entry.pop("pending_n", entry.get("n"))
        self.current = None

    def end_round(self) -> None:
        self.last_round = self.round_start
        # Forget posts that left the window: they are no longer listed, so no longer scanned.
        self.posts = {k: v for k, v in self.posts.items() if (v.get("t") or 0) >= self.since}
        self.round_start = None
        self.feed_after = None
        self.feed_done = False
        self.pending = []
        self.current = None
        self.conv_after = None
        self.conv_done = False
