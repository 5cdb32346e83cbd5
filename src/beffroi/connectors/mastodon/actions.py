"""Mastodon actions (``do_<action>(connector, request)``), Mastodon.py calls mapped to the base errors.

- reply: ``status_post(text, in_reply_to_id=…, idempotency_key=…)`` → ``POST /api/v1/statuses`` with the
  ``Idempotency-Key`` header; the author's ``@acct`` is put first so that they are notified, as
  Mastodon's own interface does; a private message is answered privately (``visibility=direct``);
- private_reply: the same with ``visibility=direct`` (a « mention privée »);
- report: ``report(account_id, status_ids, comment, forward, category)`` → ``POST /api/v1/reports``;
  ``forward`` sends a copy to the author's instance when it is not the commune's (option
  ``report_forward``, on by default); category ``spam`` or ``other`` (``violation`` needs the
  instance's rule ids);
- block / unblock: ``account_block`` / ``account_unblock`` (idempotent on Mastodon);
- mute / unmute (Mastodon only): ``account_mute(id, notifications=True, duration=seconds)``;
- filter_status (Mastodon only): the status is added to the account's « Beffroi » filter
  (``filters_v2`` / ``create_filter_v2`` / ``add_filter_status_v2``): hidden for the commune's account,
  not for others;
- delete: ``status_delete`` of the commune's own statuses; like: ``status_favourite``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from beffroi.connectors.base import ActionRequest, ActionResult, PermanentError

if TYPE_CHECKING:
    from beffroi.connectors.mastodon.connector import MastodonConnector

MAX_REPORT_COMMENT = 1000  # Mastodon's limit on a report's comment
FILTER_CONTEXTS = ["home", "notifications", "public", "thread", "account"]


def _norm(text: str) -> str:
    """Text without leading @mentions and extra spaces, to compare a reply with what Mastodon shows."""
    text = re.sub(r"^(\s*@[\w.\-]+(@[\w.\-]+)?)+\s*", "", text or "")
    return " ".join(text.split())


def same_text(shown: str, sent: str) -> bool:
    return _norm(shown) == _norm(sent)


def _mention(connector: MastodonConnector, request: ActionRequest, text: str) -> str:
    acct = connector._acct(request.target)
    author = connector._author(request.target)
    if not acct or author == connector.account_id:
        return text
    if re.search(rf"(^|\s)@{re.escape(acct)}(\s|$)", text):
        return text
    return f"@{acct} {text}"


def _post_reply(connector: MastodonConnector, request: ActionRequest, *, visibility: str) -> ActionResult:
    text = request.text.strip()
    if not text:
        raise PermanentError("empty reply", message_fr="La réponse est vide.")
    body = _mention(connector, request, text)
    lang = str(connector.config.options.get("lang") or "fr")
    status = connector.call(
        lambda api: api.status_post(
            body,
            in_reply_to_id=request.target.item_external_id,
            visibility=visibility,
            language=lang,
            idempotency_key=request.idempotency_key,
        )
    )
    return ActionResult(
        applied=True,
        remote_id=str(status["id"]),
        detail="réponse publiée" if visibility != "direct" else "réponse privée envoyée",
        data={"url": str(status.get("url") or ""), "visibility": visibility},
    )


def do_reply(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    seen = str(request.target.raw.get("visibility") or "")
    if seen == "direct" or request.target.item_kind == "private_message":
        visibility = "direct"
    elif seen == "private":
        visibility = "private"  # followers only: the mentioned author still sees it
    else:
        visibility = str(connector.config.options.get("reply_visibility") or "public")
    return _post_reply(connector, request, visibility=visibility)


def do_private_reply(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    return _post_reply(connector, request, visibility="direct")


def do_delete(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    try:
        connector.call(lambda api: api.status_delete(request.target.item_external_id))
    except PermanentError as exc:
        if exc.status == 404:
            return ActionResult(applied=True, detail="déjà supprimé sur Mastodon")
        raise
    return ActionResult(applied=True, detail="message supprimé")


def _category(reason: str) -> str:
    words = reason.strip().split(":", 1)[0].split()
    return "spam" if words and words[0].lower() == "spam" else "other"


def do_report(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    author = connector._author(request.target)
    comment = (
        request.reason.strip() or "Message contraire à la charte de modération de la commune."
    ) + " (signalé via Beffroi)"
    remote = "@" in connector._acct(request.target)
    forward = remote and bool(connector.config.options.get("report_forward", True))
    status_ids = [request.target.item_external_id] if request.target.item_external_id else None
    report = connector.call(
        lambda api: api.report(
            author,
            status_ids=status_ids,
            comment=comment[:MAX_REPORT_COMMENT],
            forward=forward,
            category=_category(request.reason),
        )
    )
    return ActionResult(
        applied=True,
        remote_id=str(report.get("id", "")),
        detail="signalement envoyé à la modération de l'instance"
        + (" et transmis à l'instance de l'auteur" if forward else ""),
        data={"forwarded": forward},
    )


def do_block_author(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    author = connector._author(request.target)
    relationship = connector.call(lambda api: api.account_block(author))
    data: dict[str, Any] = {"blocking": bool(relationship.get("blocking"))}
    if request.duration_days:
        data["lift_after_days"] = request.duration_days  # Mastodon blocks never expire by themselves
    return ActionResult(
        applied=bool(relationship.get("blocking")), remote_id=author, detail="auteur bloqué", data=data
    )


def do_unblock_author(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    author = connector._author(request.target)
    relationship = connector.call(lambda api: api.account_unblock(author))
    return ActionResult(applied=not relationship.get("blocking"), remote_id=author, detail="auteur débloqué")


def do_mute_author(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    author = connector._author(request.target)
    seconds = int(request.duration_days * 86400) if request.duration_days else None
    relationship = connector.call(lambda api: api.account_mute(author, notifications=True, duration=seconds))
    return ActionResult(
        applied=bool(relationship.get("muting")), remote_id=author, detail="auteur mis en sourdine"
    )


def do_unmute_author(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    author = connector._author(request.target)
    relationship = connector.call(lambda api: api.account_unmute(author))
    return ActionResult(applied=not relationship.get("muting"), remote_id=author, detail="sourdine levée")


def do_like(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    status = connector.call(lambda api: api.status_favourite(request.target.item_external_id))
    return ActionResult(
        applied=bool(status.get("favourited", True)),
        remote_id=str(status.get("id", "")),
        detail="message aimé",
    )


def beffroi_filter(connector: MastodonConnector, *, create: bool = True) -> Any:
    """The account's « Beffroi » filter (filters v2), created when missing."""
    for item in connector.call(lambda api: api.filters_v2()) or []:
        if item.get("title") == "Beffroi":
            return item
    if not create:
        return None
    return connector.call(
        lambda api: api.create_filter_v2(
            title="Beffroi", context=FILTER_CONTEXTS, filter_action="hide", keywords_attributes=[]
        )
    )


def do_filter_status(connector: MastodonConnector, request: ActionRequest) -> ActionResult:
    found = beffroi_filter(connector)
    status_id = request.target.item_external_id
    already = {str(s.get("status_id")) for s in found.get("statuses") or []}
    if status_id not in already:
        connector.call(lambda api: api.add_filter_status_v2(found["id"], status_id))
    return ActionResult(
        applied=True, remote_id=str(found["id"]), detail="message masqué pour le compte de la commune"
    )


def _add_keyword(connector: MastodonConnector, filter_id: str, word: str) -> None:
    connector.call(lambda api: api.add_filter_keyword_v2(filter_id, word, whole_word=True))


def sync_keyword_filter(connector: MastodonConnector, words: Iterable[str]) -> list[str]:
    """Make the « Beffroi » filter hide these words for the commune's account (e.g. the charter's block
    list); returns the words added. Words already there are kept."""
    found = beffroi_filter(connector)
    present = {str(k.get("keyword", "")).casefold() for k in found.get("keywords") or []}
    added = []
    for word in words:
        word = word.strip()
        if word and word.casefold() not in present:
            _add_keyword(connector, found["id"], word)
            present.add(word.casefold())
            added.append(word)
    return added
