"""The replay connector: a platform for tests and the demo, through the exact interface of the real
connectors (``connectors/base.py``).

Reading — ``fetch(cursor)`` replays, in order and by pages, either

- a file of recorded payloads (``options["file"]``: JSON Lines, or a JSON list), each line either
  the test platform's object shape (``id``, ``kind``, ``text``, ``published_at``, ``author``
  {id, name, handle, url}, ``parent_id``, ``thread_id``, ``url``, ``likes``, ``hidden`` …) or the
  demo shape (``id``, ``kind``, ``parent``, ``author`` {id, name}, ``text``, ``minutes_ago``,
  ``likes``, ``shares``, optional ``account`` filtered by ``options["account"]``); or
- the feed of a running test platform (``options["base_url"]``).

Acting — hide, unhide, delete, reply, private reply, like, report, block, unblock are sent to the
test platform (``options["base_url"]``, token in the credentials, ``Idempotency-Key`` header), or,
without a base URL, applied to a local store kept in a JSON file (``options["store_path"]``, by
default ``<DATA_DIR>/replay/<account>.json``) so the demo's decisions are really "applied".
``reconcile()`` looks for a reply or message carrying the request's idempotency key, so a reply
interrupted by a crash is never posted twice.

Options to imitate other platforms in tests: ``capabilities`` (list of capability names),
``label``, ``confirm`` (actions that are irreversible, like YouTube's "rejected").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import httpx

from beffroi.connectors.base import (
    ActionRequest,
    ActionResult,
    ActionTarget,
    Capability,
    Check,
    Connector,
    CredentialField,
    FetchedAuthor,
    FetchedItem,
    FetchPage,
    NotAllowed,
    PermanentError,
)
from beffroi.connectors.http import HttpClient, json_body, json_of

ALL_CAPABILITIES = frozenset(
    {
        Capability.FETCH,
        Capability.PRIVATE_MESSAGES,
        Capability.HIDE,
        Capability.UNHIDE,
        Capability.DELETE,
        Capability.REPLY,
        Capability.PRIVATE_REPLY,
        Capability.REPORT,
        Capability.BLOCK,
        Capability.UNBLOCK,
        Capability.LIKE,
    }
)
PRIVATE_REPLY_WINDOW = dt.timedelta(days=7)
DEFAULT_PAGE_SIZE = 100


def _parse_time(value: Any, now: dt.datetime) -> dt.datetime:
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    if isinstance(value, str) and value:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return now


def to_fetched(raw: Mapping[str, Any], *, page_id: str = "", now: dt.datetime | None = None) -> FetchedItem:
    """One recorded payload (test platform or demo shape) as a FetchedItem."""
    now = now or dt.datetime.now(dt.UTC)
    author_raw = raw.get("author") or {}
    if isinstance(author_raw, str):
        author_raw = {"id": author_raw, "name": author_raw}
    author = None
    if author_raw.get("id"):
        author = FetchedAuthor(
            external_id=str(author_raw["id"]),
            handle=str(author_raw.get("handle", "")),
            display_name=str(author_raw.get("name", "")),
            profile_url=str(author_raw.get("url", "")),
            metadata={k: v for k, v in author_raw.items() if k in ("account_age_days", "followers", "location")},
        )
    if "minutes_ago" in raw:
        published = now - dt.timedelta(minutes=float(raw.get("minutes_ago") or 0))
    else:
        published = _parse_time(raw.get("published_at") or raw.get("created_at"), now)
    parent = str(raw.get("parent_id") or raw.get("parent") or "")
    from_page = bool(raw.get("from_page")) or (bool(page_id) and author is not None and author.external_id == page_id)
    return FetchedItem(
        external_id=str(raw["id"]),
        kind=str(raw.get("kind") or ("reply" if parent else "comment")),
        text=str(raw.get("text") or ""),
        published_at=published,
        author=author,
        url=str(raw.get("url") or ""),
        parent_external_id=parent,
        thread_external_id=str(raw.get("thread_id") or ""),
        is_from_account=from_page,
        is_hidden=bool(raw.get("hidden")),
        likes=int(raw.get("likes") or 0),
        shares=int(raw.get("shares") or 0),
        raw=dict(raw),
    )


class ReplayConnector(Connector):
    platform = "replay"
    label = "Plateforme de test"
    capabilities: ClassVar[frozenset[Capability]] = ALL_CAPABILITIES
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.WEBHOOK: "La plateforme de test n'envoie pas de webhooks : elle est lue régulièrement.",
    }
    credential_fields = (CredentialField("access_token", "Jeton d'accès", "Le jeton de la plateforme de test.", required=False),)
    external_id_label_fr = "Identifiant de la page de test"
    idempotent_actions: ClassVar[frozenset[str]] = frozenset({"hide", "unhide", "delete", "block_author", "unblock_author", "like"})

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        options = dict(config.options)
        self.base_url = str(options.get("base_url") or "").rstrip("/")
        names = options.get("capabilities")
        if names is not None:
            self.capabilities = frozenset(Capability(n) for n in names)
        if options.get("label"):
            self.label = str(options["label"])
        self.confirm = frozenset(options.get("confirm") or ())
        self.page_size = int(options.get("page_size") or DEFAULT_PAGE_SIZE)
        self._api: HttpClient | None = None

    # -- HTTP ----------------------------------------------------------------------------------
    @property
    def token(self) -> str:
        return str(self.config.credentials.get("access_token", ""))

    @property
    def api(self) -> HttpClient:
        if self._api is None:
            options = self.config.options
            overrides: dict[str, Any] = {"secrets": [self.token], "retries": int(options.get("http_retries", 0))}
            if options.get("timeout"):
                overrides["timeout"] = float(options["timeout"])
            self._api = HttpClient.from_injected(self.http, error_mapper=self._map_error, **overrides)
        return self._api

    def _map_error(self, response: httpx.Response) -> Any:
        body = json_body(response) or {}
        code = str((body.get("error") or {}).get("code", "")) if isinstance(body, dict) else ""
        message = str((body.get("error") or {}).get("message", "")) if isinstance(body, dict) else ""
        if response.status_code == 400 and code == "already_replied":
            return NotAllowed(message, message_fr="Une réponse privée a déjà été envoyée pour ce commentaire (une seule est permise).", status=400)
        if response.status_code == 400 and code == "window_closed":
            return NotAllowed(message, message_fr="Les réponses privées ne sont possibles que dans les 7 jours suivant le commentaire.", status=400)
        if response.status_code == 400 and code == "not_allowed":
            return NotAllowed(message, message_fr="La plateforme ne permet pas cette action sur cet élément.", status=400)
        return None

    def _headers(self, key: str = "") -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    # -- reading -------------------------------------------------------------------------------
    def _file_lines(self) -> Iterator[dict[str, Any]]:
        path = Path(str(self.config.options.get("file")))
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("["):
            rows = json.loads(text)
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        wanted_account = self.config.options.get("account")
        for row in rows:
            if wanted_account and row.get("account") not in (None, wanted_account):
                continue
            yield row

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        now = dt.datetime.now(dt.UTC)
        if self.base_url:
            after = int(cursor.get("after", 0))
            data = json_of(
                self.api.request("GET", f"{self.base_url}/v1/feed", params={"after": after, "limit": self.page_size}, headers=self._headers())
            )
            items = [to_fetched(raw, page_id=self.config.external_id, now=now) for raw in data.get("items", [])]
            return FetchPage(items=items, cursor={"after": int(data.get("next", after))}, has_more=bool(data.get("has_more")))
        if self.config.options.get("file"):
            position = int(cursor.get("line", 0))
            rows = list(self._file_lines())
            page = rows[position : position + self.page_size]
            items = [to_fetched(raw, page_id=self.config.external_id, now=now) for raw in page]
            nxt = position + len(page)
            return FetchPage(items=items, cursor={"line": nxt}, has_more=nxt < len(rows))
        return FetchPage(items=[], cursor=dict(cursor))

    # -- acting --------------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        if action in ("hide", "unhide") and target.item_kind == "post":
            return Check(False, "Une publication de la commune ne se masque pas : modifiez-la ou supprimez-la sur la plateforme.")
        if action == "private_reply":
            if "private_reply" in target.previous_actions:
                return Check(False, "Une réponse privée a déjà été envoyée pour ce commentaire : la plateforme n'en permet qu'une.")
            if "private_reply" in target.pending_actions:
                return Check(False, "Une réponse privée à ce commentaire est déjà en cours d'envoi : la plateforme n'en permet qu'une.")
            published = target.item_published_at
            if published is not None and (now or dt.datetime.now(dt.UTC)) - published > PRIVATE_REPLY_WINDOW:
                return Check(False, "Les réponses privées ne sont possibles que dans les 7 jours suivant le commentaire.")
        if action == "delete" or action in self.confirm:
            return Check(True, f"{self.label} : cette action est définitive.", needs_confirmation=True)
        return Check(True)

    def _path(self, request: ActionRequest) -> tuple[str, str, dict[str, Any]]:
        target = request.target.item_external_id
        author = request.target.author_external_id
        action = request.action
        if action == "delete":
            return "DELETE", f"/v1/items/{target}", {}
        if action in ("hide", "unhide", "like"):
            return "POST", f"/v1/items/{target}/{action}", {}
        if action == "report":
            return "POST", f"/v1/items/{target}/report", {"reason": request.reason}
        if action == "reply":
            return "POST", f"/v1/items/{target}/replies", {"text": request.text}
        if action == "private_reply":
            return "POST", f"/v1/items/{target}/private_replies", {"text": request.text}
        if action == "block_author":
            return "POST", f"/v1/authors/{author}/block", {"duration_days": request.duration_days, "reason": request.reason}
        if action == "unblock_author":
            return "DELETE", f"/v1/authors/{author}/block", {}
        raise NotAllowed(f"unknown action {action}", message_fr="Action inconnue de la plateforme de test.")

    def perform(self, request: ActionRequest) -> ActionResult:
        check = self.check(request.action, request.target)
        if not check.allowed:
            raise NotAllowed(request.action, message_fr=check.reason_fr)
        method, path, body = self._path(request)
        if not self.base_url:
            return self._perform_local(request, body)
        response = self.api.request(
            method, f"{self.base_url}{path}", json=body or None, headers=self._headers(request.idempotency_key), idempotent=request.action in self.idempotent_actions
        )
        data = json_of(response) or {}
        return ActionResult(applied=True, remote_id=str(data.get("id", "")), data={"status": response.status_code})

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        target = request.target.item_external_id
        if request.action not in ("reply", "private_reply", "report"):
            return None
        if not self.base_url:
            return self._reconcile_local(request)
        sub = {"reply": "replies", "private_reply": "messages", "report": ""}[request.action]
        if request.action == "report":
            obj = json_of(self.api.request("GET", f"{self.base_url}/v1/items/{target}", headers=self._headers()))
            found = any(r.get("key") == request.idempotency_key for r in obj.get("reports", []))
            return ActionResult(applied=found, detail="reconciled")
        data = json_of(self.api.request("GET", f"{self.base_url}/v1/items/{target}/{sub}", headers=self._headers()))
        for row in data.get("data", []):
            key = (row.get("meta") or {}).get("idempotency_key") or row.get("idempotency_key")
            if key == request.idempotency_key:
                return ActionResult(applied=True, remote_id=str(row.get("id", "")), detail="reconciled")
        return ActionResult(applied=False, detail="reconciled")

    # -- local mode (no test platform running: the demo) ---------------------------------------
    def _store_path(self) -> Path:
        path = self.config.options.get("store_path")
        if path:
            return Path(str(path))
        from beffroi import conf

        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.config.external_id) or "default"
        return Path(str(conf.get("DATA_DIR"))) / "replay" / f"{safe}.json"

    def _ensure(self, store: Any, target: ActionTarget) -> None:
        if not target.item_external_id or target.item_external_id in store.objects:
            return
        store.add_comment(
            target.parent_external_id,
            str(target.raw.get("text", "")),
            comment_id=target.item_external_id,
            kind=target.item_kind or "comment",
            published_at=target.item_published_at,
            author={"id": target.author_external_id or "inconnu"},
        )

    def _perform_local(self, request: ActionRequest, body: dict[str, Any]) -> ActionResult:
        from beffroi.connectors.testplatform.store import PlatformError, file_store

        with file_store(self._store_path(), page_id=self.config.external_id) as store:
            self._ensure(store, request.target)
            target = request.target.author_external_id if request.action.endswith("block_author") else request.target.item_external_id
            try:
                answer = store.act(request.action, target, key=request.idempotency_key, params=body)
            except PlatformError as exc:
                if exc.status == 404:
                    raise PermanentError(exc.message, message_fr="Cet élément n'existe plus sur la plateforme.", status=404) from None
                raise NotAllowed(exc.message, message_fr="La plateforme de test a refusé cette action.", status=exc.status) from None
        return ActionResult(applied=True, remote_id=str(answer.get("id", "")))

    def _reconcile_local(self, request: ActionRequest) -> ActionResult:
        from beffroi.connectors.testplatform.store import file_store

        with file_store(self._store_path(), page_id=self.config.external_id) as store:
            answer = store.keys.get(request.idempotency_key)
        if answer is None:
            return ActionResult(applied=False, detail="reconciled")
        return ActionResult(applied=True, remote_id=str(answer.get("id", "")), detail="reconciled")
