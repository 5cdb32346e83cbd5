"""Deadlines and on-call ("Délais et astreinte"): the team's working days and hours (a secretary four
days a week), the review deadline in working hours, the reminder, the on-call settings for hate and
threats, the on-call roster, and the public holidays taken into account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from beffroi.core.models import Membership
from beffroi.core.roles import Perm
from beffroi.core.tenancy import commune_view
from beffroi.domain.deadlines import french_public_holidays, is_alsace_moselle
from beffroi.workspace.actions import duty as duty_actions
from beffroi.workspace.actions.checks import ActionError, ActionForbidden, ActionNotFound
from beffroi.workspace.actions.deadlines import schedule_for
from beffroi.workspace.actions.verdicts import LABELS_FR, REMOVAL_LABELS
from beffroi.workspace.models import OnCallShift
from beffroi.workspace.views.common import commune_of

DAYS = [(0, "lundi"), (1, "mardi"), (2, "mercredi"), (3, "jeudi"), (4, "vendredi"), (5, "samedi"), (6, "dimanche")]


class DutyForm(forms.Form):
    working_days = forms.TypedMultipleChoiceField(
        label="Jours de travail de l'équipe",
        choices=DAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un jour de travail."},
    )
    work_start = forms.TimeField(label="Début de journée", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    work_end = forms.TimeField(label="Fin de journée", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    review_deadline_hours = forms.IntegerField(
        label="Délai pour décider (heures ouvrées)", min_value=1, max_value=720,
        help_text="Compté sur les seuls jours et heures de travail, jours fériés exclus. 48 h ouvrées = 6 jours de 8 h.",
    )
    reminder_before_hours = forms.IntegerField(
        label="Rappel par e-mail avant l'échéance (heures ouvrées)", min_value=0, max_value=240,
        help_text="0 : pas de rappel.",
    )
    oncall_enabled = forms.BooleanField(label="Activer l'astreinte pour les messages les plus graves", required=False)
    oncall_deadline_hours = forms.IntegerField(
        label="Délai d'astreinte (heures, jour et nuit)", min_value=1, max_value=72,
        help_text="Hors des heures de travail, les personnes d'astreinte et le cercle de crise sont prévenus par e-mail.",
    )
    oncall_labels = forms.MultipleChoiceField(
        label="Motifs sous astreinte",
        choices=[(lbl, LABELS_FR[lbl]) for lbl in REMOVAL_LABELS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    recompute = forms.BooleanField(label="Recalculer l'échéance des éléments en attente", required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("work_start"), data.get("work_end")
        if start and end and end <= start:
            self.add_error("work_end", "La fin de journée doit être après son début.")
        if data.get("oncall_enabled") and not data.get("oncall_labels"):
            self.add_error("oncall_labels", "Choisissez au moins un motif pour l'astreinte.")
        return data


class ShiftForm(forms.Form):
    user = forms.TypedChoiceField(label="Personne d'astreinte", coerce=int, error_messages={"required": "Choisissez une personne."})
    starts_at = forms.DateTimeField(
        label="Début", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Vide : dès maintenant.",
    )
    ends_at = forms.DateTimeField(
        label="Fin", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Vide : jusqu'à ce qu'on la retire.",
    )
    note = forms.CharField(label="Note", required=False, max_length=200)

    def __init__(self, *args: Any, commune: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(commune=commune).select_related("user").order_by("user__last_name", "user__username")
        self.fields["user"].choices = [("", "—")] + [
            (m.user_id, f"{m.user.get_full_name() or m.user.get_username()} ({m.get_role_display()})") for m in members
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "La fin doit être après le début.")
        return data


def _initial(commune: Any) -> dict[str, Any]:
    return {**duty_actions.duty_settings(commune), "recompute": True}


@commune_view(Perm.MANAGE_TEAM)
def duty(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    form = DutyForm(request.POST or None, initial=_initial(commune))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = duty_actions.do_save_duty_settings(
                commune,
                actor=request.user,
                **{name: data[name] for name in duty_actions.SETTINGS_FIELDS},
                recompute=bool(data.get("recompute")),
            )
        except (ActionForbidden, ActionNotFound):
            raise  # 403 / 404, never a form error
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Réglages enregistrés. {changed} échéance(s) recalculée(s).")
            return redirect("workspace:duty", commune=commune.slug)
    today = timezone.localdate()
    holidays = []
    for year in (today.year, today.year + 1):
        for day, name in sorted(french_public_holidays(year, alsace_moselle=is_alsace_moselle(commune.insee_code or "")).items()):
            if today <= day <= today + dt.timedelta(days=365):
                holidays.append((day, name))
    schedule = schedule_for(commune)
    now = timezone.now()
    example_start = now
    from beffroi.domain.deadlines import add_working_hours

    example = add_working_hours(example_start, commune.review_deadline_hours, schedule).astimezone(schedule.zone)
    shifts = OnCallShift.objects.filter(commune=commune).select_related("user").order_by("starts_at", "id")
    return render(
        request,
        "workspace/duty.html",
        {
            "form": form,
            "shift_form": ShiftForm(commune=commune),
            "shifts": [s for s in shifts if s.ends_at is None or s.ends_at > now],
            "holidays": holidays,
            "weekly_hours": round(schedule.weekly_hours, 1),
            "example_deadline": example,
            "alsace_moselle": schedule.alsace_moselle,
            "crisis_circle": Membership.objects.filter(commune=commune, in_crisis_circle=True).select_related("user"),
        },
    )


@commune_view(Perm.MANAGE_TEAM)
@require_POST
def duty_shift_add(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    form = ShiftForm(request.POST, commune=commune)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("workspace:duty", commune=commune.slug)
    data = form.cleaned_data
    user = get_user_model().objects.filter(pk=data["user"]).first()
    try:
        duty_actions.do_add_shift(
            commune, actor=request.user, user=user, starts_at=data.get("starts_at"), ends_at=data.get("ends_at"), note=data.get("note", "")
        )
    except (ActionForbidden, ActionNotFound):
        raise
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:duty", commune=commune.slug)
    messages.success(request, f"{user.get_full_name() or user.get_username()} ajouté·e à l'astreinte.")
    return redirect("workspace:duty", commune=commune.slug)


@commune_view(Perm.MANAGE_TEAM)
@require_POST
def duty_shift_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    commune = commune_of(request)
    shift = OnCallShift.objects.filter(commune=commune, pk=shift_id).first()
    if shift is None:
        raise Http404("Astreinte introuvable.")
    duty_actions.do_remove_shift(shift, actor=request.user)
    messages.success(request, "Astreinte retirée.")
    return redirect("workspace:duty", commune=commune.slug)
