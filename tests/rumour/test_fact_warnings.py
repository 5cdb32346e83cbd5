"""The facts screen warns, in French, about a fact the watch cannot use (no subject, nothing a claim
could contradict)."""

from __future__ import annotations

from typing import Any

import pytest

from beffroi.core.roles import Role
from beffroi.veille.models import Fact

pytestmark = pytest.mark.django_db

UNUSABLE = "Les inscriptions au périscolaire se font en ligne sur le portail famille."
USABLE = "La piscine municipale est ouverte à toutes et à tous, aux horaires habituels."


@pytest.fixture
def director(commune: Any, client: Any, make_member: Any) -> Any:
    user = make_member(commune, Role.DIRECTION_COM, username="direction")
    client.force_login(user)
    return user


def test_facts_screen_warns_about_an_unusable_fact(client: Any, commune: Any, director: Any) -> None:
    url = f"/c/{commune.slug}/veille/reglages/faits/"
    r = client.post(url, {"text": UNUSABLE}, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "aucune rumeur ne pourra être reconnue" in page  # the message after adding, and in the list
    assert 'class="message message-warning small fact-problems"' in page
    client.post(url, {"text": USABLE})
    page = client.get(url).content.decode()
    assert page.count("fact-problems") == 1  # only the unusable one
    fact = Fact.objects.get(text=UNUSABLE)
    edit = client.get(f"{url}{fact.pk}/").content.decode()
    assert "fact-problems" in edit
