"""Saved replies ("réponses enregistrées") and municipal services management screens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from beffroi.core.roles import Perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import replies as actions
from beffroi.workspace.models import SavedReply, Service
from beffroi.workspace.views.governance_forms import SavedReplyForm, ServiceForm


def _slug(request: HttpRequest) -> str:
    return str(request.commune.slug)  # type: ignore[attr-defined]


@commune_view(Perm.MANAGE_SAVED_REPLIES)
def saved_replies(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    replies = SavedReply.objects.filter(commune=commune).select_related("service")
    groups: dict[str, list[SavedReply]] = {}
    for reply in replies:
        groups.setdefault(reply.get_kind_display(), []).append(reply)
    return render(request, "workspace/governance/replies.html", {"groups": groups, "count": replies.count()})


@commune_view(Perm.MANAGE_SAVED_REPLIES)
@require_http_methods(["GET", "POST"])
def saved_reply_edit(request: HttpRequest, reply_id: int | None = None) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    reply = get_object_or_404(SavedReply, pk=reply_id, commune=commune) if reply_id else None
    initial = {}
    if reply is not None:
        initial = {"title": reply.title, "kind": reply.kind, "service": reply.service_id, "text": reply.text}
    form = SavedReplyForm(request.POST or None, initial=initial, commune=commune)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_reply(
                commune,
                actor=request.user,
                title=data["title"],
                text=data["text"],
                kind=data["kind"],
                service=data["service"],
                reply=reply,
            )
        except actions.RepliesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Réponse enregistrée.")
            return redirect("workspace:saved_replies", commune=_slug(request))
    return render(request, "workspace/governance/reply_edit.html", {"form": form, "reply": reply})


@commune_view(Perm.MANAGE_SAVED_REPLIES)
@require_http_methods(["GET", "POST"])
def saved_reply_delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    reply = get_object_or_404(SavedReply, pk=reply_id, commune=commune)
    if request.method == "POST":
        actions.do_delete_reply(commune, reply, actor=request.user)
        messages.success(request, f"Réponse « {reply.title} » supprimée.")
        return redirect("workspace:saved_replies", commune=_slug(request))
    return render(
        request,
        "workspace/governance/confirm_delete.html",
        {
            "title": "Supprimer cette réponse enregistrée ?",
            "what": f"« {reply.title} »",
            "back": "workspace:saved_replies",
        },
    )


@commune_view(Perm.MANAGE_SAVED_REPLIES)
def services(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    rows = Service.objects.filter(commune=commune)
    return render(request, "workspace/governance/services.html", {"services": rows})


@commune_view(Perm.MANAGE_SAVED_REPLIES)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int | None = None) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    service = get_object_or_404(Service, pk=service_id, commune=commune) if service_id else None
    initial = {}
    if service is not None:
        initial = {"name": service.name, "email": service.email, "keywords": ", ".join(service.keywords or [])}
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_service(
                commune, actor=request.user, name=data["name"], email=data["email"], keywords=data["keywords"], service=service
            )
        except actions.RepliesError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, "Service enregistré.")
            return redirect("workspace:services", commune=_slug(request))
    return render(request, "workspace/governance/service_edit.html", {"form": form, "service": service})


@commune_view(Perm.MANAGE_SAVED_REPLIES)
@require_http_methods(["GET", "POST"])
def service_delete(request: HttpRequest, service_id: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    service = get_object_or_404(Service, pk=service_id, commune=commune)
    if request.method == "POST":
        actions.do_delete_service(commune, service, actor=request.user)
        messages.success(request, f"Service « {service.name} » supprimé.")
        return redirect("workspace:services", commune=_slug(request))
    linked = service.replies.count()
    what = f"le service « {service.name} »"
    if linked:
        what += f" ({linked} réponse(s) enregistrée(s) n'y seront plus rattachées)"
    return render(
        request,
        "workspace/governance/confirm_delete.html",
        {"title": "Supprimer ce service ?", "what": what, "back": "workspace:services"},
    )
