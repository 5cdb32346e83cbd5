"""RSS/Atom connector: parsing, stable ids, text, dates, errors (recorded feeds, no network)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from beffroi.connectors.base import (
    AccountConfig,
    ActionTarget,
    AuthError,
    Capability,
    PermanentError,
    RateLimited,
    TransientError,
)
from beffroi.connectors.http import HttpClient
from beffroi.connectors.rss.connector import RssConnector, entry_id
from beffroi.connectors.rss.text import html_to_text
from beffroi.connectors.testing import Router, fixture_bytes

FEED = "https://echo-du-val.example/saint-aubin/rss.xml"
NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)


def make(router: Router, url: str = FEED, retries: int = 0) -> RssConnector:
    connector = RssConnector(AccountConfig(platform="rss", external_id=url), http=router.http(retries=retries))
    connector.clock = lambda: NOW.timestamp()  # type: ignore[method-assign]
    return connector


def feed_response(name: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=fixture_bytes(__file__, name), headers={"content-type": "application/rss+xml; charset=utf-8", **headers}
    )


def test_rss_entries_become_unmoderated_mentions_with_stable_ids_plain_text_and_utc_dates() -> None:
    router = Router().add("GET", "/saint-aubin/rss.xml", feed_response("presse_locale.rss.xml", etag='"v1"'))
    page = make(router).fetch({})
    assert not page.has_more
    assert len(page.items) == 3
    travaux, budget = page.items[0], page.items[2]
    # oldest first; the undated entry gets the poll time, so it comes last
    assert travaux.external_id == "https://echo-du-val.example/saint-aubin/travaux-rue-des-ecoles"
    assert travaux.published_at == dt.datetime(2024, 6, 1, 7, 30, tzinfo=dt.UTC)
    assert travaux.kind == "mention" and travaux.moderated is False
    assert travaux.text == (
        "Travaux rue des Écoles : la circulation & le stationnement modifiés\n\n"
        "Les travaux de la rue des Écoles débutent lundi.\n\nDéviation par l'avenue du Stade."
    )
    assert "alert" not in travaux.text  # scripts are dropped with their content
    assert travaux.url.endswith("/travaux-rue-des-ecoles")
    assert travaux.author is not None and travaux.author.external_id == "echo-du-val.example"
    assert travaux.author.display_name == "L'Écho du Val — Saint-Aubin"
    assert travaux.raw["tags"] == ["Vie locale"] and travaux.raw["feed_url"] == FEED
    # a guid that is only unique inside this feed is NOT used alone: the link is
    second = page.items[1]
    assert second.external_id == "https://echo-du-val.example/saint-aubin/budget-2024"
    assert second.text.startswith("Conseil municipal : le budget 2024 adopté\n\nLe conseil a voté le budget.\n\nÉcoles\n\nVoirie")
    assert budget.published_at == NOW and budget.external_id.startswith("feed-")
    request = router.requests[0]
    assert request.headers["accept"].startswith("application/rss+xml")
    assert "if-none-match" not in request.headers
    assert page.cursor["etag"] == '"v1"' and len(page.cursor["seen"]) == 3


def test_atom_entries_use_their_ids_and_published_dates() -> None:
    router = Router().add(
        "GET", "/feed.atom", httpx.Response(200, content=fixture_bytes(__file__, "blog.atom.xml"), headers={"content-type": "application/atom+xml"})
    )
    page = make(router, "https://tilleuls.example/feed.atom").fetch({})
    assert [i.external_id for i in page.items] == [
        "tag:tilleuls.example,2024-05-28:/vide-grenier",
        "tag:tilleuls.example,2024-06-02:/ecole",
    ]
    rumour = page.items[1]
    assert rumour.published_at == dt.datetime(2024, 6, 2, 7, 40, tzinfo=dt.UTC)  # +02:00 normalised to UTC
    assert rumour.text == "Rumeur sur la fermeture de l'école ?\n\nOn entend dire que l'école fermerait à la rentrée. Qu'en dit la mairie ?"
    assert page.items[0].text.endswith("Inscriptions à la maison des associations.")
    assert page.items[0].published_at == dt.datetime(2024, 5, 28, 18, 0, tzinfo=dt.UTC)  # no <published>: <updated>


def test_entries_already_seen_are_not_returned_again() -> None:
    router = Router().add("GET", "/saint-aubin/rss.xml", feed_response("presse_locale.rss.xml"))
    connector = make(router)
    first = connector.fetch({})
    again = connector.fetch(first.cursor)
    assert again.items == []
    assert again.cursor["seen"] == first.cursor["seen"]


def test_ids_from_local_guids_are_prefixed_by_the_feed_and_never_collide() -> None:
    one = entry_id({"id": "12"}, "https://a.example/rss")
    two = entry_id({"id": "12"}, "https://b.example/rss")
    assert one != two and one.endswith(":12")
    assert entry_id({"id": "urn:uuid:1"}, "https://a.example/rss") == "urn:uuid:1"
    hashed = entry_id({"title": "t", "summary": "s"}, "https://a.example/rss")
    assert hashed == entry_id({"title": "t", "summary": "s"}, "https://a.example/rss") and ":sha256:" in hashed
    assert len(entry_id({"id": "https://a.example/" + "x" * 400}, "https://a.example/rss")) < 100


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (404, PermanentError, "n'existe plus"),
        (410, PermanentError, "n'existe plus"),
        (403, AuthError, "refuse l'accès"),
        (401, AuthError, "refuse l'accès"),
        (500, TransientError, "nouvel essai"),
    ],
)
def test_http_errors_are_reported_in_french(status: int, error: type[Exception], words: str) -> None:
    router = Router().add("GET", "/saint-aubin/rss.xml", httpx.Response(status, text="non"))
    with pytest.raises(error) as caught:
        make(router).fetch({})
    assert words in caught.value.message_fr  # type: ignore[attr-defined]


def test_429_is_rate_limited_with_retry_after() -> None:
    router = Router().add("GET", "/saint-aubin/rss.xml", httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimited) as caught:
        make(router).fetch({})
    assert caught.value.retry_after == 120


def test_transient_errors_are_retried_inside_the_call() -> None:
    router = Router().add("GET", "/saint-aubin/rss.xml", httpx.Response(503), feed_response("presse_locale.rss.xml"))
    page = make(router, retries=2).fetch({})
    assert len(page.items) == 3 and len(router.requests) == 2


def test_an_html_page_is_not_a_feed() -> None:
    router = Router().add(
        "GET", "/saint-aubin/rss.xml", httpx.Response(200, content=fixture_bytes(__file__, "page_html.html"), headers={"content-type": "text/html"})
    )
    with pytest.raises(PermanentError) as caught:
        make(router).fetch({})
    assert "page web, pas à un flux" in caught.value.message_fr


def test_garbage_is_an_unreadable_feed() -> None:
    router = Router().add(
        "GET", "/saint-aubin/rss.xml", httpx.Response(200, content=fixture_bytes(__file__, "illisible.xml"), headers={"content-type": "application/xml"})
    )
    with pytest.raises(PermanentError) as caught:
        make(router).fetch({})
    assert caught.value.message_fr.startswith("Le flux est illisible")


def test_a_feed_larger_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEFFROI_RSS_MAX_BYTES", "1000")
    router = Router().add("GET", "/saint-aubin/rss.xml", feed_response("presse_locale.rss.xml"))
    with pytest.raises(PermanentError) as caught:
        make(router).fetch({})
    assert "trop volumineux" in caught.value.message_fr


def test_only_http_addresses_are_fetched() -> None:
    with pytest.raises(PermanentError) as caught:
        make(Router(), "file:///etc/passwd").fetch({})
    assert "https://" in caught.value.message_fr


def test_a_permanent_redirect_is_followed_and_remembered() -> None:
    router = Router()
    router.add("GET", "/old.xml", httpx.Response(301, headers={"Location": "https://echo-du-val.example/saint-aubin/rss.xml"}))
    router.add("GET", "/saint-aubin/rss.xml", feed_response("presse_locale.rss.xml"))
    # the production client follows redirects (connectors.http); so does this one
    http = HttpClient(client=httpx.Client(transport=httpx.MockTransport(router), follow_redirects=True), retries=0)
    connector = RssConnector(AccountConfig(platform="rss", external_id="https://echo-du-val.example/old.xml"), http=http)
    page = connector.fetch({})
    assert len(page.items) == 3
    assert page.cursor["location"] == FEED
    connector.fetch(page.cursor)
    assert router.requests[-1].url.path == "/saint-aubin/rss.xml"


def test_identify_reads_the_feed_title() -> None:
    router = Router().add("GET", "/saint-aubin/rss.xml", feed_response("presse_locale.rss.xml"))
    identity = make(router).identify()
    assert identity is not None
    assert (identity.external_id, identity.name, identity.url) == (FEED, "L'Écho du Val — Saint-Aubin", "https://echo-du-val.example/saint-aubin")


def test_a_feed_is_read_only_and_says_why() -> None:
    connector = make(Router())
    assert connector.capabilities == {Capability.FETCH}
    assert connector.owned_account is False
    for action in ("hide", "delete", "reply", "block_author", "report"):
        check = connector.check(action, ActionTarget(item_external_id="x", item_kind="mention"))
        assert not check.allowed
        assert "se lit seulement" in check.reason_fr


def test_html_to_text() -> None:
    assert html_to_text("<p>a&nbsp;b</p><p>c<br/>d</p><style>p{}</style>") == "a b\n\nc\nd"
    assert html_to_text("plain  text") == "plain text"
    assert html_to_text('<img alt="logo"> x &lt;y&gt;') == "logo x <y>"
    assert html_to_text("") == ""
