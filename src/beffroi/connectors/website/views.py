"""Public endpoints of the website comments: the REST endpoint and the embeddable widget.

- ``GET  /api/website/<commune>/comments?page=<url>``: the published comments of a page (with the commune's
  replies);
- ``POST /api/website/<commune>/comments``: a new comment ``{page_url, page_title?, name, email?, text}``
  (JSON or form-encoded), checked (honeypot, sizes, per-visitor rate limit), stored, judged at once, and
  published only if allowed;
- ``OPTIONS``: the CORS preflight.
Cross-origin access is granted only to the commune's declared site origins; answers are JSON with French
messages (``{"error": {"code", "message", "fields"}}``); nothing sets a cookie.

- ``/widget/<commune>/widget.js`` and ``widget.css``: the widget's two files (no framework), embeddable by any
  page (``beffroi_embeddable``: the site-wide CSP is not applied to them);
- ``/widget/<commune>/``: a page for the commune's webmaster, with the code to paste.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from beffroi import conf
from beffroi.connectors.website import service
from beffroi.connectors.website.models import WebsiteComment
from beffroi.connectors.website.origins import declared_origins, normalize_page_url, origin_of
from beffroi.core.models import Commune

logger = logging.getLogger(__name__)

MAX_BODY = 32 * 1024
WIDGET_DIR = Path(__file__).resolve().parent / "widget"
PREFLIGHT_MAX_AGE = "600"


def _json(data: Any, status: int = 200, *, origin: str | None = None, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(code: str, message: str, status: int, *, origin: str | None = None, fields: dict[str, str] | None = None,
           retry_after: int | None = None) -> JsonResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return _json({"error": {"code": code, "message": message, "fields": fields or {}}}, status, origin=origin, headers=headers)


def _charter_url(commune: Commune) -> str:
    """The commune's published charter, if any (linked from the widget)."""
    from beffroi.workspace.models import Charter

    if not Charter.objects.filter(commune=commune, published=True).exists():
        return ""
    return str(settings.BEFFROI_BASE_URL).rstrip("/") + reverse("public_charter", kwargs={"commune": commune.slug})


def _body(request: HttpRequest) -> dict[str, Any]:
    content_type = (request.content_type or "").lower()
    if content_type in ("application/json", "text/plain"):  # text/plain: a "simple" request, no preflight
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise service.SubmissionError("bad_json", "Le contenu envoyé est illisible (JSON attendu).") from None
        if not isinstance(data, dict):
            raise service.SubmissionError("bad_json", "Le contenu envoyé est illisible (objet JSON attendu).")
        return data
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {k: request.POST.get(k, "") for k in request.POST}
    raise service.SubmissionError("unsupported_type", "Format d'envoi non pris en charge (JSON attendu).", status=415)


@csrf_exempt
@require_http_methods(["GET", "POST", "OPTIONS"])
def comments_api(request: HttpRequest, commune: str) -> HttpResponse:
    obj = Commune.objects.filter(slug=commune, is_active=True).first()
    if obj is None:
        return _error("unknown_commune", "Commune inconnue.", 404)
    accounts = service.website_accounts(obj)
    if not accounts:
        return _error("not_enabled", "Les commentaires ne sont pas activés pour le site de cette commune.", 404)
    origin_header = request.headers.get("Origin")
    account = None
    allowed_origin: str | None = None
    if origin_header is not None:
        account = service.account_for(accounts, origin_of(origin_header))
        if account is None:
            return _error(
                "origin_not_allowed",
                "Ce site n'est pas autorisé à afficher les commentaires de cette commune : son adresse doit être déclarée "
                "dans Beffroi (Comptes connectés > Site de la commune).",
                403,
            )
        allowed_origin = origin_of(origin_header)
    if request.method == "OPTIONS":
        if allowed_origin is None:
            return _error("origin_missing", "Requête de vérification sans origine.", 400)
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = allowed_origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        response["Vary"] = "Origin"
        return response
    try:
        if request.method == "GET":
            return _list(request, obj, accounts, account, allowed_origin)
        return _post(request, obj, accounts, account, allowed_origin)
    except service.SubmissionError as exc:
        return _error(exc.code, exc.message_fr, exc.status, origin=allowed_origin, fields=exc.fields, retry_after=exc.retry_after)


