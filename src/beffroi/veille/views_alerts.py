"""Alerts (VIEW_ALERTS): the list of the detector's alerts with their deliveries, following a spike in a
crisis room (CRISIS_ACT); the digest by e-mail (VIEW_VEILLE): subscribing and its preview."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.veille.actions import crisis as crisis_actions
from beffroi.veille.actions import digest as digest_actions
from beffroi.veille.forms import DigestForm
from beffroi.veille.models import Alert, Crisis, DeliveryState, DigestFrequency, DigestSubscription
from beffroi.veille.views_watch import commune_of, role_of

KINDS = [("", "Toutes"), ("rumour", "Rumeurs"), ("bad_buzz", "Bad buzz"), ("spike", "Sujets en hausse")]


@commune_view(Perm.VIEW_ALERTS)
def alerts(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    kind = request.GET.get("type", "")
    qs = Alert.objects.filter(commune=commune).select_related("crisis").annotate(
        sent=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        planned=Count("deliveries"),
    )
    if kind in {k for k, _ in KINDS if k}:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("-detected_at", "-id"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kind": kind,
        "kinds": KINDS,
        "crises": Crisis.objects.filter(commune=commune).annotate(n=Count("posts")).order_by("-status", "-opened_at")[:20],
        "can_act": has_perm(role_of(request), Perm.CRISIS_ACT),
    }
    return render(request, "veille/alerts.html", context)


@commune_view(Perm.CRISIS_ACT)
@require_POST
def alert_follow(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Open (or join) the crisis room of an alert that did not open one (a spike worth following)."""
    alert = Alert.objects.filter(commune=commune_of(request), pk=alert_id).select_related("commune", "crisis").first()
    if alert is None:
        raise Http404("Alerte introuvable.")
    crisis = crisis_actions.open_from_alert(alert, request.user)
    messages.success(request, "Cellule de crise ouverte pour ce sujet.")
    return redirect(reverse("veille:crisis", kwargs={"commune": alert.commune.slug, "crisis_id": crisis.pk}))


@commune_view(Perm.VIEW_VEILLE)
def digest(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    sub = DigestSubscription.objects.filter(commune=commune, user=request.user).first()
    current = sub.frequency if sub is not None else DigestFrequency.NONE
    form = DigestForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        sub = digest_actions.subscribe(commune, request.user, form.cleaned_data["frequency"])
        if sub.frequency == DigestFrequency.NONE:
            messages.success(request, "Vous ne recevrez plus de résumé.")
        else:
            messages.success(request, f"Résumé {sub.get_frequency_display()} enregistré : il arrivera à {request.user.email or 'votre adresse'}.")
        return redirect(reverse("veille:digest", kwargs={"commune": commune.slug}))
    context = {"form": form, "sub": sub, "has_email": bool(request.user.email)}
    return render(request, "veille/digest.html", context, status=400 if form.errors else 200)


@commune_view(Perm.VIEW_VEILLE)
def digest_preview(request: HttpRequest) -> HttpResponse:
    """The digest the member would receive now (same content as the e-mail)."""
    commune = commune_of(request)
    frequency = DigestFrequency.WEEKLY if request.GET.get("frequence") == "weekly" else DigestFrequency.DAILY
    now = timezone.now()
    since = now - dt.timedelta(days=7 if frequency == DigestFrequency.WEEKLY else 1)
    d = digest_actions.build_digest(commune, role_of(request), since, now, frequency)
    label = gettext("du jour") if frequency == DigestFrequency.DAILY else gettext("de la semaine")
    return render(request, "veille/digest_preview.html", {"d": d, "label": label, "frequency": frequency})
