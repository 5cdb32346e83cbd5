"""Watch settings (permission MANAGE_VEILLE): watch terms, facts, sources, the crisis circle and the
alert channels (e-mail addresses, webhooks) with the record of recent deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from beffroi.connectors.registry import platform_label
from beffroi.core.models import Membership
from beffroi.core.roles import ROLE_LABELS_FR, Perm, Role
from beffroi.core.tenancy import commune_view
from beffroi.domain.rumour.facts import fact_problems
from beffroi.veille.actions import config as actions
from beffroi.veille.actions import delivery as delivery_actions
from beffroi.veille.forms import AlertingForm, FactForm, SourcesForm, TermForm, WebhookForm
from beffroi.veille.models import AlertDelivery, AlertWebhook, DeliveryState, Fact, VeilleSettings, WatchTerm
from beffroi.veille.views_watch import commune_of
from beffroi.workspace.models import Account

SECRET_SESSION_KEY = "beffroi_veille_webhook_secret"


def _url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return reverse(f"veille:{name}", kwargs={"commune": commune_of(request).slug, **kwargs})


# -- watch terms -------------------------------------------------------------------------------


@commune_view(Perm.MANAGE_VEILLE)
def terms(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.add_terms(commune, form.cleaned_data["terms"], form.cleaned_data["kind"], request.user)
        except actions.ConfigError as exc:
            form.add_error("terms", exc.message)
        else:
            if created:
                messages.success(request, f"{len(created)} terme(s) ajouté(s) : {', '.join(t.text for t in created)}.")
            else:
                messages.info(request, "Ces termes étaient déjà suivis.")
            return redirect(_url(request, "settings_terms"))
    context = {
        "form": form,
        "terms": WatchTerm.objects.filter(commune=commune).order_by("kind", "text"),
        "tab": "terms",
    }
    return render(request, "veille/settings_terms.html", context, status=400 if form.errors else 200)


@commune_view(Perm.MANAGE_VEILLE)
@require_POST
def term_remove(request: HttpRequest, term_id: int) -> HttpResponse:
    term = WatchTerm.objects.filter(commune=commune_of(request), pk=term_id).first()
    if term is None:
        raise Http404("Terme introuvable.")
    actions.remove_term(term, request.user)
    messages.success(request, f"« {term.text} » n'est plus suivi.")
    return redirect(_url(request, "settings_terms"))


# -- facts ------------------------------------------------------------------------------------


@commune_view(Perm.MANAGE_VEILLE)
def facts(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    form = FactForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_fact(commune, form.cleaned_data["text"], request.user, source_url=form.cleaned_data.get("source_url") or "")
        except actions.ConfigError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, "Fait ajouté : Beffroi le compare désormais à ce qui se dit.")
            for problem in fact_problems(form.cleaned_data["text"], commune.name, commune.slug):
                messages.warning(request, problem)
            return redirect(_url(request, "settings_facts"))
    rows = list(Fact.objects.filter(commune=commune).order_by("-active", "id"))
    for fact in rows:
        # what the detector cannot read in the fact (no subject, nothing a claim could contradict)
        fact.problems = fact_problems(fact.text, commune.name, commune.slug)  # type: ignore[attr-defined]
    context = {"form": form, "facts": rows, "tab": "facts"}
    return render(request, "veille/settings_facts.html", context, status=400 if form.errors else 200)


@commune_view(Perm.MANAGE_VEILLE)
def fact_edit(request: HttpRequest, fact_id: int) -> HttpResponse:
    fact = Fact.objects.filter(commune=commune_of(request), pk=fact_id).first()
    if fact is None:
        raise Http404("Fait introuvable.")
    form = FactForm(request.POST or None, initial={"text": fact.text, "source_url": fact.source_url, "active": fact.active})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_fact(
                fact, form.cleaned_data["text"], request.user,
                source_url=form.cleaned_data.get("source_url") or "", active=bool(form.cleaned_data.get("active")),
            )
        except actions.ConfigError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, "Fait modifié.")
            commune = commune_of(request)
            for problem in fact_problems(form.cleaned_data["text"], commune.name, commune.slug):
                messages.warning(request, problem)
            return redirect(_url(request, "settings_facts"))
    commune = commune_of(request)
    problems = fact_problems(fact.text, commune.name, commune.slug)
    return render(
        request, "veille/fact_edit.html", {"form": form, "fact": fact, "problems": problems, "tab": "facts"},
        status=400 if form.errors else 200,
    )


@commune_view(Perm.MANAGE_VEILLE)
@require_POST
def fact_toggle(request: HttpRequest, fact_id: int) -> HttpResponse:
    fact = Fact.objects.filter(commune=commune_of(request), pk=fact_id).first()
    if fact is None:
        raise Http404("Fait introuvable.")
    actions.set_fact_active(fact, not fact.active, request.user)
    messages.success(request, "Fait remis en vigueur." if fact.active else "Fait retiré (il n'est plus comparé aux messages).")
    return redirect(_url(request, "settings_facts"))


# -- sources ----------------------------------------------------------------------------------


@commune_view(Perm.MANAGE_VEILLE)
def sources(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    settings = VeilleSettings.for_commune(commune)
    accounts = list(Account.objects.filter(commune=commune).order_by("-owned", "platform", "name"))
    watched = [(str(a.pk), f"{a.name} ({platform_label(a.platform)})") for a in accounts if not a.owned]
    form = SourcesForm(
        request.POST or None,
        watched=watched,
        initial={
            "official": "\n".join(settings.official_accounts),
            "places": "\n".join(settings.local_places),
            "follow_all": [str(a) for a in settings.follow_all_accounts],
            "posts_per_day": settings.posts_per_day,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_sources(
                commune, request.user, official=data.get("official", ""), places=data.get("places", ""),
                follow_all=[int(v) for v in data.get("follow_all") or []], posts_per_day=float(data["posts_per_day"]),
            )
        except actions.ConfigError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Sources enregistrées.")
            return redirect(_url(request, "settings_sources"))
    context = {
        "form": form,
        "owned": [a for a in accounts if a.owned],
        "watched": [a for a in accounts if not a.owned],
        "follow_all": {int(a) for a in settings.follow_all_accounts},
        "tab": "sources",
    }
    return render(request, "veille/settings_sources.html", context, status=400 if form.errors else 200)


# -- alerting ---------------------------------------------------------------------------------


def _members(commune: Any) -> list[Membership]:
    return list(Membership.objects.filter(commune=commune).select_related("user").order_by("user__username"))


def _member_label(m: Membership) -> str:
    name = m.user.get_full_name() or m.user.get_username()
    role = ROLE_LABELS_FR.get(Role(m.role), m.role)
    email = m.user.email or "pas d'adresse e-mail"
    return f"{name} — {role} ({email})"


@commune_view(Perm.MANAGE_VEILLE)
def alerting(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    settings = VeilleSettings.for_commune(commune)
    members = _members(commune)
    form = AlertingForm(
        request.POST or None,
        members=[(str(m.pk), _member_label(m)) for m in members],
        initial={
            "notify_bad_buzz": "bad_buzz" in settings.notify_kinds,
            "notify_spike": "spike" in settings.notify_kinds,
            "circle": [str(m.pk) for m in members if m.in_crisis_circle],
            "extra_emails": "\n".join(settings.extra_emails),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kinds = ["rumour"] + (["bad_buzz"] if data.get("notify_bad_buzz") else []) + (["spike"] if data.get("notify_spike") else [])
        try:
            actions.save_alerting(
                commune, request.user, notify_kinds=kinds, extra_emails=data["extra_emails"],
                circle=[int(v) for v in data.get("circle") or []],
            )
        except actions.ConfigError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Réglages des alertes enregistrés.")
            return redirect(_url(request, "settings_alerting"))
    no_email = [m for m in members if m.in_crisis_circle and not m.user.email]
    context = {
        "form": form,
        "webhooks": AlertWebhook.objects.filter(commune=commune),
        "deliveries": AlertDelivery.objects.filter(alert__commune=commune).select_related("alert").order_by("-id")[:30],
        "no_email": no_email,
        "secret": request.session.pop(SECRET_SESSION_KEY, None),
        "tab": "alerting",
    }
    return render(request, "veille/settings_alerting.html", context, status=400 if form.errors else 200)


def _webhook(request: HttpRequest, webhook_id: int) -> AlertWebhook:
    hook = AlertWebhook.objects.filter(commune=commune_of(request), pk=webhook_id).first()
    if hook is None:
        raise Http404("Webhook introuvable.")
    return hook


@commune_view(Perm.MANAGE_VEILLE)
def webhook_edit(request: HttpRequest, webhook_id: int | None = None) -> HttpResponse:
    commune = commune_of(request)
    hook = _webhook(request, webhook_id) if webhook_id is not None else None
    initial = {"active": True}
    if hook is not None:
        initial = {"name": hook.name, "format": hook.format, "url": hook.url, "active": hook.active}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved, secret = actions.save_webhook(
                commune, request.user, name=data["name"], url=data["url"], fmt=data["format"],
                matrix_token=data.get("matrix_token") or "", active=bool(data.get("active")), webhook=hook,
            )
        except actions.ConfigError as exc:
            form.add_error(None, exc.message)
        else:
            if secret:
                request.session[SECRET_SESSION_KEY] = {"name": saved.name, "secret": secret}
            messages.success(request, f"Webhook « {saved.name} » enregistré.")
            return redirect(_url(request, "settings_alerting"))
    return render(request, "veille/webhook_edit.html", {"form": form, "hook": hook, "tab": "alerting"}, status=400 if form.errors else 200)


@commune_view(Perm.MANAGE_VEILLE)
@require_POST
def webhook_secret(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = _webhook(request, webhook_id)
    secret = actions.rotate_webhook_secret(hook, request.user)
    request.session[SECRET_SESSION_KEY] = {"name": hook.name, "secret": secret}
    messages.success(request, "Nouveau secret de signature créé : l'ancien ne fonctionne plus.")
    return redirect(_url(request, "settings_alerting"))


@commune_view(Perm.MANAGE_VEILLE)
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = _webhook(request, webhook_id)
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            messages.error(request, "Cochez la case pour confirmer la suppression.")
            return redirect(_url(request, "webhook_delete", webhook_id=hook.pk))
        actions.delete_webhook(hook, request.user)
        messages.success(request, f"Webhook « {hook.name} » supprimé.")
        return redirect(_url(request, "settings_alerting"))
    return render(request, "veille/webhook_delete.html", {"hook": hook, "tab": "alerting"})


@commune_view(Perm.MANAGE_VEILLE)
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = AlertDelivery.objects.filter(alert__commune=commune_of(request), pk=delivery_id).select_related("alert", "alert__commune").first()
    if delivery is None:
        raise Http404("Envoi introuvable.")
    if delivery.state != DeliveryState.FAILED:
        messages.info(request, "Cet envoi n'a pas échoué.")
    else:
        delivery_actions.retry_now(delivery, request.user)
        messages.success(request, "Nouvel essai d'envoi lancé.")
    return redirect(_url(request, "settings_alerting"))
