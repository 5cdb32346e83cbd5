"""Saved replies ("documenter les échanges") and municipal services (to route questions).

The item screen (moderation workflow) uses them: :func:`services_for_text` suggests the services
whose keywords appear in a question, :func:`render_saved_reply` fills a saved reply's placeholders.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.core.roles import Perm
from beffroi.workspace.actions.checks import check_commune_perm
from beffroi.workspace.models import SavedReply, Service


class RepliesError(ValueError):
    """A French message for the team."""


PLACEHOLDERS_FR = {
    "{commune}": "le nom de la commune",
    "{service}": "le nom du service lié à la réponse",
    "{service_email}": "l'adresse e-mail de ce service",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_keywords(raw: str | list[str]) -> list[str]:
    """"voirie, trottoir ; nid-de-poule" → ["voirie", "trottoir", "nid-de-poule"] (lower case, unique)."""
    parts = raw if isinstance(raw, list) else re.split(r"[,;\n]", raw or "")
    seen: list[str] = []
    for part in parts:
        word = " ".join(str(part).strip().lower().split())
        if word and word not in seen:
            seen.append(word[:60])
    return seen


def services_for_text(commune: Commune, text: str) -> list[Service]:
    """Services whose keywords appear in ``text`` (accents and case ignored), best match first."""
    folded = _fold(text or "")
    scored = []
    for service in Service.objects.filter(commune=commune):
        hits = sum(1 for kw in service.keywords or [] if kw and re.search(rf"\b{re.escape(_fold(kw))}", folded))
        if hits:
            scored.append((-hits, service.name, service))
    return [service for _, _, service in sorted(scored, key=lambda row: (row[0], row[1]))]


def render_saved_reply(reply: SavedReply) -> str:
    service = reply.service
    values = {
        "{commune}": reply.commune.name,
        "{service}": service.name if service else "",
        "{service_email}": service.email if service else "",
    }
    text = reply.text
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def count_use(reply: SavedReply) -> None:
    SavedReply.objects.filter(pk=reply.pk).update(uses=F("uses") + 1)


# ---------------------------------------------------------------------------------------------
# Services


def check_manage_replies(actor: Any, commune: Commune) -> None:
    """Saved replies and services are managed by roles with ``Perm.MANAGE_SAVED_REPLIES``
    (``actor=None``: Beffroi itself, e.g. the demo)."""
    check_commune_perm(actor, commune, Perm.MANAGE_SAVED_REPLIES, "gérer les réponses enregistrées et les services")


def _check_service(commune: Commune, service: Service | None) -> None:
    if service is not None and service.commune_id != commune.pk:
        raise RepliesError("Service introuvable.")


def do_save_service(
    commune: Commune, *, actor: Any, name: str, email: str = "", keywords: str | list[str] = "", service: Service | None = None
) -> Service:
    check_manage_replies(actor, commune)
    _check_service(commune, service)
    name = " ".join((name or "").split())
    if not name:
        raise RepliesError("Indiquez le nom du service (par exemple « Voirie »).")
    creating = service is None
    obj = service or Service(commune=commune)
    obj.name, obj.email, obj.keywords = name[:120], (email or "").strip(), parse_keywords(keywords)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise RepliesError(f"Un service « {name} » existe déjà.") from None
    log_audit(
        "service.created" if creating else "service.updated",
        commune=commune,
        actor=actor,
        target=obj,
        name=obj.name,
        email=obj.email,
        keywords=obj.keywords,
    )
    return obj


def do_delete_service(commune: Commune, service: Service, *, actor: Any) -> None:
    check_manage_replies(actor, commune)
    _check_service(commune, service)
    with transaction.atomic():
        log_audit("service.deleted", commune=commune, actor=actor, target=service, name=service.name)
        service.delete()


# ---------------------------------------------------------------------------------------------
# Saved replies


def do_save_reply(
    commune: Commune,
    *,
    actor: Any,
    title: str,
    text: str,
    kind: str = SavedReply.Kind.ANSWER,
    service: Service | None = None,
    reply: SavedReply | None = None,
) -> SavedReply:
    check_manage_replies(actor, commune)
    if reply is not None and reply.commune_id != commune.pk:
        raise RepliesError("Réponse introuvable.")
    _check_service(commune, service)
    title, text = " ".join((title or "").split()), (text or "").strip()
    if not title:
        raise RepliesError("Donnez un titre court à cette réponse (par exemple « Remerciement »).")
    if not text:
        raise RepliesError("Écrivez le texte de la réponse.")
    if kind not in SavedReply.Kind.values:
        raise RepliesError("Type de réponse inconnu.")
    unknown = sorted(set(re.findall(r"\{[a-z_]+\}", text)) - set(PLACEHOLDERS_FR))
    if unknown:
        raise RepliesError(
            "Champ à remplir inconnu : " + ", ".join(unknown) + ". Champs possibles : " + ", ".join(PLACEHOLDERS_FR) + "."
        )
    creating = reply is None
    obj = reply or SavedReply(commune=commune, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    obj.title, obj.text, obj.kind, obj.service = title[:120], text, kind, service
    obj.save()
    log_audit(
        "saved_reply.created" if creating else "saved_reply.updated",
        commune=commune,
        actor=actor,
        target=obj,
        title=obj.title,
    )
    return obj


def do_delete_reply(commune: Commune, reply: SavedReply, *, actor: Any) -> None:
    check_manage_replies(actor, commune)
    if reply.commune_id != commune.pk:
        raise RepliesError("Réponse introuvable.")
    with transaction.atomic():
        log_audit("saved_reply.deleted", commune=commune, actor=actor, target=reply, title=reply.title)
        reply.delete()
