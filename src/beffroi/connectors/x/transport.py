"""How tweepy's ``requests`` session reaches the network (or a test double).

tweepy's ``Client`` sends every call through its ``requests.Session`` without a time-out. Beffroi mounts:
- in production, an ``HTTPAdapter`` that applies ``HTTP_TIMEOUT`` to every request (a hung connection must
  not hold a worker forever);
- when an ``httpx.Client`` is injected (tests, local tools — the same injection point every connector has),
  :class:`HttpxAdapter`, which hands each prepared request to that client: the tests' ``MockTransport``
  router then sees the real method, URL, query, OAuth 1.0a header and JSON body tweepy produced.
"""

from __future__ import annotations

from typing import Any

import httpx
import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

HOSTS = ("https://api.twitter.com", "https://api.x.com")


class TimeoutAdapter(HTTPAdapter):
    def __init__(self, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class HttpxAdapter(BaseAdapter):
    """A ``requests`` transport adapter backed by an ``httpx.Client``."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self.client = client

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        body = request.body
        content: bytes = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")  # type: ignore[arg-type]
        headers = {k: v.decode("latin-1") if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
        try:
            answer = self.client.request(
                request.method or "GET",
                request.url or "",
                headers=headers,
                content=content,
                timeout=timeout if isinstance(timeout, int | float) else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise requests.exceptions.Timeout(str(exc), request=request) from exc
        except httpx.TransportError as exc:
            raise requests.exceptions.ConnectionError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response._content = answer.content
        response.reason = answer.reason_phrase
        response.url = request.url or ""
        response.request = request
        response.encoding = answer.encoding or "utf-8"
        return response

    def close(self) -> None:
        pass


def configure_session(session: requests.Session, http: Any | None, *, timeout: float) -> None:
    """Mount the right adapter for the X API hosts on tweepy's session."""
    if isinstance(http, httpx.Client):
        adapter: BaseAdapter = HttpxAdapter(http)
    elif isinstance(http, BaseAdapter):
        adapter = http
    elif http is None:
        adapter = TimeoutAdapter(timeout)
    else:
        raise TypeError(f"cannot use {type(http).__name__} as the X connector's HTTP client")
    for host in HOSTS:
        session.mount(host, adapter)
