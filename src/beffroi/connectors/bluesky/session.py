"""Bluesky sessions and XRPC calls through the ``atproto`` SDK, with errors mapped to the base errors.

Authentication (https://docs.bsky.app/docs/advanced-guides/auth): the commune gives its handle and an
*app password* (Settings > Privacy and security > App passwords, never the account password).
``com.atproto.server.createSession`` gives an access JWT (about 2 hours) and a refresh JWT (about
2 months); the SDK refreshes the access token 15 minutes before it expires
(``com.atproto.server.refreshSession``). createSession is rate-limited per account (30 per 5 minutes,
300 per day), so sessions are kept in a per-process cache and reused by every connector instance built
for the same account: a worker logs in once, then only refreshes.

Errors (the XRPC error envelope ``{"error": "...", "message": "..."}``):
- ``ExpiredToken`` / ``InvalidToken`` (400 or 401): refresh the session, then log in again with the app
  password; if that is refused too (app password revoked, account deactivated or taken down) →
  :class:`AuthError` ("connexion cassée");
- 429 (``RateLimitExceeded``, headers ``ratelimit-limit/remaining/reset/policy``, sometimes
  ``Retry-After``) → :class:`RateLimited` with ``retry_after``;
- 5xx, 502, time-outs, network errors → :class:`TransientError`;
- other 4xx (``InvalidRequest``, ``RecordNotFound``, ``NotFound`` …) → :class:`PermanentError`.

Reads return the JSON of the answer as plain dicts (``invoke_query``) rather than the SDK's strict
models, so a field added to a lexicon never breaks ingestion; parameters and inputs go through the SDK's
lexicon models, which validate them before anything is sent.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
from atproto_client import Client
from atproto_client import exceptions as sdk
from atproto_client.request import Request

from beffroi.connectors.base import AuthError, ConnectorError, PermanentError, RateLimited, TransientError
from beffroi.connectors.urlguard import guard_kwargs

T = TypeVar("T")

DEFAULT_SERVICE = "https://bsky.social"
AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing", "BadJwt"})
ACCOUNT_ERRORS_FR = {
    "AccountTakedown": "Bluesky a suspendu ce compte (décision de modération de Bluesky).",
    "AccountDeactivated": "Ce compte Bluesky est désactivé : réactivez-le dans l'application Bluesky.",
    "AuthFactorTokenRequired": "Ce compte demande un code reçu par e-mail : utilisez un mot de passe "
    "d'application (ils ne demandent pas de code), voir le guide.",
}

# Sessions shared by the connector instances of one process: key → exported session string.
_SESSIONS: dict[str, str] = {}
_SESSIONS_LOCK = threading.Lock()


def forget_sessions() -> None:
    """Drop every cached session (tests; after the team reconnects an account)."""
    with _SESSIONS_LOCK:
        _SESSIONS.clear()


class RecordingRequest(Request):
    """The SDK's HTTP layer, keeping the rate-limit headers of the last answer (for ``usage()``).
    ``transport`` lets tests plug an ``httpx.MockTransport``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", 15.0)
        super().__init__(**kwargs)
        self.last_rate: dict[str, str] = {}
        self.calls = 0

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.calls += 1
        try:
            response = super()._send_request(method, url, **kwargs)
        except sdk.RequestErrorBase as exc:
            if exc.response is not None:
                self._remember(exc.response.headers)
            raise
        self._remember(response.headers)
        return response

    def _remember(self, headers: Mapping[str, Any]) -> None:
        rate = {k.lower(): str(v) for k, v in headers.items() if k.lower().startswith("ratelimit-")}
        if rate:
            self.last_rate = rate


