"""Mastodon (any instance, API v1/v2) through Mastodon.py, with the commune's access token.

Reading — one API call per ``fetch``, a polling round in three phases (the cursor says where it is):
1. ``GET /api/v1/accounts/:id/statuses`` (the commune's statuses of the last ``SYNC_ACTIVE_DAYS``,
   ``SYNC_BACKFILL_DAYS`` the first time); a status whose ``replies_count`` (direct replies) changed,
   or not read for ``thread_refresh_minutes`` (60), is queued. Read first, so that an answer to one of
   them is known as a comment on a post;
2. ``GET /api/v1/notifications?types[]=mention`` (``notifications(types=['mention'], since_id=…)``),
   newest first, paged with ``max_id`` down to the last notification seen (``since_id``): replies to
   the commune (Mastodon mentions the author of the status answered), messages that name it, and
   private mentions (``visibility=direct``, shown as private messages). An answer to an older status
   of the commune costs one ``GET /api/v1/statuses/:id`` to know whether that status was a post;
3. ``GET /api/v1/statuses/:id/context`` of each queued status: every reply below it (``descendants``),
   including answers between residents that never mention the commune.
The user stream (``GET /api/v1/streaming/user``, see ``stream.py``) brings the same items in real time.

Acting: Mastodon has no way to hide someone else's reply. ``check('hide')`` explains what to do
instead: report it to the instance's moderators (``POST /api/v1/reports``, forwarded to the author's
instance when remote), block its author (``POST /api/v1/accounts/:id/block``), mute it
(``mute_author``, with a duration) or filter words for the commune's account (``filters_v2``).
Replies (``POST /api/v1/statuses`` with ``in_reply_to_id``) carry the ``Idempotency-Key`` header:
Mastodon creates one status per key (kept an hour); ``reconcile`` looks for the reply among the
account's recent statuses after that. The commune deletes only its own statuses.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import requests
from mastodon import Mastodon
from mastodon import errors as mde

from beffroi.connectors.base import (
    AccountConfig,
    AccountIdentity,
    ActionRequest,
    ActionResult,
    ActionTarget,
    AuthError,
    Capability,
    Check,
    Connector,
    ConnectorError,
    CredentialField,
    FetchedItem,
    FetchPage,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.connectors.mastodon.convert import as_utc, html_to_text, status_item
from beffroi.connectors.urlguard import guarded_session, unsafe_cause

T = TypeVar("T")


def _status_of(api: Mastodon, status_id: str) -> Any:
    return api.status(status_id)


PAGE_SIZE = 40  # the API's maximum for notifications and statuses
THREAD_REFRESH_MINUTES = 60
CURSOR_VERSION = 1
USER_AGENT = "Beffroi/0.1 (+https://beffroi.example; moderation for French communes)"
# Actions only Mastodon offers (capabilities FILTER and MUTE): what the team is told about them.
FILTER_EXPLANATION_FR = (
    "Mastodon ne permet pas de masquer la réponse d'une autre personne : « Filtrer » la cache seulement pour le "
    "compte de la commune (filtre « Beffroi »), les autres personnes la voient toujours. Pour qu'elle soit retirée, "
    "signalez-la aussi à la modération de l'instance."
)
MUTE_EXPLANATION_FR = (
    "La sourdine cache les messages et les notifications de cette personne pour le compte de la commune, pendant "
    "la durée choisie. Elle n'en est pas avertie et peut toujours répondre : c'est plus doux qu'un blocage."
)
FILTER_TITLE = "Beffroi"


def _status_code(exc: BaseException) -> int | None:
    for arg in getattr(exc, "args", ())[1:2]:
        if isinstance(arg, int):
            return arg
    return None


def _api_message(exc: BaseException) -> str:
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    return str(args[3]) if len(args) > 3 and args[3] else ""


def map_error(exc: BaseException, api: Mastodon | None = None, *, now: float | None = None) -> ConnectorError:
    """The base error for a Mastodon.py exception."""
    now = time.time() if now is None else now
    status = _status_code(exc)
    where = f"{type(exc).__name__} {status or ''}: {_api_message(exc) or exc}".strip()
    if isinstance(exc, mde.MastodonRatelimitError) or status == 429:
        reset = getattr(api, "ratelimit_reset", None) if api is not None else None
        retry_after = max(0.0, float(reset) - now) if reset else None
        return RateLimited(
            where,
            retry_after=retry_after,
            message_fr="Mastodon limite le nombre d'appels : nouvel essai plus tard.",
            status=429,
        )
    if isinstance(exc, mde.MastodonUnauthorizedError) or status == 401:
        return AuthError(
            where,
            message_fr="L'instance Mastodon refuse le jeton : il a été révoqué ou l'application a été supprimée. "
            "Créez un nouveau jeton et reconnectez le compte.",
            status=401,
        )
    if status == 403:
        return AuthError(
            where,
            message_fr="L'instance Mastodon refuse l'accès : le jeton n'a pas les autorisations nécessaires (voir le "
            "guide) ou le compte est suspendu.",
            status=403,
        )
    if isinstance(exc, mde.MastodonNetworkError | mde.MastodonServerError) or (
        status is not None and status >= 500
    ):
        return TransientError(
            where,
            message_fr="L'instance Mastodon ne répond pas correctement : nouvel essai plus tard.",
            status=status,
        )
    if isinstance(exc, mde.MastodonNotFoundError) or status in (404, 410):
        return PermanentError(where, message_fr="Ce message n'existe plus sur Mastodon.", status=status)
    detail = _api_message(exc)
    return PermanentError(
        where,
        message_fr="L'instance Mastodon a refusé la demande" + (f" : {detail}" if detail else "."),
        status=status,
    )


def instance_address(value: str) -> str:
    """The instance's base URL: ``https://`` when the commune typed only the host (as Mastodon.py does)."""
    value = value.strip().rstrip("/")
    if value and "://" not in value:
        value = "https://" + value
    return value


