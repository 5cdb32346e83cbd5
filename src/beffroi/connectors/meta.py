"""What Facebook Pages and Instagram share: the Meta Graph API (errors, rate-limit headers, paging,
appsecret_proof) and Meta webhooks (hub.challenge handshake, X-Hub-Signature-256).

References (Graph API, pinned version ``META_GRAPH_VERSION``, v21.0 by default):
- errors: https://developers.facebook.com/docs/graph-api/guides/error-handling — ``{"error": {"code",
  "error_subcode", "type", "message", "is_transient", "fbtrace_id"}}``; code 190 (and 102, subcodes
  458–467) = token expired/revoked; 4, 17, 32, 613 and 80001–80014 = rate limited; 1, 2 = temporary;
  10 and 200–299 = permission missing; 368 = temporarily blocked for policy reasons.
- rate limits: https://developers.facebook.com/docs/graph-api/overview/rate-limiting — headers
  ``X-App-Usage`` ``{"call_count","total_cputime","total_time"}`` (percentages) and
  ``X-Business-Use-Case-Usage`` ``{"<id>": [{"type", "call_count", …, "estimated_time_to_regain_access"}]}``
  (minutes).
- webhooks: https://developers.facebook.com/docs/graph-api/webhooks/getting-started — verification
  request ``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`` answered with the challenge;
  deliveries signed with ``X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>``.
- securing requests: ``appsecret_proof`` = HMAC-SHA256(app secret, access token), hex.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import httpx

from beffroi.connectors.base import (
    AuthError,
    Connector,
    ConnectorError,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
    WebhookRejected,
    WebhookRequest,
    WebhookResponse,
)
from beffroi.connectors.http import HttpClient, json_body, json_of, redact_url, strip_params

AUTH_CODES = frozenset({102, 190})
AUTH_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
RATE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
ALREADY_REPLIED_CODES = frozenset({10900})  # private reply: "Activity already replied to"
DEFAULT_RATE_WAIT = 300.0  # seconds, when Meta does not say how long


def graph_version() -> str:
    from beffroi import conf

    return str(conf.get("META_GRAPH_VERSION"))


def appsecret_proof(access_token: str, app_secret: str) -> str:
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def parse_time(value: Any) -> dt.datetime:
    """Graph times: ISO 8601 with ``+0000`` (``2024-05-31T14:03:11+0000``) or unix seconds (webhooks)."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    text = str(value)
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def unix(value: dt.datetime) -> int:
    return int(value.timestamp())


# ---------------------------------------------------------------------------------------------
# Rate-limit headers


def parse_usage(headers: httpx.Headers | Mapping[str, str]) -> dict[str, Any]:
    """Usage figures from Meta's headers: the highest percentage used and, when throttled, how long
    until access comes back."""
    lower = {k.lower(): v for k, v in headers.items()}
    usage: dict[str, Any] = {}
    highest = 0.0
    for name, key in (("x-app-usage", "app"), ("x-page-usage", "page"), ("x-ad-account-usage", "ad_account")):
        data = _loads(lower.get(name))
        if isinstance(data, dict):
            usage[key] = data
            highest = max(highest, *[_num(v) for v in data.values()], 0.0)
    buc = _loads(lower.get("x-business-use-case-usage"))
    regain = 0.0
    if isinstance(buc, dict):
        usage["business_use_case"] = buc
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                for field in ("call_count", "total_cputime", "total_time"):
                    highest = max(highest, _num(entry.get(field)))
                regain = max(regain, _num(entry.get("estimated_time_to_regain_access")) * 60)
    if usage:
        usage["max_percent"] = highest
    if regain:
        usage["regain_seconds"] = regain
    return usage