def error_name(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    name = getattr(content, "error", None)
    if name is None and isinstance(content, dict):
        name = content.get("error")
    return str(name or "")


def error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    message = getattr(content, "message", None)
    if message is None and isinstance(content, dict):
        message = content.get("message")
    return str(message or "")


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def is_auth_problem(exc: BaseException) -> bool:
    if isinstance(exc, sdk.LoginRequiredError):
        return True
    if isinstance(exc, sdk.UnauthorizedError):
        return True
    return isinstance(exc, sdk.BadRequestError) and error_name(exc) in AUTH_ERRORS


def map_error(exc: BaseException, *, now: float | None = None) -> ConnectorError:
    """The base error for an SDK exception (after any session renewal was tried)."""
    now = time.time() if now is None else now
    name, status = error_name(exc), _status(exc)
    where = f"{type(exc).__name__} {status or ''} {name}: {error_message(exc)}".strip()
    if name in ACCOUNT_ERRORS_FR:
        return AuthError(where, message_fr=ACCOUNT_ERRORS_FR[name], status=status)
    if isinstance(exc, sdk.RateLimitExceededError):
        retry_after = exc.retry_after
        if retry_after is None and exc.reset_at is not None:
            retry_after = max(0.0, exc.reset_at.timestamp() - now)
        return RateLimited(
            where,
            retry_after=retry_after,
            message_fr="Bluesky limite le nombre d'appels : nouvel essai plus tard.",
            status=status,
        )
    if is_auth_problem(exc):
        return AuthError(
            where,
            message_fr="Bluesky refuse la connexion : le mot de passe d'application a été révoqué ou a changé. "
            "Créez-en un nouveau et reconnectez le compte.",
            status=status,
        )
    if isinstance(exc, sdk.NetworkError) or (status is not None and status >= 500):
        return TransientError(
            where, message_fr="Bluesky ne répond pas correctement : nouvel essai plus tard.", status=status
        )
    if isinstance(exc, sdk.ModelError):
        return PermanentError(where, message_fr="Bluesky a renvoyé une réponse inattendue.")
    if status in (404, 410) or name in ("RecordNotFound", "NotFound"):
        return PermanentError(where, message_fr="Cet élément n'existe plus sur Bluesky.", status=status)
    return PermanentError(
        where, message_fr="Bluesky a refusé la demande" + (f" ({name})." if name else "."), status=status
    )


class BlueskySession:
    """A logged-in SDK client for one account, renewed as needed; every call goes through :meth:`call`."""

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        service: str = DEFAULT_SERVICE,
        request: Request | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
    ) -> None:
        if not handle or not app_password:
            raise AuthError(
                "missing handle or app password",
                message_fr="Il manque l'identifiant Bluesky ou le mot de passe d'application.",
            )
        self.handle = handle.lstrip("@").strip()
        self.service = (service or DEFAULT_SERVICE).rstrip("/")
        self._password = app_password
        if request is None:
            kwargs: dict[str, Any] = {}
            # The server is typed by the commune, and the SDK then follows the PDS its DID document names:
            # only public addresses, on every redirect too (connectors.urlguard).
            kwargs.update({"transport": transport} if transport is not None else guard_kwargs())
            if timeout is not None:
                kwargs["timeout"] = timeout
            request = RecordingRequest(**kwargs)
        self.request = request
        self._client: Client | None = None
        self._lock = threading.RLock()
        digest = hashlib.sha256(app_password.encode()).hexdigest()[:24]
        self._cache_key = f"{self.service}|{self.handle.lower()}|{digest}"
        self.logins = 0  # createSession calls made by this instance (rate-limited by Bluesky)
        self.clock: Callable[[], float] = time.time  # for Retry-After arithmetic

    # -- session ---------------------------------------------------------------------------
    @property
    def did(self) -> str:
        session = self.client()._session
        return str(session.did) if session else ""

    @property
    def logged_handle(self) -> str:
        session = self.client()._session
        return str(session.handle) if session else self.handle

    def client(self) -> Client:
        with self._lock:
            if self._client is None:
                self._client = self._open()
            return self._client

    def _new_client(self) -> Client:
        # The HTTP layer (and its transport) is shared by successive clients: detach the previous
        # client's session so its stale token is never sent again.
        if self._client is not None:
            self._client._unregister_auth_headers_source()
            self._client = None
        client = Client(self.service, request=self.request)
        client.on_session_change(self._remember)
        return client

    def _remember(self, event: Any, session: Any) -> None:
        with _SESSIONS_LOCK:
            _SESSIONS[self._cache_key] = session.encode()

    def _open(self) -> Client:
        with _SESSIONS_LOCK:
            cached = _SESSIONS.get(self._cache_key)
        if cached:
            client = self._new_client()
            try:
                client.login(session_string=cached, fetch_bsky_profile=False)
                return client
            except Exception:  # a corrupt or foreign session string: start afresh
                self._forget()
        return self._login()

    def _login(self) -> Client:
        client = self._new_client()
        self.logins += 1
        try:
            client.login(self.handle, self._password, fetch_bsky_profile=False)
        except sdk.AtProtocolError as exc:
            self._forget()
            if (
                isinstance(exc, sdk.UnauthorizedError | sdk.BadRequestError)
                and error_name(exc) not in ACCOUNT_ERRORS_FR
            ):
                name = error_name(exc)
                if name in ("AuthenticationRequired", "InvalidRequest", "") or isinstance(
                    exc, sdk.UnauthorizedError
                ):
                    raise AuthError(
                        f"createSession refused: {name} {error_message(exc)}",
                        message_fr="Bluesky refuse l'identifiant ou le mot de passe d'application : vérifiez-les "
                        "(le mot de passe d'application a peut-être été révoqué).",
                        status=_status(exc),
                    ) from exc
            raise map_error(exc) from exc
        return client

    def _forget(self) -> None:
        with _SESSIONS_LOCK:
            _SESSIONS.pop(self._cache_key, None)

    def refresh(self) -> None:
        """Refresh the session now (``com.atproto.server.refreshSession``); log in again if refused."""
        with self._lock:
            client = self.client()
            try:
                client._refresh_and_set_session()
            except sdk.AtProtocolError as exc:
                if not is_auth_problem(exc):
                    raise map_error(exc) from exc
                self._forget()
                self._client = self._login()

    def renew(self) -> None:
        """After an auth error: refresh, else log in again (raises AuthError when both are refused)."""
        self.refresh()

    # -- calls -----------------------------------------------------------------------------
    def call(self, fn: Callable[[Client], T]) -> T:
        """Run ``fn(client)``; an expired or revoked token is renewed once, every other failure is
        mapped to the base errors."""
        for attempt in (0, 1):
            try:
                return fn(self.client())
            except ConnectorError:
                raise
            except sdk.AtProtocolError as exc:
                if attempt == 0 and is_auth_problem(exc) and error_name(exc) not in ACCOUNT_ERRORS_FR:
                    self.renew()
                    continue
                raise map_error(exc, now=self.clock()) from exc
        raise AssertionError("unreachable")

    def query(
        self, nsid: str, params: Any = None, *, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        def run(client: Client) -> dict[str, Any]:
            kwargs: dict[str, Any] = {"output_encoding": "application/json"}
            if headers:
                kwargs["headers"] = dict(headers)
            response = client.invoke_query(nsid, params=params, **kwargs)
            return response.content if isinstance(response.content, dict) else {}

        return self.call(run)

    def procedure(
        self, nsid: str, data: Any = None, *, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        def run(client: Client) -> dict[str, Any]:
            kwargs: dict[str, Any] = {
                "input_encoding": "application/json",
                "output_encoding": "application/json",
            }
            if headers:
                kwargs["headers"] = dict(headers)
            response = client.invoke_procedure(nsid, data=data, **kwargs)
            return response.content if isinstance(response.content, dict) else {}

        return self.call(run)

    def usage(self) -> dict[str, Any]:
        rate = getattr(self.request, "last_rate", {}) or {}
        out: dict[str, Any] = {}
        for key in ("limit", "remaining", "reset", "policy"):
            value = rate.get(f"ratelimit-{key}")
            if value is not None:
                out[f"ratelimit_{key}"] = int(value) if value.isdigit() else value
        return out

    def close(self) -> None:
        closer = getattr(self.request, "close", None)
        if callable(closer):
            closer()
