"""Origins and page addresses of the commune's website (pure helpers, no Django)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "_ga", "xtor")
THREAD_MAX = 255


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) address, lower-cased, default port dropped; None otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")  # internationalised names compared in their ASCII form
    except UnicodeError:
        return None
    if port and port != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def twin(origin: str) -> str:
    """The www / bare twin of an origin (``https://mairie.fr`` ↔ ``https://www.mairie.fr``)."""
    scheme, _, rest = origin.partition("://")
    if rest.startswith("www."):
        return f"{scheme}://{rest[4:]}"
    return f"{scheme}://www.{rest}"


def declared_origins(external_id: str, options: Mapping[str, Any]) -> set[str]:
    """The site's origins: the account's address and its www/bare twin, plus ``options["origins"]``."""
    origins: set[str] = set()
    candidates: Iterable[Any] = [external_id, *(options.get("origins") or [])]
    for candidate in candidates:
        origin = origin_of(str(candidate))
        if origin:
            origins.add(origin)
            origins.add(twin(origin))
    return origins


def normalize_page_url(url: str) -> str | None:
    """The page a comment belongs to: no fragment, no tracking parameters, lower-case host; None if not http(s)."""
    origin = origin_of(url)
    if origin is None:
        return None
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(TRACKING_PARAMS)]
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")  # ASCII only, existing escapes kept
    scheme, _, netloc = origin.partition("://")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def thread_key(page_url: str) -> str:
    """The page as an item thread id (at most 255 characters)."""
    if len(page_url) <= THREAD_MAX:
        return page_url
    return "page:" + hashlib.sha256(page_url.encode()).hexdigest()
