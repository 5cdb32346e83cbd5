"""The item screen: the thread around it, the verdict's evidence highlighted in the text, the reasons
(rule or model, words, charter article), the actions (with why not, when the platform refuses),
the message to the author, replies with saved replies, routing to a service, history and audit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from beffroi.connectors.registry import platform_label
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import verdicts
from beffroi.workspace.actions.checks import ACTION_PERMS
from beffroi.workspace.actions.deadlines import remaining_label
from beffroi.workspace.actions.undo import UNDO_ACTION
from beffroi.workspace.evidence_pack import legal
from beffroi.workspace.models import Decision, DecisionKind, Item, SavedReply, Service
from beffroi.workspace.views.common import (
    commune_of,
    get_item,
    items_for,
    offers,
    pop_undo,
    role_of,
    safe_back_url,
    url_maker,
)

SOURCE_FR = {"rule": "règle", "model": "modèle", "list": "liste de la charte", "charter": "charte"}


def describe_source(source: str) -> str:
    kind, _, name = (source or "").partition(":")
    label = SOURCE_FR.get(kind, kind or "moteur")
    return f"{label} « {name} »" if name else label


def reasons_for(item: Item, articles: dict[str, verdicts.Article]) -> list[dict[str, Any]]:
    verdict = item.current_verdict
    if verdict is None:
        return []
    rows = []
    for reason in verdict.reasons or []:
        article = articles.get(str(reason.get("article") or ""))
        rows.append(
            {
                "label": reason.get("label", ""),
                "label_fr": verdicts.label_fr(str(reason.get("label", ""))),
                "source": describe_source(str(reason.get("source", ""))),
                "score": round(100 * float(reason.get("score") or 0)),
                "words": [str(e.get("text", "")) for e in reason.get("evidence") or []],
                "article": article,
                "article_id": reason.get("article") or "",
                "detail": reason.get("detail", ""),
            }
        )
    return rows


def thread_of(request: HttpRequest, item: Item) -> tuple[list[Item], list[Item]]:
    """(ancestors from the top, replies under the item) — only what this person may see."""
    visible = items_for(request).select_related("author")
    ancestors: list[Item] = []
    parent_id = item.parent_id
    seen = {item.pk}
    while parent_id and len(ancestors) < 6 and parent_id not in seen:
        parent = visible.filter(pk=parent_id).first()
        if parent is None:
            break
        ancestors.insert(0, parent)
        seen.add(parent.pk)
        parent_id = parent.parent_id
    replies = list(visible.filter(parent=item).order_by("published_at", "id")[:50])
    return ancestors, replies


def history_of(item: Item, role: Any) -> list[dict[str, Any]]:
    decisions = list(
        Decision.objects.filter(item=item).select_related("actor", "undoes").prefetch_related("outbox", "undone_by").order_by("created_at", "id")
    )
    rows = []
    for decision in decisions:
        undone = bool(decision.undone_by.all())
        action = UNDO_ACTION.get(DecisionKind(decision.kind)) if decision.kind in DecisionKind.values else None
        may_undo = (
            action is not None
            and not undone
            and decision.kind != DecisionKind.UNDO
            and decision.undoes_id is None
            and all(has_perm(role, p) for p in ACTION_PERMS[action])
            and not (decision.data or {}).get("with_decision")
        )
        rows.append({"decision": decision, "entries": list(decision.outbox.all()), "undone": undone, "may_undo": may_undo})
    return rows


def audit_of(item: Item) -> list[AuditRecord]:
    decision_ids = [str(pk) for pk in item.decisions.values_list("pk", flat=True)]
    return list(
        AuditRecord.objects.filter(commune=item.commune)
        .filter(
            models_q(target_type="item", target_id=str(item.pk))
            | models_q(target_type="decision", target_id__in=decision_ids)
            | models_q(target_type="outboxentry", target_id__in=[str(pk) for pk in item.outbox.values_list("pk", flat=True)])
        )
        .order_by("-created_at", "-id")[:100]
    )


def models_q(**kwargs: Any) -> Any:
    from django.db.models import Q

    return Q(**kwargs)


@commune_view(Perm.VIEW_ITEMS)
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    commune, role = commune_of(request), role_of(request)
    item = get_item(request, item_id)
    verdict = item.current_verdict
    articles = verdicts.articles(commune)
    ancestors, replies = thread_of(request, item)
    label = verdicts.main_label(verdict)
    item_offers = offers(item, role)
    via_choices = [(a, item_offers[a].label) for a in ("private_reply", "reply") if a in item_offers and item_offers[a].allowed]
    saved = list(SavedReply.objects.filter(commune=commune).select_related("service").order_by("kind", "title"))
    evidence = list(item.evidence.order_by("seq")) if has_perm(role, Perm.EXPORT_EVIDENCE) else None
    context = {
        "item": item,
        "platform_label": platform_label(item.platform),
        "verdict": verdict,
        "segments": verdicts.segments(item.text, verdict.reasons if verdict is not None else []),
        "labels": [(lbl, verdicts.label_fr(lbl), round(100 * float((verdict.scores or {}).get(lbl, 0)))) for lbl in (verdict.labels if verdict else [])],
        "engine_action": verdicts.ACTIONS_FR.get(verdict.action, "") if verdict else "",
        "article": articles.get(verdict.article) if verdict and verdict.article else None,
        "reasons": reasons_for(item, articles),
        "ancestors": ancestors,
        "replies": replies,
        "offers": item_offers,
        "via_choices": via_choices,
        "hide_labels": [(lbl, verdicts.label_fr(lbl)) for lbl in verdicts.REMOVAL_LABELS],
        "hide_label": label,
        "author_message": verdicts.author_message(item, label=label),
        "urls": url_maker(commune.slug)(item.pk),
        "saved_replies": saved,
        "services": list(Service.objects.filter(commune=commune).order_by("name")),
        "history": history_of(item, role),
        "verdict_history": list(item.verdicts.all()[:10]),
        "audit": audit_of(item) if has_perm(role, Perm.VIEW_AUDIT) else None,
        "evidence": evidence,
        "legal_routes": legal.routes_for(list(verdict.labels)) if verdict is not None else [],
        "pharos_url": legal.PHAROS_URL,
        "remaining": remaining_label(item) if item.is_open else "",
        "undo_notice": pop_undo(request),
        "back_url": safe_back_url(request, reverse("workspace:inbox", kwargs={"commune": commune.slug})),
        "block_pending": item.author.block_requests.filter(state="pending").first() if item.author else None,
    }
    return render(request, "workspace/item.html", context)


@commune_view(Perm.VIEW_ITEMS)
def item_state(request: HttpRequest, item_id: int) -> HttpResponse:
    """The item's sending states (refreshed while an action is on its way)."""
    item = get_item(request, item_id)
    return render(request, "workspace/_history.html", {"item": item, "history": history_of(item, role_of(request))})


@commune_view(Perm.MODERATE)
def item_message(request: HttpRequest, item_id: int) -> HttpResponse:
    """The charter's message to the author for the chosen label (plain text, for the hide form)."""
    item = get_item(request, item_id)
    label = request.GET.get("label", "")
    if label and label not in verdicts.LABELS_FR:
        label = ""
    return HttpResponse(verdicts.author_message(item, label=label), content_type="text/plain; charset=utf-8")
