"""AT Protocol objects (lexicon JSON) → the connector interface's items.

- ``app.bsky.notification.listNotifications#notification``: ``uri``, ``cid``, ``author``
  (``app.bsky.actor.defs#profileView``), ``reason`` (reply, mention, quote …), ``record`` (the
  ``app.bsky.feed.post`` record: ``text``, ``createdAt``, ``reply.root`` / ``reply.parent`` strong refs),
  ``indexedAt``;
- ``app.bsky.feed.defs#postView`` (in threads and feeds): the same plus ``replyCount``, ``repostCount``,
  ``likeCount``, ``quoteCount``, ``threadgate``.

An item's ``external_id`` is the post's AT URI (``at://<did>/app.bsky.feed.post/<rkey>``), stable for
the life of the post; ``thread_external_id`` is the URI of the thread's root post (``reply.root.uri``),
``parent_external_id`` the post it answers (``reply.parent.uri``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from beffroi.connectors.base import FetchedAuthor, FetchedItem

POST = "app.bsky.feed.post"
THREADGATE = "app.bsky.feed.threadgate"
BLOCK = "app.bsky.graph.block"
LIKE = "app.bsky.feed.like"
WEB = "https://bsky.app"


@dataclass(frozen=True)
class AtUri:
    repo: str  # the DID (or handle) of the repository
    collection: str
    rkey: str

    @classmethod
    def parse(cls, uri: str) -> AtUri:
        if not uri.startswith("at://"):
            raise ValueError(f"not an AT URI: {uri!r}")
        parts = uri[len("at://") :].split("/")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"not a record AT URI: {uri!r}")
        return cls(parts[0], parts[1], parts[2])

    def __str__(self) -> str:
        return f"at://{self.repo}/{self.collection}/{self.rkey}"


def did_of(uri: str) -> str:
    try:
        return AtUri.parse(uri).repo
    except ValueError:
        return ""


def parse_time(value: str | None) -> dt.datetime:
    """An RFC 3339 datetime of the AT Protocol (``2024-06-01T09:30:00.123Z``), aware, in UTC."""
    if not value:
        return dt.datetime.fromtimestamp(0, tz=dt.UTC)
    text = value.strip().replace("Z", "+00:00")
    # Python < 3.11 cannot read more than 6 fraction digits; some clients write nanoseconds.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.fromtimestamp(0, tz=dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def web_url(uri: str, handle: str = "") -> str:
    """The post's address in the Bluesky web app (bsky.app accepts a handle or a DID)."""
    try:
        at = AtUri.parse(uri)
    except ValueError:
        return ""
    if at.collection != POST:
        return ""
    actor = handle if handle and handle != "handle.invalid" else at.repo
    return f"{WEB}/profile/{actor}/post/{at.rkey}"


def author_of(profile: Mapping[str, Any] | None) -> FetchedAuthor | None:
    if not profile or not profile.get("did"):
        return None
    handle = str(profile.get("handle") or "")
    metadata: dict[str, Any] = {}
    for key, name in (("createdAt", "created_at"), ("followersCount", "followers"), ("postsCount", "posts")):
        if profile.get(key) is not None:
            metadata[name] = profile[key]
    return FetchedAuthor(
        external_id=str(profile["did"]),
        handle=handle,
        display_name=str(profile.get("displayName") or ""),
        profile_url=f"{WEB}/profile/{handle or profile['did']}",
        metadata=metadata,
    )


def reply_refs(record: Mapping[str, Any]) -> tuple[str, str]:
    """(root uri, parent uri) of a post record; ("", "") for a top-level post."""
    reply = record.get("reply") or {}
    root = str((reply.get("root") or {}).get("uri") or "")
    parent = str((reply.get("parent") or {}).get("uri") or "")
    return root, parent


def kind_of(uri: str, record: Mapping[str, Any], *, account_did: str, reason: str = "") -> str:
    """post (top level), comment (a direct answer to a post), reply (an answer to an answer), mention."""
    root, parent = reply_refs(record)
    if not parent:
        return "mention" if reason in ("mention", "quote") and did_of(uri) != account_did else "post"
    return "comment" if parent == root else "reply"


def post_item(
    view: Mapping[str, Any],
    *,
    account_did: str,
    reason: str = "",
    hidden: frozenset[str] = frozenset(),
    raw_extra: Mapping[str, Any] | None = None,
) -> FetchedItem | None:
    """An item from a ``postView`` or a ``notification`` (both have uri, cid, author, record)."""
    uri = str(view.get("uri") or "")
    record = view.get("record") or {}
    if not uri or not isinstance(record, Mapping) or did_of(uri) == "" or AtUri.parse(uri).collection != POST:
        return None
    root, parent = reply_refs(record)
    author = author_of(view.get("author"))
    from_account = did_of(uri) == account_did
    kind = kind_of(uri, record, account_did=account_did, reason=reason)
    moderated: bool | None = None
    if reason == "quote" and did_of(root or uri) != account_did:
        moderated = False  # someone's own post quoting the commune: watched, not the commune's space
    raw = dict(view)
    if raw_extra:
        raw.update(raw_extra)
    return FetchedItem(
        external_id=uri,
        kind=kind,
        text=str(record.get("text") or ""),
        published_at=parse_time(str(record.get("createdAt") or view.get("indexedAt") or "")),
        author=author,
        url=web_url(uri, author.handle if author else ""),
        parent_external_id=parent,
        thread_external_id=root or uri,
        is_from_account=from_account,
        is_hidden=uri in hidden,
        likes=int(view.get("likeCount") or 0),
        shares=int(view.get("repostCount") or 0) + int(view.get("quoteCount") or 0),
        raw=raw,
        moderated=moderated,
    )


def thread_posts(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every post view of a ``getPostThread`` tree (``#threadViewPost`` nodes; blocked and not-found
    nodes are skipped), parents before their replies."""
    out: list[Mapping[str, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        post = current.get("post") if isinstance(current, Mapping) else None
        if not isinstance(post, Mapping):
            continue  # app.bsky.feed.defs#blockedPost / #notFoundPost
        out.append(post)
        replies = current.get("replies") or []
        stack.extend(reversed([r for r in replies if isinstance(r, Mapping)]))
    return out


def hidden_replies(post_view: Mapping[str, Any]) -> frozenset[str]:
    """URIs hidden by the thread gate shown with a root post view (``threadgate.record.hiddenReplies``)."""
    gate = post_view.get("threadgate") or {}
    record = gate.get("record") or {}
    return frozenset(str(u) for u in record.get("hiddenReplies") or [])
