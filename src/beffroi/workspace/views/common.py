"""Helpers shared by the moderation screens: visible items, answers to actions (page or JSON), the
undo notice, and the list of actions offered on an item with the reason of those refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from beffroi import conf
from beffroi.connectors.registry import supports
from beffroi.core.roles import Perm, has_perm
from beffroi.workspace.actions import checks
from beffroi.workspace.models import Decision, Item, ItemKind, ItemStatus, PlatformState

UNDO_SESSION_KEY = "beffroi_undo"
_REMOVAL = frozenset({"hate", "insult", "threat", "harassment", "sexual", "personal_data", "spam"})


def commune_of(request: HttpRequest) -> Any:
    return request.commune  # type: ignore[attr-defined]


def role_of(request: HttpRequest) -> Any:
    return request.role  # type: ignore[attr-defined]


def items_for(request: HttpRequest) -> Any:
    """The commune's items this person may see."""
    qs = Item.objects.filter(commune=commune_of(request))
    return checks.visible_items(qs, role_of(request))


def get_item(request: HttpRequest, item_id: int) -> Item:
    """The item, or 404 for another commune's or a private message this role may not see."""
    item = (
        items_for(request)
        .select_related("commune", "account", "author", "current_verdict", "parent", "parent__author")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("Élément introuvable.")
    return item


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def safe_back_url(request: HttpRequest, default: str) -> str:
    """The ``?next=`` address of a "Retour" link: only a relative path on this site ("/c/…"), never
    another host, a scheme ("javascript:") or a protocol-relative "//host" (open redirect, XSS)."""
    target = request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def undo_url(request: HttpRequest) -> str:
    return reverse("workspace:undo", kwargs={"commune": commune_of(request).slug})


def respond(
    request: HttpRequest,
    *,
    ok: bool,
    message: str,
    next_url: str,
    undo: list[Decision] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer an action: JSON for the page's script (toast with "Annuler"), else a redirect with a
    message and the undo notice kept in the session (pages without JavaScript)."""
    undo_ids = [d.pk for d in (undo or [])]
    if wants_json(request):
        data: dict[str, Any] = {"ok": ok, "message": message}
        if undo_ids:
            data["undo"] = {"url": undo_url(request), "decisions": undo_ids, "seconds": int(conf.get("UNDO_SECONDS"))}
        data.update(extra or {})
        return JsonResponse(data, status=status if not ok else 200)
    if ok:
        messages.success(request, message)
        if undo_ids:
            request.session[UNDO_SESSION_KEY] = {"decisions": undo_ids, "message": message}
    else:
        messages.error(request, message)
    return redirect(next_url)


def pop_undo(request: HttpRequest) -> dict[str, Any] | None:
    """The undo notice of the last action (shown once on the next page)."""
    return request.session.pop(UNDO_SESSION_KEY, None)


# ---------------------------------------------------------------------------------------------
# Actions offered on an item


@dataclass(frozen=True)
class Offer:
    action: str
    label: str
    allowed: bool
    reason: str = ""
    needs_confirmation: bool = False
    key: str = ""  # keyboard shortcut
    by_platform: bool = False  # refused by the platform (worth explaining), not by the item's state
    note: str = ""  # the platform's explanation of an allowed action (e.g. what Mastodon's filter does)


KEYS = {"hide": "h", "keep": "c", "escalate": "e", "reply": "r", "unhide": "v", "like": "l"}
# Offered only on platforms whose connector has them (Mastodon: filter for the commune's account, mute).
PLATFORM_SPECIFIC = ("filter_status", "mute_author")


def offers(item: Item, role: Any, *, connectors: dict[int, Any] | None = None) -> dict[str, Offer]:
    """Every action on this item for this role: allowed or not, and why not (French)."""
    result: dict[str, Offer] = {}
    cache = connectors if connectors is not None else {}
    for action in ("hide", "unhide", "keep", "escalate", "reply", "private_reply", "like", "route", "report", "delete", "request_block", *PLATFORM_SPECIFIC):
        label = checks.ACTION_LABELS_FR[action]
        if not all(has_perm(role, p) for p in checks.ACTION_PERMS[action]):
            continue  # never offered to a role that may not do it
        if action in PLATFORM_SPECIFIC and (item.account is None or not supports(item.account.platform, action)):
            continue  # not an action of this platform at all
        reason = _state_reason(item, action)
        needs_confirmation = action == "delete"
        by_platform = False
        note = ""
        if not reason and action in checks.PLATFORM_ACTIONS:
            by_platform = True
            if not item.moderated or item.account_id is None:
                reason = "Élément hors des comptes de la commune : pas d'action possible sur la plateforme."
            else:
                check = checks.platform_check(item, action, connectors=cache)
                if not check.allowed:
                    reason = check.reason_fr or "La plateforme ne permet pas cette action."
                else:
                    note = check.reason_fr
                needs_confirmation = needs_confirmation or check.needs_confirmation
        if not reason and action == "request_block" and item.author is None:
            reason = "Auteur inconnu."
        result[action] = Offer(
            action, label, not reason, reason, needs_confirmation, KEYS.get(action, ""), by_platform and bool(reason), note
        )
    return result


def _state_reason(item: Item, action: str) -> str:
    state = item.platform_state
    if state == PlatformState.DELETED and action not in ("keep", "escalate", "route"):
        return "Élément supprimé de la plateforme."
    if action == "hide" and state == PlatformState.HIDDEN:
        return "Déjà masqué."
    if action == "unhide" and state != PlatformState.HIDDEN:
        return "Élément visible."
    if action == "keep" and (item.status not in checks.OPEN_STATUSES or state == PlatformState.HIDDEN):
        return "Déjà traité." if item.status not in checks.OPEN_STATUSES else "Élément masqué : utilisez « Rendre visible »."
    if action == "escalate" and item.status == ItemStatus.ESCALATED:
        return "Déjà transmis."
    if action == "like" and item.is_from_commune:
        return "Publication de la commune."
    if action == "like" and item.current_verdict is not None and set(item.current_verdict.labels) & _REMOVAL:
        return "On ne remercie pas un message signalé."
    if action == "request_block" and item.author is not None and item.author.is_blocked:
        return "Auteur déjà bloqué."
    if action in ("reply", "private_reply", "like") and item.kind == ItemKind.POST and item.is_from_commune and action != "reply":
        return "Publication de la commune."
    if action == "filter_status" and item.is_from_commune:
        return "Message de la commune."
    if action == "filter_status" and item.decisions.filter(kind="filter_status", undone_by__isnull=True).exists():
        return "Déjà filtré pour le compte de la commune."
    if action == "mute_author" and item.author is None:
        return "Auteur inconnu."
    return ""


def can(role: Any, perm: Perm) -> bool:
    return has_perm(role, perm)


_SENTINEL = 987654321


def url_maker(commune_slug: str) -> Any:
    """``urls(item_id)`` -> the item's addresses, reversed once per page (fast for long lists)."""
    templates = {
        "item": reverse("workspace:item", kwargs={"commune": commune_slug, "item_id": _SENTINEL}),
        "message": reverse("workspace:item_message", kwargs={"commune": commune_slug, "item_id": _SENTINEL}),
    }
    for action in ("hide", "unhide", "keep", "escalate", "like", "reply", "private_reply", "route", "report", "delete", *PLATFORM_SPECIFIC):
        templates[action] = reverse(
            "workspace:item_action", kwargs={"commune": commune_slug, "item_id": _SENTINEL, "action": action}
        )

    def urls(item_id: int) -> dict[str, str]:
        return {name: value.replace(str(_SENTINEL), str(item_id)) for name, value in templates.items()}

    return urls
