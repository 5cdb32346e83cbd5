"""TikTok API for Business (v1.3) over httpx: the response envelope, error codes, token refresh.

Every answer is ``{"code": 0, "message": "OK", "request_id": "…", "data": {…}}``, usually with HTTP 200
even when ``code`` is not 0 (Appendix "Return codes" of the API for Business documentation):

- ``40100``: too many requests (per-second/minute/day limits of the app or of the endpoint);
- ``40101``–``40199``: the app credentials or the access token are invalid, expired or revoked (``40102``
  / ``40105``: expired or revoked access token) → refresh once, else "connexion cassée";
- ``40001``–``40099``: no permission for this account/scope, or a parameter the API refuses;
- ``5xxxx``: a TikTok server problem (retry later).

Tokens of a TikTok account authorised to an app (``/tt_user/oauth2/token/``) expire after 24 hours and
come with a refresh token valid one year: :meth:`TikTokApi.refresh` calls
``POST /tt_user/oauth2/refresh_token/`` and hands the new tokens to a callback that stores them
(encrypted) on the account.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from beffroi.connectors.base import (
    AuthError,
    ConnectorError,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.connectors.http import HttpClient, json_body, json_of

RATE_LIMIT_CODE = 40100
TOKEN_EXPIRED_CODES = frozenset({40102, 40105})
DEFAULT_RATE_WAIT = 60.0
REFRESH_MARGIN = 300  # refresh a token that expires within five minutes


def api_base() -> str:
    from beffroi import conf

    return str(conf.get("TIKTOK_API_BASE")).rstrip("/") + "/"


def map_code(code: int, message: str, where: str, status: int | None = None) -> ConnectorError:
    """The base error for a TikTok ``code`` that is not 0."""
    text = f"{where} (TikTok code {code}: {message[:200]})"
    if code == RATE_LIMIT_CODE:
        return RateLimited(
            text,
            retry_after=DEFAULT_RATE_WAIT,
            message_fr="TikTok limite le nombre d'appels de cette application : reprise automatique plus tard.",
            status=status,
        )
    if 40100 < code < 40200:
        err = AuthError(
            text,
            message_fr="TikTok refuse le jeton : il a expiré ou l'autorisation a été retirée. Reconnectez le compte TikTok.",
            status=status,
        )
        err.token_expired = code in TOKEN_EXPIRED_CODES  # type: ignore[attr-defined]
        return err
    if code == 40001:
        return NotAllowed(
            text,
            message_fr="Le jeton TikTok n'a pas l'autorisation nécessaire (voir le guide : « Account Comment »).",
            status=status,
        )
    if code >= 50000:
        return TransientError(text, message_fr="TikTok rencontre un problème temporaire : nouvel essai plus tard.", status=status)
    return PermanentError(text, message_fr=f"TikTok a refusé la demande (code {code} : {message[:120]}).", status=status)


def map_http_error(response: httpx.Response) -> ConnectorError | None:
    """A non-2xx answer that still carries TikTok's envelope is mapped by its code."""
    body = json_body(response)
    if isinstance(body, dict) and isinstance(body.get("code"), int) and body["code"] != 0:
        return map_code(int(body["code"]), str(body.get("message") or ""), f"{response.request.method} {response.request.url.path}", response.status_code)
    return None


