"""Mastodon entities (https://docs.joinmastodon.org/entities/) → the connector interface's items.

- ``Status``: ``id``, ``created_at``, ``content`` (HTML), ``spoiler_text``, ``visibility`` (public,
  unlisted, private, direct), ``in_reply_to_id``, ``in_reply_to_account_id``, ``account``, ``url``/``uri``,
  ``replies_count``, ``reblogs_count``, ``favourites_count``, ``edited_at``;
- ``Notification``: ``id``, ``type`` (mention …), ``created_at``, ``account``, ``status``;
- ``Context`` (``GET /api/v1/statuses/:id/context``): ``ancestors`` and ``descendants`` (every depth).

Mastodon.py parses dates into aware datetimes and ids into strings; the raw payload kept with an item
is a JSON copy (dates in ISO 8601, UTC).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from beffroi.connectors.base import FetchedAuthor, FetchedItem

_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "li", "pre", "ul", "ol", "h1", "h2", "h3", "h4"})


class _TextExtractor(HTMLParser):
    """Mastodon's status HTML (p, br, a, span …) → plain text with line breaks; invisible parts of links
    (``<span class="invisible">https://</span>``) are kept so URLs stay whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS and self.parts and not "".join(self.parts).endswith("\n\n"):
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    if not content:
        return ""
    if "<" not in content:
        return html.unescape(content).strip()
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def plain(value: Any) -> Any:
    """A JSON-safe copy of a Mastodon.py object (AttribAccessDict, datetimes, id types), without nulls."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if v is not None and not str(k).startswith("_")}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def as_utc(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC)
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return dt.datetime.fromtimestamp(0, tz=dt.UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(0, tz=dt.UTC)


def author_of(account: Mapping[str, Any] | None) -> FetchedAuthor | None:
    if not account or not account.get("id"):
        return None
    metadata: dict[str, Any] = {}
    if account.get("created_at"):
        metadata["created_at"] = plain(account["created_at"])
    for key, name in (("followers_count", "followers"), ("statuses_count", "posts"), ("bot", "bot")):
        if account.get(key) is not None:
            metadata[name] = account[key]
    return FetchedAuthor(
        external_id=str(account["id"]),
        handle=str(account.get("acct") or account.get("username") or ""),
        display_name=str(account.get("display_name") or ""),
        profile_url=str(account.get("url") or ""),
        metadata=metadata,
    )


def status_text(status: Mapping[str, Any]) -> str:
    text = html_to_text(str(status.get("content") or ""))
    warning = str(status.get("spoiler_text") or "").strip()
    return f"{warning}\n\n{text}".strip() if warning else text


def status_item(
    status: Mapping[str, Any],
    *,
    account_id: str,
    roots: Mapping[str, Any] | None = None,
    thread_root: str = "",
) -> FetchedItem:
    """An item from a Status. ``roots``: the commune's top-level statuses (their replies are comments);
    ``thread_root``: the conversation's first status when known (from a context)."""
    roots = roots or {}
    status_id = str(status["id"])
    parent = str(status.get("in_reply_to_id") or "")
    author = author_of(status.get("account"))
    from_account = bool(author and author.external_id == account_id)
    if status.get("visibility") == "direct" and not from_account:
        kind = "private_message"
    elif not parent:
        kind = "post" if from_account else "mention"
    elif parent == thread_root or parent in roots:
        kind = "comment"
    else:
        kind = "reply"
    if not parent:
        thread = status_id
    elif thread_root:
        thread = thread_root
    elif parent in roots:
        thread = parent
    else:
        thread = ""  # unknown here: ingestion takes the parent's thread when the parent is stored
    return FetchedItem(
        external_id=status_id,
        kind=kind,
        text=status_text(status),
        published_at=as_utc(status.get("created_at")),
        author=author,
        url=str(status.get("url") or status.get("uri") or ""),
        parent_external_id=parent,
        thread_external_id=thread,
        is_from_account=from_account,
        likes=int(status.get("favourites_count") or 0),
        shares=int(status.get("reblogs_count") or 0),
        raw=plain(status),
    )
