"""Blocking authors: the request form (reason and duration), and the list where a SECOND person
approves or refuses, and where active blocks can be lifted."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import checks
from beffroi.workspace.actions.blocking import (
    do_approve_block,
    do_lift_block,
    do_reject_block,
    do_request_block,
    platform_can_block,
)
from beffroi.workspace.models import BlockRequest
from beffroi.workspace.views.common import commune_of, get_item, items_for, role_of, safe_next

DURATIONS = [(7, "7 jours"), (30, "30 jours"), (90, "3 mois"), (180, "6 mois"), (365, "1 an")]


class BlockForm(forms.Form):
    reason = forms.CharField(
        label="Motif du blocage",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Conservé et montré à la personne qui approuvera. Citez les faits (messages, dates).",
        error_messages={"required": "Indiquez le motif du blocage."},
    )
    duration_days = forms.TypedChoiceField(
        label="Durée", choices=DURATIONS, coerce=int, initial=30, error_messages={"required": "Choisissez une durée."}
    )


@commune_view(Perm.REQUEST_BLOCK)
def block_request(request: HttpRequest, item_id: int) -> HttpResponse:
    commune = commune_of(request)
    item = get_item(request, item_id)
    if item.author is None:
        raise Http404("Auteur inconnu.")
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_request_block(
                item.author,
                request.user,
                reason=form.cleaned_data["reason"],
                duration_days=form.cleaned_data["duration_days"],
                item=item,
            )
        except checks.ActionNotFound as exc:
            raise Http404(exc.message) from None
        except checks.ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Demande de blocage enregistrée : une autre personne doit l'approuver.")
            return redirect("workspace:item", commune=commune.slug, item_id=item.pk)
    can_block, why = platform_can_block(item.author, item)
    return render(
        request,
        "workspace/block_request.html",
        {"item": item, "form": form, "platform_can_block": can_block, "platform_reason": why},
    )


@commune_view(Perm.REQUEST_BLOCK)
def blocks(request: HttpRequest) -> HttpResponse:
    commune, role = commune_of(request), role_of(request)
    visible_ids = set(items_for(request).values_list("pk", flat=True))
    rows = BlockRequest.objects.filter(commune=commune).select_related("author", "item", "requested_by", "decided_by")
    rows = [r for r in rows if r.item_id is None or r.item_id in visible_ids]
    return render(
        request,
        "workspace/blocks.html",
        {
            "pending": [r for r in rows if r.state == BlockRequest.State.PENDING],
            "active": [r for r in rows if r.state == BlockRequest.State.APPROVED],
            "past": [r for r in rows if r.state in (BlockRequest.State.REJECTED, BlockRequest.State.LIFTED)][:50],
            "can_approve": has_perm(role, Perm.APPROVE_BLOCK),
        },
    )


@commune_view(Perm.APPROVE_BLOCK)
@require_POST
def block_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    commune = commune_of(request)
    block = BlockRequest.objects.filter(commune=commune, pk=request_id).select_related("item").first()
    if block is None or (block.item_id is not None and not items_for(request).filter(pk=block.item_id).exists()):
        raise Http404("Demande introuvable.")
    next_url = safe_next(request, reverse("workspace:blocks", kwargs={"commune": commune.slug}))
    note = request.POST.get("note", "")
    try:
        if decision == "approuver":
            do_approve_block(block, request.user, note=note)
            messages.success(request, "Blocage approuvé.")
        elif decision == "refuser":
            do_reject_block(block, request.user, note=note)
            messages.success(request, "Demande de blocage refusée.")
        elif decision == "lever":
            do_lift_block(block, request.user, note=note)
            messages.success(request, "Blocage levé.")
        else:
            raise Http404("Décision inconnue.")
    except checks.ActionNotFound as exc:
        raise Http404(exc.message) from None
    except checks.ActionError as exc:
        messages.error(request, exc.message)
    return redirect(next_url)
