"""Helpers for connector tests (no network): a routing MockTransport that records requests, and
fixtures loading. Every connector's contract tests can use them::

    graph = Router()
    graph.add("GET", "/v21.0/123/feed", json=load_fixture(__file__, "feed.json"))
    connector = FacebookConnector(config, http=graph.client())
    ...
    assert graph.requests[0].url.params["fields"] == ...
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from beffroi.connectors.http import Backoff, HttpClient, HttpStats


def load_fixture(test_file: str, name: str) -> Any:
    """Load ``fixtures/<name>`` of the connector folder that holds ``test_file`` (tests/…)."""
    folder = Path(test_file).resolve().parent
    for candidate in (folder / "fixtures" / name, folder.parent / "fixtures" / name):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            return json.loads(text) if name.endswith(".json") else text
    raise FileNotFoundError(name)


def fixture_bytes(test_file: str, name: str) -> bytes:
    folder = Path(test_file).resolve().parent
    for candidate in (folder / "fixtures" / name, folder.parent / "fixtures" / name):
        if candidate.is_file():
            return candidate.read_bytes()
    raise FileNotFoundError(name)


Responder = Callable[[httpx.Request], httpx.Response]


@dataclass
class Route:
    method: str
    path: str
    responses: deque[Responder | httpx.Response | Exception]
    repeat_last: bool = True


class Router:
    """A MockTransport handler: (method, path) → queued responses; every request is recorded."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str,
        path: str,
        *responses: httpx.Response | Responder | Exception,
        json: Any = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Router:
        queue: deque[Responder | httpx.Response | Exception] = deque(responses)
        if json is not None or not responses:
            queue.append(httpx.Response(status, json=json if json is not None else {}, headers=headers))
        self.routes[(method.upper(), path)] = Route(method.upper(), path, queue)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            route = self.routes.get((request.method, request.url.path))
            if route is None:
                return httpx.Response(
                    404,
                    json={"error": {"message": f"no route {request.method} {request.url.path}", "code": 803}},
                )
            item = (
                route.responses[0]
                if len(route.responses) == 1 and route.repeat_last
                else route.responses.popleft()
            )
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return httpx.Response(item.status_code, headers=item.headers, content=item.content)
        return item(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def http(self, *, seed: int = 7, retries: int = 3, max_inline_wait: float = 30.0) -> HttpClient:
        """An HttpClient over this router that never really sleeps (the waits are recorded in stats)."""
        stats = HttpStats()

        def fake_sleep(seconds: float) -> None:
            pass

        return HttpClient(
            client=self.client(),
            backoff=Backoff(seed=seed),
            sleep=fake_sleep,
            retries=retries,
            max_inline_wait=max_inline_wait,
            stats=stats,
        )

    def calls(self, method: str | None = None, path: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.url.path == path)
        ]


def form(request: httpx.Request) -> dict[str, str]:
    """The url-encoded body of a request."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.content.decode()))


def json_payload(request: httpx.Request) -> Any:
    return json.loads(request.content.decode())
