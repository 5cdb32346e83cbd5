#!/usr/bin/env python3
"""Vérifie un dossier de preuves Beffroi (archive ZIP décompressée). Python 3, bibliothèque standard.

Usage : python3 verifier.py [DOSSIER]   (par défaut : le dossier de ce script)
Code de sortie 0 si tout est intact, 1 sinon.
"""

import hashlib
import json
import os
import sys


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    problems = []
    checked_files = 0
    with open(os.path.join(root, "MANIFESTE.sha256"), encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                continue
            expected, name = line.split("  ", 1)
            path = os.path.join(root, name)
            if not os.path.exists(path):
                problems.append("fichier manquant : " + name)
            elif sha256(path) != expected:
                problems.append("fichier modifié : " + name)
            checked_files += 1
    with open(os.path.join(root, "enregistrements.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    previous = {}
    for entry in summary["records"]:
        seq = entry["seq"]
        files = entry["files"]
        with open(os.path.join(root, files["record"]), "rb") as handle:
            record_raw = handle.read()
        record = json.loads(record_raw.decode("utf-8"))
        if canonical(record) != record_raw:
            problems.append(f"n° {seq} : l'enregistrement n'est pas au format canonique")
        if hashlib.sha256(record_raw).hexdigest() != entry["record_hash"]:
            problems.append(f"n° {seq} : l'empreinte de l'enregistrement ne correspond pas")
        if sha256(os.path.join(root, files["content"])) != record["content_sha256"]:
            problems.append(f"n° {seq} : l'empreinte du contenu ne correspond pas")
        previous[seq] = (record["prev_hash"], entry["record_hash"])
    links = 0
    for seq, (prev_hash, _) in sorted(previous.items()):
        if seq - 1 in previous:
            links += 1
            if previous[seq - 1][1] != prev_hash:
                problems.append(f"n° {seq} : ne suit pas le n° {seq - 1} (chaînage rompu)")
        if seq == 1 and prev_hash != "0" * 64:
            problems.append("n° 1 : le premier enregistrement doit suivre 64 zéros")
    head = summary.get("chain_head", {})
    if problems:
        print("ÉCHEC de la vérification :")
        for problem in problems:
            print("  - " + problem)
        return 1
    print(
        f"Dossier intact : {checked_files} fichier(s), {len(previous)} enregistrement(s), {links} lien(s) de "
        f"chaînage vérifiés. Tête de chaîne à l'export : n° {head.get('seq')}, {head.get('record_hash')}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
