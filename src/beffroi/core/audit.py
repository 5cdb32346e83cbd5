"""Writing the audit trail. Every action in ``beffroi.*.actions`` calls :func:`log_audit`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from beffroi.core.models import AuditRecord, Commune

SYSTEM_LABEL = "système"


def log_audit(
    verb: str,
    *,
    commune: Commune | None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    target: models.Model | None = None,
    actor_label: str | None = None,
    **data: Any,
) -> AuditRecord:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = actor_label or (user.get_username() if user is not None else SYSTEM_LABEL)
    return AuditRecord.objects.create(
        commune=commune,
        actor=user,
        actor_label=label,
        verb=verb,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
