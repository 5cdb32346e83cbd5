"""Tenant isolation: every view and API endpoint of a commune goes through :func:`commune_view`.

A user who is not a member of the commune gets a 404 (the commune's existence is not revealed);
a member whose role lacks the permission gets a 403 with a French explanation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from beffroi.core.models import Commune, Membership
from beffroi.core.roles import Perm, Role, has_perm


def membership_for(user: Any, commune_slug: str) -> Membership:
    if not getattr(user, "is_authenticated", False):
        raise Http404("Commune introuvable.")
    try:
        return Membership.objects.select_related("commune").get(
            user=user, commune__slug=commune_slug, commune__is_active=True
        )
    except Membership.DoesNotExist:
        raise Http404("Commune introuvable.") from None


def user_communes(user: Any) -> list[Commune]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        m.commune
        for m in Membership.objects.filter(user=user, commune__is_active=True)
        .select_related("commune")
        .order_by("commune__name")
    ]


def require(membership: Membership, perm: Perm) -> None:
    if not has_perm(membership.role, perm):
        raise PermissionDenied("Votre rôle dans cette commune ne permet pas cette action.")


def commune_view(perm: Perm = Perm.VIEW_ITEMS) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for views whose URL has a ``commune`` slug: checks membership and permission, sets
    ``request.commune``, ``request.membership`` and ``request.role``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, commune: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, commune)
            require(membership, perm)
            request.commune = membership.commune  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            request.role = Role(membership.role)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator
