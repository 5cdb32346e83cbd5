"""Accessibility basics on every screen a commune's team uses, found by walking the URL patterns (a new
screen is checked the day it is added): the page language, one main heading, a label for every form
field, a text for every image and button, no positive tabindex. Run on the small demo commune, as the
communication director (who sees every screen) and, on a phone, the same markup is served."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from beffroi.core.models import Commune, Membership
from beffroi.workspace.demo import DEMO_SLUG, load_demo
from beffroi.workspace.models import Item
from tests.workspace.test_isolation import PATTERNS

FIXTURE = Path(__file__).parent.parent / "governance" / "fixtures" / "demo"
_LABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.h1 = 0
        self.fields: list[tuple[str, dict[str, str]]] = []  # (tag, attrs) of fields needing a label
        self.label_for: set[str] = set()
        self.inside_label = 0
        self.images_without_alt: list[str] = []
        self.buttons: list[dict[str, Any]] = []
        self.positive_tabindex: list[str] = []
        self._button: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.inside_label += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if not (tag == "input" and attrs.get("type", "text") in _LABELLED_INPUTS) and not self.inside_label:
                self.fields.append((tag, attrs))
        elif tag == "img" and "alt" not in attrs:
            self.images_without_alt.append(attrs.get("src", "?"))
        elif tag == "button":
            self._button = {"attrs": attrs, "text": ""}
        if attrs.get("tabindex", "0").lstrip("-").isdigit() and int(attrs.get("tabindex", "0")) > 0:
            self.positive_tabindex.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.inside_label:
            self.inside_label -= 1
        elif tag == "button" and self._button is not None:
            self.buttons.append(self._button)
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["text"] += data

    def problems(self) -> list[str]:
        out = []
        if not self.lang:
            out.append("<html> sans attribut lang")
        if self.h1 != 1:
            out.append(f"{self.h1} titre(s) <h1> au lieu d'un")
        for tag, attrs in self.fields:
            named = attrs.get("id") in self.label_for or attrs.get("aria-label") or attrs.get("aria-labelledby")
            if not named:
                out.append(f"<{tag} name={attrs.get('name')!r}> sans étiquette")
        out += [f"<img src={src!r}> sans alt" for src in self.images_without_alt]
        for button in self.buttons:
            if not button["text"].strip() and not button["attrs"].get("aria-label") and not button["attrs"].get("title"):
                out.append(f"<button name={button['attrs'].get('name')!r}> sans texte")
        out += [f"<{tag}> avec tabindex positif" for tag in self.positive_tabindex]
        return out


@pytest.fixture
def demo_client(db: Any, tmp_path: Path) -> tuple[Client, Commune]:
    load_demo(FIXTURE)
    commune = Commune.objects.get(slug=DEMO_SLUG)
    member = Membership.objects.filter(commune=commune, role="direction_com").select_related("user").first()
    assert member is not None
    client = Client()
    client.force_login(member.user)
    return client, commune


def _pages(commune: Commune) -> list[str]:
    item = Item.objects.filter(commune=commune).order_by("pk").first()
    assert item is not None
    urls = []
    for name, kwargs in PATTERNS:
        values: dict[str, Any] = {"commune": commune.slug}
        if set(kwargs) - {"commune"} == {"item_id"}:
            values["item_id"] = item.pk
        elif set(kwargs) != {"commune"}:
            continue  # screens of one record other than an item are reached from the lists
        urls.append(reverse(name, kwargs=values))
    return urls


@pytest.mark.django_db(transaction=True)
def test_every_commune_screen_passes_the_accessibility_basics(demo_client: tuple[Client, Commune]) -> None:
    client, commune = demo_client
    checked, failures = 0, {}
    for url in _pages(commune):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # actions (POST only), downloads, JSON and redirects
        html = response.content.decode()
        if "<html" not in html[:500]:
            continue  # a fragment refreshed in place (htmx), part of a page checked here
        audit = Audit()
        audit.feed(html)
        checked += 1
        if problems := audit.problems():
            failures[url] = problems
    assert checked >= 25, checked
    assert not failures, "\n".join(f"{url}: {'; '.join(p)}" for url, p in failures.items())


def test_the_audit_catches_what_it_looks_for() -> None:
    bad = Audit()
    bad.feed('<html><body><h1>A</h1><h1>B</h1><input name="q"><img src="x.png"><button></button>'
             '<a tabindex="3">x</a></body></html>')
    problems = " | ".join(bad.problems())
    for expected in ("sans attribut lang", "2 titre(s)", "<input name='q'> sans étiquette", "sans alt",
                     "<button name=None> sans texte", "tabindex positif"):
        assert expected in problems
    good = Audit()
    good.feed('<html lang="fr"><h1>A</h1><label for="q">Chercher</label><input id="q" name="q">'
              '<label>Tri <select name="s"></select></label><img src="x.png" alt=""><button>OK</button></html>')
    assert good.problems() == []