class MastodonConnector(Connector):
    platform = "mastodon"
    label = "Mastodon"
    guide = "GUIDE.fr.md"
    capabilities = frozenset(
        {
            Capability.FETCH,
            Capability.PRIVATE_MESSAGES,
            Capability.DELETE,
            Capability.REPLY,
            Capability.PRIVATE_REPLY,
            Capability.REPORT,
            Capability.BLOCK,
            Capability.UNBLOCK,
            Capability.LIKE,
            Capability.FILTER,
            Capability.MUTE,
        }
    )
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.HIDE: "Mastodon ne permet pas de masquer la réponse d'une autre personne. À la place : signalez-la "
        "à la modération de l'instance, bloquez ou mettez en sourdine son auteur, ou filtrez des mots pour le compte "
        "de la commune.",
        Capability.UNHIDE: "Mastodon ne permet pas de masquer les réponses, donc pas de les rétablir.",
        Capability.WEBHOOK: "Mastodon n'envoie pas de webhooks pour un compte : Beffroi relève les notifications et "
        "peut écouter le flux en direct (voir le guide).",
    }
    credential_fields = (
        CredentialField(
            "instance_url",
            "Adresse de l'instance",
            "Par exemple https://mastodon.social ou https://social.ma-commune.fr.",
            secret=False,
        ),
        CredentialField(
            "access_token",
            "Jeton d'accès",
            "Dans Mastodon : Préférences > Développement > Nouvelle application, puis « Votre jeton d'accès ».",
        ),
    )
    external_id_label_fr = "Identifiant numérique du compte Mastodon"
    address_fields = ("instance_url",)
    idempotent_actions = frozenset(
        {"delete", "block_author", "unblock_author", "like", "mute_author", "unmute_author", "filter_status"}
    )

    clock = staticmethod(time.time)

    def __init__(self, config: AccountConfig, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        creds = config.credentials
        self.token = str(creds.get("access_token") or "")
        self.instance_url = instance_address(str(creds.get("instance_url") or config.options.get("instance_url") or ""))
        self._me: str | None = None
        # Mastodon.py's client (not named ``api``: the sync reads ``connector.api`` as the shared HttpClient).
        if isinstance(http, Mastodon):
            self.mastodon = http
            return
        if not self.instance_url or not self.token:
            raise AuthError(
                "missing instance url or token",
                message_fr="Il manque l'adresse de l'instance ou le jeton d'accès.",
            )
        from beffroi import conf

        self.mastodon = Mastodon(
            access_token=self.token,
            api_base_url=self.instance_url,
            ratelimit_method="throw",  # never sleep inside a worker: the sync defers the account instead
            request_timeout=float(conf.get("HTTP_TIMEOUT")),
            # Only public addresses, on every redirect too (the instance is typed by the commune, and it names
            # its own streaming server): connectors.urlguard.
            session=http if isinstance(http, requests.Session) else guarded_session(),
            user_agent=USER_AGENT,
            version_check_mode="none",
        )

    # -- calls -----------------------------------------------------------------------------
    def call(self, fn: Callable[[Mastodon], T]) -> T:
        try:
            return fn(self.mastodon)
        except mde.MastodonError as exc:
            refused = unsafe_cause(exc)  # Mastodon.py wraps every failure of the request in a network error
            if refused is not None:
                raise refused from exc
            raise map_error(exc, self.mastodon, now=self.clock()) from exc

    @property
    def account_id(self) -> str:
        """The account's id on its instance (stored when it was connected; asked once otherwise)."""
        if self.config.external_id:
            return self.config.external_id
        if self._me is None:
            self._me = str(self.call(lambda api: api.account_verify_credentials())["id"])
        return self._me

    def identify(self) -> AccountIdentity | None:
        """``GET /api/v1/accounts/verify_credentials``."""
        me = self.call(lambda api: api.account_verify_credentials())
        acct = str(me.get("acct") or me.get("username") or "")
        host = self.instance_url.split("://", 1)[-1]
        handle = f"@{acct}@{host}" if "@" not in acct else f"@{acct}"
        return AccountIdentity(
            external_id=str(me["id"]),
            name=str(me.get("display_name") or acct),
            handle=handle,
            url=str(me.get("url") or ""),
        )

    def usage(self) -> Mapping[str, Any]:
        """Mastodon's X-RateLimit-* headers of the last answer (300 calls per 5 minutes by default)."""
        out: dict[str, Any] = {}
        if getattr(self.mastodon, "ratelimit_lastcall", None) is None:
            return out
        out["ratelimit_limit"] = self.mastodon.ratelimit_limit
        out["ratelimit_remaining"] = self.mastodon.ratelimit_remaining
        if self.mastodon.ratelimit_reset:
            out["ratelimit_reset"] = int(self.mastodon.ratelimit_reset)
        return out

    # -- reading ---------------------------------------------------------------------------
    def _days(self, name: str, setting: str) -> int:
        from beffroi import conf

        value = self.config.options.get(name)
        return int(value) if value else int(conf.get(setting))

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        state = _State.load(cursor)
        now = int(self.clock())
        if state.round_start is None:
            state.round_start = now
        if state.phase == "statuses":
            items = self._statuses(state, now)
        elif state.phase == "notifications":
            items = self._notifications(state, now)
        else:
            items = self._context(state, now)
        finished = state.phase == "contexts" and not state.pending
        if finished:
            state.end_round(now - self._days("active_days", "SYNC_ACTIVE_DAYS") * 86400)
        return FetchPage(items=items, cursor=state.dump(), has_more=not finished)

    def _notifications(self, state: _State, now: int) -> list[FetchedItem]:
        page = self.call(
            lambda api: api.notifications(
                types=["mention"], since_id=state.since, max_id=state.max_id, limit=PAGE_SIZE
            )
        )
        notifications = [n for n in page or [] if isinstance(n, Mapping)]
        if state.max_id is None and notifications:
            state.top = str(notifications[0]["id"])
        floor = now - self._days("backfill_days", "SYNC_BACKFILL_DAYS") * 86400
        fresh = notifications
        if state.since is None:  # first round: only the backfill window
            fresh = [n for n in notifications if as_utc(n.get("created_at")).timestamp() >= floor]
        if len(notifications) >= PAGE_SIZE and len(fresh) == len(notifications):
            state.max_id = str(notifications[-1]["id"])
        else:
            state.max_id = None
            state.since = state.top or state.since
            state.top = None
            state.phase = "contexts"
        me = self.account_id
        statuses = [
            n["status"]
            for n in reversed(fresh)
            if n.get("type") == "mention" and isinstance(n.get("status"), Mapping)
        ]  # oldest first
        roots = {**state.posts, **self.commune_posts_answered(statuses, known=state.posts)}
        return [status_item(status, account_id=me, roots=roots) for status in statuses]

    def commune_posts_answered(
        self, statuses: list[Mapping[str, Any]], *, known: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Among the statuses these answer, the commune's posts (top level) not in ``known``: one
        ``GET /api/v1/statuses/:id`` each, so an answer to an older post is still a comment."""
        me = self.account_id
        found: dict[str, Any] = {}
        looked: set[str] = set()
        for status in statuses:
            parent = str(status.get("in_reply_to_id") or "")
            if (
                not parent
                or parent in known
                or parent in looked
                or str(status.get("in_reply_to_account_id") or "") != me
            ):
                continue
            looked.add(parent)
            try:
                answered = self.call(functools.partial(_status_of, status_id=parent))
            except PermanentError:
                continue  # deleted meanwhile
            if not answered.get("in_reply_to_id"):
                found[parent] = answered
        return found

    def _statuses(self, state: _State, now: int) -> list[FetchedItem]:
        days = (
            self._days("active_days", "SYNC_ACTIVE_DAYS")
            if state.last_round
            else self._days("backfill_days", "SYNC_BACKFILL_DAYS")
        )
        floor = now - days * 86400
        refresh = int(self.config.options.get("thread_refresh_minutes") or THREAD_REFRESH_MINUTES) * 60
        me = self.account_id
        page = self.call(
            lambda api: api.account_statuses(
                me, exclude_reblogs=True, max_id=state.status_max_id, limit=PAGE_SIZE
            )
        )
        statuses = [s for s in page or [] if isinstance(s, Mapping)]
        items: list[FetchedItem] = []
        older = False
        for status in statuses:
            created = int(as_utc(status.get("created_at")).timestamp())
            if created < floor:
                older = True
                continue
            status_id = str(status["id"])
            if not status.get("in_reply_to_id"):
                known = state.posts.get(status_id) or [created, 0, 0]
                count = int(status.get("replies_count") or 0)
                stale = now - known[2] >= refresh
                if count > 0 and (known[1] != count or stale) and status_id not in state.pending:
                    state.pending.append(status_id)
                state.posts[status_id] = [created, known[1], known[2]]
            items.append(status_item(status, account_id=me, roots=state.posts))
        if len(statuses) >= PAGE_SIZE and not older:
            state.status_max_id = str(statuses[-1]["id"])
        else:
            state.status_max_id = None
            state.phase = "notifications"
        items.reverse()
        return items

    def _context(self, state: _State, now: int) -> list[FetchedItem]:
        if not state.pending:
            return []
        root_id = state.pending.pop(0)
        try:
            context = self.call(lambda api: api.status_context(root_id))
        except PermanentError:
            state.posts.pop(root_id, None)  # deleted meanwhile
            return []
        me = self.account_id
        descendants = [s for s in (context or {}).get("descendants") or [] if isinstance(s, Mapping)]
        items = [status_item(s, account_id=me, roots=state.posts, thread_root=root_id) for s in descendants]
        direct = sum(1 for s in descendants if str(s.get("in_reply_to_id") or "") == root_id)
        known = state.posts.get(root_id) or [now, 0, 0]
        state.posts[root_id] = [known[0], direct, now]
        return items

    # -- acting ----------------------------------------------------------------------------
    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        author = self._author(target)
        me = self.account_id
        if action == "filter_status":
            if not target.item_external_id:
                return Check(False, "Ce message n'a pas d'identifiant Mastodon : impossible de le filtrer.")
            if author and author == me:
                return Check(False, "C'est un message du compte de la commune : supprimez-le plutôt.")
            return Check(True, FILTER_EXPLANATION_FR)
        if action in ("mute_author", "unmute_author"):
            if not author:
                return Check(False, "L'auteur de ce message est inconnu sur Mastodon.")
            if author == me:
                return Check(False, "Cette action ne s'applique pas au compte de la commune lui-même.")
            return Check(True, MUTE_EXPLANATION_FR if action == "mute_author" else "")
        if action == "delete":
            if author != me:
                return Check(
                    False,
                    "Mastodon ne permet de supprimer que les messages du compte de la commune. Pour le message d'une "
                    "autre personne : signalez-le à la modération de l'instance ou bloquez son auteur.",
                )
            return Check(
                True,
                "La suppression est définitive sur Mastodon (et sur les instances qui l'ont reçu).",
                needs_confirmation=True,
            )
        if action in ("block_author", "unblock_author", "report", "private_reply") and not author:
            return Check(False, "L'auteur de ce message est inconnu sur Mastodon.")
        if action in ("block_author", "report") and author == me:
            return Check(False, "Cette action ne s'applique pas au compte de la commune lui-même.")
        if action == "block_author":
            return Check(
                True,
                "Un blocage Mastodon n'a pas de durée : la personne ne voit plus les messages de la commune et ne peut "
                "plus lui répondre. Une mise en sourdine temporaire est plus douce.",
            )
        return Check(True)

    @staticmethod
    def _author(target: ActionTarget) -> str:
        account = target.raw.get("account") if isinstance(target.raw.get("account"), Mapping) else {}
        return target.author_external_id or str((account or {}).get("id") or "")

    @staticmethod
    def _acct(target: ActionTarget) -> str:
        account = target.raw.get("account") if isinstance(target.raw.get("account"), Mapping) else {}
        return str((account or {}).get("acct") or "")

    def perform(self, request: ActionRequest) -> ActionResult:
        verdict = self.check(request.action, request.target)
        if not verdict.allowed:
            raise NotAllowed(f"mastodon cannot {request.action} here", message_fr=verdict.reason_fr)
        from beffroi.connectors.mastodon import actions

        handler = getattr(actions, f"do_{request.action}", None)
        if handler is None:
            raise NotAllowed(
                f"mastodon cannot {request.action}", message_fr=f"{self.label} ne permet pas cette action."
            )
        result: ActionResult = handler(self, request)
        return result

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """A reply is looked for among the account's recent statuses (same parent, same text)."""
        if request.action not in ("reply", "private_reply"):
            return None
        from beffroi.connectors.mastodon.actions import same_text

        me = self.account_id
        recent = self.call(lambda api: api.account_statuses(me, exclude_reblogs=True, limit=PAGE_SIZE))
        for status in recent or []:
            if str(status.get("in_reply_to_id") or "") != request.target.item_external_id:
                continue
            if same_text(html_to_text(str(status.get("content") or "")), request.text):
                return ActionResult(
                    applied=True, remote_id=str(status["id"]), detail="réponse retrouvée sur Mastodon"
                )
        return ActionResult(applied=False)


class _State:
    """The cursor of a polling round (stored as JSON by the sync, with the page's items)."""

    def __init__(self) -> None:
        self.phase = "statuses"
        self.since: str | None = None  # newest mention notification of the last finished round
        self.top: str | None = None  # newest notification of the round in progress
        self.max_id: str | None = None  # notifications paging
        self.status_max_id: str | None = None  # the account's statuses paging
        self.round_start: int | None = None
        self.last_round: int | None = None
        # top-level status id → [created (epoch), direct replies seen, last time its context was read]
        self.posts: dict[str, list[int]] = {}
        self.pending: list[str] = []

    @classmethod
    def load(cls, cursor: Mapping[str, Any]) -> _State:
        state = cls()
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            return state
        phase = str(cursor.get("phase") or "statuses")
        state.phase = phase if phase in ("notifications", "statuses", "contexts") else "statuses"
        for name in ("since", "top", "max_id", "status_max_id"):
            value = cursor.get(name)
            setattr(state, name, str(value) if value else None)
        for name in ("round_start", "last_round"):
            value = cursor.get(name)
            setattr(state, name, int(value) if value is not None else None)
        state.posts = {str(k): [int(x) for x in v][:3] for k, v in (cursor.get("posts") or {}).items()}
        state.pending = [str(u) for u in cursor.get("pending") or []]
        return state

    def end_round(self, forget_before: int) -> None:
        self.last_round = self.round_start
        self.round_start = None
        self.phase = "statuses"
        self.posts = {k: v for k, v in self.posts.items() if v[0] >= forget_before}

    def dump(self) -> dict[str, Any]:
        return {
            "v": CURSOR_VERSION,
            "phase": self.phase,
            "since": self.since,
            "top": self.top,
            "max_id": self.max_id,
            "status_max_id": self.status_max_id,
            "round_start": self.round_start,
            "last_round": self.last_round,
            "posts": self.posts,
            "pending": self.pending,
        }
