"""Every watch screen renders with real data; permissions per role; commune isolation (a member of
commune B gets a 404 on every veille address of commune A, with GET and POST)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from beffroi.core.models import AuditRecord
from beffroi.core.roles import Role
from beffroi.veille.actions import config
from beffroi.veille.models import Alert, AlertDelivery, Crisis, Fact, WatchTerm

pytestmark = pytest.mark.django_db


def veille_patterns() -> list[tuple[str, list[str]]]:
    out = []

    def walk(patterns: list[Any], ns: str, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns, route)
            elif isinstance(p, URLPattern) and p.name and ns == "veille":
                out.append((f"veille:{p.name}", re.findall(r"<(?:\w+:)?(\w+)>", route)))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set((n, tuple(k)) for n, k in out))  # type: ignore[misc]


PATTERNS = veille_patterns()
GET_ONLY_POST = {"veille:term_remove", "veille:fact_toggle", "veille:webhook_secret", "veille:delivery_retry",
                 "veille:alert_follow", "veille:crisis_step", "veille:crisis_report", "veille:crisis_reply",
                 "veille:crisis_reopen", "veille:crisis_check_reply"}


@pytest.fixture
def world(cascade: Any, make_member: Any, other_commune: Any) -> dict[str, Any]:
    commune = cascade["commune"]
    hook, _ = config.save_webhook(commune, None, name="Slack du cabinet", url="https://hooks.example.org/x", fmt="slack")
    alert = Alert.objects.filter(commune=commune).first()
    values = {
        "commune": commune.slug,
        "crisis_id": cascade["crisis"].pk,
        "alert_id": alert.pk,
        "term_id": WatchTerm.objects.filter(commune=commune).first().pk,
        "fact_id": Fact.objects.filter(commune=commune).first().pk,
        "webhook_id": hook.pk,
        "delivery_id": AlertDelivery.objects.filter(alert__commune=commune).first().pk,
    }
    return {**cascade, "values": values, "outsider": make_member(other_commune, Role.DIRECTION_COM), "other": other_commune}


def url(name: str, kwargs: tuple[str, ...], values: dict[str, Any], slug: str) -> str:
    return reverse(name, kwargs={k: (slug if k == "commune" else values[k]) for k in kwargs})


def test_every_veille_address_is_routed() -> None:
    names = {n for n, _ in PATTERNS}
    for expected in ("home", "mentions", "volumes", "digest", "alerts", "crisis", "crisis_report", "crisis_reply",
                     "crisis_step", "crisis_sheet", "crisis_pdf", "crisis_close", "settings_terms", "settings_facts",
                     "settings_sources", "settings_alerting", "webhook_new"):
        assert f"veille:{expected}" in names


def test_every_screen_renders_with_real_data(client, world) -> None:
    client.force_login(world["director"])
    claim_word = "piscine"
    for name, kwargs in PATTERNS:
        if name in GET_ONLY_POST:
            continue
        response = client.get(url(name, kwargs, world["values"], world["commune"].slug))
        assert response.status_code == 200, f"{name} → {response.status_code}"
        if name == "veille:crisis_pdf":
            assert response["Content-Type"] == "application/pdf"
            continue
        if name == "veille:crisis_sheet_text":
            assert "faux comptes" in response.content.decode()
            continue
        body = response.content.decode()
        assert "<script>" not in body and " style=" not in body, f"{name}: inline script or style (CSP)"
        if name in ("veille:home", "veille:mentions", "veille:crisis", "veille:alerts"):
            assert claim_word in body, name


def test_mentions_show_sentiment_explanation_and_filters(client, world) -> None:
    client.force_login(world["director"])
    base = f"/c/{world['commune'].slug}/veille/mentions/"
    page = client.get(base).content.decode()
    assert "Pourquoi « négatif »" in page and "termes : " in page
    negative = client.get(base, {"sentiment": "negative"}).content.decode()
    positive = client.get(base, {"sentiment": "positive"}).content.decode()
    assert "badge-sentiment-positive" not in negative and "badge-sentiment-negative" not in positive
    only_x = client.get(base, {"platform": "x"}).content.decode()
    assert "facebook.com/groups" not in only_x and "x.com/" in only_x
    festival = client.get(base, {"term": "Loire en fête"})
    assert festival.status_code == 200 and "piscine municipale de Saint-Aubin sera réservée" not in festival.content.decode()
    pool = client.get(base, {"term": "piscine", "q": "mardi"}).content.decode()
    assert "piscine" in pool and "Rien à voir" not in pool
    bad = client.get(base, {"period": "365"})
    assert bad.status_code == 200 and "Sélectionnez un choix valide" in bad.content.decode()


def test_volumes_per_source_and_topic(client, world) -> None:
    client.force_login(world["director"])
    page = client.get(f"/c/{world['commune'].slug}/veille/volumes/", {"period": "7", "bucket": "hour"}).content.decode()
    assert "Par source" in page and "Facebook" in page and "<svg" in page and "Par thème" in page


VIEW = {Role.DIRECTION_COM, Role.COMMUNITY_MANAGER, Role.SECRETAIRE, Role.ELU}
EXPECTED = {
    "veille:home": VIEW,
    "veille:mentions": VIEW,
    "veille:volumes": VIEW,
    "veille:digest": VIEW,
    "veille:alerts": VIEW,
    "veille:crisis": VIEW,
    "veille:crisis_pdf": VIEW,
    "veille:crisis_close": {Role.DIRECTION_COM, Role.COMMUNITY_MANAGER},
    "veille:settings_terms": {Role.DIRECTION_COM},
    "veille:settings_alerting": {Role.DIRECTION_COM},
}


@pytest.mark.parametrize("role", list(Role))
def test_permissions_per_role(client, world, make_member, role) -> None:
    user = make_member(world["commune"], role)
    client.force_login(user)
    for name, allowed in EXPECTED.items():
        kwargs = next(k for n, k in PATTERNS if n == name)
        response = client.get(url(name, kwargs, world["values"], world["commune"].slug))
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, f"{role} {name} → {response.status_code}"


@pytest.mark.parametrize("role", [Role.SECRETAIRE, Role.ELU, Role.MODERATEUR_BENEVOLE, Role.LECTEUR])
def test_only_the_crisis_team_acts_in_the_room(client, world, make_member, role) -> None:
    client.force_login(make_member(world["commune"], role))
    crisis = world["crisis"]
    base = f"/c/{world['commune'].slug}/veille/crise/{crisis.pk}/"
    item = crisis.posts.first().item_id
    before = AuditRecord.objects.count()
    for path, data in (("etape/", {"step": "circle", "done": "1"}), ("signaler/", {"item": item}),
                       ("repondre/", {"item": item, "text": "Bonjour"}), ("cloture/", {"confirm": "1"})):
        assert client.post(base + path, data).status_code == 403
    assert AuditRecord.objects.count() == before
    if role in (Role.SECRETAIRE, Role.ELU):  # they read the room, without the action buttons
        page = client.get(base).content.decode()
        assert "Marquer comme fait" not in page and "Signalé à la main" not in page and "Enregistrer la réponse" not in page


@pytest.mark.parametrize(("name", "kwargs"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_member_of_another_commune_gets_404(client, world, name, kwargs) -> None:
    client.force_login(world["outsider"])
    target = url(name, kwargs, world["values"], world["commune"].slug)
    before = AuditRecord.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(target, {"item": world["items"][40].pk, "step": "circle", "done": "1",
                                                    "text": "x", "confirm": "1", "frequency": "daily"})
        assert response.status_code == 404, f"{method.upper()} {target} → {response.status_code}"
        assert "piscine" not in response.content.decode()
    assert AuditRecord.objects.count() == before


WITH_IDS = [p for p in PATTERNS if len(p[1]) > 1]


@pytest.mark.parametrize(("name", "kwargs"), WITH_IDS, ids=[p[0] for p in WITH_IDS])
def test_objects_of_a_are_not_reachable_through_b(client, world, name, kwargs) -> None:
    client.force_login(world["outsider"])
    target = url(name, kwargs, world["values"], world["other"].slug)
    for method in ("get", "post"):
        response = getattr(client, method)(target, {"item": world["items"][40].pk, "confirm": "1"})
        assert response.status_code in (404, 405), f"{method.upper()} {target} → {response.status_code}"
    assert Crisis.objects.get(pk=world["crisis"].pk).is_open
