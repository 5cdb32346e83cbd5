"""The X API v2 through tweepy's ``Client`` (OAuth 1.0a user context), with errors mapped to the base
errors and the rate-limit headers of every answer recorded.

Rate limits (https://docs.x.com/fundamentals/rate-limits): every answer carries ``x-rate-limit-limit``,
``x-rate-limit-remaining`` and ``x-rate-limit-reset`` (epoch seconds, per endpoint and 15-minute window);
a 429 is :class:`RateLimited` with ``retry_after`` = reset − now.

Errors (``application/problem+json``): 401 → the tokens were revoked or regenerated (:class:`AuthError`);
403 → the app's access level or permissions do not allow the endpoint (``client-not-enrolled``,
``oauth1-permissions``) or the action is not allowed on this object (hiding a reply outside the account's
conversations): :class:`NotAllowed`, which the reading side turns into a broken connection.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
import tweepy

from beffroi.connectors.base import (
    AuthError,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.connectors.http import HttpStats, parse_retry_after
from beffroi.connectors.x.transport import configure_session

T = TypeVar("T")
_ID = re.compile(r"/\d{3,}(?=/|$)")


def endpoint_key(method: str, url: str) -> str:
    path = url.split("?", 1)[0].split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else path
    return f"{method} {_ID.sub('/:id', path)}"


def _problem(exc: tweepy.HTTPException) -> tuple[str, str]:
    """(type, detail) of an X problem answer."""
    try:
        body = exc.response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    kind = str(body.get("type") or body.get("reason") or "")
    detail = str(body.get("detail") or body.get("title") or "")
    errors = body.get("errors")
    if not detail and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        detail = str(errors[0].get("message") or errors[0].get("detail") or "")
        kind = kind or str(errors[0].get("type") or errors[0].get("code") or "")
    return kind, detail


def forbidden_fr(kind: str, detail: str) -> str:
    text = f"{kind} {detail}".lower()
    if "client-not-enrolled" in text or "client-forbidden" in text or "access level" in text:
        return (
            "Le niveau d'accès de l'application X ne permet pas cet appel : il faut au moins la formule payante "
            "« Basic » de l'API X (voir le guide)."
        )
    if "oauth1-permissions" in text or "oauth1 app permissions" in text or "read-only" in text:
        return (
            "L'application X n'a que l'autorisation de lecture : réglez-la sur « Read and write » dans le portail "
            "développeur X, puis régénérez le jeton d'accès et reconnectez le compte."
        )
    if "hide" in text or "conversation" in text:
        return "X ne permet de masquer que les réponses aux conversations lancées par le compte de la commune."
    return "X refuse cette action pour ce compte."


class XApi:
    """A tweepy Client bound to one account, raising the base errors."""

    def __init__(self, credentials: Mapping[str, Any], http: Any | None, *, timeout: float) -> None:
        self.client = tweepy.Client(
            bearer_token=credentials.get("bearer_token") or None,
            consumer_key=credentials.get("api_key"),
            consumer_secret=credentials.get("api_secret"),
            access_token=credentials.get("access_token"),
            access_token_secret=credentials.get("access_token_secret"),
            return_type=dict,
            wait_on_rate_limit=False,
        )
        configure_session(self.client.session, http, timeout=timeout)
        self.client.session.hooks["response"].append(self._observe)
        self.stats = HttpStats()  # the sync counts calls on ``api.stats.requests``
        self.limits: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        self.clock: Callable[[], float] = time.time

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.stats.requests += 1
        headers = response.headers
        if "x-rate-limit-remaining" not in headers:
            return
        try:
            figures = {
                "limit": int(headers.get("x-rate-limit-limit") or 0),
                "remaining": int(headers["x-rate-limit-remaining"]),
                "reset": int(headers.get("x-rate-limit-reset") or 0),
            }
        except ValueError:
            return
        with self._lock:
            self.limits[endpoint_key(response.request.method or "GET", response.url)] = figures

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        name = getattr(fn, "__name__", "call")
        try:
            return fn(*args, **kwargs)
        except tweepy.TooManyRequests as exc:
            retry_after = parse_retry_after(exc.response.headers, self.clock())
            raise RateLimited(
                f"X {name}: 429",
                retry_after=retry_after,
                message_fr="X limite le nombre d'appels (fenêtre de 15 minutes) : reprise automatique à la fin de la fenêtre.",
                status=429,
            ) from None
        except tweepy.Unauthorized:
            raise AuthError(
                f"X {name}: 401",
                message_fr="X refuse les jetons : ils ont été révoqués ou régénérés. Reconnectez le compte X.",
                status=401,
            ) from None
        except tweepy.Forbidden as exc:
            kind, detail = _problem(exc)
            raise NotAllowed(f"X {name}: 403 {kind} {detail[:200]}", message_fr=forbidden_fr(kind, detail), status=403) from None
        except tweepy.NotFound as exc:
            raise PermanentError(f"X {name}: 404 {_problem(exc)[1][:200]}", message_fr="Ce message n'existe plus sur X.", status=404) from None
        except tweepy.TwitterServerError as exc:
            raise TransientError(
                f"X {name}: {exc.response.status_code}", message_fr="X ne répond pas correctement : nouvel essai plus tard.", status=exc.response.status_code
            ) from None
        except tweepy.HTTPException as exc:
            kind, detail = _problem(exc)
            raise PermanentError(
                f"X {name}: {exc.response.status_code} {kind} {detail[:200]}",
                message_fr=f"X a refusé la demande ({detail[:150] or exc.response.status_code}).",
                status=exc.response.status_code,
            ) from None
        except requests.exceptions.Timeout:
            raise TransientError(f"X {name}: time-out", message_fr="X n'a pas répondu à temps : nouvel essai plus tard.") from None
        except requests.exceptions.ConnectionError:
            raise TransientError(f"X {name}: connection error", message_fr="X est injoignable : nouvel essai plus tard.") from None

    def raw(self, method: str, route: str, *, json: Any = None) -> dict[str, Any]:
        """An endpoint tweepy has no method for (``/2/users/:id/blocking``)."""
        response = self.call(self.client.request, method, route, json=json, user_auth=True)
        try:
            data = response.json()
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    def usage(self) -> dict[str, Any]:
        with self._lock:
            return {"rate_limits": {k: dict(v) for k, v in self.limits.items()}} if self.limits else {}