def _loads(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# ---------------------------------------------------------------------------------------------
# Errors


def map_meta_error(response: httpx.Response) -> ConnectorError | None:
    """Meta puts the real reason in the JSON body (often with HTTP 400): map it to the base errors."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    code = int(_num(error.get("code")))
    subcode = int(_num(error.get("error_subcode")))
    kind = str(error.get("type") or "")
    status = response.status_code
    where = (
        f"{response.request.method} {redact_url(response.request.url)} → {status} "
        f"(Meta code {code}/{subcode} {kind}: {str(error.get('message') or '')[:200]})"
    )
    if code in AUTH_CODES or subcode in AUTH_SUBCODES:
        return AuthError(
            where,
            message_fr="Meta refuse le jeton : il a expiré, a été révoqué, ou le mot de passe du compte a changé. "
            "Reconnectez le compte.",
            status=status,
        )
    if code in RATE_CODES:
        usage = parse_usage(response.headers)
        retry_after = usage.get("regain_seconds") or None
        return RateLimited(
            where,
            retry_after=retry_after,
            message_fr="Meta limite le nombre d'appels de cette application : reprise automatique plus tard.",
            status=status,
        )
    if code == 368:
        return RateLimited(
            where,
            retry_after=3600.0,
            message_fr="Meta bloque temporairement cette action (règles de la plateforme) : nouvel essai dans une heure.",
            status=status,
        )
    if code in TRANSIENT_CODES or error.get("is_transient") is True:
        return TransientError(
            where, message_fr="Meta rencontre un problème temporaire : nouvel essai plus tard.", status=status
        )
    if code in ALREADY_REPLIED_CODES:
        err = PermanentError(
            where, message_fr="Une réponse privée a déjà été envoyée pour ce commentaire.", status=status
        )
        err.already_done = True  # type: ignore[attr-defined]
        return err
    if code in PERMISSION_CODES:
        return NotAllowed(
            where,
            message_fr="Le jeton n'a pas l'autorisation nécessaire pour cette action (voir le guide de connexion).",
            status=status,
        )
    if code == 100 and subcode == 33:
        return PermanentError(
            where,
            message_fr="Cet élément n'existe plus sur la plateforme, ou n'est pas accessible.",
            status=status,
        )
    if status >= 500:
        return TransientError(
            where, message_fr="Meta ne répond pas correctement : nouvel essai plus tard.", status=status
        )
    if kind == "OAuthException" and status == 401:
        return AuthError(where, message_fr="Meta refuse le jeton : reconnectez le compte.", status=status)
    return PermanentError(where, message_fr=f"Meta a refusé la demande (code {code}).", status=status)


# ---------------------------------------------------------------------------------------------
# Webhooks


def verify_meta_webhook(
    request: WebhookRequest, *, app_secret: str, verify_tokens: tuple[str, ...]
) -> WebhookResponse | None:
    """Answer the GET verification request, or check the POST delivery's X-Hub-Signature-256."""
    if request.method.upper() == "GET":
        mode = request.query.get("hub.mode", "")
        token = request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge", "")
        if mode != "subscribe" or not challenge:
            raise WebhookRejected(
                "not a verification request", message_fr="Requête de vérification incomplète."
            )
        if not any(t and hmac.compare_digest(token.encode(), t.encode()) for t in verify_tokens):
            raise WebhookRejected(
                "bad verify token", message_fr="Le jeton de vérification ne correspond pas."
            )
        return WebhookResponse(status=200, body=challenge.encode(), content_type="text/plain")
    if not app_secret:
        raise WebhookRejected(
            "no app secret",
            message_fr="Le secret de l'application Meta n'est pas configuré : impossible de vérifier la signature.",
        )
    header = request.headers.get("x-hub-signature-256", "")
    if not header.startswith("sha256="):
        raise WebhookRejected("missing signature", message_fr="Signature X-Hub-Signature-256 absente.")
    expected = hmac.new(app_secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(header[len("sha256=") :].strip().lower().encode(), expected.encode()):
        raise WebhookRejected("bad signature", message_fr="Signature X-Hub-Signature-256 invalide.")
    return None


def sign_meta_body(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 value Meta would send (tests, local tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payloads(request: WebhookRequest) -> list[dict[str, Any]]:
    """The delivery's payloads: one object (what Meta sends), or a list of them (the shape of the
    documentation's examples)."""
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookRejected("invalid JSON", message_fr="Contenu du webhook illisible.") from exc
    payloads = data if isinstance(data, list) else [data]
    if not all(isinstance(p, dict) for p in payloads):
        raise WebhookRejected("invalid payload", message_fr="Contenu du webhook inattendu.")
    return payloads


def meta_webhook_timestamp(request: WebhookRequest) -> dt.datetime | None:
    """``entry[].time`` (unix seconds, sometimes milliseconds) of the oldest entry."""
    try:
        payloads = webhook_payloads(request)
    except WebhookRejected:
        return None
    times = []
    for entry in [e for p in payloads for e in (p.get("entry") or [])]:
        value = entry.get("time") if isinstance(entry, dict) else None
        if isinstance(value, int | float) and value > 0:
            times.append(value / 1000 if value > 10_000_000_000 else value)
    return dt.datetime.fromtimestamp(min(times), tz=dt.UTC) if times else None


# ---------------------------------------------------------------------------------------------
# A Graph API connector


class MetaGraphConnector(Connector):
    """Plumbing shared by the Facebook and Instagram connectors."""

    host: ClassVar[str] = "graph.facebook.com"
    token_key: ClassVar[str] = "access_token"

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        self._usage: dict[str, Any] = {}
        token = self.token
        self.api: HttpClient = HttpClient.from_injected(
            http, error_mapper=map_meta_error, secrets=[token, self.app_secret], on_response=self._observe
        )

    # -- credentials -----------------------------------------------------------------------
    @property
    def token(self) -> str:
        return str(self.config.credentials.get(self.token_key, ""))

    @property
    def app_secret(self) -> str:
        from beffroi import conf

        return str(self.config.credentials.get("app_secret") or conf.get("META_APP_SECRET") or "")

    def webhook_secret(self) -> str:
        return self.app_secret

    def verify_tokens(self) -> tuple[str, ...]:
        from beffroi import conf

        return tuple(
            t
            for t in (
                str(self.config.options.get("webhook_verify_token", "")),
                str(conf.get("META_VERIFY_TOKEN") or ""),
            )
            if t
        )

    def verify_webhook(self, request: WebhookRequest, *, secret: str) -> WebhookResponse | None:
        return verify_meta_webhook(
            request, app_secret=secret or self.app_secret, verify_tokens=self.verify_tokens()
        )

    def webhook_timestamp(self, request: WebhookRequest) -> dt.datetime | None:
        return meta_webhook_timestamp(request)

    def webhook_targets(self, request: WebhookRequest) -> frozenset[str]:
        """A Meta app has one callback URL per object: with one app for the whole instance, a delivery
        may carry entries of several Pages / Instagram accounts (``entry[].id``)."""
        try:
            payloads = webhook_payloads(request)
        except WebhookRejected:
            return frozenset()
        return frozenset(str(e.get("id")) for p in payloads for e in (p.get("entry") or []) if e.get("id"))

    def usage(self) -> Mapping[str, Any]:
        return dict(self._usage)

    def _observe(self, response: httpx.Response) -> None:
        usage = parse_usage(response.headers)
        if usage:
            self._usage = usage

    # -- requests --------------------------------------------------------------------------
    @property
    def base(self) -> str:
        # graph_base_url: a local fake Graph for tests and benchmarks (connectors.faultsim).
        if self.config.options.get("graph_base_url"):
            return f"{str(self.config.options['graph_base_url']).rstrip('/')}/{graph_version()}"
        host = str(self.config.options.get("graph_host") or self.host)
        return f"https://{host}/{graph_version()}"

    def _headers(self) -> dict[str, str]:
        if not self.token:
            raise AuthError(
                "no token", message_fr="Aucun jeton n'est enregistré pour ce compte : connectez-le."
            )
        return {"Authorization": f"Bearer {self.token}"}

    def _params(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        out = {k: v for k, v in (params or {}).items() if v is not None}
        if self.app_secret and self.token:
            out["appsecret_proof"] = appsecret_proof(self.token, self.app_secret)
        return out

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Any:
        if path_or_url.startswith("https://") or path_or_url.startswith("http://"):
            # A paging link from Graph: it carries the access_token in its query; we send the token in the
            # Authorization header instead, so it never appears in a URL we log.
            url = strip_params(path_or_url, {"access_token", "appsecret_proof"})
            # Merged into the link's own query (its cursor): httpx's ``params=`` would replace that query.
            merged = str(httpx.URL(url).copy_merge_params(self._params()))
            return json_of(self.api.request("GET", merged, headers=self._headers()))
        return json_of(
            self.api.request(
                "GET", self.url(path_or_url), params=self._params(params), headers=self._headers()
            )
        )

    def post(
        self,
        path: str,
        data: Mapping[str, Any] | None = None,
        *,
        json_body: Any = None,
        idempotent: bool = False,
    ) -> Any:
        return json_of(
            self.api.request(
                "POST",
                self.url(path),
                params=self._params(),
                data={k: v for k, v in (data or {}).items() if v is not None} if json_body is None else None,
                json=json_body,
                headers=self._headers(),
                idempotent=idempotent,
            )
        )

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return json_of(
            self.api.request("DELETE", self.url(path), params=self._params(params), headers=self._headers())
        )

    def paged(
        self, path: str, params: Mapping[str, Any], *, max_pages: int = 1000
    ) -> Iterator[list[dict[str, Any]]]:
        """Follow ``paging.next`` links, yielding each page's ``data``."""
        data = self.get(path, params)
        for _ in range(max_pages):
            yield list(data.get("data") or [])
            nxt = (data.get("paging") or {}).get("next")
            if not nxt:
                return
            data = self.get(nxt)


def success(data: Any) -> bool:
    """Graph answers ``{"success": true}`` (or plain ``true`` in old versions) for updates."""
    if isinstance(data, dict):
        return bool(data.get("success", True))
    return bool(data)
