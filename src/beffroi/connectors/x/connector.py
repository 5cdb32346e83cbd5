"""X (formerly Twitter) through the X API v2 and tweepy's ``Client``, OAuth 1.0a user context.

Reading: see :mod:`beffroi.connectors.x.reading` (mentions timeline with ``since_id``, the account's own posts,
replies in its conversations through recent search ``conversation_id:``); Account Activity API webhooks
(CRC challenge, ``x-twitter-webhooks-signature``) bring mentions and replies sooner.

Acting (endpoints of the X API v2):
- hide / unhide a reply: ``PUT /2/tweets/:id/hidden`` ``{"hidden": true|false}`` — ONLY for replies in a
  conversation the account started (X refuses the others); the reply's author is not notified and the reply
  stays reachable behind "View hidden replies";
- reply: ``POST /2/tweets`` ``{"text", "reply": {"in_reply_to_tweet_id"}}``;
- delete: ``DELETE /2/tweets/:id`` — the account's own posts only;
- block / unblock: ``POST /2/users/:id/blocking`` ``{"target_user_id"}`` / ``DELETE
  /2/users/:source_user_id/blocking/:target_user_id``, where the app's access level allows it;
- like: ``POST /2/users/:id/likes``.
The API offers no way to report a post.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from beffroi.connectors.base import (
    AccountIdentity,
    ActionRequest,
    ActionResult,
    ActionTarget,
    AuthError,
    Capability,
    Check,
    Connector,
    CredentialField,
    FetchedItem,
    FetchPage,
    NotAllowed,
    PermanentError,
    WebhookRequest,
    WebhookResponse,
)
from beffroi.connectors.x import webhooks
from beffroi.connectors.x.api import XApi
from beffroi.connectors.x.reading import (
    CONV_AUTHOR_KEY,
    EXPANSIONS,
    SEARCH_WINDOW_DAYS,
    TWEET_FIELDS,
    USER_FIELDS,
    Round,
    build_query,
    id_max,
    parse_time,
    replied_to,
    tweet_item,
    users_by_id,
)

PAGE = 100
_HIDE_OTHERS_FR = (
    "X ne permet de masquer que les réponses aux conversations lancées par le compte de la commune ; ce message est "
    "dans la conversation d'un autre compte. Vous pouvez bloquer son auteur, ou le signaler depuis X."
)
_HIDE_NOTE_FR = (
    "Sur X, la réponse masquée reste accessible via « Voir les réponses masquées », et son auteur n'est pas prévenu."
)


def _norm(text: str) -> str:
    return " ".join((text or "").split())


def _iso(value: int) -> str:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class XConnector(Connector):
    platform = "x"
    label = "X (Twitter)"
    guide = "GUIDE.fr.md"
    capabilities = frozenset(
        {
            Capability.FETCH,
            Capability.WEBHOOK,
            Capability.HIDE,
            Capability.UNHIDE,
            Capability.DELETE,
            Capability.REPLY,
            Capability.BLOCK,
            Capability.UNBLOCK,
            Capability.LIKE,
        }
    )
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.REPORT: "X ne permet pas de signaler un message via son API : signalez-le depuis X (menu « … » du "
        "message, « Signaler »).",
        Capability.PRIVATE_REPLY: "X ne permet pas de répondre en privé à un message public via l'API de Beffroi.",
        Capability.PRIVATE_MESSAGES: "Beffroi ne lit pas les messages privés X (accès à l'API de messagerie non demandé).",
    }
    credential_fields = (
        CredentialField("api_key", "Clé de l'application (API Key)", "Portail développeur X, « Keys and tokens ».", secret=False),
        CredentialField("api_secret", "Clé secrète de l'application (API Key Secret)", "Sert aussi à vérifier les notifications (webhooks)."),
        CredentialField("access_token", "Jeton d'accès (Access Token)", "Généré pour le compte de la commune, en « Read and write »."),
        CredentialField("access_token_secret", "Secret du jeton d'accès (Access Token Secret)"),
    )
    external_id_label_fr = "Identifiant numérique du compte X"
    idempotent_actions = frozenset({"hide", "unhide", "delete", "block_author", "unblock_author", "like"})

    clock = staticmethod(time.time)

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        from beffroi import conf

        super().__init__(config, http=http)
        self.x = XApi(config.credentials, http, timeout=float(conf.get("HTTP_TIMEOUT")))
        self.x.clock = lambda: self.clock()
        self.api = self.x  # the sync counts calls on ``api.stats.requests``

    @property
    def me(self) -> str:
        return self.config.external_id

    # -- identity --------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        """``GET /2/users/me``: the account the access token belongs to."""
        data = self.x.call(self.x.client.get_me, user_fields=["username", "name"], user_auth=True).get("data") or {}
        username = str(data.get("username") or "")
        return AccountIdentity(external_id=str(data.get("id") or ""), name=str(data.get("name") or ""), handle=f"@{username}" if username else "",
                               url=f"https://x.com/{username}" if username else "")

    # -- reading ---------------------------------------------------------------------------
    def _days(self, option: str, setting: str) -> int:
        from beffroi import conf

        value = self.config.options.get(option)
        return int(value) if value else int(conf.get(setting))

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        state = Round.load(cursor)
        now = int(self.clock())
        if state.round_start is None:
            state.start(now)
        try:
            if state.phase == "own":
                items = self._timeline(state, now, mentions=False)
            elif state.phase == "mentions":
                items = self._timeline(state, now, mentions=True)
            elif state.phase == "search":
                items = self._search(state)
            else:
                items = []
        except NotAllowed as exc:  # the app cannot read any more (access level, permissions)
            raise AuthError(str(exc), message_fr=exc.message_fr, status=exc.status) from exc
        finished = state.phase == "done"
        if finished:
            state.end()
        return FetchPage(items=items, cursor=state.dump(), has_more=not finished)

    def _fields(self) -> dict[str, Any]:
        return {"tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS, "expansions": EXPANSIONS, "max_results": PAGE, "user_auth": True}

    def _timeline(self, state: Round, now: int, *, mentions: bool) -> list[FetchedItem]:
        since = state.mentions_since if mentions else state.own_since
        params = self._fields()
        if state.next_token:
            params["pagination_token"] = state.next_token
        if since:
            params["since_id"] = since
        else:
            params["start_time"] = _iso(now - self._days("backfill_days", "SYNC_BACKFILL_DAYS") * 86400)
        if mentions:
            payload = self.x.call(self.x.client.get_users_mentions, self.me, **params)
        else:
            payload = self.x.call(self.x.client.get_users_tweets, self.me, exclude=["retweets", "replies"], **params)
        tweets = payload.get("data") or []
        newest = None
        if not mentions:
            for tweet in tweets:
                state.convs.setdefault(str(tweet["id"]), {"since": str(tweet["id"]), "t": int(parse_time(tweet["created_at"]).timestamp())})
        items = self._items(payload, state.own_conversations())
        newest = id_max(*(str(t["id"]) for t in tweets))
        next_token = (payload.get("meta") or {}).get("next_token")
        if mentions:
            state.mentions_newest = id_max(state.mentions_newest, newest)
        else:
            state.own_newest = id_max(state.own_newest, newest)
        if next_token:
            state.next_token = str(next_token)
        else:
            state.next_token = None
            if mentions:
                state.mentions_since = id_max(state.mentions_since, state.mentions_newest)
                window = min(self._days("active_days", "SYNC_ACTIVE_DAYS"), SEARCH_WINDOW_DAYS)
                state.plan_searches(
                    keep_since=now - self._days("active_days", "SYNC_ACTIVE_DAYS") * 86400,
                    search_since=now - window * 86400 + 3600,  # recent search refuses ids older than 7 days
                )
            else:
                state.own_since = id_max(state.own_since, state.own_newest)
                state.phase = "mentions"
        return items

    def _search(self, state: Round) -> list[FetchedItem]:
        batch = state.batches[0]
        since = min((str(state.convs.get(c, {}).get("since") or c) for c in batch), key=int)
        params = self._fields()
        params["since_id"] = since
        if state.next_token:
            params["next_token"] = state.next_token
        payload = self.x.call(self.x.client.search_recent_tweets, build_query(batch), **params)
        for tweet in payload.get("data") or []:
            conv = str(tweet.get("conversation_id") or "")
            if conv in batch:
                state.batch_newest[conv] = id_max(state.batch_newest.get(conv), str(tweet["id"])) or str(tweet["id"])
        items = self._items(payload, state.own_conversations())
        next_token = (payload.get("meta") or {}).get("next_token")
        if next_token:
            state.next_token = str(next_token)
        else:
            for conv in batch:
                if conv in state.convs:
                    state.convs[conv]["since"] = id_max(str(state.convs[conv].get("since") or conv), state.batch_newest.get(conv))
            state.batches.pop(0)
            state.next_token, state.batch_newest = None, {}
            if not state.batches:
                state.phase = "done"
        return items

    def _items(self, payload: Mapping[str, Any], own: set[str]) -> list[FetchedItem]:
        users = users_by_id(payload)
        items = [tweet_item(t, users.get(str(t.get("author_id"))), me=self.me, own_conversations=own) for t in payload.get("data") or []]
        items.sort(key=lambda i: int(i.external_id))  # snowflake ids grow with time: oldest first
        return items

    # -- webhooks (Account Activity API) -----------------------------------------------------
    def webhook_secret(self) -> str:
        return str(self.config.credentials.get("api_secret") or "")

    def verify_webhook(self, request: WebhookRequest, *, secret: str) -> WebhookResponse | None:
        return webhooks.verify(request, secret=secret)

    def webhook_timestamp(self, request: WebhookRequest) -> dt.datetime | None:
        """The newest event's ``timestamp_ms`` / ``created_timestamp`` (stale deliveries are refused)."""
        return webhooks.delivery_time(request.body)

    def parse_webhook(self, request: WebhookRequest) -> list[FetchedItem]:
        """tweet_create_events, looked up again in v2 (conversation ids, which the v1.1 payload lacks, decide
        whether a reply is in one of the account's conversations)."""
        for_user, events = webhooks.delivery_events(request.body)
        if for_user != self.me or not events:
            return []
        tweets = [e for e in events if not e.get("retweeted_status")]
        if not tweets:
            return []
        ids = [str(t.get("id_str") or t.get("id")) for t in tweets]
        payload = self.x.call(self.x.client.get_tweets, ids, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, expansions=EXPANSIONS, user_auth=True)
        found = {str(t["id"]): t for t in payload.get("data") or []}
        roots = {str(t.get("conversation_id")) for t in found.values() if t.get("conversation_id")}
        own = {r for r in roots if r in found and str(found[r].get("author_id")) == self.me}
        unknown = sorted(roots - own - set(found))
        if unknown:
            lookup = self.x.call(self.x.client.get_tweets, unknown[:100], tweet_fields=["author_id"], user_auth=True)
            own |= {str(t["id"]) for t in lookup.get("data") or [] if str(t.get("author_id")) == self.me}
        users = users_by_id(payload)
        items = []
        for tweet in tweets:
            tweet_id = str(tweet.get("id_str") or tweet.get("id"))
            if tweet_id in found:
                v2 = found[tweet_id]
                user = users.get(str(v2.get("author_id")))
            else:  # deleted meanwhile, or not visible to the lookup: keep what the delivery said
                v2, user = webhooks.v1_to_v2(tweet)
            items.append(tweet_item(v2, user, me=self.me, own_conversations=own))
        return items

    # -- acting ----------------------------------------------------------------------------
    def _is_own(self, target: ActionTarget) -> bool:
        return str(target.raw.get("author_id") or target.author_external_id) == self.me

    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        if action in ("hide", "unhide"):
            if self._is_own(target):
                return Check(False, "X ne permet pas de masquer les messages du compte de la commune lui-même (supprimez-les si besoin).")
            if target.item_kind == "post" or not (target.parent_external_id or replied_to(target.raw)):
                return Check(False, "Sur X, seules les réponses peuvent être masquées, pas un message publié hors d'une conversation.")
            known = str(target.raw.get(CONV_AUTHOR_KEY) or "")
            if target.item_kind == "mention" or (known and known != self.me):
                return Check(False, _HIDE_OTHERS_FR)
            return Check(True, _HIDE_NOTE_FR)
        if action == "delete":
            if not self._is_own(target):
                return Check(
                    False,
                    "X ne permet de supprimer que les messages publiés par le compte de la commune. Masquez la réponse "
                    "(si elle est dans une conversation de la commune), bloquez son auteur, ou signalez-la depuis X.",
                )
            return Check(True, "La suppression est définitive sur X.", needs_confirmation=True)
        if action in ("block_author", "unblock_author"):
            if not target.author_external_id or target.author_external_id == self.me:
                return Check(False, "L'auteur de ce message n'est pas connu : impossible de le bloquer via X.")
            return Check(True, "X ne permet de bloquer par l'API qu'avec certains niveaux d'accès ; sinon, bloquez depuis X.")
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        target = request.target
        verdict = self.check(request.action, target)
        if not verdict.allowed:
            raise NotAllowed(f"x cannot {request.action} here", message_fr=verdict.reason_fr)
        action, tweet_id = request.action, target.item_external_id
        client = self.x.client
        if action in ("hide", "unhide"):
            if self._conversation_author(target) != self.me:
                raise NotAllowed("conversation not started by the account", message_fr=_HIDE_OTHERS_FR)
            fn = client.hide_reply if action == "hide" else client.unhide_reply
            data = self.x.call(fn, tweet_id, user_auth=True).get("data") or {}
            return ActionResult(applied=bool(data.get("hidden")) == (action == "hide"), detail=_HIDE_NOTE_FR)
        if action == "delete":
            try:
                data = self.x.call(client.delete_tweet, tweet_id, user_auth=True).get("data") or {}
            except PermanentError:
                return ActionResult(applied=True, detail="déjà supprimé sur X")
            return ActionResult(applied=bool(data.get("deleted")))
        if action == "reply":
            data = self.x.call(client.create_tweet, text=request.text, in_reply_to_tweet_id=tweet_id, user_auth=True).get("data") or {}
            return ActionResult(applied=True, remote_id=str(data.get("id") or ""), data=dict(data))
        if action == "like":
            data = self.x.call(client.like, tweet_id, user_auth=True).get("data") or {}
            return ActionResult(applied=bool(data.get("liked", True)))
        if action == "block_author":
            data = self.x.raw("POST", f"/2/users/{self.me}/blocking", json={"target_user_id": target.author_external_id})
            return ActionResult(applied=bool((data.get("data") or {}).get("blocking", True)))
        if action == "unblock_author":
            data = self.x.raw("DELETE", f"/2/users/{self.me}/blocking/{target.author_external_id}")
            return ActionResult(applied=not bool((data.get("data") or {}).get("blocking", False)))
        raise NotAllowed(f"x cannot {action}", message_fr="X ne permet pas cette action via son API.")

    def _conversation_author(self, target: ActionTarget) -> str:
        """Who started the conversation the reply is in (from the stored payload, else asked to X)."""
        known = str(target.raw.get(CONV_AUTHOR_KEY) or "")
        if known:
            return known
        conversation = str(target.raw.get("conversation_id") or "")
        if not conversation:
            tweet = self.x.call(self.x.client.get_tweet, target.item_external_id, tweet_fields=["conversation_id"], user_auth=True).get("data") or {}
            conversation = str(tweet.get("conversation_id") or "")
        if not conversation:
            return ""
        root = self.x.call(self.x.client.get_tweet, conversation, tweet_fields=["author_id"], user_auth=True).get("data") or {}
        return str(root.get("author_id") or "")

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """Was the reply already posted? Look in the account's posts since the item for a reply to it with the
        same text."""
        if request.action != "reply":
            return None
        tweet_id = request.target.item_external_id
        payload = self.x.call(
            self.x.client.get_users_tweets, self.me, since_id=tweet_id, max_results=PAGE, tweet_fields=["referenced_tweets", "created_at"], user_auth=True
        )
        for tweet in payload.get("data") or []:
            if replied_to(tweet) == tweet_id and _norm(str(tweet.get("text") or "")) == _norm(request.text):
                return ActionResult(applied=True, remote_id=str(tweet["id"]), detail="réponse retrouvée sur X")
        return ActionResult(applied=False)

    def usage(self) -> Mapping[str, Any]:
        return self.x.usage()
