"""Acting: one action on an item, bulk actions, undo, and the sending queue (retry a failed action).

Every view here is a thin shell around ``workspace.actions``: it reads the form, calls the ``do_*``
function and answers with a page (redirect + message + undo notice) or JSON (the page's script shows
a toast with "Annuler").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from beffroi.core.roles import Perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import checks, outbox
from beffroi.workspace.actions import decisions as do
from beffroi.workspace.actions.bulk import BULK_ACTIONS, do_bulk, do_bulk_undo
from beffroi.workspace.actions.undo import do_undo
from beffroi.workspace.models import Decision, OutboxEntry, OutboxState, SavedReply, Service
from beffroi.workspace.views.common import (
    can,
    commune_of,
    get_item,
    items_for,
    respond,
    role_of,
    safe_next,
    wants_json,
)

DONE_FR = {
    "hide": "Élément masqué.",
    "unhide": "Élément de nouveau visible.",
    "keep": "Élément conservé.",
    "escalate": "Élément transmis à la direction.",
    "delete": "Suppression envoyée à la plateforme.",
    "reply": "Réponse envoyée.",
    "private_reply": "Réponse privée envoyée.",
    "like": "Remerciement envoyé (j'aime).",
    "route": "Question transmise au service.",
    "report": "Signalement envoyé à la plateforme.",
    "filter_status": "Message filtré pour le compte de la commune.",
    "mute_author": "Auteur mis en sourdine pour le compte de la commune.",
}
ITEM_ACTIONS = frozenset(DONE_FR)
BLOCK_ACTIONS = ("block_author", "unblock_author")


def _error(request: HttpRequest, exc: checks.ActionError, next_url: str) -> HttpResponse:
    if isinstance(exc, checks.ActionNotFound):
        raise Http404(exc.message)
    if isinstance(exc, checks.ActionForbidden) and not wants_json(request):
        raise PermissionDenied(exc.message)
    return respond(request, ok=False, message=exc.message, next_url=next_url, status=exc.status)


def _saved_reply(request: HttpRequest) -> SavedReply | None:
    raw = request.POST.get("saved_reply") or ""
    if not raw.isdigit():
        return None
    return SavedReply.objects.filter(commune=commune_of(request), pk=int(raw)).first()


def _perform(request: HttpRequest, item: Any, action: str) -> tuple[list[Decision], str]:
    post = request.POST
    actor = request.user
    note = post.get("note", "").strip()
    confirm = post.get("confirm") in ("1", "on", "true", "oui")
    if action == "hide":
        via = post.get("message_via", "") if post.get("send_message") in ("1", "on") or post.get("message_via") else ""
        made = do.do_hide_item(
            item,
            actor,
            article=post.get("article", ""),
            label=post.get("label", "") if post.get("label", "") in checks_labels() else "",
            note=note,
            message=post.get("message", ""),
            message_via=via,
            confirm=confirm,
        )
        text = DONE_FR["hide"] + (" Le message à l'auteur part après le masquage." if len(made) > 1 else "")
        return made[:1], text
    if action == "unhide":
        return [do.do_unhide_item(item, actor, note=note)], DONE_FR[action]
    if action == "keep":
        return [do.do_keep_item(item, actor, note=note)], DONE_FR[action]
    if action == "escalate":
        return [do.do_escalate(item, actor, note=note)], DONE_FR[action]
    if action == "delete":
        return [do.do_delete_item(item, actor, confirm=confirm, note=note)], DONE_FR[action]
    if action in ("reply", "private_reply"):
        saved = _saved_reply(request)
        text = post.get("text", "")
        if not text.strip() and saved is not None:
            text = saved.text
        fn = do.do_reply if action == "reply" else do.do_private_reply
        return [fn(item, actor, text, saved_reply=saved)], DONE_FR[action]
    if action == "like":
        return [do.do_like(item, actor)], DONE_FR[action]
    if action == "route":
        raw = post.get("service", "")
        service = Service.objects.filter(commune=commune_of(request), pk=int(raw)).first() if raw.isdigit() else None
        return [do.do_route_to_service(item, actor, service, note=note)], DONE_FR[action]
    if action == "report":
        return [do.do_report(item, actor, reason=post.get("reason", ""))], DONE_FR[action]
    if action == "filter_status":
        return [do.do_filter_status(item, actor, note=note)], DONE_FR[action]
    if action == "mute_author":
        raw = post.get("duration_days", "").strip()
        if raw and not raw.isdigit():
            raise checks.ActionError("Choisissez la durée de la sourdine.")
        return [do.do_mute_author(item, actor, duration_days=int(raw) if raw else None, note=note)], DONE_FR[action]
    raise checks.ActionError("Action inconnue.")


def checks_labels() -> set[str]:
    from beffroi.workspace.actions.verdicts import LABELS_FR

    return set(LABELS_FR)


@commune_view(Perm.VIEW_ITEMS)
@require_POST
def item_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    commune = commune_of(request)
    item = get_item(request, item_id)
    default_next = reverse("workspace:item", kwargs={"commune": commune.slug, "item_id": item.pk})
    next_url = safe_next(request, default_next)
    if action not in ITEM_ACTIONS:
        raise Http404("Action inconnue.")
    try:
        made, message = _perform(request, item, action)
    except checks.ActionError as exc:
        return _error(request, exc, next_url)
    return respond(request, ok=True, message=message, next_url=next_url, undo=made, extra={"item": item.pk, "action": action})


@commune_view(Perm.VIEW_ITEMS)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    next_url = safe_next(request, reverse("workspace:inbox", kwargs={"commune": commune.slug}))
    action = request.POST.get("action", "")
    ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
    if action not in BULK_ACTIONS:
        return respond(request, ok=False, message="Choisissez une action à appliquer.", next_url=next_url, status=400)
    items = list(items_for(request).filter(pk__in=ids).select_related("commune", "account", "author"))
    try:
        result = do_bulk(action, items, request.user, note=request.POST.get("note", ""), confirm=request.POST.get("confirm") == "1")
    except checks.ActionError as exc:
        return _error(request, exc, next_url)
    missing = len(set(ids)) - len(items)
    message = result.message + (f" {missing} élément(s) introuvable(s)." if missing > 0 else "")
    return respond(
        request,
        ok=bool(result.done),
        message=message,
        next_url=next_url,
        undo=result.decisions,
        status=400,
        extra={"done": result.done, "skipped": [pk for pk, _ in result.skipped]},
    )


@commune_view(Perm.VIEW_ITEMS)
@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    next_url = safe_next(request, reverse("workspace:inbox", kwargs={"commune": commune.slug}))
    raw = ",".join(request.POST.getlist("decisions"))
    ids = [int(v) for v in raw.replace(" ", "").split(",") if v.isdigit()]
    decisions = list(Decision.objects.filter(commune=commune, pk__in=ids).select_related("item").order_by("-id"))
    visible = set(items_for(request).filter(pk__in=[d.item_id for d in decisions if d.item_id]).values_list("pk", flat=True))
    decisions = [d for d in decisions if d.item_id is None or d.item_id in visible]
    if not decisions:
        raise Http404("Décision introuvable.")
    if len(decisions) == 1:
        try:
            result = do_undo(decisions[0], request.user)
        except checks.ActionError as exc:
            return _error(request, exc, next_url)
        return respond(request, ok=True, message=result.message or "Décision annulée.", next_url=next_url)
    try:
        undone, problems = do_bulk_undo(decisions, request.user)
    except checks.ActionError as exc:
        return _error(request, exc, next_url)
    message = f"{undone} décision(s) annulée(s)." + (f" {len(problems)} impossible(s) : {problems[0]}" if problems else "")
    return respond(request, ok=undone > 0, message=message, next_url=next_url, status=400)


@commune_view(Perm.MODERATE)
def outbox_list(request: HttpRequest) -> HttpResponse:
    """The sending queue: what waits, what failed (with "Réessayer"), what was applied lately."""
    commune = commune_of(request)
    visible = items_for(request)
    base = OutboxEntry.objects.filter(commune=commune).select_related("item", "account", "decision", "decision__actor")
    base = base.filter(item__in=visible) | base.filter(item__isnull=True)
    if not can(role_of(request), Perm.APPROVE_BLOCK):
        # Blocking an author is decided by roles allowed to block: the others do not see those sends.
        base = base.exclude(action__in=BLOCK_ACTIONS)
    context = {
        "failed": list(base.filter(state=OutboxState.FAILED).order_by("-updated_at")[:200]),
        "waiting": list(base.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING]).order_by("next_attempt_at")[:200]),
        "applied": list(base.filter(state=OutboxState.APPLIED).order_by("-applied_at")[:50]),
    }
    return render(request, "workspace/outbox.html", context)


@commune_view(Perm.MODERATE)
@require_POST
def outbox_retry(request: HttpRequest, entry_id: int) -> HttpResponse:
    commune = commune_of(request)
    entry = OutboxEntry.objects.filter(commune=commune, pk=entry_id).select_related("item", "account").first()
    if entry is None or (entry.item is not None and not items_for(request).filter(pk=entry.item_id).exists()):
        raise Http404("Envoi introuvable.")
    if entry.action in BLOCK_ACTIONS and not can(role_of(request), Perm.APPROVE_BLOCK):
        raise Http404("Envoi introuvable.")
    next_url = safe_next(request, reverse("workspace:outbox", kwargs={"commune": commune.slug}))
    try:
        outbox.retry(entry, request.user)
    except checks.ActionError as exc:
        return _error(request, exc, next_url)
    return respond(request, ok=True, message="Nouvel essai lancé.", next_url=next_url)
