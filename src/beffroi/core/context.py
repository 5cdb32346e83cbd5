"""Template context shared by every page: the user's communes and the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from beffroi.core.labels import role_label
from beffroi.core.roles import Perm, has_perm
from beffroi.core.tenancy import user_communes


def navigation(request: HttpRequest) -> dict[str, Any]:
    commune = getattr(request, "commune", None)
    role = getattr(request, "role", None)
    perms = {p.value: has_perm(role, p) for p in Perm} if role is not None else {}
    return {
        "nav_communes": user_communes(request.user) if hasattr(request, "user") else [],
        "current_commune": commune,
        "current_role": role,
        "current_role_label": role_label(role),
        "perms": perms,
    }
