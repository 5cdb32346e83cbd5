"""Evidence screens: the list of evidence records, export of a pack (PDF / ZIP), chain verification,
legal hold; and the retention settings with a preview of the next purge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from beffroi.connectors.registry import platform_label
from beffroi.core.models import AuditRecord
from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import commune_view
from beffroi.workspace.actions import retention
from beffroi.workspace.actions.evidence import PURGE_VERB, chain_head, do_verify_chain, verify_record
from beffroi.workspace.evidence_pack import PackError, documents, export_pack, legal
from beffroi.workspace.models import EvidenceRecord, Item
from beffroi.workspace.views.governance_forms import (
    EvidenceFilterForm,
    ExportForm,
    RetentionForm,
    days_to_months,
    months_to_days,
)

PER_PAGE = 50


def visible_evidence(request: HttpRequest) -> QuerySet[EvidenceRecord]:
    """The commune's evidence this role may see (private messages only with ``view_private``)."""
    records = EvidenceRecord.objects.filter(commune=request.commune)  # type: ignore[attr-defined]
    if not has_perm(request.role, Perm.VIEW_PRIVATE):  # type: ignore[attr-defined]
        records = records.exclude(platform_ids__kind="private_message")
    return records


def _filtered(request: HttpRequest, form: EvidenceFilterForm) -> QuerySet[EvidenceRecord]:
    records = visible_evidence(request)
    if not form.is_valid():
        return records.order_by("-seq")
    data = form.cleaned_data
    if data.get("q"):
        records = records.filter(Q(rendered_text__icontains=data["q"]) | Q(author_label__icontains=data["q"]))
    if data.get("label"):
        records = records.filter(labels__icontains=f'"{data["label"]}"')
    if data.get("platform"):
        records = records.filter(platform=data["platform"])
    tz = timezone.get_current_timezone()
    if data.get("since"):
        records = records.filter(decided_at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=tz))
    if data.get("until"):
        records = records.filter(decided_at__lt=dt.datetime.combine(data["until"], dt.time.min, tzinfo=tz) + dt.timedelta(days=1))
    return records.order_by("-seq")


def _item_url(request: HttpRequest, item_id: int | None) -> str:
    if not item_id:
        return ""
    try:
        return reverse("workspace:item", kwargs={"commune": request.commune.slug, "item_id": item_id})  # type: ignore[attr-defined]
    except NoReverseMatch:
        return ""


def _row(request: HttpRequest, record: EvidenceRecord, held: set[int]) -> dict[str, Any]:
    labels = list(record.labels or [])
    return {
        "r": record,
        "platform": platform_label(record.platform),
        "decision": legal.DECISIONS_FR.get(record.decision_kind, record.decision_kind),
        "labels": [(label, legal.label_fr(label)) for label in labels],
        "paths": [legal.PATH_LABELS_FR[p] for p in legal.paths_for(labels)],
        "held": record.item_id in held if record.item_id else False,
        "item_url": _item_url(request, record.item_id),
    }


@commune_view(Perm.EXPORT_EVIDENCE)
def evidence(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    platforms = sorted(set(visible_evidence(request).values_list("platform", flat=True)))
    form = EvidenceFilterForm(request.GET or None, platforms=[(p, platform_label(p)) for p in platforms])
    records = _filtered(request, form)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    held = set(Item.objects.filter(commune=commune, legal_hold=True).values_list("pk", flat=True))
    rows = [_row(request, record, held) for record in page.object_list]
    head_seq, head_hash = chain_head(commune)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/governance/evidence.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "total": records.count(),
            "export_form": ExportForm(),
            "head_seq": head_seq,
            "head_hash": head_hash,
            "query": query.urlencode(),
            "can_hold": has_perm(request.role, Perm.LEGAL_HOLD),  # type: ignore[attr-defined]
        },
    )


