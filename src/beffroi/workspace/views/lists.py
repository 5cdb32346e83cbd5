"""The lists: inbox (every platform and account, filters and search), the review queue ordered by
deadline, and the questions and thanks to handle. One template, three views."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from beffroi.connectors.registry import platform_label
from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import verdicts
from beffroi.workspace.actions.deadlines import remaining_label, schedule_for
from beffroi.workspace.models import (
    Account,
    BlockRequest,
    Item,
    ItemKind,
    ItemStatus,
    OutboxEntry,
    OutboxState,
    PlatformState,
)
from beffroi.workspace.search import search_items
from beffroi.workspace.views.common import commune_of, items_for, offers, pop_undo, role_of, url_maker

PAGE_SIZE = 50
SORTS = [("recent", "Plus récents"), ("oldest", "Plus anciens"), ("deadline", "Échéance la plus proche")]


class FilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    platform = forms.ChoiceField(label="Plateforme", required=False)
    account = forms.ChoiceField(label="Compte", required=False)
    label = forms.ChoiceField(label="Motif", required=False)
    status = forms.ChoiceField(label="Statut", required=False)
    kind = forms.ChoiceField(label="Type", required=False)
    state = forms.ChoiceField(label="Sur la plateforme", required=False)
    since = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label="Trier", required=False, choices=SORTS)

    def __init__(self, data: Any, *, commune: Any, role: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        platforms = sorted(set(Account.objects.filter(commune=commune).values_list("platform", flat=True)) | set(
            Item.objects.filter(commune=commune).values_list("platform", flat=True).distinct()
        ))
        self.fields["platform"].choices = [("", "Toutes")] + [(p, platform_label(p)) for p in platforms]
        self.fields["account"].choices = [("", "Tous")] + [
            (str(a.pk), f"{a.name} ({platform_label(a.platform)})") for a in Account.objects.filter(commune=commune)
        ]
        self.fields["label"].choices = [("", "Tous"), ("none", "Aucun motif"), *list(verdicts.LABELS_FR.items())]
        self.fields["status"].choices = [("", "Tous"), *list(ItemStatus.choices)]
        kinds = [c for c in ItemKind.choices if c[0] != ItemKind.PRIVATE_MESSAGE or has_perm(role, Perm.VIEW_PRIVATE)]
        self.fields["kind"].choices = [("", "Tous"), *kinds]
        self.fields["state"].choices = [("", "Tous"), *PlatformState.choices, ("auto", "masqués automatiquement")]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter-input")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError("La date de fin doit être après la date de début.")
        return data


def apply_filters(qs: Any, data: dict[str, Any], commune: Any) -> Any:
    if data.get("platform"):
        qs = qs.filter(platform=data["platform"])
    if data.get("account"):
        qs = qs.filter(account_id=int(data["account"]))
    label = data.get("label")
    if label == "none":
        qs = qs.filter(Q(current_verdict__isnull=True) | Q(current_verdict__labels=[]))
    elif label:
        qs = qs.filter(current_verdict__labels__icontains=f'"{label}"')
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    state = data.get("state")
    if state == "auto":
        qs = qs.filter(decisions__kind="hide", decisions__automatic=True, decisions__undone_by__isnull=True).distinct()
    elif state:
        qs = qs.filter(platform_state=state)
    zone = schedule_for(commune).zone
    if data.get("since"):
        qs = qs.filter(published_at__gte=dt.datetime.combine(data["since"], dt.time(0), tzinfo=zone))
    if data.get("until"):
        qs = qs.filter(published_at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time(0), tzinfo=zone))
    if data.get("q"):
        qs = search_items(qs, data["q"])
    return qs


@dataclass
class Card:
    """What a row of a list shows about one item."""

    item: Item
    segments: list[verdicts.Segment]
    labels: list[tuple[str, str]]
    remaining: str
    late: bool
    offers: dict[str, Any]
    outbox: OutboxEntry | None
    message: str
    auto_hidden: bool
    main_label: str
    urls: dict[str, str]


def build_cards(items: list[Item], role: Any) -> list[Card]:
    ids = [i.pk for i in items]
    makers: dict[str, Any] = {}
    applied: dict[int, list[str]] = defaultdict(list)
    latest: dict[int, OutboxEntry] = {}
    for entry in OutboxEntry.objects.filter(item_id__in=ids).order_by("id"):
        if entry.state == OutboxState.APPLIED:
            applied[entry.item_id or 0].append(entry.action)
        latest[entry.item_id or 0] = entry
    auto = set(
        Item.objects.filter(pk__in=ids, decisions__kind="hide", decisions__automatic=True, decisions__undone_by__isnull=True).values_list("pk", flat=True)
    )
    connectors: dict[int, Any] = {}
    now = timezone.now()
    schedules: dict[int, Any] = {}
    charters: dict[int, Any] = {}
    cards = []
    for item in items:
        item.applied_actions = tuple(applied.get(item.pk, ()))  # type: ignore[attr-defined]
        verdict = item.current_verdict
        reasons = verdict.reasons if verdict is not None else []
        text = item.text if len(item.text) <= 600 else item.text[:600] + "…"
        if item.commune_id not in schedules:
            schedules[item.commune_id] = schedule_for(item.commune)
            charters[item.commune_id] = verdicts.charter_of(item.commune)
            makers[item.commune.slug] = url_maker(item.commune.slug)
        schedule, charter = schedules[item.commune_id], charters[item.commune_id]
        remaining = remaining_label(item, now=now, schedule=schedule) if item.is_open and item.deadline_at else ""
        cards.append(
            Card(
                item=item,
                segments=verdicts.segments(text, reasons),
                labels=[(lbl, verdicts.label_fr(lbl)) for lbl in (verdict.labels if verdict is not None else [])],
                remaining=remaining,
                late=bool(item.deadline_at and item.deadline_at <= now and item.is_open),
                offers=offers(item, role, connectors=connectors),
                outbox=latest.get(item.pk),
                message=verdicts.author_message(item, charter=charter) if item.platform_state == PlatformState.VISIBLE else "",
                auto_hidden=item.pk in auto,
                main_label=verdicts.main_label(verdict),
                urls=makers[item.commune.slug](item.pk),
            )
        )
    return cards


def _list(request: HttpRequest, *, mode: str, title: str, base: Any, default_sort: str, intro: str) -> HttpResponse:
    commune, role = commune_of(request), role_of(request)
    data = request.GET.copy()
    if not data.get("sort"):
        data["sort"] = default_sort
    form = FilterForm(data, commune=commune, role=role)
    qs = base.select_related("commune", "account", "author", "current_verdict")
    if form.is_valid():
        qs = apply_filters(qs, form.cleaned_data, commune)
        sort = form.cleaned_data.get("sort") or default_sort
    else:
        qs = qs.none()
        sort = default_sort
    if sort == "deadline":
        qs = qs.order_by(F("deadline_at").asc(nulls_last=True), "first_seen_at", "id")
    elif sort == "oldest":
        qs = qs.order_by("published_at", "id")
    else:
        qs = qs.order_by("-published_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = build_cards(list(page.object_list), role)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("fragment", None)
    here = request.GET.copy()
    here.pop("fragment", None)
    list_url = request.path + (f"?{here.urlencode()}" if here else "")
    context = {
        "mode": mode,
        "title": title,
        "intro": intro,
        "form": form,
        "page": page,
        "cards": cards,
        "query": query.urlencode(),
        "undo_notice": pop_undo(request),
        "list_url": list_url,
        "bulk_actions": _bulk_actions(role, mode),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    template = "workspace/_item_list.html" if request.GET.get("fragment") == "list" else "workspace/inbox.html"
    return render(request, template, context)


def _bulk_actions(role: Any, mode: str) -> list[tuple[str, str]]:
    from beffroi.workspace.actions.bulk import BULK_ACTIONS
    from beffroi.workspace.actions.checks import ACTION_PERMS

    wanted = ["hide", "keep", "escalate", "unhide"] if mode != "todo" else ["like", "keep", "escalate"]
    return [(a, BULK_ACTIONS[a]) for a in wanted if all(has_perm(role, p) for p in ACTION_PERMS[a])]


@commune_view(Perm.VIEW_ITEMS)
def inbox(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        mode="inbox",
        title="Boîte de réception",
        base=items_for(request),
        default_sort="recent",
        intro="Tout ce qui arrive sur les comptes de la commune, toutes plateformes confondues.",
    )


@commune_view(Perm.MODERATE)
def queue(request: HttpRequest) -> HttpResponse:
    base = items_for(request).filter(status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED])
    return _list(
        request,
        mode="queue",
        title="À revoir",
        base=base,
        default_sort="deadline",
        intro="Les messages à décider, les plus urgents d'abord (échéance en heures ouvrées).",
    )


@commune_view(Perm.REPLY)
def todo(request: HttpRequest) -> HttpResponse:
    base = items_for(request).filter(status=ItemStatus.TODO)
    return _list(
        request,
        mode="todo",
        title="Questions et remerciements",
        base=base,
        default_sort="deadline",
        intro="Répondre aux questions, les transmettre au bon service, remercier les soutiens.",
    )


@commune_view(Perm.VIEW_ITEMS)
def counts(request: HttpRequest) -> JsonResponse:
    """Counters for the navigation badges (refreshed by the page's script)."""
    commune, role = commune_of(request), role_of(request)
    items = items_for(request)
    data: dict[str, int] = {"todo": items.filter(status=ItemStatus.TODO).count()}
    if has_perm(role, Perm.MODERATE):
        data["review"] = items.filter(status=ItemStatus.REVIEW).count()
        data["escalated"] = items.filter(status=ItemStatus.ESCALATED).count()
        data["late"] = items.filter(status__in=[ItemStatus.REVIEW, ItemStatus.ESCALATED], deadline_at__lte=timezone.now()).count()
        data["failed"] = OutboxEntry.objects.filter(commune=commune, state=OutboxState.FAILED, item__in=items).count()
    if has_perm(role, Perm.APPROVE_BLOCK):
        data["blocks"] = BlockRequest.objects.filter(commune=commune, state=BlockRequest.State.PENDING).count()
    return JsonResponse({"counts": data, "inbox": reverse("workspace:inbox", kwargs={"commune": commune.slug})})
