"""The connectors' address guard (server-side request forgery): http(s) only, public addresses only, on
every redirect hop, the connection made to the address that was checked; the setting that lets tests
and local test platforms reach localhost; the check when an account is connected; RSS feeds read in
pieces and abandoned past RSS_MAX_BYTES."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from beffroi.connectors import urlguard
from beffroi.connectors.base import AccountConfig, PermanentError
from beffroi.connectors.http import HttpClient
from beffroi.connectors.urlguard import UnsafeAddress, check_url

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production behaviour: the test environment allows local addresses, turn that off."""
    monkeypatch.setenv("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "0")


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names → addresses, for hosts of the tests (the real resolver for everything else); the names asked
    are recorded under ``"_asked"``."""
    table: dict[str, list[str]] = {"_asked": []}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in table:
            table["_asked"].append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0)) for address in table[host]]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


# ---------------------------------------------------------------------------------------------
# The rule


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.org/feed.xml",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "javascript:alert(1)",
        "https:///no-host",
        "http://127.0.0.1:8000/admin",
        "http://127.1/",  # another spelling of loopback
        "http://localhost:6379/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://0.0.0.0/",
        "http://10.1.2.3/feed",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://224.0.0.251/",  # multicast
        "http://240.0.0.1/",  # reserved
        "http://intranet.mairie.example/",  # a name that resolves inside (fake DNS below)
        "http://split.example/",  # one public and one private address: refused
    ],
)
def test_non_public_or_non_http_addresses_are_refused(url: str, guarded: None, fake_dns: dict[str, list[str]]) -> None:
    fake_dns["intranet.mairie.example"] = ["10.20.30.40"]
    fake_dns["split.example"] = ["93.184.215.14", "192.168.0.10"]
    with pytest.raises(UnsafeAddress) as refused:
        check_url(url)
    assert refused.value.message_fr  # a French explanation for the team
    assert not refused.value.retryable


def test_public_addresses_pass(guarded: None, fake_dns: dict[str, list[str]]) -> None:
    fake_dns["presse.example"] = ["93.184.215.14"]
    check_url("https://presse.example/rss.xml")
    check_url("http://93.184.215.14:8080/feed")
    check_url("https://[2606:4700:4700::1111]/")


def test_an_unknown_host_is_refused_with_its_own_explanation(guarded: None, fake_dns: dict[str, list[str]]) -> None:
    with pytest.raises(UnsafeAddress) as refused:
        check_url("https://nulle-part.invalid/feed")
    assert "introuvable" in refused.value.message_fr


def test_the_setting_lets_local_platforms_in_but_never_other_schemes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "1")
    check_url("http://127.0.0.1:8765/v1/feed")
    with pytest.raises(UnsafeAddress):
        check_url("file:///etc/passwd")


# ---------------------------------------------------------------------------------------------
# Through the HTTP client, on a real socket


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    seen: ClassVar[list[tuple[str, str]]] = []  # (path, Host header)
    redirect_to: ClassVar[str] = ""
    big_total: ClassVar[int] = 0
    big_sent: ClassVar[list[int]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append((self.path, self.headers.get("Host", "")))
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", type(self).redirect_to)
            self.end_headers()
            return
        if self.path == "/huge.xml":  # no Content-Length: the body ends when the connection closes
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
            sent = 0
            try:
                self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gros</title>\n')
                while sent < type(self).big_total:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            type(self).big_sent.append(sent)
            return
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[int]:
    Handler.seen = []
    Handler.big_sent = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_production_client_refuses_loopback_unless_allowed(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "0")
    with pytest.raises(UnsafeAddress):
        HttpClient(retries=0).request("GET", f"http://127.0.0.1:{server}/ok")
    assert Handler.seen == []  # never connected
    monkeypatch.setenv("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "1")  # a local test platform
    assert HttpClient(retries=0).request("GET", f"http://127.0.0.1:{server}/ok").json() == {"ok": True}


def test_each_redirect_hop_is_checked_and_the_checked_address_is_the_one_connected(
    server: int, guarded: None, fake_dns: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """feed.example is "public" (our local server stands for it); it redirects to a name that resolves to
    the metadata service: the second hop is refused before any connection."""
    fake_dns["feed.example"] = ["127.0.0.1"]
    fake_dns["metadata.internal"] = ["169.254.169.254"]
    real_is_public = urlguard.is_public
    monkeypatch.setattr(urlguard, "is_public", lambda ip: str(ip) == "127.0.0.1" or real_is_public(ip))
    Handler.redirect_to = "http://metadata.internal/latest/meta-data/iam/security-credentials/"
    client = HttpClient(retries=0)
    assert client.request("GET", f"http://feed.example:{server}/ok").json() == {"ok": True}
    # Host name kept (virtual hosts, TLS name), and resolved once: the connection went to the checked address.
    assert Handler.seen == [("/ok", f"feed.example:{server}")]
    assert fake_dns["_asked"] == ["feed.example"]
    with pytest.raises(UnsafeAddress) as refused:
        client.request("GET", f"http://feed.example:{server}/redirect")
    assert "169.254.169.254" in refused.value.message_fr
    assert [path for path, _ in Handler.seen] == ["/ok", "/redirect"]  # the metadata service never asked


def test_a_redirect_to_another_scheme_is_refused(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "1")
    Handler.redirect_to = "file:///etc/passwd"
    with pytest.raises((UnsafeAddress, PermanentError)):
        HttpClient(retries=0).request("GET", f"http://127.0.0.1:{server}/redirect")


# ---------------------------------------------------------------------------------------------
# Connectors whose addresses the commune types


def test_rss_refuses_a_feed_inside_the_network(guarded: None) -> None:
    from beffroi.connectors.rss.connector import RssConnector

    connector = RssConnector(AccountConfig(platform="rss", external_id="http://127.0.0.1:6379/feed"))
    with pytest.raises(UnsafeAddress):
        connector.fetch({})


def test_rss_streams_the_feed_and_stops_at_the_limit(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 MB answer without Content-Length: Beffroi stops reading just past RSS_MAX_BYTES and closes the
    connection, instead of loading everything first."""
    from beffroi.connectors.rss.connector import RssConnector

    monkeypatch.setenv("BEFFROI_RSS_MAX_BYTES", str(256 * 1024))
    Handler.big_total = 50 * 1024 * 1024
    connector = RssConnector(AccountConfig(platform="rss", external_id=f"http://127.0.0.1:{server}/huge.xml"))
    with pytest.raises(PermanentError) as too_big:
        connector.fetch({})
    assert "trop volumineux" in too_big.value.message_fr and "256 Ko" in too_big.value.message_fr
    for _ in range(100):  # the server thread notices the closed connection
        if Handler.big_sent:
            break
        threading.Event().wait(0.05)
    assert Handler.big_sent and Handler.big_sent[0] < Handler.big_total // 2


def test_mastodon_refuses_an_instance_inside_the_network(guarded: None) -> None:
    from beffroi.connectors.mastodon.connector import MastodonConnector

    connector = MastodonConnector(
        AccountConfig(
            platform="mastodon",
            external_id="",
            credentials={"instance_url": "http://169.254.169.254", "access_token": "t0ken-fixture"},
        )
    )
    with pytest.raises(UnsafeAddress) as refused:  # not a "retry later" network error
        connector.identify()
    assert "réseau interne" in refused.value.message_fr


def test_bluesky_refuses_a_server_inside_the_network(guarded: None) -> None:
    from beffroi.connectors.bluesky.connector import BlueskyConnector
    from beffroi.connectors.bluesky.session import forget_sessions

    forget_sessions()
    connector = BlueskyConnector(
        AccountConfig(
            platform="bluesky",
            external_id="",
            credentials={"handle": "mairie.example", "app_password": "abcd-efgh-ijkl-mnop", "service": "http://10.0.0.7:2583"},
        )
    )
    with pytest.raises(UnsafeAddress):
        connector.identify()


# ---------------------------------------------------------------------------------------------
# Connecting an account


@pytest.mark.django_db
@pytest.mark.parametrize(
    "platform, data, field",
    [
        ("rss", {"external_id": "http://127.0.0.1:8000/admin/"}, "external_id"),
        ("rss", {"external_id": "file:///etc/passwd"}, "external_id"),
        ("mastodon", {"cred_instance_url": "169.254.169.254", "cred_access_token": "t0ken-fixture"}, "cred_instance_url"),
        (
            "bluesky",
            {"cred_handle": "mairie.example", "cred_app_password": "abcd-efgh-ijkl-mnop", "cred_service": "http://localhost:2583"},
            "cred_service",
        ),
    ],
)
def test_connecting_an_account_with_an_internal_address_is_refused_in_french(
    platform: str, data: dict[str, str], field: str, guarded: None, client_as: Any, commune: Any
) -> None:
    from beffroi.workspace.models import Account

    client = client_as(commune, "direction_com")
    response = client.post(f"/c/{commune.slug}/comptes/connecter/{platform}/", {**data, "name": ""})
    assert response.status_code == 200  # the form again, with the error
    form = response.context["form"]
    assert field in form.errors
    message = " ".join(form.errors[field])
    assert "réseau interne" in message or "https://" in message
    assert not Account.objects.filter(commune=commune, platform=platform).exists()
