"""The commune's website as a platform: its "API" is Beffroi's own database of submitted comments.

- ``fetch`` reads the submissions stored for this account since the cursor (``{"last_id": …}``); they are
  usually ingested already, at the moment they were sent, and ingestion is idempotent;
- ``perform`` acts on the publication state: hide (take off the site), unhide (publish — a moderator's
  approval), delete (removed for good), reply (the commune's answer, published at once under the comment).
There are no accounts on the site, so nobody can be blocked: visitors are limited per address instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from beffroi.connectors.base import (
    AccountIdentity,
    ActionRequest,
    ActionResult,
    ActionTarget,
    Capability,
    Check,
    Connector,
    CredentialField,
    FetchPage,
    NotAllowed,
    PermanentError,
)
from beffroi.connectors.website.origins import origin_of

PAGE = 200
_NO_ACCOUNTS_FR = (
    "Le site de la commune n'a pas de comptes d'utilisateurs : impossible de bloquer une personne. Les commentaires y "
    "sont relus avant publication, et le nombre d'envois par visiteur est limité."
)


class WebsiteConnector(Connector):
    platform = "website"
    label = "Site de la commune"
    guide = "GUIDE.fr.md"
    capabilities = frozenset({Capability.FETCH, Capability.HIDE, Capability.UNHIDE, Capability.DELETE, Capability.REPLY})
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.BLOCK: _NO_ACCOUNTS_FR,
        Capability.UNBLOCK: _NO_ACCOUNTS_FR,
        Capability.REPORT: "Le site appartient à la commune : il n'y a pas de plateforme à qui signaler. Masquez ou "
        "supprimez le commentaire.",
        Capability.PRIVATE_REPLY: "Le site ne permet pas de réponse privée. Si la personne a laissé son adresse e-mail, "
        "l'administrateur de Beffroi peut la lui communiquer.",
        Capability.LIKE: "Le widget de commentaires n'a pas de bouton « J'aime ».",
        Capability.PRIVATE_MESSAGES: "Le site n'a pas de messagerie privée.",
        Capability.WEBHOOK: "Pas besoin : les commentaires du site arrivent directement dans Beffroi.",
    }
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
    external_id_label_fr = "Adresse du site de la commune (par exemple https://www.mairie-exemple.fr)"
    idempotent_actions = frozenset({"hide", "unhide", "delete"})

    # -- connecting ------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        origin = origin_of(self.config.external_id or "")
        if origin is None:
            raise PermanentError(
                f"not a web address: {self.config.external_id!r}",
                message_fr="Indiquez l'adresse du site, en commençant par https:// (par exemple https://www.mairie-exemple.fr).",
            )
        return AccountIdentity(external_id=origin, name=origin.split("://", 1)[1], url=origin)

    # -- reading ---------------------------------------------------------------------------
    def _account_id(self) -> int:
        if self.config.account_id is None:
            raise PermanentError("website connector without a stored account", message_fr="Compte du site introuvable.")
        return int(self.config.account_id)

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        from beffroi.connectors.website.models import WebsiteComment
        from beffroi.connectors.website.service import fetched_item, sweep_decisions
        from beffroi.workspace.models import Account

        account_id = self._account_id()
        last = int(cursor.get("last_id") or 0)
        rows = list(
            WebsiteComment.objects.filter(account_id=account_id, pk__gt=last).select_related("parent").order_by("pk")[:PAGE]
        )
        account = Account.objects.filter(pk=account_id).first()
        if account is not None:
            sweep_decisions(account)
        items = [fetched_item(row) for row in rows]
        return FetchPage(items=items, cursor={"last_id": rows[-1].pk if rows else last}, has_more=len(rows) == PAGE)

    # -- acting ----------------------------------------------------------------------------
    def _comment(self, target: ActionTarget) -> Any:
        from beffroi.connectors.website.models import WebsiteComment

        ident = target.item_external_id.removeprefix("site-")
        comment = WebsiteComment.objects.filter(pk=int(ident) if ident.isdigit() else -1, account_id=self._account_id()).select_related(
            "commune", "account", "parent"
        ).first()
        if comment is None:
            raise PermanentError(f"no website comment {target.item_external_id}", message_fr="Ce commentaire n'existe plus sur le site.")
        return comment

    def check(self, action: str, target: ActionTarget, *, now: dt.datetime | None = None) -> Check:
        base = super().check(action, target, now=now)
        if not base.allowed:
            return base
        if action == "delete":
            return Check(True, "Le commentaire sera retiré du site définitivement. Masquer suffit souvent (réversible).", needs_confirmation=True)
        if action == "unhide":
            return Check(True, "Le commentaire sera publié sur le site de la commune.")
        if action == "hide" and target.raw.get("state") == "pending":
            return Check(True, "Ce commentaire n'est pas encore publié : il ne le sera pas.")
        return Check(True)

    def perform(self, request: ActionRequest) -> ActionResult:
        from beffroi.connectors.website import service

        verdict = self.check(request.action, request.target)
        if not verdict.allowed:
            raise NotAllowed(f"website cannot {request.action}", message_fr=verdict.reason_fr)
        comment = self._comment(request.target)
        action = request.action
        if action == "hide":
            service.hide(comment)
            return ActionResult(applied=comment.state != comment.State.PUBLISHED, detail="retiré du site")
        if action == "unhide":
            if comment.state == comment.State.DELETED:
                raise PermanentError("deleted comment", message_fr="Ce commentaire a été supprimé : il ne peut plus être publié.")
            service.publish(comment, reason="unhide")
            return ActionResult(applied=True, detail="publié sur le site")
        if action == "delete":
            service.delete(comment)
            return ActionResult(applied=True, detail="supprimé du site")
        if action == "reply":
            if not request.text.strip():
                raise PermanentError("empty reply", message_fr="La réponse est vide.")
            answer = service.reply(comment, request.text)
            return ActionResult(applied=True, remote_id=answer.external_id)
        raise NotAllowed(f"website cannot {action}", message_fr="Le site de la commune ne permet pas cette action.")

    def reconcile(self, request: ActionRequest) -> ActionResult | None:
        """A reply already stored under the comment with the same text (the outbox crashed after perform)."""
        if request.action != "reply":
            return None
        comment = self._comment(request.target)
        top = comment.parent or comment
        wanted = " ".join(request.text.split())
        for answer in top.replies.filter(from_commune=True):
            if " ".join(answer.text.split()) == wanted:
                return ActionResult(applied=True, remote_id=answer.external_id, detail="réponse déjà publiée")
        return ActionResult(applied=False)
