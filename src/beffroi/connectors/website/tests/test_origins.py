"""Origins and page addresses of the commune's site (pure helpers)."""

from __future__ import annotations

from beffroi.connectors.website.origins import (
    declared_origins,
    normalize_page_url,
    origin_of,
    thread_key,
    twin,
)


def test_origins() -> None:
    assert origin_of("https://www.Mairie.example:443/accueil") == "https://www.mairie.example"
    assert origin_of("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert origin_of("https://mairie-été.example") == "https://xn--mairie-t-h1ab.example"
    for bad in ("ftp://mairie.example", "javascript:alert(1)", "null", "", "https://", "https://a:99999/"):
        assert origin_of(bad) is None, bad
    assert twin("https://www.mairie.example") == "https://mairie.example"
    assert twin("https://mairie.example") == "https://www.mairie.example"
    assert declared_origins("https://mairie.example/", {"origins": ["https://agenda.mairie.example", "pas une adresse"]}) == {
        "https://mairie.example", "https://www.mairie.example", "https://agenda.mairie.example", "https://www.agenda.mairie.example"}


def test_page_addresses() -> None:
    assert normalize_page_url("https://WWW.mairie.example/actus/fête?utm_source=lettre&fbclid=x&id=3#commentaires") == (
        "https://www.mairie.example/actus/f%C3%AAte?id=3")
    assert normalize_page_url("https://www.mairie.example") == "https://www.mairie.example/"
    assert normalize_page_url("https://www.mairie.example/a%20b") == "https://www.mairie.example/a%20b"
    assert normalize_page_url("data:text/html,hi") is None
    long_page = "https://www.mairie.example/" + "x" * 400
    assert len(thread_key(long_page)) <= 255 and thread_key(long_page).startswith("page:")
    assert thread_key("https://www.mairie.example/") == "https://www.mairie.example/"
