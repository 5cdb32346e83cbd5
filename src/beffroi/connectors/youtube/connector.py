"""YouTube channels through the YouTube Data API v3 (google-api-python-client, static discovery document).

Authorisation: OAuth 2.0 for the channel's owner, scope ``https://www.googleapis.com/auth/youtube.force-ssl``
(the one every comment moderation method requires); Beffroi stores the OAuth client id/secret and the
refresh token, and google-auth exchanges them for hour-long access tokens.

Reading (one call per ``fetch``, a resumable round; see :class:`_Round`):
1. ``commentThreads.list(part=snippet,replies, allThreadsRelatedToChannelId, moderationStatus,
   order=time, textFormat=plainText, maxResults=100, pageToken)`` for each moderation status watched
   (``published`` and ``heldForReview`` — comments YouTube held for review — by default), or ``videoId=…``
   for each video of ``options["video_ids"]`` when only some videos are followed;
2. ``comments.list(part=snippet, parentId, textFormat=plainText, maxResults=100)`` for the threads whose
   reply count grew beyond the replies the thread resource carries.
YouTube sends no webhooks for comments: polling only.

Acting (each call costs 50 units of the daily quota, see :mod:`.quota`):
- hide = ``comments.setModerationStatus(moderationStatus=heldForReview)``: back in "held for review",
  reversible (unhide = ``published``);
- delete = ``setModerationStatus(rejected)`` for someone else's comment (``comments.delete`` only works for
  the author's own comments): IRREVERSIBLE — YouTube cannot publish a rejected comment again, and its replies
  disappear with it — so ``check`` asks for confirmation; the channel's own comments use ``comments.delete``;
- block_author = ``setModerationStatus(rejected, banAuthor=true)``: rejects the comment and hides the
  author's future comments on the channel (irreversible through the API);
- reply = ``comments.insert(part=snippet, body={"snippet": {"parentId", "textOriginal"}})``.
``comments.markAsSpam`` is no longer supported: no report.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, ClassVar

import httplib2

from beffroi.connectors.base import (
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
    FetchPage,
    NotAllowed,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.connectors.http import HttpStats, parse_retry_after
from beffroi.connectors.youtube.quota import (
    LIST_COST,
    WRITE_COST,
    AccountQuotaStore,
    MemoryQuotaStore,
    QuotaBook,
)
from beffroi.connectors.youtube.reading import ReadingMixin
from beffroi.connectors.youtube.transport import inner_http

SCOPE = "https://www.googleapis.com/auth/youtube.force-ssl"
TOKEN_URI = "https://oauth2.googleapis.com/token"
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
GONE_REASONS = frozenset({"commentNotFound", "processingFailure"})
_REJECT_FR = (
    "Irréversible sur YouTube : un commentaire rejeté ne peut plus être republié, et ses réponses disparaissent avec "
    "lui. Préférez « masquer », qui le remet en attente d'examen (réversible)."
)
_BAN_FR = (
    "Irréversible sur YouTube : le commentaire est rejeté et les prochains commentaires de cette personne seront masqués "
    "sur la chaîne. Seul YouTube Studio permet de lever l'interdiction (Paramètres > Communauté > Utilisateurs masqués)."
)


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def _error_reason(exc: Any) -> tuple[str, str]:
    """(reason, message) of a googleapiclient HttpError: ``{"error": {"errors": [{"reason"}], "message"}}``."""
    try:
        body = json.loads(exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content)
    except (ValueError, AttributeError, UnicodeDecodeError):
        return "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    errors = error.get("errors") or []
    reason = str(errors[0].get("reason") or "") if errors and isinstance(errors[0], dict) else ""
    return reason, str(error.get("message") or "")


class YouTubeConnector(ReadingMixin, Connector):
    platform = "youtube"
    label = "YouTube"
    guide = "GUIDE.fr.md"
    capabilities = frozenset({Capability.FETCH, Capability.HIDE, Capability.UNHIDE, Capability.DELETE, Capability.REPLY, Capability.BLOCK})
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.REPORT: "YouTube ne permet plus de signaler un commentaire par l'API (markAsSpam n'est plus pris en "
        "charge) : signalez-le depuis YouTube (menu « ⋮ » du commentaire).",
        Capability.UNBLOCK: "YouTube ne permet pas de lever une interdiction par l'API : dans YouTube Studio, Paramètres > "
        "Communauté > Utilisateurs masqués.",
        Capability.LIKE: "YouTube ne permet pas d'aimer un commentaire par l'API : faites-le depuis YouTube Studio.",
        Capability.PRIVATE_REPLY: "YouTube n'a pas de réponse privée aux commentaires.",
        Capability.PRIVATE_MESSAGES: "YouTube n'a pas de messagerie privée.",
        Capability.WEBHOOK: "YouTube n'envoie pas de notification pour les commentaires : Beffroi les relit régulièrement.",
    }
    credential_fields = (
        CredentialField("client_id", "ID client OAuth", "Google Cloud Console > API et services > Identifiants.", secret=False),
        CredentialField("client_secret", "Code secret du client OAuth"),
        CredentialField("refresh_token", "Jeton d'actualisation (refresh token)", "Obtenu à l'étape 4 du guide, avec le compte propriétaire de la chaîne."),
    )
    external_id_label_fr = "Identifiant de la chaîne YouTube (commence par UC)"
    idempotent_actions = frozenset({"hide", "unhide", "delete", "block_author"})

    clock = staticmethod(time.time)

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        from beffroi import conf

        super().__init__(config, http=http)
        store = AccountQuotaStore(config.account_id) if config.account_id is not None else MemoryQuotaStore()
        limit = int(config.options.get("daily_quota") or conf.get("YOUTUBE_DAILY_QUOTA"))
        self.quota = QuotaBook(store, limit=limit, reserve=int(conf.get("YOUTUBE_QUOTA_RESERVE")), clock=lambda: self.clock())
        self.timeout = float(conf.get("HTTP_TIMEOUT"))
        self._youtube: Any = None
        self.api = SimpleNamespace(stats=HttpStats())  # the sync counts calls on ``api.stats.requests``

    @property
    def channel_id(self) -> str:
        return str(self.config.external_id)

    # -- the API -----------------------------------------------------------------------------
    def youtube(self) -> Any:
        """The ``youtube`` v3 service (built once, from the discovery document shipped with the library)."""
        if self._youtube is None:
            from google.oauth2.credentials import Credentials
            from google_auth_httplib2 import AuthorizedHttp
            from googleapiclient.discovery import build

            creds = self.config.credentials
            credentials = Credentials(
                token=creds.get("access_token") or None,
                refresh_token=creds.get("refresh_token") or None,
                client_id=creds.get("client_id") or None,
                client_secret=creds.get("client_secret") or None,
                token_uri=TOKEN_URI,
                scopes=[SCOPE],
            )
            http = AuthorizedHttp(credentials, http=inner_http(self.http, timeout=self.timeout))
            self._youtube = build("youtube", "v3", http=http, static_discovery=True, cache_discovery=False)
        return self._youtube

    def execute(self, request: Any, *, cost: int, what: str, for_action: bool = False) -> Any:
        """Spend the quota, run the request, map the errors."""
        from google.auth.exceptions import RefreshError, TransportError
        from googleapiclient.errors import HttpError

        self.quota.spend(cost, for_action=for_action, what=what)
        self.api.stats.requests += 1
        try:
            return request.execute(num_retries=0)
        except HttpError as exc:
            raise self.map_error(exc, what) from None
        except RefreshError as exc:
            raise AuthError(
                f"YouTube {what}: token refresh refused ({str(exc)[:120]})",
                message_fr="Google refuse de renouveler l'accès à la chaîne (autorisation retirée, mot de passe changé ou "
                "application en mode « test » depuis plus de 7 jours). Reconnectez la chaîne YouTube.",
            ) from None
        except TimeoutError as exc:
            raise TransientError(f"YouTube {what}: time-out", message_fr="YouTube n'a pas répondu à temps : nouvel essai plus tard.") from exc
        except (ConnectionError, OSError, httplib2.HttpLib2Error, TransportError) as exc:
            raise TransientError(f"YouTube {what}: {type(exc).__name__}", message_fr="YouTube est injoignable : nouvel essai plus tard.") from exc

    def map_error(self, exc: Any, what: str) -> ConnectorError:
        status = int(getattr(exc.resp, "status", 0) or 0)
        reason, message = _error_reason(exc)
        where = f"YouTube {what} → {status} {reason}: {message[:200]}"
        if status == 401:
            return AuthError(where, message_fr="Google refuse le jeton de la chaîne : reconnectez la chaîne YouTube.", status=status)
        if reason in QUOTA_REASONS:
            self.quota.last_total = self.quota.limit
            return self.quota.exhausted(0, self.quota.limit, for_action=True, what=what)
        if status == 429 or reason in RATE_REASONS:
            retry = parse_retry_after({k: str(v) for k, v in dict(exc.resp).items()}) or 60.0
            return RateLimited(where, retry_after=retry, message_fr="YouTube limite le nombre d'appels : nouvel essai plus tard.", status=status)
        if reason == "accessNotConfigured":
            return AuthError(where, message_fr="L'API YouTube Data v3 n'est pas activée dans le projet Google Cloud (voir le guide, étape 1).", status=status)
        if status == 403:
            return NotAllowed(
                where,
                message_fr="YouTube refuse : le compte connecté n'est pas propriétaire de cette chaîne ou de cette vidéo, ou "
                "le jeton n'a pas l'autorisation « youtube.force-ssl ».",
                status=status,
            )
        if status >= 500:
            return TransientError(where, message_fr="YouTube rencontre un problème temporaire : nouvel essai plus tard.", status=status)
        err = PermanentError(where, message_fr=f"YouTube a refusé la demande ({reason or status}).", status=status)
        err.gone = reason in GONE_REASONS or status == 404  # type: ignore[attr-defined]
        return err

    # -- identity --------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        """``channels.list(part=snippet, mine=true)``: the channel of the authorising Google account."""
        data = self.execute(self.youtube().channels().list(part="snippet", mine=True), cost=LIST_COST, what="channels.list")
        channels = data.get("items") or []
        if not channels:
            raise NotAllowed("no channel", message_fr="Ce compte Google n'a pas de chaîne YouTube : connectez le compte propriétaire de la chaîne.")
        channel = channels[0]
        snippet = channel.get("snippet") or {}
        handle = str(snippet.get("customUrl") or "")
        return AccountIdentity(
            external_id=str(channel["id"]),
            name=str(snippet.get("title") or ""),
            handle=handle,
            url=f"https://www.youtube.com/{handle}" if handle.startswith("@") else f"https://www.youtube.com/channel/{channel['id']}",
        )

    # -- acting ----------------------------------------------------------------------------
    def _own(self, target: ActionTarget) -> bool:
        author = ((target.raw.get("snippet") or {}).get("authorChannelId") or {}).get("value")
        return str(author or target.author_external_id) == self.channel_id

    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        if target.item_kind not in ("comment", "reply"):
            return Check(False, "Sur YouTube, Beffroi n'agit que sur les commentaires ; une vidéo se gère dans YouTube Studio.")
        own = self._own(target)
        if action in ("hide", "unhide", "block_author") and own:
            return Check(False, "Ce commentaire est celui de la chaîne elle-même : supprimez-le plutôt.")
        ok, used = self.quota.can_spend(WRITE_COST, for_action=True)
        if not ok:
            return Check(False, self.quota.explain(WRITE_COST, used, for_action=True), cost=WRITE_COST)
        if action == "delete":
            if own:
                return Check(True, "La suppression est définitive sur YouTube.", needs_confirmation=True, cost=WRITE_COST)
            return Check(True, _REJECT_FR, needs_confirmation=True, cost=WRITE_COST)
        if action == "block_author":
            return Check(True, _BAN_FR, needs_confirmation=True, cost=WRITE_COST)
        if action == "unhide":
            return Check(True, "Un commentaire déjà rejeté ne peut pas être republié sur YouTube.", cost=WRITE_COST)
        return Check(True, cost=WRITE_COST)

    def perform(self, request: ActionRequest) -> ActionResult:
        target = request.target
        verdict = self.check(request.action, target)
        if not verdict.allowed:
            ok, used = self.quota.can_spend(WRITE_COST, for_action=True)
            if not ok:  # not a refusal: the outbox tries again after the quota's reset
                raise self.quota.exhausted(WRITE_COST, used, for_action=True, what=request.action)
            raise NotAllowed(f"youtube cannot {request.action} here", message_fr=verdict.reason_fr)
        comments = self.youtube().comments()
        action, comment_id = request.action, target.item_external_id
        if action == "reply":
            body = {"snippet": {"parentId": self._top_comment(target), "textOriginal": request.text}}
            data = self.execute(comments.insert(part="snippet", body=body), cost=WRITE_COST, what="comments.insert", for_action=True)
            return ActionResult(applied=True, remote_id=str(data.get("id") or ""), data={"id": data.get("id")})
        if action == "delete" and self._own(target):
            call, what = comments.delete(id=comment_id), "comments.delete"
        else:
            status = {"hide": "heldForReview", "unhide": "published", "delete": "rejected", "block_author": "rejected"}.get(action)
            if status is None:
                raise NotAllowed(f"youtube cannot {action}", message_fr="YouTube ne permet pas cette action via son API.")
            params: dict[str, Any] = {"id": comment_id, "moderationStatus": status}
            if action == "block_author":
                params["banAuthor"] = True
            call, what = comments.setModerationStatus(**params), "comments.setModerationStatus"
        try:
            self.execute(call, cost=WRITE_COST, what=what, for_action=True)
        except PermanentError as exc:
            if getattr(exc, "gone", False) and action != "unhide":
                return ActionResult(applied=True, detail="le commentaire n'existe plus sur YouTube")
            if action == "unhide":
                raise PermanentError(str(exc), message_fr="YouTube refuse de republier ce commentaire (il a peut-être été rejeté : c'est définitif).", status=exc.status) from None
            raise
        return ActionResult(applied=True, detail=verdict.reason_fr if action != "hide" else "")

    @staticmethod
    def _top_comment(target: ActionTarget) -> str:
        parent = str((target.raw.get("snippet") or {}).get("parentId") or "")
        if target.item_kind == "reply":
            return parent or target.parent_external_id
        return target.item_external_id

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """A reply is not idempotent: look among the thread's replies for one by the channel with this text."""
        if request.action != "reply":
            return None
        data = self.execute(
            self.youtube().comments().list(part="snippet", parentId=self._top_comment(request.target), maxResults=100, textFormat="plainText"),
            cost=LIST_COST,
            what="comments.list",
            for_action=True,
        )
        for reply in data.get("items") or []:
            snippet = reply.get("snippet") or {}
            author = str((snippet.get("authorChannelId") or {}).get("value") or "")
            if author == self.channel_id and _norm(str(snippet.get("textDisplay") or snippet.get("textOriginal") or "")) == _norm(request.text):
                return ActionResult(applied=True, remote_id=str(reply.get("id") or ""), detail="réponse retrouvée sur YouTube")
        return ActionResult(applied=False)

    def usage(self) -> Mapping[str, Any]:
        return {"units": self.quota.spent, **self.quota.figures()}

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        return self.read(cursor)
