"""RSS conditional GET against a real local HTTP server, and a full sync into the workspace."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from beffroi.connectors.base import AccountConfig
from beffroi.connectors.http import Backoff, HttpClient
from beffroi.connectors.rss.connector import RssConnector

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LAST_MODIFIED = "Sun, 02 Jun 2024 08:00:00 GMT"


class FeedHandler(BaseHTTPRequestHandler):
    """Serves one feed with an ETag and a Last-Modified, answering 304 to a matching conditional GET
    (as nginx/Apache do for static files and WordPress does for its feeds)."""

    body: ClassVar[bytes] = b""
    etag: ClassVar[str] = '"v1"'
    log: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).log.append({k.lower(): v for k, v in self.headers.items()})
        if self.path != "/rss.xml":
            self.send_response(404)
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.send_header("ETag", self.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", self.etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    FeedHandler.body = (FIXTURES / "presse_locale.rss.xml").read_bytes()
    FeedHandler.etag = '"v1"'
    FeedHandler.log = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def http_client() -> HttpClient:
    return HttpClient(client=httpx.Client(timeout=5), retries=0, backoff=Backoff(seed=1), sleep=lambda s: None)


def test_conditional_get_against_a_local_server(feed_server: str) -> None:
    connector = RssConnector(AccountConfig(platform="rss", external_id=feed_server + "/rss.xml"), http=http_client())
    first = connector.fetch({})
    assert len(first.items) == 3
    assert first.cursor["etag"] == '"v1"' and first.cursor["modified"] == LAST_MODIFIED
    assert "if-none-match" not in FeedHandler.log[0]

    second = connector.fetch(first.cursor)
    assert second.items == []  # 304 Not Modified
    assert FeedHandler.log[1]["if-none-match"] == '"v1"'
    assert FeedHandler.log[1]["if-modified-since"] == LAST_MODIFIED
    assert second.cursor["seen"] == first.cursor["seen"] and second.cursor["etag"] == '"v1"'

    # The site publishes a new article: new ETag, the feed lists it first.
    new_item = (
        b"<item><title>Nouvelle boulangerie</title><link>https://echo-du-val.example/saint-aubin/boulangerie</link>"
        b"<pubDate>Sun, 02 Jun 2024 10:00:00 +0200</pubDate></item>"
    )
    FeedHandler.body = FeedHandler.body.replace(b"<item>", new_item + b"<item>", 1)
    FeedHandler.etag = '"v2"'
    third = connector.fetch(second.cursor)
    assert [i.external_id for i in third.items] == ["https://echo-du-val.example/saint-aubin/boulangerie"]
    assert FeedHandler.log[2]["if-none-match"] == '"v1"'
    assert third.cursor["etag"] == '"v2"'


@pytest.mark.django_db
def test_sync_stores_feed_entries_as_unmoderated_mentions_once(feed_server: str, commune: Any) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account, Item, ItemStatus

    account = Account.objects.create(
        commune=commune, platform="rss", external_id=feed_server + "/rss.xml", name="L'Écho du Val", owned=False
    )
    result = sync_account(account, http=http_client())
    assert result.status == "ok" and result.items_created == 3
    items = Item.objects.filter(account=account)
    assert items.count() == 3
    assert all(i.kind == "mention" and not i.moderated and i.status == ItemStatus.DONE for i in items)
    account.refresh_from_db()
    assert account.cursor["etag"] == '"v1"'

    again = sync_account(account, http=http_client())
    assert again.status == "ok" and again.items_created == 0 and again.items_seen == 0  # 304
    assert Item.objects.filter(account=account).count() == 3


@pytest.mark.django_db
def test_a_broken_feed_is_reported_in_french_on_the_account(feed_server: str, commune: Any) -> None:
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Account

    account = Account.objects.create(commune=commune, platform="rss", external_id=feed_server + "/disparu.xml", name="x", owned=False)
    result = sync_account(account, http=http_client())
    assert result.status == "failed"
    account.refresh_from_db()
    assert "n'existe plus à cette adresse" in account.rate_state["last_error"]


@pytest.mark.django_db
def test_connecting_a_feed_creates_a_watched_account(feed_server: str, client_as: Any, commune: Any) -> None:
    from beffroi.workspace.models import Account

    client = client_as(commune, "direction_com")
    response = client.post(
        f"/c/{commune.slug}/comptes/connecter/rss/", {"external_id": feed_server + "/rss.xml", "name": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = Account.objects.get(commune=commune, platform="rss")
    assert account.owned is False
    assert account.name == "L'Écho du Val — Saint-Aubin"
