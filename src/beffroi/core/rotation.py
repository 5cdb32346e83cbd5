"""Key rotation for the secrets stored encrypted in the database (platform tokens, webhook secrets).

Procedure (docs/DEPLOYMENT.md): put the new Fernet key first in ``BEFFROI_ENCRYPTION_KEYS`` (keep the old
one after it), run ``beffroi rotate-keys``, then remove the old key. Every stored value is re-encrypted
with the first key; a value that no configured key can read is reported, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.db import transaction

from beffroi.core import crypto
from beffroi.core.audit import log_audit

# (app label, model, field holding a Fernet token): every encrypted column, declared once.
ENCRYPTED_FIELDS: list[tuple[str, str, str]] = [
    ("workspace", "Account", "credentials_encrypted"),
    ("veille", "AlertWebhook", "secrets_encrypted"),
]


@dataclass
class RotationReport:
    rotated: int = 0
    unreadable: list[str] = field(default_factory=list)  # "Account #12": no configured key reads it


def rotate_stored_secrets() -> RotationReport:
    from django.apps import apps

    report = RotationReport()
    for app_label, model_name, field_name in ENCRYPTED_FIELDS:
        model = apps.get_model(app_label, model_name)
        for pk in model.objects.exclude(**{field_name: ""}).values_list("pk", flat=True):
            with transaction.atomic():
                obj = model.objects.select_for_update().get(pk=pk)
                try:
                    token = crypto.rotate(getattr(obj, field_name))
                except InvalidToken:
                    report.unreadable.append(f"{model_name} #{pk}")
                    continue
                model.objects.filter(pk=pk).update(**{field_name: token})
                report.rotated += 1
                log_audit(
                    "core.secret_rotated", commune=getattr(obj, "commune", None), target=obj, field=field_name
                )
    return report
