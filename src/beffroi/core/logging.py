"""A logging filter that removes tokens and secrets from every log line."""

from __future__ import annotations

import logging
import re

# Names whose value is a secret, in query strings, forms, JSON or Python reprs: platform tokens (Meta,
# YouTube, TikTok), OAuth 1.0a (X: api_secret, access_token_secret), Bluesky (app_password, the session's
# accessJwt / refreshJwt), passwords.
_SECRET_NAMES = (
    r"access_token_secret|access_token|refresh_token|client_secret|app_secret|api_secret|app_password"
    r"|accessJwt|refreshJwt|password|api_key|token"
)
# Each pattern's first group is kept (the key and its separator); the secret after it is masked.
_PATTERNS = [
    re.compile(rf"(?i)((?:{_SECRET_NAMES})=)[^&\s'\"]+"),
    re.compile(r"(?i)(authorization:\s*(?:bearer|oauth)\s+)[^\s'\"]+"),
    re.compile(r"(?i)((?:bearer)\s+)[A-Za-z0-9._~+/=-]{12,}"),
    re.compile(rf"(?i)([\"'](?:{_SECRET_NAMES})[\"']\s*:\s*[\"'])[^\"']+"),
]
MASK = "[masqué]"


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
