"""Bluesky actions: records written in the commune's repository (see the connector's module doc)."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from atproto_client import models

from beffroi.connectors.base import ActionRequest, ActionResult, ActionTarget, PermanentError
from beffroi.connectors.bluesky import convert
from beffroi.connectors.bluesky.convert import POST, AtUri, did_of

if TYPE_CHECKING:
    from beffroi.connectors.bluesky.session import BlueskySession

MAX_HIDDEN_REPLIES = 300  # app.bsky.feed.threadgate#hiddenReplies maxLength
MAX_POST_GRAPHEMES = 300  # app.bsky.feed.post#text maxGraphemes
BLUESKY_MODERATION_DID = "did:plc:ar7c4by46qjdydhdevvrndac"  # Bluesky's moderation service (mod.bsky.app)

# The charter's labels → com.atproto.moderation.defs#reasonType (the reasons every labeler accepts).
REPORT_REASONS: dict[str, str] = {
    "hate": "com.atproto.moderation.defs#reasonRude",
    "insult": "com.atproto.moderation.defs#reasonRude",
    "harassment": "com.atproto.moderation.defs#reasonRude",
    "shouting": "com.atproto.moderation.defs#reasonRude",
    "threat": "com.atproto.moderation.defs#reasonViolation",
    "personal_data": "com.atproto.moderation.defs#reasonViolation",
    "sexual": "com.atproto.moderation.defs#reasonSexual",
    "spam": "com.atproto.moderation.defs#reasonSpam",
    "misleading": "com.atproto.moderation.defs#reasonMisleading",
}
REASON_OTHER = "com.atproto.moderation.defs#reasonOther"


def key_hash(idempotency_key: str) -> str:
    """What a reply record carries to be recognised (the key itself stays private)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def report_reason(reason: str) -> str:
    """``reasonType`` for the request's reason: a label name ("insult"), or "label: free text"."""
    words = reason.strip().split(":", 1)[0].split()
    return REPORT_REASONS.get(words[0].lower(), REASON_OTHER) if words else REASON_OTHER


def graphemes(text: str) -> int:
    """Approximate grapheme count (combining marks and joiners do not count), as Bluesky limits posts."""
    return sum(1 for c in text if not unicodedata.combining(c) and c not in "\u200d\ufe0f")


def root_of(target: ActionTarget) -> str:
    """URI of the thread's root post: the reply's ``reply.root``, else the stored thread id."""
    record = target.raw.get("record") or {}
    root, _ = convert.reply_refs(record) if isinstance(record, Mapping) else ("", "")
    return root or target.thread_external_id


