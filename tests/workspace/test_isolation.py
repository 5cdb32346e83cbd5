"""Isolation: a user of commune B can neither see nor act on anything of commune A — checked on EVERY
view and API endpoint under /c/<commune>/, found by walking the URL patterns (a new view is covered
the day it is added)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from beffroi.core.models import AuditRecord, Membership
from beffroi.core.roles import Role
from beffroi.workspace.actions import blocking
from beffroi.workspace.actions.decisions import do_hide_item
from beffroi.workspace.models import (
    BlockRequest,
    Decision,
    EvidenceRecord,
    Item,
    OnCallShift,
    OutboxEntry,
    SavedReply,
    Service,
)

pytestmark = pytest.mark.django_db


def commune_patterns() -> Iterator[tuple[str, list[str]]]:
    """(namespaced name, kwarg names) of every named URL under /c/<commune>/ (workspace, veille …)."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, list[str], str]]:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                yield from walk(p.url_patterns, ns, route)
            elif isinstance(p, URLPattern) and p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), list(p.pattern.converters), route

    seen = set()
    for name, _converters, route in walk(get_resolver().url_patterns, "", ""):
        if route.startswith("c/<slug:commune>/") and name not in seen:
            seen.add(name)
            import re

            kwargs = re.findall(r"<(?:\w+:)?(\w+)>", route)
            yield name, kwargs


PATTERNS = sorted(commune_patterns())


def test_the_walk_finds_the_moderation_screens() -> None:
    names = {name for name, _ in PATTERNS}
    for expected in ("workspace:inbox", "workspace:queue", "workspace:item", "workspace:item_action", "workspace:bulk",
                     "workspace:undo", "workspace:outbox_retry", "workspace:block_decide", "workspace:counts"):
        assert expected in names
    assert len(PATTERNS) >= 20


@pytest.fixture
def world(commune, other_commune, make_member, make_item, platform) -> dict[str, Any]:
    """Commune A with one of everything; a director of commune B."""
    director_a = make_member(commune, Role.DIRECTION_COM)
    item = make_item("Guignol", labels=("insult",), action="hide")
    decision = do_hide_item(item, director_a)[0]
    request = blocking.do_request_block(item.author, director_a, reason="Insultes répétées", duration_days=30, item=item)
    evidence = EvidenceRecord.objects.filter(commune=commune).order_by("seq").first()
    values = {
        "commune": commune.slug,
        "item_id": item.pk,
        "entry_id": OutboxEntry.objects.get(decision=decision).pk,
        "request_id": request.pk,
        "shift_id": OnCallShift.objects.create(commune=commune, user=director_a).pk,
        "account_id": item.account_id,
        "member_id": Membership.objects.get(user=director_a).pk,
        "reply_id": SavedReply.objects.create(commune=commune, title="Merci", text="Merci !").pk,
        "service_id": Service.objects.create(commune=commune, name="Voirie", email="v@example.org").pk,
        "seq": evidence.seq if evidence is not None else 1,
        "version": 1,
        "action": "hide",
        "decision": "approuver",
        "platform": "replay",
    }
    return {"values": values, "outsider": make_member(other_commune, Role.DIRECTION_COM), "item": item, "decision": decision}


def url_for(name: str, kwargs: list[str], values: dict[str, Any], commune_slug: str) -> str:
    args = {k: (commune_slug if k == "commune" else values.get(k, 1)) for k in kwargs}
    return reverse(name, kwargs=args)


def snapshot() -> tuple[int, ...]:
    return (
        Decision.objects.count(),
        OutboxEntry.objects.count(),
        BlockRequest.objects.filter(state="pending").count(),
        Item.objects.filter(status="review").count(),
        OnCallShift.objects.count(),
        AuditRecord.objects.exclude(verb__startswith="item.").count(),
    )


@pytest.mark.parametrize(("name", "kwargs"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_outsider_gets_404_on_every_screen_of_another_commune(client, world, name, kwargs) -> None:
    client.force_login(world["outsider"])
    target = url_for(name, kwargs, world["values"], world["values"]["commune"])
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(client, method)(target, {"decisions": str(world["decision"].pk), "items": [world["item"].pk], "action": "hide"})
        assert response.status_code == 404, f"{method.upper()} {target} → {response.status_code}"
        assert "Guignol" not in response.content.decode()
    assert snapshot() == before


WITH_OBJECTS = [p for p in PATTERNS if len(p[1]) > 1 or p[0] in ("workspace:undo", "workspace:bulk")]


@pytest.mark.parametrize(("name", "kwargs"), WITH_OBJECTS, ids=[p[0] for p in WITH_OBJECTS])
def test_member_of_b_cannot_reach_objects_of_a_through_b(client, world, other_commune, name, kwargs) -> None:
    """Same screens under commune B's own address, with commune A's object ids."""
    client.force_login(world["outsider"])
    target = url_for(name, kwargs, world["values"], other_commune.slug)
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(client, method)(target, {"decisions": str(world["decision"].pk), "items": [world["item"].pk], "action": "hide", "service": world["values"]["service_id"]})
        assert response.status_code in (200, 302, 400, 404, 405), f"{method.upper()} {target} → {response.status_code}"
        assert "Guignol" not in response.content.decode(), f"{method.upper()} {target} shows commune A's item"
        if response.status_code in (200, 302) and method == "post":
            # Accepted only when it is about commune B's own (empty) data.
            assert snapshot()[:5] == before[:5], f"POST {target} changed commune A's data"
    assert snapshot()[:5] == before[:5]
