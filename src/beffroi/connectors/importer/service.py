"""Importing a history file into a commune (used by the upload form and `beffroi import`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from beffroi import conf
from beffroi.connectors.importer.formats import FORMATS, Problem, detect_format, parse_bytes
from beffroi.connectors.sync import SyncResult, sync_account
from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.workspace.models import Account, AccountStatus

EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "facebook": "json"}


@dataclass
class Prepared:
    account: Account | None
    problems: list[Problem] = field(default_factory=list)
    items: int = 0
    skipped: int = 0
    fmt: str = ""


def prepare_import(
    commune: Commune, data: bytes, filename: str, fmt: str | None = None, *, actor: object | None = None
) -> Prepared:
    """Check the file (every problem, with its line) and, if it is sound, store it and create (or find)
    its import account. Nothing is ingested yet: see :func:`run_import`."""
    limit = int(conf.get("IMPORT_MAX_MB")) * 1024 * 1024
    if len(data) > limit:
        return Prepared(
            None, [Problem(0, f"Le fichier dépasse la taille maximale de {conf.get('IMPORT_MAX_MB')} Mo.")]
        )
    if not data.strip():
        return Prepared(None, [Problem(0, "Le fichier est vide.")])
    fmt = fmt or detect_format(filename, data[:4096])
    if fmt not in FORMATS:
        return Prepared(
            None,
            [
                Problem(
                    0,
                    "Format non reconnu : choisissez « JSON Lines », « CSV » ou « export Facebook » dans la liste.",
                )
            ],
        )
    parsed = parse_bytes(data, fmt, timezone=commune.timezone)
    if parsed.problems:
        return Prepared(None, parsed.problems, fmt=fmt)
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(settings.DATA_DIR) / "imports" / commune.slug
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:32]}.{EXTENSIONS[fmt]}"
    if not path.exists():
        path.write_bytes(data)
    account, created = Account.objects.get_or_create(
        commune=commune,
        platform="import",
        external_id=digest[:32],
        defaults={
            "name": Path(filename).name[:255] or "import",
            "owned": False,
            "options": {
                "path": str(path),
                "format": fmt,
                "timezone": commune.timezone,
                "items": len(parsed.items),
            },
        },
    )
    if not created:
        options = {**account.options, "path": str(path), "format": fmt, "timezone": commune.timezone}
        if options.pop("completed_at", None):
            # Imported before: read it again (nothing is stored twice). An unfinished import resumes.
            account.cursor = {}
        account.options = options
        account.status = AccountStatus.ACTIVE
        account.save(update_fields=["options", "status", "cursor"])
    log_audit(
        "import.prepared",
        commune=commune,
        actor=actor,  # type: ignore[arg-type]
        target=account,
        filename=account.name,
        format=fmt,
        items=len(parsed.items),
        again=not created,
    )
    return Prepared(account, [], items=len(parsed.items), skipped=parsed.skipped, fmt=fmt)


def run_import(account: Account | int, *, max_rounds: int = 10_000) -> SyncResult:
    """Ingest the stored file page by page (resumable); returns the totals."""
    if not isinstance(account, Account):
        account = Account.objects.select_related("commune").get(pk=account)
    total = SyncResult(account_id=account.pk, status="ok")
    for _ in range(max_rounds):
        result = sync_account(account, force=True)
        total.pages += result.pages
        total.items_seen += result.items_seen
        total.items_created += result.items_created
        total.duration_s += result.duration_s
        total.status, total.detail_fr = result.status, result.detail_fr
        if result.status != "more":
            break
    if total.status == "ok":
        account.options = {
            **account.options,
            "completed_at": timezone.now().isoformat(),
            "items_created": total.items_created,
        }
        account.save(update_fields=["options"])
        log_audit(
            "import.completed",
            commune=account.commune,
            target=account,
            items_seen=total.items_seen,
            items_created=total.items_created,
        )
    return total
