"""Reading X: the polling round (as a resumable cursor) and the mapping of v2 tweets to items.

A round makes one API call per ``fetch``:
1. ``GET /2/users/:id/tweets`` (``exclude=retweets,replies``): the account's own posts, i.e. the
   conversations it started (remembered for ``SYNC_ACTIVE_DAYS``), read first so that replies in them are
   recognised as replies to moderate rather than mere mentions;
2. ``GET /2/users/:id/mentions`` (``since_id`` = newest mention of the previous round), every page;
3. for the conversations of the last 7 days, ``GET /2/tweets/search/recent`` with ``conversation_id:A OR conversation_id:B …`` (batches that fit the
   512-character query limit), every page: all replies in those conversations, including replies to
   replies that do not mention the account. Recent search only covers the last 7 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from beffroi.connectors.base import FetchedAuthor, FetchedItem

TWEET_FIELDS = ["author_id", "conversation_id", "created_at", "in_reply_to_user_id", "referenced_tweets", "public_metrics", "lang"]
USER_FIELDS = ["username", "name", "created_at", "public_metrics"]
EXPANSIONS = ["author_id", "referenced_tweets.id"]
QUERY_MAX = 512
SEARCH_WINDOW_DAYS = 7
CURSOR_VERSION = 1
CONV_AUTHOR_KEY = "beffroi_conversation_author_id"


def parse_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def id_max(*values: str | None) -> str | None:
    present = [v for v in values if v]
    return max(present, key=int) if present else None


def conversation_batches(ids: list[str], prefix: str = "") -> list[list[str]]:
    """Group conversation ids so that ``(conversation_id:A OR …)`` stays under the query limit."""
    batches: list[list[str]] = []
    current: list[str] = []
    for conv in ids:
        candidate = [*current, conv]
        if current and len(prefix + build_query(candidate)) > QUERY_MAX:
            batches.append(current)
            candidate = [conv]
        current = candidate
    if current:
        batches.append(current)
    return batches


def build_query(ids: list[str]) -> str:
    inner = " OR ".join(f"conversation_id:{c}" for c in ids)
    return f"({inner})" if len(ids) > 1 else inner


def replied_to(tweet: Mapping[str, Any]) -> str:
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            return str(ref.get("id"))
    return ""


def users_by_id(payload: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(u.get("id")): u for u in ((payload.get("includes") or {}).get("users") or [])}


def author_of(user: Mapping[str, Any] | None, author_id: str, at: dt.datetime) -> FetchedAuthor | None:
    if not author_id:
        return None
    user = user or {}
    metadata: dict[str, Any] = {}
    if user.get("created_at"):
        created = parse_time(user["created_at"])
        metadata["created_at"] = created.isoformat()
        metadata["account_age_days"] = max(0, (at - created).days)
    followers = (user.get("public_metrics") or {}).get("followers_count")
    if followers is not None:
        metadata["followers"] = int(followers)
    username = str(user.get("username") or "")
    return FetchedAuthor(
        external_id=author_id,
        handle=f"@{username}" if username else "",
        display_name=str(user.get("name") or ""),
        profile_url=f"https://x.com/{username}" if username else "",
        metadata=metadata,
    )


def tweet_item(tweet: Mapping[str, Any], user: Mapping[str, Any] | None, *, me: str, own_conversations: set[str]) -> FetchedItem:
    """Map a v2 tweet. Replies in a conversation the account started are moderated (``comment`` when they
    answer the account's post, ``reply`` deeper); mentions elsewhere are only watched."""
    tweet_id = str(tweet["id"])
    author_id = str(tweet.get("author_id") or "")
    conversation = str(tweet.get("conversation_id") or "")
    parent = replied_to(tweet)
    published = parse_time(tweet.get("created_at") or dt.datetime.now(tz=dt.UTC))
    raw = dict(tweet)
    own_conversation = bool(conversation) and conversation in own_conversations
    if not conversation and parent and str(tweet.get("in_reply_to_user_id") or "") == me and parent in own_conversations:
        conversation, own_conversation = parent, True  # v1.1 webhook payloads have no conversation_id
    if own_conversation or (author_id == me and (not conversation or conversation == tweet_id)):
        raw[CONV_AUTHOR_KEY] = me
    from_me = author_id == me
    moderated: bool | None = None
    if from_me:
        kind = "post" if not parent else "reply"
    elif own_conversation:
        kind = "comment" if parent == conversation else "reply"
    else:
        kind, moderated = "mention", False
    username = str((user or {}).get("username") or "")
    metrics = tweet.get("public_metrics") or {}
    return FetchedItem(
        external_id=tweet_id,
        kind=kind,
        text=str(tweet.get("text") or ""),
        published_at=published,
        author=author_of(user, author_id, published),
        url=f"https://x.com/{username}/status/{tweet_id}" if username else f"https://x.com/i/web/status/{tweet_id}",
        parent_external_id=parent,
        thread_external_id=conversation or parent or tweet_id,
        is_from_account=from_me,
        likes=int(metrics.get("like_count") or 0),
        shares=int(metrics.get("retweet_count") or 0) + int(metrics.get("quote_count") or 0),
        raw=raw,
        moderated=moderated,
    )


class Round:
    """The polling cursor (stored as JSON in Account.cursor)."""

    def __init__(self) -> None:
        self.round_start: int | None = None
        self.last_round: int | None = None
        self.phase = "own"
        self.mentions_since: str | None = None
        self.mentions_newest: str | None = None
        self.next_token: str | None = None
        self.own_since: str | None = None
        self.own_newest: str | None = None
        self.convs: dict[str, dict[str, Any]] = {}
        self.batches: list[list[str]] = []
        self.batch_newest: dict[str, str] = {}

    @classmethod
    def load(cls, cursor: Mapping[str, Any]) -> Round:
        state = cls()
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            return state
        for key in ("round_start", "last_round", "mentions_since", "mentions_newest", "next_token", "own_since", "own_newest"):
            setattr(state, key, cursor.get(key))
        state.phase = str(cursor.get("phase") or "own")
        state.convs = {k: dict(v) for k, v in (cursor.get("convs") or {}).items()}
        state.batches = [list(b) for b in cursor.get("batches") or []]
        state.batch_newest = dict(cursor.get("batch_newest") or {})
        return state

    def dump(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "round_start": self.round_start,
            "last_round": self.last_round,
            "phase": self.phase,
            "mentions_since": self.mentions_since,
            "mentions_newest": self.mentions_newest,
            "next_token": self.next_token,
            "own_since": self.own_since,
            "own_newest": self.own_newest,
            "convs": self.convs,
            "batches": self.batches,
            "batch_newest": self.batch_newest,
        }

    def start(self, now: int) -> None:
        self.round_start, self.phase, self.next_token = now, "own", None
        self.mentions_newest = self.own_newest = None
        self.batches, self.batch_newest = [], {}

    def own_conversations(self) -> set[str]:
        return set(self.convs)

    def plan_searches(self, *, keep_since: int, search_since: int) -> None:
        self.convs = {k: v for k, v in self.convs.items() if int(v.get("t") or 0) >= keep_since}
        ordered = sorted((k for k, v in self.convs.items() if int(v.get("t") or 0) >= search_since), key=int)
        self.batches = conversation_batches(ordered)
        self.phase = "search" if self.batches else "done"

    def end(self) -> None:
        self.last_round = self.round_start
        self.round_start, self.phase, self.next_token, self.batches, self.batch_newest = None, "own", None, [], {}
