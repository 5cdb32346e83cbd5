"""Refusing addresses inside the server's own network (server-side request forgery).

Some addresses Beffroi fetches are typed by a commune, not fixed by Beffroi: an RSS feed's URL, a
Mastodon instance, a Bluesky server (PDS) — and whatever they redirect to, or point to (a Mastodon
instance names its streaming server, a Bluesky DID document names its PDS). Without a check, a commune
(or a hostile server redirecting Beffroi) could make Beffroi read ``http://127.0.0.1:…``, the cloud's
metadata service (``169.254.169.254``) or a machine of the internal network.

The guard: only ``http://`` and ``https://``; the host is resolved and EVERY address it resolves to
must be public — loopback, private (RFC 1918, ``fc00::/7``), link-local, multicast, reserved,
unspecified and other non-global ranges (carrier-grade NAT, documentation …) are refused, IPv4-mapped
IPv6 addresses included. The check runs on each request, so on each redirect hop too:

- httpx clients (``HttpClient``'s own client, RSS, the replay platform, Bluesky's SDK):
  :class:`GuardedTransport` checks the scheme, and its network backend resolves the host, checks the
  addresses and connects to the address it checked (no second resolution an attacker could change in
  between: DNS rebinding). The TLS certificate is still verified against the host name. Guarded
  clients do not go through proxies named in the environment (``HTTPS_PROXY``): when one is set,
  :func:`guarded_client` checks each request (and redirect hop) with an event hook instead.
- requests sessions (Mastodon.py): :class:`GuardedAdapter` checks each request before it is sent (the
  resolution is checked, the connection itself is made by urllib3).

``CONNECTORS_ALLOW_PRIVATE_HOSTS`` turns the address check off (the scheme check stays): for the test
suite and local test platforms (``beffroi.connectors.testplatform``, the AT Protocol dev-env at
localhost), never in production.
"""

from __future__ import annotations

import ipaddress
import socket
import typing
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter

from beffroi.connectors.base import PermanentError

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(PermanentError):
    """The address is not http(s), or leads inside the server's network: Beffroi does not contact it."""


def allow_private_hosts() -> bool:
    from beffroi import conf

    return bool(conf.get("CONNECTORS_ALLOW_PRIVATE_HOSTS"))


def is_public(ip: IpAddress) -> bool:
    """True for an address of the public Internet."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public(ip.ipv4_mapped)
        if ip.sixtofour is not None and not is_public(ip.sixtofour):
            return False
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _ip(text: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _refused(host: str, ip: IpAddress) -> UnsafeAddress:
    return UnsafeAddress(
        f"{host} resolves to a non-public address {ip}",
        message_fr=f"L'adresse « {host} » mène à un réseau interne ({ip}) : Beffroi ne contacte que des serveurs "
        "publics d'Internet.",
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (raises ``socket.gaierror`` when it has none)."""
    literal = _ip(host)
    if literal is not None:
        return [str(literal)]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def public_addresses(host: str, port: int, *, allow_private: bool | None = None) -> list[str]:
    """The addresses of ``host``, all checked public (else UnsafeAddress). ``socket.gaierror`` when the
    name does not resolve."""
    addresses = resolve(host, port)
    if allow_private if allow_private is not None else allow_private_hosts():
        return addresses
    for address in addresses:
        ip = _ip(address.split("%", 1)[0])
        if ip is None or not is_public(ip):
            raise _refused(host, ip if ip is not None else ipaddress.ip_address("0.0.0.0"))
    return addresses


def check_scheme(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, else UnsafeAddress."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise UnsafeAddress(
            f"not an http(s) URL: {url[:200]!r}",
            message_fr="L'adresse doit commencer par https:// (ou http://) et nommer un serveur.",
        )
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme]


def check_url(url: str, *, allow_private: bool | None = None) -> None:
    """Refuse (UnsafeAddress) a URL that is not http(s) or whose host resolves to a non-public address;
    a host that does not resolve is refused too, with its own explanation."""
    _, host, port = check_scheme(url)
    allowed = allow_private if allow_private is not None else allow_private_hosts()
    if allowed:
        return
    try:
        public_addresses(host, port, allow_private=False)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeAddress(
            f"cannot resolve {host}: {exc}",
            message_fr=f"Le serveur « {host} » est introuvable : vérifiez l'adresse.",
        ) from exc


# ---------------------------------------------------------------------------------------------
# httpx


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, checks every address, and connects to an address it checked."""

    def __init__(self, *, allow_private: bool | None = None) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = public_addresses(host, port, allow_private=self.allow_private)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` that only speaks http(s) and only connects to public addresses."""

    def __init__(self, *, allow_private: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_private = allow_private
        pool = getattr(self, "_pool", None)
        # httpcore's pool takes its network backend at construction; httpx does not pass one through.
        self.pinned = pool is not None and hasattr(pool, "_network_backend")
        if pool is not None and self.pinned:
            pool._network_backend = GuardedBackend(allow_private=allow_private)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in SCHEMES:
            raise UnsafeAddress(
                f"not an http(s) URL: {request.url.scheme}",
                message_fr="L'adresse doit commencer par https:// (ou http://).",
            )
        if not self.pinned:  # an httpx without a reachable pool: check, then let it connect
            check_url(str(request.url), allow_private=self.allow_private)
        return super().handle_request(request)


def _check_request(request: httpx.Request) -> None:
    _, host, port = check_scheme(str(request.url))
    try:
        public_addresses(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"cannot resolve {host}: {exc}", request=request) from exc


def _environment_proxies() -> bool:
    import urllib.request

    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def guard_kwargs() -> dict[str, Any]:
    """What to give ``httpx.Client(...)`` so that every request and redirect hop is guarded."""
    if _environment_proxies():  # the proxy connects: check each request's address before it goes
        return {"event_hooks": {"request": [_check_request], "response": []}}
    return {"transport": GuardedTransport()}


def guarded_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` whose every request and redirect hop is guarded."""
    return httpx.Client(**guard_kwargs(), **kwargs)


# ---------------------------------------------------------------------------------------------
# requests (Mastodon.py)


class GuardedAdapter(HTTPAdapter):
    """Checks each request (redirect hops included: requests sends each through its adapter)."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        _, host, port = check_scheme(str(request.url or ""))
        try:
            public_addresses(host, port)
        except (socket.gaierror, UnicodeError) as exc:  # a network failure, retried like one
            raise requests.exceptions.ConnectionError(f"cannot resolve {host}: {exc}", request=request) from exc
        return super().send(request, *args, **kwargs)


def guarded_session() -> requests.Session:
    session = requests.Session()
    adapter = GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def unsafe_cause(exc: BaseException) -> UnsafeAddress | None:
    """The UnsafeAddress behind an SDK's wrapping exception, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, UnsafeAddress):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None

