"""The test platform as a real local HTTP service (threaded ``http.server``, no Django).

API (JSON; every call but ``/_admin`` needs ``Authorization: Bearer <token>``):

==========  =====================================  ==============================================
GET         /v1/feed?after=N&limit=M               objects in arrival order, ``next`` position, ``has_more``
GET         /v1/items/<id>                         one object
GET         /v1/items/<id>/replies                 replies under it (the page's carry ``meta``)
GET         /v1/items/<id>/messages                private replies sent for this comment
POST        /v1/items/<id>/hide | unhide | like    ``Idempotency-Key`` header honoured (option)
POST        /v1/items/<id>/report                  ``{"reason": …}``
POST        /v1/items/<id>/replies                 ``{"text": …}`` → ``{"id": …}``
POST        /v1/items/<id>/private_replies         ``{"text": …}`` → ``{"id": …}`` (once, 7 days)
DELETE      /v1/items/<id>
POST        /v1/authors/<id>/block                 ``{"duration_days": …, "reason": …}``
DELETE      /v1/authors/<id>/block
GET/POST    /_admin/state, /_admin/comments,       inspect, seed, inject faults (tests, demo)
            /_admin/faults
==========  =====================================  ==============================================

Start it from tests with ``TestPlatformServer().start()`` (a free port on 127.0.0.1), or by hand:
``python -m beffroi.connectors.testplatform --port 8765``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from beffroi.connectors.testplatform.store import Fault, PlatformError, PlatformStore

_ITEM = re.compile(r"^/v1/items/(?P<id>[^/]+)(?:/(?P<sub>[a-z_]+))?$")
_AUTHOR = re.compile(r"^/v1/authors/(?P<id>[^/]+)/block$")
_POST_ACTIONS = {"hide": "hide", "unhide": "unhide", "like": "like", "report": "report", "replies": "reply", "private_replies": "private_reply"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # -- plumbing ------------------------------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        raw = self.rfile.read(length)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise PlatformError(400, "bad_json", "Invalid JSON body") from None
        return data if isinstance(data, dict) else {}

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(2)

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        store = self.server.store
        url = urlsplit(self.path)
        try:
            body = self._body() if method in ("POST", "DELETE") else {}
            if url.path.startswith("/_admin/"):
                self._send(200, self._admin(method, url.path, body))
                return
            store.check_token(self._token())
            self._api(method, url.path, parse_qs(url.query), body)
        except PlatformError as exc:
            self._send(exc.status, exc.body(), exc.headers)

    # -- the API -------------------------------------------------------------------------------
    def _api(self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any]) -> None:
        store = self.server.store
        if method == "GET" and path == "/v1/feed":
            fault = store.take_fault("fetch")
            if fault is not None and self._fail_before(fault):
                return
            after = int((query.get("after") or ["0"])[0] or 0)
            limit = min(100, int((query.get("limit") or ["50"])[0] or 50))
            items, nxt, more = store.feed(after, limit)
            self._send(200, {"items": items, "next": nxt, "has_more": more})
            return
        match = _ITEM.match(path)
        author = _AUTHOR.match(path)
        if method == "GET" and match:
            obj_id, sub = match.group("id"), match.group("sub")
            if sub is None:
                self._send(200, store.get(obj_id))
            elif sub == "replies":
                store.get(obj_id)
                self._send(200, {"data": store.replies_of(obj_id)})
            elif sub == "messages":
                self._send(200, {"data": store.messages_for(obj_id)})
            else:
                raise PlatformError(404, "no_route", path)
            return
        if match and method == "DELETE" and match.group("sub") is None:
            self._act("delete", match.group("id"), body)
            return
        if match and method == "POST" and match.group("sub") in _POST_ACTIONS:
            self._act(_POST_ACTIONS[match.group("sub") or ""], match.group("id"), body)
            return
        if author and method in ("POST", "DELETE"):
            self._act("block_author" if method == "POST" else "unblock_author", author.group("id"), body)
            return
        raise PlatformError(404, "no_route", f"{method} {path}")

    def _fail_before(self, fault: Fault) -> bool:
        """Answer the error of a fault that strikes before applying; True if it did."""
        if fault.kind in ("500", "503"):
            self._send(int(fault.kind), {"error": {"code": "server_error", "message": "Internal error"}})
            return True
        if fault.kind == "429":
            headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
            self._send(429, {"error": {"code": "rate_limited", "message": "Too many requests"}}, headers)
            return True
        if fault.kind == "401":
            self._send(401, {"error": {"code": "invalid_token", "message": "Token expired"}})
            return True
        if fault.kind == "drop":
            self._drop()
            return True
        if fault.kind == "slow":
            time.sleep(fault.delay)
        return False

    def _act(self, action: str, target: str, body: dict[str, Any]) -> None:
        store = self.server.store
        fault = store.take_fault(action)
        if fault is not None and self._fail_before(fault):
            return
        answer = store.act(action, target, key=self.headers.get("Idempotency-Key", ""), params=body)
        if fault is not None and fault.kind == "apply_then_500":
            self._send(500, {"error": {"code": "server_error", "message": "Internal error"}})
            return
        if fault is not None and fault.kind == "apply_then_drop":
            self._drop()
            return
        self._send(200, answer)

    # -- admin (tests and demo) ----------------------------------------------------------------
    def _admin(self, method: str, path: str, body: dict[str, Any]) -> Any:
        store = self.server.store
        if path == "/_admin/state":
            return store.snapshot()
        if path == "/_admin/faults" and method == "POST":
            store.inject(Fault(**body))
            return {"faults": len(store.faults)}
        if path == "/_admin/posts" and method == "POST":
            return store.add_post(str(body.get("text", "")), post_id=body.get("id"))
        if path == "/_admin/comments" and method == "POST":
            return store.add_comment(str(body.get("parent_id", "")), str(body.get("text", "")), author=body.get("author"), comment_id=body.get("id"))
        raise PlatformError(404, "no_route", path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    store: PlatformStore


class TestPlatformServer:
    """A running test platform: ``url``, ``store`` (inspect and seed it directly), ``stop()``."""

    __test__ = False  # not a pytest test class

    def __init__(self, store: PlatformStore | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = store or PlatformStore()
        self._server = _Server((host, port), _Handler)
        self._server.store = self.store
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> TestPlatformServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-platform", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TestPlatformServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
