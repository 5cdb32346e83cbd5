"""The watch screens (permission VIEW_VEILLE): overview, stream of mentions with filters, volumes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from beffroi.connectors.registry import platform_label
from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.veille import charts
from beffroi.veille.actions.topics import current_topics, rising_topics, volume_series
from beffroi.veille.forms import MentionFilterForm, VolumeForm
from beffroi.veille.models import Alert, Crisis, CrisisStatus, Fact, Mention, WatchTerm
from beffroi.workspace.search import fold

PAGE_SIZE = 40
SENTIMENT_LABELS = {"positive": "positif", "neutral": "neutre", "negative": "négatif"}


def commune_of(request: HttpRequest) -> Any:
    return request.commune  # type: ignore[attr-defined]


def role_of(request: HttpRequest) -> Any:
    return request.role  # type: ignore[attr-defined]


def mentions_of(commune: Any) -> Any:
    """The commune's mentions (never private messages: they do not enter the watch)."""
    return Mention.objects.filter(commune=commune).exclude(item__kind="private_message")


def _period(raw: str | None, default: int = 7) -> int:
    return int(raw) if raw in ("1", "7", "30") else default


@commune_view(Perm.VIEW_VEILLE)
def home(request: HttpRequest) -> HttpResponse:
    commune, role = commune_of(request), role_of(request)
    now = timezone.now()
    week = mentions_of(commune).filter(published_at__gte=now - dt.timedelta(days=7))
    day = week.filter(published_at__gte=now - dt.timedelta(days=1))
    sentiment = dict(week.values_list("sentiment").annotate(n=Count("id")).values_list("sentiment", "n"))
    snapshot = current_topics(commune, refresh_if_missing=week.exists())
    topics = (snapshot.topics if snapshot is not None else [])[:8]
    daily = volume_series(mentions_of(commune).filter(published_at__gte=now - dt.timedelta(days=14)), commune, bucket="day", by="all")
    chart = charts.bar_chart("Mentions par jour (14 jours)", daily.get("total", []), bucket="day") if daily else None
    can_alerts = has_perm(role, Perm.VIEW_ALERTS)
    context = {
        "week_total": week.count(),
        "day_total": day.count(),
        "sentiment": {k: sentiment.get(k, 0) for k in ("negative", "neutral", "positive")},
        "topics": topics,
        "rising": rising_topics(snapshot, commune, now=now)[:5],
        "chart": chart,
        "crises": list(Crisis.objects.filter(commune=commune, status=CrisisStatus.OPEN).annotate(n=Count("posts")).order_by("-opened_at"))
        if can_alerts else [],
        "spikes": list(
            Alert.objects.filter(commune=commune, kind="spike", crisis__isnull=True, stale=False, detected_at__gte=now - dt.timedelta(days=2))
        )
        if can_alerts else [],
        "latest": list(mentions_of(commune).select_related("item", "item__author").order_by("-published_at", "-id")[:8]),
        "terms_count": WatchTerm.objects.filter(commune=commune).count(),
        "facts_count": Fact.objects.filter(commune=commune, active=True).count(),
    }
    return render(request, "veille/home.html", context)


@commune_view(Perm.VIEW_VEILLE)
def mentions(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    now = timezone.now()
    snapshot = current_topics(commune, refresh_if_missing=False)
    topic_choices = [(t["id"], t["label"]) for t in (snapshot.topics if snapshot is not None else [])]
    platforms = sorted(set(mentions_of(commune).values_list("platform", flat=True)))
    terms = list(WatchTerm.objects.filter(commune=commune).order_by("text").values_list("text", flat=True))
    form = MentionFilterForm(
        request.GET or None,
        platforms=[(p, platform_label(p)) for p in platforms],
        topics=topic_choices,
        terms=[commune.name, *terms],
    )
    qs = mentions_of(commune)
    period = 7
    active_filters: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        period = _period(data.get("period"))
        if data.get("platform"):
            qs = qs.filter(platform=data["platform"])
            active_filters.append(platform_label(data["platform"]))
        if data.get("sentiment"):
            qs = qs.filter(sentiment=data["sentiment"])
            active_filters.append(SENTIMENT_LABELS.get(data["sentiment"], data["sentiment"]))
        if data.get("topic") and snapshot is not None:
            topic = snapshot.topic(data["topic"])
            qs = qs.filter(pk__in=topic["mention_ids"] if topic else [])
            active_filters.append(topic["label"] if topic else "")
        if data.get("term"):
            qs = qs.filter(matched_terms__icontains=data["term"]) if data["term"] != commune.name else qs.filter(
                Q(matched_terms__icontains=commune.name)
            )
            active_filters.append(data["term"])
        if data.get("origin") == "own":
            qs = qs.filter(own_account=True)
            active_filters.append("comptes de la commune")
        elif data.get("origin") == "watched":
            qs = qs.filter(own_account=False)
            active_filters.append("sources surveillées")
        if data.get("q"):
            for word in fold(data["q"]).split():
                qs = qs.filter(item__search_text__contains=word)
            active_filters.append(f"« {data['q']} »")
    qs = qs.filter(published_at__gte=now - dt.timedelta(days=period))
    counts = Counter(qs.values_list("sentiment", flat=True))
    page = Paginator(
        qs.select_related("item", "item__author", "item__account").order_by("-published_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    crisis_by_cluster = dict(
        Crisis.objects.filter(commune=commune).exclude(cluster_id="").values_list("cluster_id", "pk")
    ) if has_perm(role_of(request), Perm.VIEW_ALERTS) else {}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "counts": {k: counts.get(k, 0) for k in ("negative", "neutral", "positive")},
        "crisis_by_cluster": crisis_by_cluster,
        "query": query.urlencode(),
        "period": period,
        "active_filters": [f for f in active_filters if f],
    }
    return render(request, "veille/mentions.html", context)


@commune_view(Perm.VIEW_VEILLE)
def volumes(request: HttpRequest) -> HttpResponse:
    commune = commune_of(request)
    form = VolumeForm(request.GET or None)
    period, bucket = 7, "day"
    if form.is_valid():
        period = _period(form.cleaned_data.get("period"))
        bucket = form.cleaned_data.get("bucket") or "day"
    if period == 30 and bucket == "hour":
        bucket = "day"  # 720 bars would be unreadable
    now = timezone.now()
    qs = mentions_of(commune).filter(published_at__gte=now - dt.timedelta(days=period))
    snapshot = current_topics(commune, refresh_if_missing=qs.exists())
    total = volume_series(qs, commune, bucket=bucket, by="all")
    by_platform = volume_series(qs, commune, bucket=bucket, by="platform")
    by_topic = volume_series(qs, commune, bucket=bucket, by="topic", snapshot=snapshot)
    by_topic.pop("divers", None)
    context = {
        "form": form,
        "period": period,
        "bucket": bucket,
        "total_chart": charts.bar_chart("Toutes les mentions", total.get("total", []), bucket=bucket) if total else None,
        "platform_charts": charts.small_multiples(
            by_platform, bucket=bucket, labels={p: platform_label(p) for p in by_platform}
        ),
        "topic_charts": charts.small_multiples(by_topic, bucket=bucket),
        "grand_total": qs.count(),
    }
    return render(request, "veille/volumes.html", context)