def _page_account(accounts: list[Any], account: Any, page_url: str) -> Any:
    page_account = service.account_for(accounts, origin_of(page_url))
    if page_account is None or (account is not None and page_account.pk != account.pk):
        raise service.SubmissionError(
            "page_not_allowed", "Cette page n'est pas sur le site déclaré par la commune.", status=403, fields={"page_url": "Page hors du site."}
        )
    return page_account


def _list(request: HttpRequest, commune: Commune, accounts: list[Any], account: Any, origin: str | None) -> HttpResponse:
    page = normalize_page_url(request.GET.get("page", ""))
    if not page:
        raise service.SubmissionError("validation", "Indiquez l'adresse de la page (paramètre « page »).", fields={"page": "Adresse manquante."})
    page_account = _page_account(accounts, account, page)
    comments = service.published_comments(page_account, page)
    return _json(
        {
            "page": page,
            "comments": comments,
            "count": len(comments),
            "max_length": int(conf.get("WEBSITE_MAX_COMMENT_CHARS")),
            "charter_url": _charter_url(commune),
        },
        origin=origin,
    )


def _post(request: HttpRequest, commune: Commune, accounts: list[Any], account: Any, origin: str | None) -> HttpResponse:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY or len(request.body) > MAX_BODY:
        raise service.SubmissionError("too_large", "L'envoi est trop volumineux.", status=413)
    submission = service.validate(_body(request))
    page_account = _page_account(accounts, account, submission.page_url)
    comment, created = service.submit(page_account, submission, visitor=service.ip_hash(service.client_ip(request)))
    published = comment.state == WebsiteComment.State.PUBLISHED
    if published:
        message = "Merci ! Votre commentaire est publié."
    else:
        message = "Merci ! Votre commentaire sera publié après relecture par l'équipe de la mairie."
    return _json(
        {"status": "published" if published else "pending", "message": message, "comment": service.serialize(comment) if published else None},
        201 if created else 200,
        origin=origin,
    )


# ---------------------------------------------------------------------------------------------
# The widget's files


@lru_cache(maxsize=4)
def _asset(name: str) -> tuple[bytes, str]:
    content = (WIDGET_DIR / name).read_bytes()
    return content, '"' + hashlib.sha256(content).hexdigest()[:20] + '"'


def _asset_response(request: HttpRequest, commune: str, name: str, content_type: str) -> HttpResponse:
    obj = Commune.objects.filter(slug=commune, is_active=True).first()
    if obj is None or not service.website_accounts(obj):
        response = HttpResponse("/* Commentaires non activés pour cette commune. */", status=404, content_type=content_type)
        response.beffroi_embeddable = True  # type: ignore[attr-defined]
        return response
    content, etag = _asset(name)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    # Embedded in the commune's pages: Beffroi's own page policy (CSP) is not applied to these two files.
    response.beffroi_embeddable = True  # type: ignore[attr-defined]
    return response


@require_GET
def widget_js(request: HttpRequest, commune: str) -> HttpResponse:
    return _asset_response(request, commune, "widget.js", "text/javascript; charset=utf-8")


@require_GET
def widget_css(request: HttpRequest, commune: str) -> HttpResponse:
    return _asset_response(request, commune, "widget.css", "text/css; charset=utf-8")


@require_GET
def embed_page(request: HttpRequest, commune: str) -> HttpResponse:
    """For the webmaster: the two lines to paste in the site's pages."""
    obj = Commune.objects.filter(slug=commune, is_active=True).first()
    accounts = service.website_accounts(obj) if obj is not None else []
    if obj is None or not accounts:
        return render(request, "website/embed.html", {"commune": obj, "enabled": False}, status=404)
    base = settings.BEFFROI_BASE_URL.rstrip("/")
    script = base + reverse("website_widget_js", kwargs={"commune": obj.slug})
    snippet = f'<div id="beffroi-commentaires"></div>\n<script src="{script}" defer></script>'
    origins = sorted({o for a in accounts for o in declared_origins(a.external_id, a.options or {})})
    return render(request, "website/embed.html", {"commune": obj, "enabled": True, "snippet": snippet, "origins": origins})