class BlueskyActions:
    """Mixin of BlueskyConnector: every ``_do_<action>`` handler and the record helpers."""

    session: BlueskySession
    config: Any
    clock: Any

    @property
    def did(self) -> str:
        return self.session.did

    # -- records ---------------------------------------------------------------------------
    def _now_iso(self) -> str:
        return (
            dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )

    def _get_record(self, collection: str, rkey: str) -> dict[str, Any] | None:
        params = models.ComAtprotoRepoGetRecord.Params(repo=self.did, collection=collection, rkey=rkey)
        try:
            return self.session.query("com.atproto.repo.getRecord", params)
        except PermanentError:
            return None

    def _create(self, collection: str, record: dict[str, Any], rkey: str | None = None) -> dict[str, Any]:
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self.did, collection=collection, record=record, rkey=rkey
        )
        return self.session.procedure("com.atproto.repo.createRecord", data)

    def _put(self, collection: str, rkey: str, record: dict[str, Any], swap: str | None) -> dict[str, Any]:
        data = models.ComAtprotoRepoPutRecord.Data(
            repo=self.did, collection=collection, rkey=rkey, record=record, swap_record=swap
        )
        return self.session.procedure("com.atproto.repo.putRecord", data)

    def _delete(self, collection: str, rkey: str, swap: str | None = None) -> None:
        data = models.ComAtprotoRepoDeleteRecord.Data(
            repo=self.did, collection=collection, rkey=rkey, swap_record=swap
        )
        self.session.procedure("com.atproto.repo.deleteRecord", data)

    def _post_view(self, uri: str, raw: Mapping[str, Any]) -> Mapping[str, Any]:
        """What is known of a post (uri, cid, record): the stored payload when it is this post's, else
        ``app.bsky.feed.getPosts``."""
        if raw.get("uri") == uri and raw.get("cid") and isinstance(raw.get("record"), Mapping):
            return raw
        posts = self.session.query("app.bsky.feed.getPosts", models.AppBskyFeedGetPosts.Params(uris=[uri]))
        found = [p for p in posts.get("posts") or [] if p.get("uri") == uri]
        if not found:
            raise PermanentError(f"post {uri} not found", message_fr="Ce message n'existe plus sur Bluesky.")
        return dict(found[0])

    def _strong_ref(self, uri: str, raw: Mapping[str, Any]) -> dict[str, str]:
        view = self._post_view(uri, raw)
        return {"uri": uri, "cid": str(view.get("cid") or "")}

    # -- thread gate (hide / unhide) -------------------------------------------------------------
    def _gate(self, request: ActionRequest, *, hide: bool) -> ActionResult:
        reply_uri = request.target.item_external_id
        root_uri = root_of(request.target)
        rkey = AtUri.parse(root_uri).rkey
        for _attempt in range(3):  # optimistic concurrency: swapRecord refuses a stale write
            current = self._get_record(convert.THREADGATE, rkey)
            value = dict((current or {}).get("value") or {})
            hidden = [str(u) for u in value.get("hiddenReplies") or []]
            if hide == (reply_uri in hidden):
                return ActionResult(
                    applied=True, detail="déjà dans cet état sur Bluesky", data={"threadgate": root_uri}
                )
            if hide:
                if len(hidden) >= MAX_HIDDEN_REPLIES:
                    raise PermanentError(
                        "threadgate hiddenReplies full",
                        message_fr="Bluesky ne permet pas de masquer plus de 300 réponses dans un même fil.",
                    )
                hidden.append(reply_uri)
            else:
                hidden.remove(reply_uri)
            try:
                if current is None:
                    record = {
                        "$type": convert.THREADGATE,
                        "post": root_uri,
                        "hiddenReplies": hidden,
                        "createdAt": self._now_iso(),
                    }
                    self._create(convert.THREADGATE, record, rkey=rkey)
                elif not hidden and "allow" not in value:
                    self._delete(convert.THREADGATE, rkey, swap=str(current.get("cid") or "") or None)
                else:
                    value["hiddenReplies"] = hidden
                    value.setdefault("$type", convert.THREADGATE)
                    value.setdefault("post", root_uri)
                    self._put(convert.THREADGATE, rkey, value, swap=str(current.get("cid") or "") or None)
            except PermanentError as exc:
                # Someone changed the gate meanwhile (InvalidSwap), or created it (the rkey exists): read again.
                if "InvalidSwap" in str(exc) or current is None:
                    continue
                raise
            return ActionResult(
                applied=True,
                remote_id=f"at://{self.did}/{convert.THREADGATE}/{rkey}",
                detail="réponse masquée" if hide else "réponse de nouveau visible",
                data={"threadgate": root_uri, "hidden_replies": len(hidden)},
            )
        raise PermanentError(
            "threadgate kept changing", message_fr="Le fil a changé plusieurs fois : nouvel essai plus tard."
        )

    def _do_hide(self, request: ActionRequest) -> ActionResult:
        return self._gate(request, hide=True)

    def _do_unhide(self, request: ActionRequest) -> ActionResult:
        return self._gate(request, hide=False)

    # -- other actions ---------------------------------------------------------------------
    def _do_delete(self, request: ActionRequest) -> ActionResult:
        at = AtUri.parse(request.target.item_external_id)
        if self._get_record(at.collection, at.rkey) is None:
            return ActionResult(applied=True, detail="déjà supprimé sur Bluesky")
        self._delete(at.collection, at.rkey)
        return ActionResult(applied=True, detail="publication supprimée")

    def _do_reply(self, request: ActionRequest) -> ActionResult:
        text = request.text.strip()
        if not text:
            raise PermanentError("empty reply", message_fr="La réponse est vide.")
        if graphemes(text) > MAX_POST_GRAPHEMES:
            raise PermanentError(
                "reply too long",
                message_fr="Bluesky limite un message à 300 caractères : raccourcissez la réponse.",
            )
        target = request.target
        view = self._post_view(target.item_external_id, target.raw)
        parent = {"uri": target.item_external_id, "cid": str(view.get("cid") or "")}
        record_in = view.get("record") or {}
        root_ref = (record_in.get("reply") or {}).get("root") if isinstance(record_in, Mapping) else None
        root = (
            {"uri": str(root_ref["uri"]), "cid": str(root_ref["cid"])}
            if root_ref and root_ref.get("cid")
            else parent  # answering a top-level post: it is the root
        )
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": self._now_iso(),
            "langs": [str(self.config.options.get("lang") or "fr")],
            "reply": {"root": root, "parent": parent},
            "beffroiKey": key_hash(request.idempotency_key),
        }
        facets = _link_facets(text)
        if facets:
            record["facets"] = facets
        out = self._create(POST, record)
        return ActionResult(
            applied=True,
            remote_id=str(out.get("uri", "")),
            detail="réponse publiée",
            data={"cid": out.get("cid", "")},
        )

    def _do_report(self, request: ActionRequest) -> ActionResult:
        target = request.target
        subject: dict[str, Any]
        if target.item_external_id.startswith("at://"):
            subject = {
                "$type": "com.atproto.repo.strongRef",
                **self._strong_ref(target.item_external_id, target.raw),
            }
        else:
            subject = {"$type": "com.atproto.admin.defs#repoRef", "did": target.author_external_id}
        reason_text = request.reason.strip() or "Message contraire à la charte de modération de la commune."
        data = models.ComAtprotoModerationCreateReport.Data(
            reason_type=report_reason(request.reason),
            reason=f"{reason_text} (signalé via Beffroi)",
            subject=subject,
        )
        labeler = str(self.config.options.get("moderation_service_did") or BLUESKY_MODERATION_DID)
        out = self.session.procedure(
            "com.atproto.moderation.createReport",
            data,
            headers={"atproto-proxy": f"{labeler}#atproto_labeler"},
        )
        return ActionResult(
            applied=True,
            remote_id=str(out.get("id", "")),
            detail="signalement envoyé à la modération",
            data={"labeler": labeler},
        )

    def _author(self, target: ActionTarget) -> str:
        return target.author_external_id or did_of(target.item_external_id)

    def _own_records(self, collection: str, *, pages: int = 10) -> list[dict[str, Any]]:
        """The commune's records of a collection, newest first, read from its own repository (the PDS,
        authoritative at once, where the App View indexes with a delay)."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(pages):
            params = models.ComAtprotoRepoListRecords.Params(
                repo=self.did, collection=collection, limit=100, cursor=cursor
            )
            data = self.session.query("com.atproto.repo.listRecords", params)
            records = [dict(r) for r in data.get("records") or [] if isinstance(r, Mapping)]
            out.extend(records)
            cursor = str(data.get("cursor") or "") or None
            if not cursor or not records:
                break
        return out

    def _blocks_of(self, did: str) -> list[str]:
        return [
            str(r.get("uri"))
            for r in self._own_records(convert.BLOCK)
            if (r.get("value") or {}).get("subject") == did
        ]

    def _do_block_author(self, request: ActionRequest) -> ActionResult:
        did = self._author(request.target)
        data: dict[str, Any] = {}
        if request.duration_days:
            data["lift_after_days"] = request.duration_days  # Bluesky blocks never expire by themselves
        existing = self._blocks_of(did)
        if existing:
            return ActionResult(applied=True, remote_id=existing[0], detail="auteur déjà bloqué", data=data)
        record = {"$type": convert.BLOCK, "subject": did, "createdAt": self._now_iso()}
        out = self._create(convert.BLOCK, record)
        return ActionResult(
            applied=True, remote_id=str(out.get("uri", "")), detail="auteur bloqué", data=data
        )

    def _do_unblock_author(self, request: ActionRequest) -> ActionResult:
        did = self._author(request.target)
        existing = self._blocks_of(did)
        if not existing:
            return ActionResult(applied=True, detail="auteur déjà débloqué")
        for uri in existing:  # every block record of this author (a client may have written several)
            at = AtUri.parse(uri)
            self._delete(at.collection, at.rkey)
        return ActionResult(applied=True, remote_id=existing[0], detail="auteur débloqué")

    def _do_like(self, request: ActionRequest) -> ActionResult:
        uri = request.target.item_external_id
        posts = self.session.query("app.bsky.feed.getPosts", models.AppBskyFeedGetPosts.Params(uris=[uri]))
        found = [p for p in posts.get("posts") or [] if p.get("uri") == uri]
        if not found:
            raise PermanentError(f"post {uri} not found", message_fr="Ce message n'existe plus sur Bluesky.")
        liked = (found[0].get("viewer") or {}).get("like") or next(
            (
                r.get("uri")
                for r in self._own_records(convert.LIKE, pages=1)
                if ((r.get("value") or {}).get("subject") or {}).get("uri") == uri
            ),
            None,
        )
        if liked:
            return ActionResult(applied=True, remote_id=str(liked), detail="déjà aimé")
        record = {
            "$type": convert.LIKE,
            "subject": {"uri": uri, "cid": found[0]["cid"]},
            "createdAt": self._now_iso(),
        }
        out = self._create(convert.LIKE, record)
        return ActionResult(applied=True, remote_id=str(out.get("uri", "")), detail="message aimé")


def _link_facets(text: str) -> list[dict[str, Any]]:
    """Links as rich-text facets (byte ranges), detected locally by the SDK (no network)."""
    from atproto_client.models.utils import get_model_as_dict
    from atproto_client.utils import detect_facets

    return [
        get_model_as_dict(f) for f in detect_facets(text) if any(getattr(x, "uri", None) for x in f.features)
    ]