class TikTokApi:
    """Calls with the ``Access-Token`` header, envelope checking and one token refresh on expiry."""

    def __init__(
        self,
        http: Any | None,
        credentials: Mapping[str, Any],
        *,
        on_tokens: Callable[[dict[str, Any]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = dict(credentials)
        self.on_tokens = on_tokens
        self.clock = clock
        secrets = [str(v) for k, v in self.credentials.items() if k in ("access_token", "refresh_token", "client_secret") and v]
        self.http = HttpClient.from_injected(http, error_mapper=map_http_error, secrets=secrets)
        self.refreshed = False

    @property
    def token(self) -> str:
        return str(self.credentials.get("access_token") or "")

    def call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of a successful call; raises the base errors."""
        if self._expires_soon():
            self.refresh()
        try:
            return self._call(method, path, params=params, body=body)
        except AuthError as exc:
            if getattr(exc, "token_expired", False) and self.can_refresh() and not self.refreshed:
                self.refresh()
                return self._call(method, path, params=params, body=body)
            raise

    def _call(self, method: str, path: str, *, params: Mapping[str, Any] | None, body: Mapping[str, Any] | None) -> dict[str, Any]:
        headers = {"Access-Token": self.token}
        query = None
        if params is not None:
            query = {k: (json.dumps(v, separators=(",", ":")) if isinstance(v, list | dict) else v) for k, v in params.items() if v is not None}
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = self.http.request(method, api_base() + path, params=query, json=body, headers=headers)
        return self._data(response)

    @staticmethod
    def _data(response: httpx.Response) -> dict[str, Any]:
        envelope = json_of(response)
        if not isinstance(envelope, dict):
            raise TransientError(f"{response.request.url.path}: no JSON envelope", message_fr="TikTok a renvoyé une réponse illisible : nouvel essai plus tard.")
        code = int(envelope.get("code") or 0)
        if code != 0:
            raise map_code(code, str(envelope.get("message") or ""), f"{response.request.method} {response.request.url.path}", response.status_code)
        data = envelope.get("data")
        return dict(data) if isinstance(data, dict) else {}

    # -- tokens ----------------------------------------------------------------------------
    def can_refresh(self) -> bool:
        return all(self.credentials.get(k) for k in ("refresh_token", "client_id", "client_secret"))

    def _expires_soon(self) -> bool:
        expires_at = self.credentials.get("access_token_expires_at")
        if not expires_at or not self.can_refresh() or self.refreshed:
            return False
        try:
            return float(expires_at) - self.clock() < REFRESH_MARGIN
        except (TypeError, ValueError):
            return False

    def refresh(self) -> None:
        """``POST /tt_user/oauth2/refresh_token/``: new access token (24 h) and refresh token."""
        self.refreshed = True
        response = self.http.request(
            "POST",
            api_base() + "tt_user/oauth2/refresh_token/",
            json={
                "client_id": self.credentials["client_id"],
                "client_secret": self.credentials["client_secret"],
                "grant_type": "refresh_token",
                "refresh_token": self.credentials["refresh_token"],
            },
            headers={"Content-Type": "application/json"},
            idempotent=True,
        )
        try:
            data = self._data(response)
        except AuthError as exc:
            raise AuthError(
                str(exc),
                message_fr="TikTok refuse de renouveler l'accès (autorisation retirée ou expirée depuis plus d'un an). "
                "Reconnectez le compte TikTok.",
                status=exc.status,
            ) from exc
        if not data.get("access_token"):
            raise AuthError("refresh without access_token", message_fr="TikTok n'a pas renouvelé l'accès : reconnectez le compte TikTok.")
        now = self.clock()
        self.credentials["access_token"] = str(data["access_token"])
        if data.get("refresh_token"):
            self.credentials["refresh_token"] = str(data["refresh_token"])
        if data.get("expires_in"):
            self.credentials["access_token_expires_at"] = int(now + float(data["expires_in"]))
        self.http.secrets = (*self.http.secrets, self.credentials["access_token"], str(self.credentials.get("refresh_token") or ""))
        if self.on_tokens is not None:
            self.on_tokens(dict(self.credentials))


def store_tokens(account_id: int | None) -> Callable[[dict[str, Any]], None] | None:
    """A callback saving refreshed tokens on the stored account (encrypted), or None outside Django."""
    if account_id is None:
        return None

    def save(credentials: dict[str, Any]) -> None:
        from django.db import transaction

        from beffroi.workspace.models import Account

        with transaction.atomic():
            account = Account.objects.select_for_update().get(pk=account_id)
            merged = {**account.get_credentials(), **credentials}
            account.set_credentials(merged)
            account.save(update_fields=["credentials_encrypted"])

    return save


def parse_time(value: Any) -> dt.datetime:
    """TikTok times are unix seconds (as numbers or strings)."""
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return dt.datetime.now(tz=dt.UTC)
