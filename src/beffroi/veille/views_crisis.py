"""The crisis room (reading: VIEW_ALERTS; acting: CRISIS_ACT): timeline of the cascade, amplifying
accounts, reach, facts to restore, replies to residents, playbook checklist, posts to report, the
information sheet about fake accounts and the post-crisis report (PDF)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.veille.actions import crisis as actions
from beffroi.veille.crisis_data import report_data, room_data
from beffroi.veille.forms import CloseForm, InfoSheetForm, ReplyForm
from beffroi.veille.models import Crisis
from beffroi.veille.views_watch import commune_of, role_of

__all__ = ["report_data"]


def _crisis(request: HttpRequest, crisis_id: int) -> Crisis:
    crisis = Crisis.objects.filter(commune=commune_of(request), pk=crisis_id).select_related("commune").first()
    if crisis is None:
        raise Http404("Cellule de crise introuvable.")
    return crisis


def _room_url(crisis: Crisis, anchor: str = "") -> str:
    url = reverse("veille:crisis", kwargs={"commune": crisis.commune.slug, "crisis_id": crisis.pk})
    return url + (f"#{anchor}" if anchor else "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _render_room(request: HttpRequest, crisis: Crisis, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "crisis": crisis,
        "can_act": has_perm(role_of(request), Perm.CRISIS_ACT) and crisis.is_open,
        "can_reopen": has_perm(role_of(request), Perm.CRISIS_ACT) and not crisis.is_open,
        **room_data(crisis),
        "reply_form": extra.pop("reply_form", None) or ReplyForm(),
        **extra,
    }
    return render(request, "veille/crisis.html", context, status=status)


@commune_view(Perm.VIEW_ALERTS)
def room(request: HttpRequest, crisis_id: int) -> HttpResponse:
    return _render_room(request, _crisis(request, crisis_id))


@commune_view(Perm.CRISIS_ACT)
@require_POST
def step(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    done = request.POST.get("done") == "1"
    try:
        entry = actions.tick_step(crisis, str(request.POST.get("step", "")), request.user, done=done,
                                  note=request.POST.get("note", ""))
    except actions.CrisisError as exc:
        messages.error(request, exc.message)
    else:
        label = next(s.label for s in actions.PLAYBOOK if s.key == entry.step)
        messages.success(request, f"« {label} » : {'fait' if done else 'à faire'}.")
    return redirect(_room_url(crisis, "checklist"))


@commune_view(Perm.CRISIS_ACT)
@require_POST
def report(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    item_id = _int(request.POST.get("item"))
    if item_id is None:
        messages.error(request, "Choisissez le message à signaler.")
        return redirect(_room_url(crisis, "signalements"))
    manual = request.POST.get("method") != "platform"
    try:
        actions.report_post(crisis, item_id, request.user, manual=manual, reason=request.POST.get("reason", ""))
    except actions.CrisisError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Signalement enregistré (fait à la main sur la plateforme)." if manual
            else "Signalement envoyé à la plateforme par Beffroi.",
        )
    return redirect(_room_url(crisis, "signalements"))


@commune_view(Perm.CRISIS_ACT)
@require_POST
def check_reply(request: HttpRequest, crisis_id: int) -> HttpResponse:
    """Proofread a draft (htmx): the warnings of the reply lint, never blocking."""
    crisis = _crisis(request, crisis_id)
    draft = str(request.POST.get("text", ""))[:4000]
    warnings = actions.lint(crisis, draft) if draft.strip() else []
    return render(request, "veille/_reply_warnings.html", {"warnings": warnings, "checked": bool(draft.strip())})


@commune_view(Perm.CRISIS_ACT)
@require_POST
def reply(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_room(request, crisis, status=400, reply_form=form)
    data = form.cleaned_data
    manual = request.POST.get("method") != "platform"
    try:
        actions.reply_to_resident(
            crisis, data["item"], request.user, data["text"], manual=manual, confirmed=bool(data.get("confirm"))
        )
    except actions.CrisisError as exc:
        form.add_error("text", exc.message)
        return _render_room(request, crisis, status=400, reply_form=form, reply_warnings=exc.warnings,
                            reply_item=data["item"])
    messages.success(
        request, "Réponse enregistrée (publiée à la main)." if manual else "Réponse envoyée par Beffroi."
    )
    return redirect(_room_url(crisis, "reponses"))


@commune_view(Perm.VIEW_ALERTS)
def info_sheet(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    can_edit = has_perm(role_of(request), Perm.CRISIS_ACT) and crisis.is_open
    form = InfoSheetForm(request.POST or None, initial={"text": crisis.info_sheet or actions.default_info_sheet(crisis.commune)})
    warnings: list[Any] = []
    if request.method == "POST":
        if not has_perm(role_of(request), Perm.CRISIS_ACT):
            raise PermissionDenied("Votre rôle dans cette commune ne permet pas cette action.")
        if not crisis.is_open:
            messages.error(request, "La cellule de crise est close : rouvrez-la pour modifier la fiche.")
            return redirect(_room_url(crisis))
        if form.is_valid():
            try:
                warnings = actions.save_info_sheet(crisis, form.cleaned_data["text"], request.user)
            except actions.CrisisError as exc:
                form.add_error("text", exc.message)
            else:
                if not warnings:
                    messages.success(request, "Fiche enregistrée.")
                    return redirect(reverse("veille:crisis_sheet", kwargs={"commune": crisis.commune.slug, "crisis_id": crisis.pk}))
    context = {"crisis": crisis, "form": form, "warnings": warnings, "can_edit": can_edit}
    return render(request, "veille/crisis_sheet.html", context, status=400 if form.errors else 200)


@commune_view(Perm.VIEW_ALERTS)
def info_sheet_text(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    response = HttpResponse(crisis.info_sheet or actions.default_info_sheet(crisis.commune), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fiche-faux-comptes-{slugify(crisis.commune.name)}.txt"'
    return response


@commune_view(Perm.CRISIS_ACT)
def close(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    if not crisis.is_open:
        messages.info(request, "La cellule de crise est déjà close.")
        return redirect(_room_url(crisis))
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.close_crisis(crisis, request.user, note=form.cleaned_data.get("note", ""))
        messages.success(request, "Cellule de crise close. Le rapport reste disponible.")
        return redirect(_room_url(crisis))
    return render(request, "veille/crisis_close.html", {"crisis": crisis, "form": form}, status=400 if form.errors else 200)


@commune_view(Perm.CRISIS_ACT)
@require_POST
def reopen(request: HttpRequest, crisis_id: int) -> HttpResponse:
    crisis = _crisis(request, crisis_id)
    try:
        actions.reopen_crisis(crisis, request.user)
    except actions.CrisisError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, "Cellule de crise rouverte.")
    return redirect(_room_url(crisis))


@commune_view(Perm.VIEW_ALERTS)
def report_pdf(request: HttpRequest, crisis_id: int) -> HttpResponse:
    from beffroi.veille.report_pdf import build_report

    crisis = _crisis(request, crisis_id)
    pdf = build_report(report_data(crisis))
    actions.record_report_generated(crisis, request.user, size=len(pdf))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"rapport-crise-{slugify(crisis.commune.name)}-{crisis.opened_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
