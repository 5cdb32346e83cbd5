"""The HTTP client every connector uses: time-outs, retries with backoff, Retry-After, error mapping.

Use it from a connector like this::

    self.api = HttpClient.from_injected(http, error_mapper=self._map_error, secrets=[token])
    response = self.api.request("GET", url, params={...}, headers={"Authorization": f"Bearer {token}"})
    data = json_of(response)

- Every answer that is not 2xx becomes one of the base errors (``connectors.base``): 401/403 →
  :class:`AuthError`, 429 → :class:`RateLimited` with ``retry_after`` (Retry-After, x-rate-limit-reset,
  X-RateLimit-Reset), 408/5xx and network failures or time-outs → :class:`TransientError`, 404/410 and
  other 4xx → :class:`PermanentError`. A platform can refine this with an ``error_mapper`` (Meta puts
  its error codes in the JSON body).
- Transient errors are retried inside the call (``HTTP_RETRIES`` times) with exponential backoff and
  full jitter, honouring Retry-After, as long as the total wait stays under ``HTTP_MAX_INLINE_WAIT``;
  a longer Retry-After is handed to the caller (the sync defers the account until then).
- A request that is not idempotent (POST: a reply, a message) is only retried when the platform surely
  did not process it (connection refused, 429); otherwise the outbox reconciles.
- Secrets never reach logs or error messages: tokens are sent in headers, query parameters named like
  secrets are masked, and the strings given as ``secrets`` are masked wherever they appear.
- Only public addresses are contacted, on every redirect hop too (``connectors.urlguard``; the setting
  ``CONNECTORS_ALLOW_PRIVATE_HOSTS`` lets tests and local test platforms reach localhost).
- ``request(..., max_bytes=N)`` streams the body and stops reading past N bytes (RSS feeds).
- Backoff is random but deterministic under a seed (``Backoff(seed=…)``), and ``sleep`` is injectable,
  so tests run fast and reproducibly.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from beffroi.connectors.base import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.core.logging import RedactSecretsFilter

logger = logging.getLogger(__name__)

# httpx logs every request URL at INFO level; some platforms put tokens in paging URLs. Mask them at the
# source, whatever handlers the application configures.
for _name in ("httpx", "httpcore"):
    _lg = logging.getLogger(_name)
    if not any(isinstance(f, RedactSecretsFilter) for f in _lg.filters):
        _lg.addFilter(RedactSecretsFilter())

USER_AGENT = "Beffroi/0.1 (+https://beffroi.example; moderation for French communes)"

SECRET_PARAMS = frozenset(
    {
        "access_token",
        "appsecret_proof",
        "client_secret",
        "refresh_token",
        "token",
        "key",
        "api_key",
        "password",
        "code",
        "oauth_token",
        "oauth_signature",
    }
)
MASK = "[masqué]"

ErrorMapper = Callable[[httpx.Response], "ConnectorError | None"]


# ---------------------------------------------------------------------------------------------
# Redaction


def redact_url(url: str | httpx.URL) -> str:
    """The URL with secret query parameters masked (safe to log or show)."""
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return MASK
    if not parts.query:
        return text
    query = [
        (k, MASK if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="[]"), parts.fragment))


def strip_params(url: str, names: Iterable[str] = SECRET_PARAMS) -> str:
    """The URL without the given query parameters (e.g. the access_token Graph puts in paging links)."""
    drop = {n.lower() for n in names}
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in drop]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text


# ---------------------------------------------------------------------------------------------
# Retry-After and backoff


def parse_retry_after(headers: Mapping[str, str] | httpx.Headers, now: float | None = None) -> float | None:
    """Seconds to wait, from the headers platforms use: ``Retry-After`` (seconds or HTTP date),
    ``x-rate-limit-reset`` (X: epoch seconds), ``X-RateLimit-Reset`` / ``RateLimit-Reset`` (Mastodon: ISO
    date; IETF draft: seconds). None when no header says."""
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    raw = lower.get("retry-after")
    if raw:
        value = _seconds_or_date(raw.strip(), now, small_is_delta=True)
        if value is not None:
            return value
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        raw = lower.get(name)
        if raw:
            value = _seconds_or_date(raw.strip(), now, small_is_delta=(name == "ratelimit-reset"))
            if value is not None:
                return value
    return None


def _seconds_or_date(raw: str, now: float, *, small_is_delta: bool) -> float | None:
    try:
        number = float(raw)
    except ValueError:
        number = None
    if number is not None:
        if number > 1_000_000_000:  # an epoch timestamp
            return max(0.0, number - now)
        return max(0.0, number) if small_is_delta or number < 1_000_000_000 else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        when = None
    if when is None:
        try:
            when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


class Backoff:
    """Exponential backoff with full jitter (AWS style), deterministic under a seed.

    ``delay(attempt)`` is uniform in [0, min(cap, base * factor**attempt)]; with a ``retry_after`` the
    delay is at least that long, plus up to 10 % jitter so that many workers do not come back at once.
    """

    def __init__(
        self, *, base: float = 0.5, factor: float = 2.0, cap: float = 60.0, seed: int | None = None
    ) -> None:
        self.base, self.factor, self.cap = base, factor, cap
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * self.factor ** max(0, attempt))
        with self._lock:
            jitter = self._rng.uniform(0, ceiling)
            extra = self._rng.uniform(0, 0.1) if retry_after is not None else 0.0
        if retry_after is not None:
            return retry_after * (1 + extra) + min(jitter, 1.0)
        return jitter


# ---------------------------------------------------------------------------------------------
# Errors


def json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def default_error(response: httpx.Response, *, now: float | None = None) -> ConnectorError:
    """The base error for a non-2xx answer (platform-neutral)."""
    status = response.status_code
    where = f"{response.request.method} {redact_url(response.request.url)} → {status}"
    if status == 401:
        return AuthError(
            where, message_fr="La plateforme refuse le jeton : il a expiré ou a été révoqué.", status=status
        )
    if status == 403:
        return AuthError(
            where,
            message_fr="La plateforme refuse l'accès : le jeton n'a plus les autorisations nécessaires.",
            status=status,
        )
    if status == 429:
        return RateLimited(
            where,
            retry_after=parse_retry_after(response.headers, now),
            message_fr="La plateforme limite le nombre d'appels : nouvel essai plus tard.",
            status=status,
        )
    if status == 503 and parse_retry_after(response.headers, now) is not None:
        return RateLimited(
            where,
            retry_after=parse_retry_after(response.headers, now),
            message_fr="La plateforme est momentanément indisponible : nouvel essai plus tard.",
            status=status,
        )
    if status == 408 or status >= 500:
        return TransientError(
            where,
            message_fr="La plateforme ne répond pas correctement : nouvel essai plus tard.",
            status=status,
        )
    if status in (404, 410):
        return PermanentError(where, message_fr="Cet élément n'existe plus sur la plateforme.", status=status)
    return PermanentError(where, message_fr="La plateforme a refusé la demande.", status=status)


def json_of(response: httpx.Response) -> Any:
    """The JSON of a 2xx answer; a garbled body (a proxy's error page) is a transient error."""
    data = json_body(response)
    if data is None and response.content.strip():
        raise TransientError(
            f"{response.request.method} {redact_url(response.request.url)}: invalid JSON",
            message_fr="La plateforme a renvoyé une réponse illisible : nouvel essai plus tard.",
            status=response.status_code,
        )
    return data


class ResponseTooLarge(PermanentError):
    """The answer is larger than the caller accepts (``HttpClient.request(max_bytes=…)``)."""


# ---------------------------------------------------------------------------------------------
# The client


@dataclass
class HttpStats:
    """What happened on the wire (shared by the copies of a client): for tests, benchmarks, rate_state."""

    requests: int = 0
    retries: int = 0
    waited: float = 0.0  # seconds slept between attempts
    by_error: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, kind: str) -> None:
        with self._lock:
            self.by_error[kind] = self.by_error.get(kind, 0) + 1


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class HttpClient:
    """A policy (time-outs, retries, backoff, error mapping, redaction) around an ``httpx.Client``."""

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        max_inline_wait: float | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        error_mapper: ErrorMapper | None = None,
        secrets: Iterable[str] = (),
        on_response: Callable[[httpx.Response], None] | None = None,
        stats: HttpStats | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        from beffroi import conf

        self.timeout = float(conf.get("HTTP_TIMEOUT") if timeout is None else timeout)
        self.retries = int(conf.get("HTTP_RETRIES") if retries is None else retries)
        self.max_inline_wait = float(
            conf.get("HTTP_MAX_INLINE_WAIT") if max_inline_wait is None else max_inline_wait
        )
        if client is None:
            from beffroi.connectors.urlguard import guarded_client

            # Every request and redirect hop only reaches public addresses (connectors.urlguard).
            client = guarded_client(
                timeout=httpx.Timeout(self.timeout),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=True,
            )
        self.client = client
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.error_mapper = error_mapper
        self.secrets = tuple(s for s in secrets if s)
        self.on_response = on_response
        self.stats = stats or HttpStats()
        self.clock = clock

    @classmethod
    def from_injected(cls, http: Any | None, **overrides: Any) -> HttpClient:
        """The client a connector uses: ``http`` is what tests inject into the connector (an
        ``httpx.Client`` with a MockTransport, or an ``HttpClient`` whose policy and stats are kept),
        or None for a real client."""
        if isinstance(http, HttpClient):
            return http.derive(**overrides)
        if isinstance(http, httpx.Client):
            return cls(client=http, **overrides)
        if http is None:
            return cls(**overrides)
        raise TypeError(f"cannot use {type(http).__name__} as an HTTP client")

    def derive(self, **overrides: Any) -> HttpClient:
        """A copy sharing the httpx client, backoff, sleep and stats, with other mapper/secrets/hooks."""
        params: dict[str, Any] = {
            "client": self.client,
            "timeout": self.timeout,
            "retries": self.retries,
            "max_inline_wait": self.max_inline_wait,
            "backoff": self.backoff,
            "sleep": self.sleep,
            "error_mapper": self.error_mapper,
            "secrets": self.secrets,
            "on_response": self.on_response,
            "stats": self.stats,
            "clock": self.clock,
        }
        params.update(overrides)
        return HttpClient(**params)

    # -- requests --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """Send the request; return a 2xx response or raise a base error (after retries).

        With ``max_bytes`` the body is read in pieces and the download stops as soon as it passes that
        size (:class:`ResponseTooLarge`), instead of loading everything first."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        waited = 0.0
        attempt = 0
        while True:
            error = self._attempt(
                method, url, params=params, data=data, json=json, headers=headers, max_bytes=max_bytes
            )
            if isinstance(error, httpx.Response):
                return error
            if not self._may_retry(error, idempotent):
                raise error
            retry_after = getattr(error, "retry_after", None)
            if retry_after is not None and retry_after > self.max_inline_wait:
                raise error  # a long pause: the caller defers instead of holding a worker
            if attempt >= self.retries:
                raise error
            wait = self.backoff.delay(attempt, retry_after)
            if waited + wait > self.max_inline_wait:
                raise error
            logger.info(
                "retrying %s %s in %.2f s after %s (attempt %d/%d)",
                method,
                self._safe(redact_url(url)),
                wait,
                type(error).__name__,
                attempt + 1,
                self.retries,
            )
            self.sleep(wait)
            waited += wait
            attempt += 1
            with self.stats._lock:
                self.stats.retries += 1
                self.stats.waited += wait

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        max_bytes: int | None = None,
    ) -> httpx.Response | ConnectorError:
        with self.stats._lock:
            self.stats.requests += 1
        started = time.monotonic()
        try:
            if max_bytes is None:
                response = self.client.request(
                    method, url, params=params, data=data, json=json, headers=headers, timeout=self.timeout
                )
            else:
                response = self._bounded(
                    method, url, params=params, data=data, json=json, headers=headers, max_bytes=max_bytes
                )
        except httpx.TimeoutException as exc:
            self.stats.count("timeout")
            err: ConnectorError = TransientError(
                f"{method} {self._safe(redact_url(url))}: time-out ({type(exc).__name__})",
                message_fr="La plateforme n'a pas répondu à temps : nouvel essai plus tard.",
            )
            err.not_sent = isinstance(exc, httpx.ConnectTimeout)  # type: ignore[attr-defined]
            return err
        except httpx.TransportError as exc:
            self.stats.count("network")
            err = TransientError(
                f"{method} {self._safe(redact_url(url))}: {type(exc).__name__}",
                message_fr="La plateforme est injoignable : nouvel essai plus tard.",
            )
            err.not_sent = isinstance(exc, httpx.ConnectError)  # type: ignore[attr-defined]
            return err
        elapsed = time.monotonic() - started
        logger.debug(
            "%s %s → %s (%.2f s)",
            method,
            self._safe(redact_url(response.request.url)),
            response.status_code,
            elapsed,
        )
        if self.on_response is not None:
            try:
                self.on_response(response)
            except Exception:  # accounting must never break a request
                logger.exception("on_response hook failed")
        if response.is_success:
            return response
        mapped = self.error_mapper(response) if self.error_mapper else None
        error = mapped or default_error(response, now=self.clock())
        if mapped is not None and isinstance(mapped, RateLimited) and mapped.retry_after is None:
            mapped.retry_after = parse_retry_after(response.headers, self.clock())
        self.stats.count(str(response.status_code))
        error.args = (self._safe(str(error.args[0])) if error.args else "",)
        error.not_sent = response.status_code == 429  # type: ignore[attr-defined]
        return error

    def _bounded(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        max_bytes: int,
    ) -> httpx.Response:
        """Stream the answer and stop reading past ``max_bytes`` (the connection is closed)."""
        request = self.client.build_request(
            method, url, params=params, data=data, json=json, headers=headers, timeout=self.timeout
        )
        response = self.client.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    if not response.is_success:
                        break  # an error page: its status is what matters
                    self.stats.count("too_large")
                    raise ResponseTooLarge(
                        f"{method} {self._safe(redact_url(url))}: more than {max_bytes} bytes",
                        message_fr=f"La réponse dépasse la taille maximale acceptée ({max_bytes // 1024} Ko).",
                        status=response.status_code,
                    )
                chunks.append(chunk)
        finally:
            response.close()
        # The body is already decoded: the new response must not decode it again.
        kept = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=kept,
            content=b"".join(chunks),
            request=response.request,
            history=response.history,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    @staticmethod
    def _may_retry(error: ConnectorError, idempotent: bool) -> bool:
        if not error.retryable:
            return False
        return idempotent or bool(getattr(error, "not_sent", False))

    def _safe(self, text: str) -> str:
        return mask_secrets(text, self.secrets)

    # -- helpers ---------------------------------------------------------------------------
    def get_json(self, url: str, **kwargs: Any) -> Any:
        return json_of(self.request("GET", url, **kwargs))

    def post_json(self, url: str, **kwargs: Any) -> Any:
        return json_of(self.request("POST", url, **kwargs))

    def delete_json(self, url: str, **kwargs: Any) -> Any:
        return json_of(self.request("DELETE", url, **kwargs))

    def close(self) -> None:
        self.client.close()


def safe_message(error: BaseException, secrets: Iterable[str] = ()) -> str:
    """An exception's text with URLs' secret parameters and the given secrets masked."""
    text = str(error)
    text = re.sub(r"https?://\S+", lambda m: redact_url(m.group(0)), text)
    return mask_secrets(text, secrets)
