"""The files of an evidence pack, byte for byte (everything except the PDF)."""

from __future__ import annotations

import json
from typing import Any

from beffroi.workspace.actions.evidence import content_bytes, iso_utc, record_bytes, record_document
from beffroi.workspace.models import EvidenceRecord

RECORD_DIR = "enregistrements"
CONTENT_DIR = "contenus"
RAW_DIR = "bruts"
PDF_NAME = "dossier-de-preuves.pdf"
RECORDS_JSON = "enregistrements.json"
MANIFEST = "MANIFESTE.sha256"
README = "VERIFIER.txt"
VERIFIER = "verifier.py"


def stem(record: EvidenceRecord) -> str:
    return f"{record.seq:06d}"


def record_path(record: EvidenceRecord) -> str:
    return f"{RECORD_DIR}/{stem(record)}.json"


def content_path(record: EvidenceRecord) -> str:
    return f"{CONTENT_DIR}/{stem(record)}.json"


def raw_path(record: EvidenceRecord) -> str:
    return f"{RAW_DIR}/{stem(record)}-{record.platform or 'inconnu'}.json"


def record_files(record: EvidenceRecord) -> dict[str, bytes]:
    """The hashed documents exactly as hashed, plus a readable copy of the raw payload."""
    return {
        record_path(record): record_bytes(record),
        content_path(record): content_bytes(record),
        raw_path(record): json.dumps(record.raw_payload, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"),
    }


def record_summary(record: EvidenceRecord) -> dict[str, Any]:
    """One entry of enregistrements.json: what is hashed, the stored digests and the file names."""
    return {
        **record_document(record),
        "record_hash": record.record_hash,
        "text": record.rendered_text,
        "files": {"record": record_path(record), "content": content_path(record), "raw": raw_path(record)},
        "retain_until": iso_utc(record.retain_until),
    }


def records_json(records: list[EvidenceRecord], *, commune_name: str, head_seq: int, head_hash: str) -> bytes:
    data = {
        "commune": commune_name,
        "chain_head": {"seq": head_seq, "record_hash": head_hash},
        "hash_algorithm": "SHA-256",
        "canonical_json": "keys sorted, separators ',' and ':', UTF-8, no escaping of non-ASCII characters",
        "records": [record_summary(record) for record in records],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def verifier_text(*, commune_name: str, exported_at: str, head_seq: int, head_hash: str, count: int) -> bytes:
    text = f"""VÉRIFIER CE DOSSIER DE PREUVES — {commune_name}
Exporté le {exported_at} par Beffroi. {count} enregistrement(s).

Ce dossier contient, pour chaque publication, trois fichiers :
  - {CONTENT_DIR}/NNNNNN.json : le contenu tel que reçu de la plateforme (données brutes et texte) ;
  - {RECORD_DIR}/NNNNNN.json : l'enregistrement de preuve (dates, adresse, auteur, décision, étiquettes,
    empreinte du contenu, empreinte de l'enregistrement précédent) ;
  - {RAW_DIR}/NNNNNN-plateforme.json : les données brutes, mises en forme pour la lecture.
Le fichier {RECORDS_JSON} les résume, avec l'empreinte de chaque enregistrement ; le PDF
({PDF_NAME}) les présente pour le lecteur.

Les empreintes sont des SHA-256 : changer un seul caractère d'un fichier change complètement son
empreinte. On les recalcule avec des outils standard, sans Beffroi.

1. Intégrité de l'archive
   Linux :   sha256sum -c {MANIFEST}
   macOS :   shasum -a 256 -c {MANIFEST}
   Windows : Get-FileHash -Algorithm SHA256 <fichier>   (PowerShell ; comparez avec {MANIFEST})
   Chaque ligne doit être « OK » (ou l'empreinte identique).

2. Contenu de chaque publication
   sha256sum {CONTENT_DIR}/000012.json
   Le résultat doit être égal au champ "content_sha256" de {RECORD_DIR}/000012.json.

3. Enregistrement de preuve
   sha256sum {RECORD_DIR}/000012.json
   Le résultat doit être égal à "record_hash" de l'enregistrement n° 12 dans {RECORDS_JSON}
   et dans le PDF. Comme l'enregistrement contient l'empreinte du contenu, modifier le contenu ou
   l'enregistrement se voit ici.

4. Chaînage
   Chaque enregistrement contient "prev_hash", l'empreinte de l'enregistrement précédent de la
   commune (n° − 1) ; le premier de la commune contient 64 zéros. Deux enregistrements consécutifs
   présents dans ce dossier doivent donc se suivre : prev_hash du n° 13 = record_hash du n° 12.
   Au moment de l'export, la tête de la chaîne de la commune était :
       n° {head_seq}, empreinte {head_hash}
   La commune peut produire la chaîne complète et la faire vérifier par la commande
   « beffroi verify-evidence », qui recalcule toutes les empreintes et tous les liens.

5. Tout en une fois
   python3 {VERIFIER}
   (script autonome de quelques dizaines de lignes, à lire avant de l'exécuter ; il refait les
   étapes 1 à 4 et affiche le résultat).

Format des fichiers {RECORD_DIR}/ et {CONTENT_DIR}/ : JSON « canonique » — clés triées, aucun espace
superflu (séparateurs « , » et « : »), UTF-8, caractères accentués non échappés ; dates en UTC au
format ISO 8601 avec microsecondes.
"""
    return text.encode("utf-8")


def manifest_bytes(files: dict[str, bytes]) -> bytes:
    import hashlib

    lines = [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in sorted(files.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")
