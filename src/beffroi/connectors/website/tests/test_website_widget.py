"""The widget's files and the webmaster page: headers (embeddable, cacheable, no cookie), and the script's
safety properties (no HTML injection, no cookie, no storage)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

WIDGET = Path(__file__).resolve().parent.parent / "widget"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "content_type"), [("widget.js", "text/javascript; charset=utf-8"), ("widget.css", "text/css; charset=utf-8")])
def test_the_widget_files_are_served_embeddable_and_cacheable(client: Any, site: Any, commune: Any, name: str, content_type: str) -> None:
    url = f"/widget/{commune.slug}/{name}"
    response = client.get(url, HTTP_ORIGIN="https://www.saint-aubin.example")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content == (WIDGET / name).read_bytes()
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response  # the site-wide page policy is relaxed for these files only
    assert not response.cookies
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag


def test_other_pages_keep_the_strict_policy(client: Any, site: Any, commune: Any) -> None:
    response = client.get(f"/widget/{commune.slug}/")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert f"/widget/{commune.slug}/widget.js&quot; defer&gt;&lt;/script&gt;" in html  # the snippet, escaped in a textarea
    assert "https://saint-aubin.example" in html and "https://www.saint-aubin.example" in html
    api = client.get(f"/api/website/{commune.slug}/comments", {"page": "https://www.saint-aubin.example/"})
    assert api["Content-Type"] == "application/json" and "Content-Security-Policy" in api


def test_no_widget_where_comments_are_not_enabled(client: Any, commune: Any) -> None:
    assert client.get(f"/widget/{commune.slug}/widget.js").status_code == 404
    assert client.get("/widget/inconnue/widget.css").status_code == 404
    assert client.get(f"/widget/{commune.slug}/").status_code == 404


def test_the_script_never_injects_html_nor_keeps_anything_on_the_visitors_device() -> None:
    source = (WIDGET / "widget.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "document.cookie", "localStorage", "sessionStorage", ".style"):
        assert forbidden not in code, forbidden
    assert code.count('credentials: "omit"') == 2  # both the GET and the POST
    assert "textContent" in code


def test_the_stylesheet_hides_the_honeypot_without_inline_styles() -> None:
    css = (WIDGET / "widget.css").read_text(encoding="utf-8")
    assert ".beffroi-c__hp" in css and "left: -10000px" in css
    script = (WIDGET / "widget.js").read_text(encoding="utf-8")
    assert 'tabindex: "-1"' in script and '"aria-hidden": "true"' in script and 'name: "homepage"' in script
