"""Evidence packs: the ZIP's contents, the manifest's hashes, hashes recomputable from the files with
standard tools, the stand-alone verifier, the French PDF and its legal pointers, export permissions."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.workspace.evidence_pack import PackError, build_pack, export_pack
from beffroi.workspace.models import EvidenceRecord


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def three_records(commune: Any, record: Any) -> list[Any]:
    return [
        record(commune, "Madame la maire, vous êtes une incapable et une menteuse 🫠", ("insult",)),
        record(commune, "Les étrangers dehors, ce sont des parasites", ("hate",)),
        record(commune, "Je vais venir à la mairie régler ça avec une batte", ("threat",)),
    ]


def unzip(pack_bytes: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(pack_bytes)) as archive:
        names = archive.namelist()
        archive.extractall(into)
    roots = {name.split("/")[0] for name in names}
    assert len(roots) == 1  # everything in one folder
    return into / roots.pop()


@pytest.mark.django_db
def test_zip_holds_pdf_records_payloads_instructions_and_a_manifest_of_every_file(
    commune: Any, three_records: list[Any], tmp_path: Path
) -> None:
    pack = build_pack(commune, three_records, purpose="plainte", exported_by="Camille Roussel", note="Plainte de Mme la Maire")
    root = unzip(pack.zip_bytes, tmp_path)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == sorted(
        [
            "dossier-de-preuves.pdf",
            "enregistrements.json",
            "VERIFIER.txt",
            "verifier.py",
            "MANIFESTE.sha256",
            *[f"enregistrements/{r.seq:06d}.json" for r in three_records],
            *[f"contenus/{r.seq:06d}.json" for r in three_records],
            *[f"bruts/{r.seq:06d}-facebook.json" for r in three_records],
        ]
    )
    # The manifest lists every other file with its SHA-256 (sha256sum -c format).
    lines = (root / "MANIFESTE.sha256").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(files) - {"MANIFESTE.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name
    # The hashed documents are the exact bytes: recomputing gives the stored digests.
    summary = json.loads((root / "enregistrements.json").read_text(encoding="utf-8"))
    assert summary["chain_head"] == {"seq": 3, "record_hash": three_records[-1].record_hash}
    for rec in three_records:
        stored = EvidenceRecord.objects.get(pk=rec.pk)
        record_file = (root / f"enregistrements/{rec.seq:06d}.json").read_bytes()
        assert hashlib.sha256(record_file).hexdigest() == stored.record_hash
        assert json.loads(record_file)["content_sha256"] == stored.content_sha256
        assert hashlib.sha256((root / f"contenus/{rec.seq:06d}.json").read_bytes()).hexdigest() == stored.content_sha256
        raw = json.loads((root / f"bruts/{rec.seq:06d}-facebook.json").read_text(encoding="utf-8"))
        assert raw == stored.raw_payload
    instructions = (root / "VERIFIER.txt").read_text(encoding="utf-8")
    assert "sha256sum -c MANIFESTE.sha256" in instructions and three_records[-1].record_hash in instructions
    assert "Get-FileHash" in instructions and "python3 verifier.py" in instructions
    assert pack.manifest["dossier-de-preuves.pdf"] == listed["dossier-de-preuves.pdf"]


@pytest.mark.django_db
def test_the_standalone_verifier_passes_then_catches_a_changed_file(commune: Any, three_records: list[Any], tmp_path: Path) -> None:
    root = unzip(build_pack(commune, three_records).zip_bytes, tmp_path)
    ok = subprocess.run([sys.executable, str(root / "verifier.py")], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Dossier intact" in ok.stdout and "3 enregistrement(s)" in ok.stdout and "2 lien(s)" in ok.stdout
    content = root / f"contenus/{three_records[1].seq:06d}.json"
    content.write_bytes(content.read_bytes().replace(b"parasites", b"voisins"))
    bad = subprocess.run([sys.executable, str(root / "verifier.py")], capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "fichier modifié : contenus/000002.json" in bad.stdout
    assert "n° 2 : l'empreinte du contenu ne correspond pas" in bad.stdout


@pytest.mark.django_db
def test_pdf_is_french_with_texts_hashes_and_the_right_legal_paths(commune: Any, three_records: list[Any]) -> None:
    pack = build_pack(commune, three_records, purpose="plainte", exported_by="Camille Roussel", note="Plainte de Mme la Maire")
    assert pack.pdf_bytes.startswith(b"%PDF")
    text = " ".join(pdf_text(pack.pdf_bytes).split())
    for expected in (
        "Dossier de preuves — Saint-Aubin",
        "Dossier joint à un dépôt de plainte",
        "Plainte de Mme la Maire",
        "Camille Roussel",
        "vous êtes une incapable et une menteuse [U+1FAE0]",  # an emoji the font cannot draw is named
        "Les étrangers dehors",
        "Dépôt de plainte conseillé",
        "À signaler sur PHAROS",
        "internet-signalement.gouv.fr",
        "article 29",
        "TROIS MOIS",
        "article 24",
        "222-17",
        "433-3",
        "Vérifier l'intégrité",
        three_records[0].content_sha256,
    ):
        assert expected in text, expected
    # Insult -> complaint path; hate -> PHAROS; the summary names the records.
    assert "Dépôt de plainte. Les preuves n° 1, n° 3" in text
    assert "Signalement PHAROS. Les preuves n° 2, n° 3" in text


@pytest.mark.django_db
def test_pack_refuses_empty_foreign_or_unauthorised_exports(commune: Any, other_commune: Any, record: Any, user_factory: Any) -> None:
    mine, theirs = record(commune), record(other_commune)
    with pytest.raises(PackError, match="au moins une preuve"):
        build_pack(commune, [])
    with pytest.raises(PackError, match="introuvable"):
        build_pack(commune, [mine, theirs])
    with pytest.raises(PackError, match="ne permet pas"):
        export_pack(commune, [mine], actor=user_factory(), role=Role.MODERATEUR_BENEVOLE, purpose="plainte")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DIRECTION_COM, Role.COMMUNITY_MANAGER, Role.SECRETAIRE])
def test_export_view_downloads_a_zip_and_audits_it(client_as: Any, commune: Any, three_records: list[Any], role: Role) -> None:
    client = client_as(commune, role)
    url = reverse("workspace:evidence_export", kwargs={"commune": commune.slug})
    response = client.post(url, {"seqs": ["1", "3"], "purpose": "pharos", "fmt": "zip", "note": ""})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'attachment; filename="preuves-saint-aubin-' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert any(n.endswith("enregistrements/000001.json") for n in names)
    assert not any(n.endswith("enregistrements/000002.json") for n in names)
    audit = AuditRecord.objects.get(commune=commune, verb="evidence.exported")
    assert audit.data["seqs"] == [1, 3] and audit.data["purpose"] == "pharos"
    assert audit.data["zip_sha256"] == hashlib.sha256(response.content).hexdigest()
    pdf = client.post(url, {"seqs": ["2"], "purpose": "archive", "fmt": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_export_without_a_choice_explains_in_french(client_as: Any, commune: Any, three_records: list[Any]) -> None:
    client = client_as(commune, Role.SECRETAIRE)
    url = reverse("workspace:evidence_export", kwargs={"commune": commune.slug})
    response = client.post(url, {"purpose": "plainte", "fmt": "zip"}, follow=True)
    assert "Cochez au moins une preuve" in response.content.decode()
    assert not AuditRecord.objects.filter(verb="evidence.exported").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MODERATEUR_BENEVOLE, Role.LECTEUR, Role.ELU])
def test_roles_without_export_cannot_see_or_export_evidence(client_as: Any, commune: Any, three_records: list[Any], role: Role) -> None:
    client = client_as(commune, role)
    assert client.get(reverse("workspace:evidence", kwargs={"commune": commune.slug})).status_code == 403
    url = reverse("workspace:evidence_export", kwargs={"commune": commune.slug})
    assert client.post(url, {"seqs": ["1"], "purpose": "plainte", "fmt": "zip"}).status_code == 403


@pytest.mark.django_db
def test_evidence_list_filters_and_detail(client_as: Any, commune: Any, three_records: list[Any]) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    url = reverse("workspace:evidence", kwargs={"commune": commune.slug})
    page = client.get(url).content.decode()
    assert "Madame la maire" in page and "Les étrangers dehors" in page and "Dépôt de plainte conseillé" in page
    only_hate = client.get(url, {"label": "hate"}).content.decode()
    assert "Les étrangers dehors" in only_hate and "Madame la maire" not in only_hate
    searched = client.get(url, {"q": "batte"}).content.decode()
    assert "batte" in searched and "Les étrangers" not in searched
    detail = client.get(reverse("workspace:evidence_detail", kwargs={"commune": commune.slug, "seq": 2})).content.decode()
    assert "Intacte" in detail and three_records[1].record_hash in detail and "Poser un gel juridique" in detail
    verify = client.post(reverse("workspace:evidence_verify", kwargs={"commune": commune.slug}), follow=True)
    assert "intacte : 3 enregistrement(s)" in verify.content.decode()


@pytest.mark.django_db
def test_legal_hold_from_the_evidence_screen(client_as: Any, commune: Any, three_records: list[Any]) -> None:
    client = client_as(commune, Role.DIRECTION_COM)
    item = three_records[0].item
    url = reverse("workspace:legal_hold", kwargs={"commune": commune.slug, "item_id": item.pk})
    missing = client.post(url, {"held": "1", "reason": ""}, follow=True)
    assert "Indiquez le motif du gel" in missing.content.decode()
    client.post(url, {"held": "1", "reason": "Plainte du 3 mars"})
    item.refresh_from_db()
    assert item.legal_hold
    secretary = client_as(commune, Role.SECRETAIRE)  # may export, may not hold
    assert secretary.post(url, {"held": "0"}).status_code == 403


@pytest.mark.django_db
def test_legal_hold_from_the_item_screen(client_as: Any, commune: Any, three_records: list[Any]) -> None:
    """The item screen offers the hold as a POST form (the hold URL refuses GET) that comes back to it."""
    client = client_as(commune, Role.DIRECTION_COM)
    item = three_records[0].item
    hold_url = reverse("workspace:legal_hold", kwargs={"commune": commune.slug, "item_id": item.pk})
    item_url = reverse("workspace:item", kwargs={"commune": commune.slug, "item_id": item.pk})
    page = client.get(item_url).content.decode()
    assert f'method="post" action="{hold_url}"' in page and 'name="reason"' in page
    assert client.get(hold_url).status_code == 405
    back = client.post(hold_url, {"held": "1", "reason": "Plainte du 3 mars", "next": item_url})
    assert back.status_code == 302 and back["Location"] == item_url
    item.refresh_from_db()
    assert item.legal_hold
    assert "Lever le gel juridique" in client.get(item_url).content.decode()
