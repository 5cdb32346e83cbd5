"""Charter editor (with the preview on the last 500 items before saving), versions, publication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.domain.moderation.charter import CharterError, loads
from beffroi.workspace.actions import charter as actions
from beffroi.workspace.models import Charter

LIST_LABELS = [(key, actions.LABEL_TITLES_FR[key]) for key in actions.LABEL_ORDER if key not in ("criticism", "question", "praise")]


def _context(request: HttpRequest, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    commune = request.commune  # type: ignore[attr-defined]
    latest = actions.current_row(commune)
    published = Charter.objects.filter(commune=commune, published=True).order_by("-version").first()
    article_ids = [a["id"] for a in values["articles"] if a.get("id") and not a.get("delete")]
    return {
        "values": values,
        "article_ids": article_ids,
        "article_count": len(values["articles"]),
        "block_count": len(values["blocks"]),
        "actions": list(actions.ACTIONS_FR.items()),
        "list_labels": LIST_LABELS,
        "latest": latest,
        "published": published,
        "public_url": request.build_absolute_uri(reverse("public_charter", kwargs={"commune": commune.slug})),
        "errors": None,
        "preview": None,
        "note": "",
        "publish": True,
        **extra,
    }


@commune_view(Perm.EDIT_CHARTER)
@require_http_methods(["GET", "POST"])
def charter(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    if request.method == "GET":
        source = actions.current_charter(commune)
        restore = request.GET.get("depuis", "")
        if restore.isdigit():
            row = get_object_or_404(Charter, commune=commune, version=int(restore))
            source = loads(row.content)
            messages.info(request, f"La version {row.version} est chargée dans l'éditeur : vérifiez l'aperçu puis enregistrez.")
        return render(request, "workspace/governance/charter.html", _context(request, actions.form_values(source)))

    draft, errors, values = actions.draft_from_form(request.POST, commune)
    note = request.POST.get("note", "")
    publish = request.POST.get("publish") == "on"
    if draft is None:
        return render(
            request,
            "workspace/governance/charter.html",
            _context(request, values, errors=errors, note=note, publish=publish),
            status=400,
        )
    wants_save = request.POST.get("_action") == "save"
    digest = actions.draft_digest(draft)
    if wants_save and request.POST.get("preview_digest") == digest:
        try:
            row = actions.save_charter(commune, draft, actor=request.user, note=note, publish=publish)
        except CharterError as exc:  # the engine refused its own dump: show it rather than fail
            return render(
                request,
                "workspace/governance/charter.html",
                _context(request, values, errors=actions.sort_errors(exc), note=note, publish=publish),
                status=400,
            )
        if row is None:
            messages.info(request, "Aucun changement : la charte en vigueur est identique.")
        else:
            state = "enregistrée et publiée" if row.published else "enregistrée (non publiée)"
            messages.success(
                request, f"Version {row.version} de la charte {state}. Elle s'applique dès maintenant aux nouveaux messages."
            )
        return redirect("workspace:charter", commune=commune.slug)
    show_private = has_perm(request.role, Perm.VIEW_PRIVATE)  # type: ignore[attr-defined]
    result = actions.preview(commune, draft, private=show_private)
    stale = wants_save  # asked to save a draft that differs from the one previewed
    return render(
        request,
        "workspace/governance/charter.html",
        _context(request, values, preview=result, stale=stale, note=note, publish=publish),
    )


@commune_view(Perm.EDIT_CHARTER)
def charter_versions(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    rows = Charter.objects.filter(commune=commune).select_related("created_by").order_by("-version")
    return render(request, "workspace/governance/charter_versions.html", {"rows": rows})


@commune_view(Perm.EDIT_CHARTER)
def charter_version(request: HttpRequest, version: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    row = get_object_or_404(Charter, commune=commune, version=version)
    try:
        view = actions.public_view(row)
    except CharterError:
        view = None
    latest = actions.current_row(commune)
    return render(
        request,
        "workspace/governance/charter_version.html",
        {"row": row, "view": view, "is_latest": latest is not None and latest.pk == row.pk},
    )


@commune_view(Perm.EDIT_CHARTER)
@require_POST
def charter_publish(request: HttpRequest, version: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    row = get_object_or_404(Charter, commune=commune, version=version)
    latest = actions.current_row(commune)
    if latest is None or latest.pk != row.pk:
        messages.error(
            request,
            "Seule la version en vigueur peut être publiée. Pour revenir à une ancienne version, chargez-la dans "
            "l'éditeur puis enregistrez-la.",
        )
    else:
        actions.publish_version(row, actor=request.user)
        messages.success(request, f"La version {row.version} est publiée sur la page publique de la charte.")
    return redirect("workspace:charter_versions", commune=commune.slug)