@commune_view(Perm.EXPORT_EVIDENCE)
@require_POST
def evidence_export(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    visible = visible_evidence(request)
    seqs = [int(s) for s in request.POST.getlist("seqs") if s.isdigit()]
    allowed = set(visible.filter(seq__in=seqs).values_list("seq", flat=True))
    form = ExportForm(request.POST, seq_choices=sorted(allowed))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("workspace:evidence", kwargs={"commune": commune.slug}) + _back_query(request))
    chosen = [int(s) for s in form.cleaned_data["seqs"]]
    records = list(visible.filter(seq__in=chosen).order_by("seq"))
    try:
        pack = export_pack(
            commune,
            records,
            actor=request.user,
            role=request.role,  # type: ignore[attr-defined]
            purpose=form.cleaned_data["purpose"],
            note=form.cleaned_data["note"],
            fmt=form.cleaned_data["fmt"],
        )
    except PackError as exc:
        messages.error(request, str(exc))
        return redirect("workspace:evidence", commune=commune.slug)
    if form.cleaned_data["fmt"] == "pdf":
        response = HttpResponse(pack.pdf_bytes, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pack.filename_stem}.pdf"'
    else:
        response = HttpResponse(pack.zip_bytes, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{pack.filename_stem}.zip"'
    response["Cache-Control"] = "no-store"
    return response


def _back_query(request: HttpRequest) -> str:
    back = request.POST.get("back", "")
    return f"?{back}" if back and "\n" not in back and "//" not in back else ""


@commune_view(Perm.EXPORT_EVIDENCE)
@require_POST
def evidence_verify(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    report = do_verify_chain(commune, actor=request.user)
    if report.ok:
        messages.success(request, report.summary_fr())
    else:
        messages.error(request, report.summary_fr())
    return redirect("workspace:evidence", commune=commune.slug)


@commune_view(Perm.EXPORT_EVIDENCE)
def evidence_detail(request: HttpRequest, seq: int) -> HttpResponse:
    record = get_object_or_404(visible_evidence(request), seq=seq)
    held = {record.item_id} if record.item_id and record.item and record.item.legal_hold else set()
    return render(
        request,
        "workspace/governance/evidence_detail.html",
        {
            "row": _row(request, record, held),
            "intact": verify_record(record),
            "record_json": documents.record_bytes(record).decode("utf-8"),
            "can_hold": has_perm(request.role, Perm.LEGAL_HOLD),  # type: ignore[attr-defined]
        },
    )


@commune_view(Perm.LEGAL_HOLD)
@require_POST
def legal_hold(request: HttpRequest, item_id: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    item = get_object_or_404(Item, pk=item_id, commune=commune)
    if item.is_private and not has_perm(request.role, Perm.VIEW_PRIVATE):  # type: ignore[attr-defined]
        return HttpResponse(status=404)
    held = request.POST.get("held") == "1"
    try:
        retention.do_set_legal_hold(item, held=held, actor=request.user, reason=request.POST.get("reason", ""))
    except retention.RetentionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Gel juridique posé : cette publication et ses preuves ne seront pas effacées."
            if held
            else "Gel juridique levé : la durée de conservation normale s'applique de nouveau.",
        )
    next_url = request.POST.get("next", "")
    if next_url.startswith(f"/c/{commune.slug}/") and "//" not in next_url:
        return redirect(next_url)
    return redirect("workspace:evidence", commune=commune.slug)


@commune_view(Perm.EDIT_CHARTER)
@require_http_methods(["GET", "POST"])
def retention_settings(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    initial = {
        "severe_months": days_to_months(commune.retention_severe_days),
        "default_months": days_to_months(commune.retention_default_days),
    }
    form = RetentionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            retention.do_set_retention(
                commune,
                actor=request.user,
                severe_days=months_to_days(form.cleaned_data["severe_months"]),
                default_days=months_to_days(form.cleaned_data["default_months"]),
            )
        except retention.RetentionError as exc:
            form.add_error(None, str(exc))
        else:
            if form.cleaned_data["severe_months"] < 12:
                messages.warning(
                    request,
                    "Attention : les propos haineux peuvent être poursuivis pendant un an ; en dessous de 12 mois, "
                    "les preuves risquent d'être effacées avant la fin de ce délai.",
                )
            messages.success(request, "Durées de conservation enregistrées.")
            return redirect("workspace:retention", commune=commune.slug)
    preview = retention.purge_commune(commune, dry_run=True)
    held = Item.objects.filter(commune=commune, legal_hold=True).select_related("author").order_by("-first_seen_at")
    if not has_perm(request.role, Perm.VIEW_PRIVATE):  # type: ignore[attr-defined]
        held = held.exclude(kind="private_message")
    last_purges = AuditRecord.objects.filter(commune=commune, verb=PURGE_VERB).order_by("-created_at", "-id")[:5]
    return render(
        request,
        "workspace/governance/retention.html",
        {"form": form, "preview": preview, "held": held[:100], "last_purges": last_purges},
    )
