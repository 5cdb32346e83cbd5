"""Evidence packs for a complaint or a PHAROS report: a French PDF and a ZIP that holds the PDF, the
records as JSON, the raw payloads, the exact hashed documents, ``VERIFIER.txt`` (how to recompute the
hashes with standard tools, and the chain head), ``verifier.py`` and ``MANIFESTE.sha256`` (SHA-256 of
every other file, in ``sha256sum -c`` format).

:func:`export_pack` is the action (permission checked, audited); :func:`build_pack` only builds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.core.roles import Perm, has_perm
from beffroi.workspace.actions.evidence import chain_head, verify_chain
from beffroi.workspace.evidence_pack import documents
from beffroi.workspace.models import EvidenceRecord

PURPOSES = ("plainte", "pharos", "archive")


class PackError(ValueError):
    """A French message for the team."""


@dataclass
class PackData:
    commune: Commune
    records: list[EvidenceRecord]
    purpose: str
    exported_by: str
    exported_at: dt.datetime
    note: str = ""
    head_seq: int = 0
    head_hash: str = ""
    chain_summary: str = ""
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)

    def platform_label(self, platform: str) -> str:
        from beffroi.connectors.registry import platform_label

        return platform_label(platform)


@dataclass(frozen=True)
class Pack:
    zip_bytes: bytes
    pdf_bytes: bytes
    manifest: dict[str, str]  # file name -> SHA-256
    zip_sha256: str
    filename_stem: str


def _articles(commune: Commune) -> dict[str, tuple[str, str]]:
    from beffroi.workspace.actions.charter import all_articles

    return all_articles(commune)


def build_pack(
    commune: Commune,
    records: list[EvidenceRecord],
    *,
    purpose: str = "archive",
    exported_by: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Pack:
    from beffroi.workspace.evidence_pack.pdf import date_fr, render_pdf

    if purpose not in PURPOSES:
        raise PackError("Choisissez l'usage du dossier : plainte, signalement PHAROS ou archive.")
    if not records:
        raise PackError("Choisissez au moins une preuve à mettre dans le dossier.")
    if any(record.commune_id != commune.pk for record in records):
        raise PackError("Preuve introuvable.")
    records = sorted(records, key=lambda r: r.seq)
    now = now or timezone.now()
    head_seq, head_hash = chain_head(commune)
    data = PackData(
        commune=commune,
        records=records,
        purpose=purpose,
        exported_by=exported_by,
        exported_at=now,
        note=note.strip(),
        head_seq=head_seq,
        head_hash=head_hash,
        chain_summary=verify_chain(commune).summary_fr(),
        articles=_articles(commune),
    )
    pdf = render_pdf(data)
    from zoneinfo import ZoneInfo

    files: dict[str, bytes] = {documents.PDF_NAME: pdf}
    for record in records:
        files.update(documents.record_files(record))
    files[documents.RECORDS_JSON] = documents.records_json(
        records, commune_name=commune.name, head_seq=head_seq, head_hash=head_hash
    )
    files[documents.README] = documents.verifier_text(
        commune_name=commune.name,
        exported_at=date_fr(now, ZoneInfo(commune.timezone or "Europe/Paris")),
        head_seq=head_seq,
        head_hash=head_hash,
        count=len(records),
    )
    files[documents.VERIFIER] = (Path(__file__).parent / "verifier.py").read_bytes()
    manifest = {name: hashlib.sha256(data_).hexdigest() for name, data_ in files.items()}
    files[documents.MANIFEST] = documents.manifest_bytes({k: v for k, v in files.items() if k != documents.MANIFEST})
    stem = f"preuves-{commune.slug}-{timezone.localtime(now):%Y%m%d-%H%M}"
    buffer = io.BytesIO()
    stamp = timezone.localtime(now).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{stem}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    zip_bytes = buffer.getvalue()
    return Pack(
        zip_bytes=zip_bytes,
        pdf_bytes=pdf,
        manifest=manifest,
        zip_sha256=hashlib.sha256(zip_bytes).hexdigest(),
        filename_stem=stem,
    )


def export_pack(
    commune: Commune,
    records: list[EvidenceRecord],
    *,
    actor: Any,
    role: str,
    purpose: str,
    note: str = "",
    fmt: str = "zip",
) -> Pack:
    """Build a pack for a member allowed to export evidence, and write the export to the audit trail
    (with the SHA-256 of the ZIP and of the manifest, so the commune can later prove what it sent)."""
    if not has_perm(role, Perm.EXPORT_EVIDENCE):
        raise PackError("Votre rôle ne permet pas d'exporter les preuves.")
    if not has_perm(role, Perm.VIEW_PRIVATE) and any(record.is_private for record in records):
        raise PackError("Votre rôle ne permet pas d'exporter des messages privés.")
    name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        name = actor.get_full_name() or actor.get_username()
    pack = build_pack(commune, records, purpose=purpose, exported_by=name, note=note)
    log_audit(
        "evidence.exported",
        commune=commune,
        actor=actor,
        purpose=purpose,
        format=fmt,
        seqs=[record.seq for record in sorted(records, key=lambda r: r.seq)],
        note=note[:200],
        zip_sha256=pack.zip_sha256,
        pdf_sha256=pack.manifest[documents.PDF_NAME],
    )
    return pack
