"""The state of the test platform: one page with its posts, comments, replies, private messages and
blocked authors, and the rules a real network applies. Pure Python and thread-safe; served over HTTP
by :mod:`beffroi.connectors.testplatform.server`, or used in-process (the replay connector's local
mode, for the demo).

What it does like a real platform:
- hides, unhides, deletes comments; replies publicly (a new comment by the page) and privately (a
  message to the commenter: only once per comment and within 7 days, like Facebook); likes;
  reports; blocks and unblocks authors;
- accepts an ``Idempotency-Key`` on every action. With ``honour_idempotency_keys`` (default) a
  repeated key answers the first result without applying again; switched off, it behaves like most
  social networks, where posting the same reply twice makes two replies — only the caller's
  reconciliation (looking for the key stored with the reply) then avoids duplicates;
- counts every application per (action, target), so tests can assert "applied exactly once".

Fault injection (:class:`Fault`): answer an error before applying (500, 503, 429 with or without
Retry-After, 401), apply then answer 500 ("the response was lost"), apply then drop the connection,
or wait longer than the client's time-out.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRIVATE_REPLY_WINDOW = dt.timedelta(days=7)


class PlatformError(Exception):
    """An error answer of the platform: HTTP status and JSON body."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass
class Fault:
    """One injected failure. ``action`` is an action name ("hide", "reply" …), "fetch" or "*";
    ``times`` how many requests it hits (then it is used up)."""

    kind: str  # "500" | "503" | "429" | "401" | "apply_then_500" | "apply_then_drop" | "drop" | "slow"
    action: str = "*"
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0  # for "slow": seconds to wait before answering

    def matches(self, action: str) -> bool:
        return self.times > 0 and self.action in ("*", action)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class PlatformStore:
    page_id: str = "page-1"
    page_name: str = "Commune de test"
    token: str = "jeton-de-test"
    honour_idempotency_keys: bool = True
    clock: Any = _now
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # ids in arrival order (the feed cursor)
    messages: list[dict[str, Any]] = field(default_factory=list)
    blocked: dict[str, dict[str, Any]] = field(default_factory=dict)
    applied: Counter[tuple[str, str]] = field(default_factory=Counter)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key -> first answer
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (action, target) of every action request

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1)

    # -- content -------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        with self.lock:
            while True:
                candidate = f"{prefix}-{next(self._ids)}"
                if candidate not in self.objects:
                    return candidate

    def add_post(self, text: str, *, post_id: str | None = None, published_at: dt.datetime | None = None) -> dict[str, Any]:
        with self.lock:
            post_id = post_id or self.new_id("post")
            obj = self._object(post_id, "post", text, author={"id": self.page_id, "name": self.page_name}, published_at=published_at)
            obj["from_page"] = True
            return copy.deepcopy(obj)

    def add_comment(
        self,
        parent_id: str,
        text: str,
        *,
        author: dict[str, Any] | None = None,
        comment_id: str | None = None,
        published_at: dt.datetime | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            parent = self.objects.get(parent_id)
            comment_id = comment_id or self.new_id("c")
            thread = (parent or {}).get("thread_id") or parent_id
            obj = self._object(
                comment_id,
                kind or ("comment" if parent is None or parent["kind"] == "post" else "reply"),
                text,
                author=author or {"id": "u-anon", "name": "Anonyme"},
                parent_id=parent_id,
                thread_id=thread,
                published_at=published_at,
            )
            return copy.deepcopy(obj)

    def add_private_message(self, text: str, *, author: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        with self.lock:
            message_id = message_id or self.new_id("m")
            obj = self._object(message_id, "private_message", text, author=author, thread_id=f"conv-{author.get('id', '')}")
            return copy.deepcopy(obj)

    def _object(
        self,
        obj_id: str,
        kind: str,
        text: str,
        *,
        author: dict[str, Any],
        parent_id: str = "",
        thread_id: str = "",
        published_at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        if obj_id in self.objects:
            raise PlatformError(409, "duplicate_id", f"{obj_id} exists")
        obj = {
            "id": obj_id,
            "kind": kind,
            "text": text,
            "author": dict(author),
            "parent_id": parent_id,
            "thread_id": thread_id or obj_id,
            "published_at": _iso(published_at or self.clock()),
            "hidden": False,
            "deleted": False,
            "likes": 0,
            "liked_by_page": False,
            "from_page": False,
            "url": f"https://test-platform.invalid/{self.page_id}/{obj_id}",
            "reports": [],
            "meta": {},
        }
        self.objects[obj_id] = obj
        self.order.append(obj_id)
        return obj

    def get(self, obj_id: str) -> dict[str, Any]:
        with self.lock:
            obj = self.objects.get(obj_id)
            if obj is None or obj["deleted"]:
                raise PlatformError(404, "not_found", "Object does not exist")
            return copy.deepcopy(obj)

    def feed(self, after: int = 0, limit: int = 50) -> tuple[list[dict[str, Any]], int, bool]:
        """Objects in arrival order after position ``after``: (items, next position, more to come)."""
        with self.lock:
            ids = self.order[after : after + limit]
            items = [copy.deepcopy(self.objects[i]) for i in ids if not self.objects[i]["deleted"]]
            nxt = after + len(ids)
            return items, nxt, nxt < len(self.order)

    def replies_of(self, obj_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(o) for o in self.objects.values() if o["parent_id"] == obj_id and not o["deleted"]]

    def messages_for(self, comment_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(m) for m in self.messages if m["comment_id"] == comment_id]

    # -- faults --------------------------------------------------------------------------------
    def inject(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, action: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(action):
                    fault.times -= 1
                    return copy.copy(fault)
            return None

    # -- actions -------------------------------------------------------------------------------
    def check_token(self, token: str | None) -> None:
        if token != self.token:
            raise PlatformError(401, "invalid_token", "The access token is invalid or has expired")

    def act(self, action: str, target: str, *, key: str = "", params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Apply an action; returns the answer body. Raises PlatformError."""
        params = params or {}
        with self.lock:
            self.requests.append((action, target))
            if key and self.honour_idempotency_keys and key in self.keys:
                return copy.deepcopy(self.keys[key])
            answer = self._apply(action, target, params, key)
            self.applied[(action, target)] += 1
            if key:
                self.keys[key] = copy.deepcopy(answer)
            return answer

    def _apply(self, action: str, target: str, params: dict[str, Any], key: str) -> dict[str, Any]:
        if action in ("block_author", "unblock_author"):
            if action == "block_author":
                self.blocked[target] = {"duration_days": params.get("duration_days"), "reason": params.get("reason", "")}
            else:
                self.blocked.pop(target, None)
            return {"success": True}
        obj = self.objects.get(target)
        if obj is None or obj["deleted"]:
            raise PlatformError(404, "not_found", "Object does not exist")
        if action in ("hide", "unhide"):
            if obj["kind"] == "post" or obj["from_page"]:
                raise PlatformError(400, "not_allowed", "Only comments by other people can be hidden")
            obj["hidden"] = action == "hide"
            return {"success": True, "hidden": obj["hidden"]}
        if action == "delete":
            obj["deleted"] = True
            return {"success": True}
        if action == "like":
            obj["liked_by_page"] = True
            obj["likes"] += 0 if obj.get("_liked") else 1
            obj["_liked"] = True
            return {"success": True}
        if action == "report":
            obj["reports"].append({"reason": params.get("reason", ""), "key": key})
            return {"success": True}
        text = str(params.get("text", "")).strip()
        if not text:
            raise PlatformError(400, "empty_text", "Text is required")
        if action == "reply":
            reply = self._object(
                self.new_id("r"),
                "reply",
                text,
                author={"id": self.page_id, "name": self.page_name},
                parent_id=target,
                thread_id=obj["thread_id"],
            )
            reply["from_page"] = True
            reply["meta"] = {"idempotency_key": key}
            return {"id": reply["id"]}
        if action == "private_reply":
            if any(m["comment_id"] == target for m in self.messages):
                raise PlatformError(400, "already_replied", "A private reply was already sent for this comment")
            if self.clock() - _parse(obj["published_at"]) > PRIVATE_REPLY_WINDOW:
                raise PlatformError(400, "window_closed", "Private replies are allowed within 7 days of the comment")
            message = {"id": self.new_id("pm"), "comment_id": target, "to": obj["author"].get("id"), "text": text, "idempotency_key": key}
            self.messages.append(message)
            return {"id": message["id"]}
        raise PlatformError(400, "unknown_action", f"Unknown action {action}")

    # -- snapshot / persistence (local mode) ---------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "page_id": self.page_id,
                "page_name": self.page_name,
                "objects": copy.deepcopy(self.objects),
                "order": list(self.order),
                "messages": copy.deepcopy(self.messages),
                "blocked": copy.deepcopy(self.blocked),
                "applied": [[a, t, n] for (a, t), n in self.applied.items()],
                "keys": copy.deepcopy(self.keys),
            }

    def restore(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.objects = data.get("objects", {})
            self.order = data.get("order", [])
            self.messages = data.get("messages", [])
            self.blocked = data.get("blocked", {})
            self.applied = Counter({(a, t): n for a, t, n in data.get("applied", [])})
            self.keys = data.get("keys", {})


_file_locks: dict[str, threading.Lock] = {}
_file_locks_guard = threading.Lock()


@contextmanager
def file_store(path: str | os.PathLike[str], **options: Any) -> Iterator[PlatformStore]:
    """A store persisted in a JSON file (the replay connector's local mode): loaded, used, saved
    atomically. Unknown objects acted on are created on the fly (the demo's items exist only in
    Beffroi's database)."""
    target = Path(path)
    with _file_locks_guard:
        lock = _file_locks.setdefault(str(target.resolve()), threading.Lock())
    with lock:
        store = PlatformStore(**options)
        if target.exists():
            store.restore(json.loads(target.read_text(encoding="utf-8")))
        yield store
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".replay-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(store.snapshot(), out, ensure_ascii=False)
        os.replace(tmp, target)
