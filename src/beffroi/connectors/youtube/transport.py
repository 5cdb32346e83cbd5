"""The HTTP layer under google-api-python-client.

googleapiclient talks to an ``httplib2``-style object (``request(uri, method, body, headers) ->
(response, content)``). In production that is ``google_auth_httplib2.AuthorizedHttp`` (adds the OAuth
bearer token, refreshes it from the refresh token on expiry) around ``httplib2.Http(timeout=HTTP_TIMEOUT)``.

When an ``httpx.Client`` is injected (tests, local tools — the injection point every connector has),
:class:`HttpxHttp` replaces the inner ``httplib2.Http``: the OAuth token refresh and every API call then go
through that client, so a ``MockTransport`` router sees the real requests (token endpoint included).
"""

from __future__ import annotations

from typing import Any

import httplib2
import httpx


class HttpxHttp:
    """An ``httplib2.Http`` look-alike backed by an ``httpx.Client``."""

    def __init__(self, client: httpx.Client, *, timeout: float | None = None) -> None:
        self.client = client
        self.timeout = timeout

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        try:
            answer = self.client.request(
                method,
                uri,
                content=content,
                headers=dict(headers or {}),
                timeout=self.timeout if self.timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise TimeoutError(str(exc)) from exc
        except httpx.TransportError as exc:
            raise ConnectionError(str(exc)) from exc
        info = {k.lower(): v for k, v in answer.headers.items()}
        info["status"] = str(answer.status_code)
        return httplib2.Response(info), answer.content

    def close(self) -> None:
        pass


def inner_http(injected: Any | None, *, timeout: float) -> Any:
    """The object that actually sends the bytes."""
    if isinstance(injected, httpx.Client):
        return HttpxHttp(injected, timeout=timeout)
    if injected is not None and hasattr(injected, "request"):
        return injected  # httplib2.Http, googleapiclient.http.HttpMock / HttpMockSequence …
    if injected is not None:
        raise TypeError(f"cannot use {type(injected).__name__} as the YouTube connector's HTTP client")
    return httplib2.Http(timeout=timeout)
