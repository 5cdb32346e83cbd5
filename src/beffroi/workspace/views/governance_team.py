"""Team screens: list, add or invite, change role / crisis circle / phone, remove, renew access."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from beffroi.core.models import AuditRecord, Membership
from beffroi.core.roles import ROLE_LABELS_FR, Perm, Role
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import team as actions
from beffroi.workspace.views.governance_forms import ROLE_HELP, AccessForm, MemberAddForm, MemberEditForm

logger = logging.getLogger(__name__)

TEAM_VERBS = ("team.member_added", "team.role_changed", "team.member_updated", "team.member_removed", "team.access_renewed")


def _member(request: HttpRequest, member_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, commune=request.commune  # type: ignore[attr-defined]
    )


def _send_invitation(request: HttpRequest, new: actions.NewMember) -> str:
    """E-mail the invitation link; returns the absolute link (also shown on screen to copy)."""
    link = request.build_absolute_uri(new.invitation_path)
    user = new.membership.user
    commune = new.membership.commune
    inviter = request.user.get_full_name() or request.user.get_username()  # type: ignore[union-attr]
    body = (
        f"Bonjour {user.first_name or user.get_username()},\n\n"
        f"{inviter} vous invite à rejoindre l'équipe de {commune.name} sur Beffroi, l'outil de la commune pour "
        f"ses réseaux sociaux, avec le rôle « {ROLE_LABELS_FR[Role(new.membership.role)]} ».\n\n"
        f"Pour choisir votre mot de passe, ouvrez ce lien (valable 3 jours) :\n{link}\n\n"
        f"Votre identifiant : {user.get_username()}\n\n"
        "Si vous n'attendiez pas ce message, ignorez-le.\n"
    )
    try:
        send_mail(f"Invitation : équipe de {commune.name} sur Beffroi", body, None, [user.email])
    except Exception:  # the link is shown on screen anyway
        logger.exception("invitation e-mail failed")
        messages.warning(request, "L'e-mail n'a pas pu être envoyé : transmettez le lien ci-dessous vous-même.")
    return link


@commune_view(Perm.MANAGE_TEAM)
def team(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    members = (
        Membership.objects.filter(commune=commune).select_related("user").order_by("user__last_name", "user__username")
    )
    directors = sum(1 for m in members if m.role == Role.DIRECTION_COM.value)
    rows = [
        {
            "m": m,
            "role_label": ROLE_LABELS_FR[Role(m.role)],
            "last_director": m.role == Role.DIRECTION_COM.value and directors <= 1,
            "pending": not m.user.has_usable_password() and m.user.last_login is None,
        }
        for m in members
    ]
    history = AuditRecord.objects.filter(commune=commune, verb__in=TEAM_VERBS).order_by("-created_at", "-id")[:15]
    return render(
        request,
        "workspace/governance/team.html",
        {"rows": rows, "history": history, "role_help": ROLE_HELP, "role_labels": {r.value: ROLE_LABELS_FR[r] for r in Role}},
    )


@commune_view(Perm.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = actions.do_add_member(
                commune,
                actor=request.user,
                username=data["username"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                in_crisis_circle=data["in_crisis_circle"],
                phone=data["phone"],
                method=data["access"],
            )
        except actions.TeamError as exc:
            form.add_error(None, str(exc))
        else:
            link = _send_invitation(request, new) if new.invitation_path else ""
            return render(
                request,
                "workspace/governance/team_added.html",
                {"new": new, "link": link, "role_label": ROLE_LABELS_FR[Role(new.membership.role)]},
            )
    return render(request, "workspace/governance/team_add.html", {"form": form, "role_help": dict(ROLE_HELP)})


@commune_view(Perm.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def team_member(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    initial = {"role": member.role, "in_crisis_circle": member.in_crisis_circle, "phone": member.phone}
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_edit_member(
                member, actor=request.user, role=data["role"], in_crisis_circle=data["in_crisis_circle"], phone=data["phone"]
            )
        except actions.TeamError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Modifications enregistrées pour {member.user.get_full_name() or member.user}.")
            return redirect("workspace:team", commune=request.commune.slug)  # type: ignore[attr-defined]
    return render(
        request,
        "workspace/governance/team_member.html",
        {"member": member, "form": form, "role_help": dict(ROLE_HELP), "access_form": AccessForm()},
    )


@commune_view(Perm.MANAGE_TEAM)
@require_http_methods(["GET", "POST"])
def team_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    error = ""
    if request.method == "POST":
        try:
            actions.do_remove_member(member, actor=request.user)
        except actions.TeamError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{member.user.get_full_name() or member.user} ne fait plus partie de l'équipe.")
            return redirect("workspace:team", commune=request.commune.slug)  # type: ignore[attr-defined]
    return render(
        request,
        "workspace/governance/team_remove.html",
        {"member": member, "error": error, "role_label": ROLE_LABELS_FR[Role(member.role)]},
        status=400 if error else 200,
    )


@commune_view(Perm.MANAGE_TEAM)
@require_http_methods(["POST"])
def team_access(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    form = AccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez : lien d'invitation ou mot de passe temporaire.")
        return redirect("workspace:team_member", commune=request.commune.slug, member_id=member.pk)  # type: ignore[attr-defined]
    try:
        new = actions.do_renew_access(member, actor=request.user, method=form.cleaned_data["access"])
    except actions.TeamError as exc:
        messages.error(request, str(exc))
        return redirect("workspace:team_member", commune=request.commune.slug, member_id=member.pk)  # type: ignore[attr-defined]
    link = _send_invitation(request, new) if new.invitation_path else ""
    return render(
        request,
        "workspace/governance/team_added.html",
        {"new": new, "link": link, "renewed": True, "role_label": ROLE_LABELS_FR[Role(member.role)]},
    )
