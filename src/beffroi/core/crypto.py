"""Encryption at rest of platform tokens and other stored secrets (Fernet, with key rotation).

Keys come only from the environment (BEFFROI_ENCRYPTION_KEYS, comma-separated; the first encrypts).
Without keys, a development key is derived from the secret key, unless REQUIRE_SECRETS is on.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from beffroi import conf


class SecretError(RuntimeError):
    pass


def _fernet() -> MultiFernet:
    keys = [k for k in conf.parse_list(conf.get("ENCRYPTION_KEYS") or "")]
    if not keys:
        if conf.get("REQUIRE_SECRETS"):
            raise SecretError("BEFFROI_ENCRYPTION_KEYS doit être défini pour chiffrer les jetons.")
        from django.conf import settings

        digest = hashlib.sha256(("beffroi-dev-encryption:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise SecretError("Une clé de BEFFROI_ENCRYPTION_KEYS n'est pas une clé Fernet valide.") from exc


def encrypt_json(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        data = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretError("Impossible de déchiffrer les identifiants stockés (clé changée ?).") from exc
    if not isinstance(data, dict):
        raise SecretError("Identifiants stockés invalides.")
    return data


def rotate(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()


def generate_key() -> str:
    return Fernet.generate_key().decode()
