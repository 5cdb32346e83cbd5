"""Agreement between the engine and the moderators, per week and per label; the commune's model."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions.charter import LABEL_TITLES_FR
from beffroi.workspace.actions.learning import agreement_stats, do_request_model_update
from beffroi.workspace.models import CommuneModel, LabelledExample


@commune_view(Perm.VIEW_STATS)
def agreement(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    weeks = request.GET.get("semaines", "12")
    n_weeks = int(weeks) if weeks.isdigit() and 4 <= int(weeks) <= 52 else 12
    stats = agreement_stats(commune, weeks=n_weeks)
    can_moderate = has_perm(request.role, Perm.MODERATE)  # type: ignore[attr-defined]
    disagreements = stats.disagreements if can_moderate else []
    if not has_perm(request.role, Perm.VIEW_PRIVATE):  # type: ignore[attr-defined]
        disagreements = [d for d in disagreements if d.item is None or not d.item.is_private]
    models = CommuneModel.objects.filter(commune=commune).order_by("-version")[:5]
    pending = (
        LabelledExample.objects.filter(commune=commune, trainable=True)
        .exclude(text="")
        .filter(pk__gt=models[0].last_example_id if models else 0)
        .count()
    )
    label_rows = [
        {
            "key": ls.label,
            "title": LABEL_TITLES_FR.get(ls.label, ls.label),
            "stat": ls,
            "weeks": [ls.week_percent(w.start) for w in stats.weeks],
        }
        for ls in stats.labels
    ]
    return render(
        request,
        "workspace/governance/agreement.html",
        {
            "stats": stats,
            "label_rows": label_rows,
            "disagreements": disagreements[:10],
            "labels_fr": LABEL_TITLES_FR,
            "models": models,
            "pending": pending,
            "can_update": has_perm(request.role, Perm.EDIT_CHARTER),  # type: ignore[attr-defined]
            "n_weeks": n_weeks,
        },
    )


@commune_view(Perm.EDIT_CHARTER)
@require_POST
def model_update(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    do_request_model_update(commune, actor=request.user)
    latest = CommuneModel.objects.filter(commune=commune).order_by("-version").first()
    if latest is not None and latest.trained_at and (latest.last_example_id or 0) > 0:
        messages.success(
            request,
            f"Mise à jour demandée. Modèle en service : version {latest.version}, appris sur {latest.n_examples} décision(s).",
        )
    else:
        messages.success(request, "Mise à jour demandée : le modèle apprendra des décisions de l'équipe.")
    return redirect("workspace:agreement", commune=commune.slug)
