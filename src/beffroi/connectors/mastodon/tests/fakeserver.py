"""A local HTTP server speaking the documented Mastodon REST and streaming API, for Mastodon.py to talk to.

It serves the fixtures (``../fixtures``: entities in the shape of docs.joinmastodon.org's examples) and
keeps state like an instance would: statuses created with ``POST /api/v1/statuses`` (one per
``Idempotency-Key``), deletions (own statuses only), reports, blocks, mutes, v2 filters. Every request
is recorded (method, path, query, form or JSON body, headers) for the tests to check. ``fail(method,
path, status, headers)`` queues error answers; ``stream`` holds the server-sent events of each
connection to ``GET /api/v1/streaming/user``.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOKEN = "mastodon-token-fixture-0123456789"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class StreamConnection:
    """What one connection to the user stream sends, then: ``close`` (drop it) or hold until stopped."""

    events: list[tuple[str, Any]]  # (event name, payload) ; name "" = heartbeat comment
    then: str = "close"


@dataclass
class State:
    accounts: dict[str, Any] = field(default_factory=lambda: fixture("accounts.json"))
    statuses: dict[str, Any] = field(default_factory=dict)  # id → Status
    notifications: list[Any] = field(default_factory=lambda: fixture("notifications.json"))  # newest first
    idempotency: dict[str, str] = field(default_factory=dict)
    reports: list[Any] = field(default_factory=list)
    relationships: dict[str, dict[str, Any]] = field(default_factory=dict)
    filters: list[Any] = field(default_factory=list)
    next_id: int = 112600000000000000


class FakeMastodon:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.state = State()
        for status in fixture("statuses.json").values():
            self.state.statuses[status["id"]] = status
        self.requests: list[Recorded] = []
        self.failures: dict[tuple[str, str], deque[tuple[int, dict[str, str], Any]]] = {}
        self.stream: deque[StreamConnection] = deque()
        self.stream_connections = 0
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-mastodon",
            daemon=True,
        )

    # -- life cycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeMastodon:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    # -- test helpers ----------------------------------------------------------------------
    def fail(
        self, method: str, path: str, status: int, headers: dict[str, str] | None = None, body: Any = None
    ) -> None:
        """Answer the next ``method path`` with this status (queued: call several times for several)."""
        self.failures.setdefault((method.upper(), path), deque()).append((status, headers or {}, body))

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    @property
    def me(self) -> dict[str, Any]:
        return dict(self.state.accounts["commune"])

    def public(self, key: str) -> dict[str, Any]:
        account = dict(self.state.accounts[key])
        account.pop("source", None)
        return account

    def add_status(self, status: dict[str, Any], *, notify: bool = False) -> dict[str, Any]:
        with self.lock:
            self.state.statuses[status["id"]] = status
            if notify:
                notification = {
                    "id": str(int(self.state.notifications[0]["id"]) + 1 if self.state.notifications else 1),
                    "type": "mention",
                    "created_at": status["created_at"],
                    "account": status["account"],
                    "status": status,
                }
                self.state.notifications.insert(0, notification)
        return status

    # -- the API -----------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _body(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not raw:
                    return {}
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    return dict(json.loads(raw))
                if (self.headers.get("Content-Type") or "").startswith("multipart/form-data"):
                    return {"_multipart": raw.decode(errors="replace")}
                parsed = parse_qs(raw.decode(), keep_blank_values=True)
                return {k: v if k.endswith("[]") else v[-1] for k, v in parsed.items()}

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                merged = {
                    "Content-Type": "application/json; charset=utf-8",
                    "Content-Length": str(len(data)),
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "299",
                    "X-RateLimit-Reset": time.strftime(
                        "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 300)
                    ),
                    **(headers or {}),
                }
                for key, value in merged.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _dispatch(self, method: str) -> None:
                parts = urlsplit(self.path)
                parts = parts._replace(
                    path=parts.path.rstrip("/") or "/"
                )  # Rails routes ignore a trailing slash
                query = parse_qs(parts.query, keep_blank_values=True)
                body = self._body() if method in ("POST", "PUT", "PATCH", "DELETE") else {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake.lock:
                    fake.requests.append(Recorded(method, parts.path, query, body, headers))
                    queued = fake.failures.get((method, parts.path))
                    failure = queued.popleft() if queued else None
                if failure is not None:
                    status, extra, payload = failure
                    self._send(status, payload if payload is not None else {"error": f"HTTP {status}"}, extra)
                    return
                if parts.path.startswith("/api/v1/instance") or parts.path == "/api/v2/instance":
                    instance = fixture("instance_v1.json")
                    instance["urls"]["streaming_api"] = fake.url.replace("http://", "ws://")
                    self._send(200, instance)
                    return
                if headers.get("authorization") != f"Bearer {fake.token}":
                    self._send(401, fixture("error_401.json"))
                    return
                if parts.path == "/api/v1/streaming/user":
                    self._stream()
                    return
                try:
                    status, payload, extra = fake.route(method, parts.path, query, body, headers)
                except KeyError:
                    status, payload, extra = 404, fixture("error_404.json"), {}
                self._send(status, payload, extra)

            def _stream(self) -> None:
                with fake.lock:
                    fake.stream_connections += 1
                    connection = fake.stream.popleft() if fake.stream else StreamConnection([], then="close")
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    for name, payload in connection.events:
                        if not name:
                            self.wfile.write(b":thump\n\n")
                        else:
                            data = json.dumps(payload) if not isinstance(payload, str) else payload
                            self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
                        self.wfile.flush()
                        time.sleep(0.02)
                    while connection.then == "hold" and not fake._stop.is_set():
                        self.wfile.write(b":thump\n\n")
                        self.wfile.flush()
                        time.sleep(0.1)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def do_PUT(self) -> None:
                self._dispatch("PUT")

            def do_DELETE(self) -> None:
                self._dispatch("DELETE")

        return Handler

    def route(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any],
        headers: dict[str, str],
    ) -> tuple[int, Any, dict[str, str]]:
        s = self.state
        me = self.me
        seg = path.strip("/").split("/")
        if (method, path) == ("GET", "/api/v1/accounts/verify_credentials"):
            return 200, me, {}
        if (method, path) == ("GET", "/api/v1/notifications"):
            types = query.get("types[]")
            items = [n for n in s.notifications if not types or n["type"] in types]
            return self._page(items, query, path)
        if (
            method == "GET"
            and seg[:3] == ["api", "v1", "accounts"]
            and len(seg) == 5
            and seg[4] == "statuses"
        ):
            account_id = seg[3]
            items = sorted(
                (
                    st
                    for st in s.statuses.values()
                    if st["account"]["id"] == account_id and not st.get("_deleted")
                ),
                key=lambda st: int(st["id"]),
                reverse=True,
            )
            return self._page(items, query, path)
        if method == "GET" and seg[:3] == ["api", "v1", "statuses"] and len(seg) == 4:
            status = s.statuses[seg[3]]
            if status.get("_deleted"):
                raise KeyError(seg[3])
            return 200, status, {}
        if method == "GET" and seg[:3] == ["api", "v1", "statuses"] and len(seg) == 5 and seg[4] == "context":
            root = s.statuses[seg[3]]
            return 200, {"ancestors": self._ancestors(root), "descendants": self._descendants(root["id"])}, {}
        if (method, path) == ("POST", "/api/v1/statuses"):
            return self._post_status(body, headers)
        if method == "DELETE" and seg[:3] == ["api", "v1", "statuses"] and len(seg) == 4:
            status = s.statuses[seg[3]]
            if status["account"]["id"] != me["id"] or status.get("_deleted"):
                raise KeyError(seg[3])  # Mastodon answers 404 for someone else's status
            status["_deleted"] = True
            return 200, {**status, "text": "(supprimé)"}, {}
        if (
            method == "POST"
            and seg[:3] == ["api", "v1", "statuses"]
            and len(seg) == 5
            and seg[4] == "favourite"
        ):
            status = s.statuses[seg[3]]
            status["favourited"] = True
            return 200, status, {}
        if (method, path) == ("POST", "/api/v1/reports"):
            report = fixture("report.json")
            report.update(
                id=str(48914 + len(s.reports)),
                comment=body.get("comment", ""),
                category=body.get("category", "other"),
                forwarded=body.get("forward") == "1",
                status_ids=body.get("status_ids[]", []),
                target_account=self._account_by_id(str(body["account_id"])),
            )
            s.reports.append(report)
            return 200, report, {}
        if method == "POST" and seg[:3] == ["api", "v1", "accounts"] and len(seg) == 5:
            account_id, verb = seg[3], seg[4]
            self._account_by_id(account_id)
            rel = s.relationships.setdefault(account_id, {**fixture("relationship.json"), "id": account_id})
            if verb in ("block", "unblock"):
                rel["blocking"] = verb == "block"
            elif verb in ("mute", "unmute"):
                rel["muting"] = verb == "mute"
                rel["muting_notifications"] = verb == "mute" and body.get("notifications", "1") == "1"
                rel["_duration"] = body.get("duration")
            else:
                raise KeyError(verb)
            return 200, {k: v for k, v in rel.items() if not k.startswith("_")}, {}
        if (method, path) == ("GET", "/api/v2/filters"):
            return 200, s.filters, {}
        if (method, path) == ("POST", "/api/v2/filters"):
            created = {
                **fixture("filter_v2.json"),
                "id": str(19972 + len(s.filters)),
                "title": body["title"],
                "context": body["context"],
            }
            created["filter_action"] = body.get("filter_action", "warn")
            s.filters.append(created)
            return 200, created, {}
        if method == "POST" and seg[:3] == ["api", "v2", "filters"] and len(seg) == 5:
            found = next(f for f in s.filters if f["id"] == seg[3])
            if seg[4] == "statuses":
                entry = {"id": str(700 + len(found["statuses"])), "status_id": body["status_id"]}
                found["statuses"].append(entry)
                return 200, entry, {}
            if seg[4] == "keywords":
                entry = {
                    "id": str(800 + len(found["keywords"])),
                    "keyword": body["keyword"],
                    "whole_word": body.get("whole_word") == "1",
                }
                found["keywords"].append(entry)
                return 200, entry, {}
        raise KeyError(path)

    # -- helpers -----------------------------------------------------------------------------
    def _account_by_id(self, account_id: str) -> dict[str, Any]:
        for key, account in self.state.accounts.items():
            if account["id"] == account_id:
                return self.public(key)
        raise KeyError(account_id)

    def _page(
        self, items: list[Any], query: dict[str, list[str]], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        """Mastodon's id paging: ``max_id`` (older than), ``since_id`` (newer than), ``limit``; Link header."""
        limit = min(int((query.get("limit") or ["20"])[0]), 40)
        max_id = (query.get("max_id") or [None])[0]
        since_id = (query.get("since_id") or [None])[0]
        selected = [
            i
            for i in items
            if (max_id is None or int(i["id"]) < int(max_id))
            and (since_id is None or int(i["id"]) > int(since_id))
        ]
        page = [copy.deepcopy(i) for i in selected[:limit]]
        headers = {}
        if page:
            links = [f'<{self.url}{path}?max_id={page[-1]["id"]}&limit={limit}>; rel="next"']
            links.append(f'<{self.url}{path}?min_id={page[0]["id"]}&limit={limit}>; rel="prev"')
            headers["Link"] = ", ".join(links)
        for item in page:
            item.pop("_deleted", None)
        return 200, page, headers

    def _ancestors(self, status: dict[str, Any]) -> list[Any]:
        out = []
        parent = status.get("in_reply_to_id")
        while parent and parent in self.state.statuses:
            out.insert(0, self.state.statuses[parent])
            parent = self.state.statuses[parent].get("in_reply_to_id")
        return out

    def _descendants(self, root_id: str) -> list[Any]:
        """Depth first, oldest first, like Mastodon."""
        out: list[Any] = []

        def walk(parent_id: str) -> Iterator[Any]:
            children = sorted(
                (
                    st
                    for st in self.state.statuses.values()
                    if st.get("in_reply_to_id") == parent_id and not st.get("_deleted")
                ),
                key=lambda st: int(st["id"]),
            )
            for child in children:
                yield child
                yield from walk(child["id"])

        out.extend(walk(root_id))
        return out

    def _post_status(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        s = self.state
        key = headers.get("idempotency-key")
        if key and key in s.idempotency:
            return 200, s.statuses[s.idempotency[key]], {}
        text = str(body.get("status") or "")
        if not text.strip():
            return 422, fixture("error_422.json"), {}
        s.next_id += 1
        parent = body.get("in_reply_to_id")
        parent_status = s.statuses.get(parent) if parent else None
        status = {
            "id": str(s.next_id),
            "uri": f"https://social.example/users/mairie/statuses/{s.next_id}",
            "url": f"https://social.example/@mairie/{s.next_id}",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "account": self.public("commune"),
            "content": "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>",
            "visibility": body.get("visibility", "public"),
            "language": body.get("language"),
            "in_reply_to_id": parent,
            "in_reply_to_account_id": parent_status["account"]["id"] if parent_status else None,
            "spoiler_text": "",
            "sensitive": False,
            "mentions": [],
            "media_attachments": [],
            "tags": [],
            "emojis": [],
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        }
        s.statuses[status["id"]] = status
        if parent_status:
            parent_status["replies_count"] = int(parent_status.get("replies_count") or 0) + 1
        if key:
            s.idempotency[key] = status["id"]
        return 200, status, {}
