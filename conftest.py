"""Fixtures shared by every test (tests/ and the connector folders under src/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def make_commune(db: Any) -> Callable[..., Any]:
    from beffroi.core.models import Commune

    def make(slug: str = "saint-aubin", name: str | None = None, **fields: Any) -> Any:
        return Commune.objects.create(slug=slug, name=name or slug.replace("-", " ").title(), **fields)

    return make


@pytest.fixture
def commune(make_commune: Callable[..., Any]) -> Any:
    return make_commune("saint-aubin", "Saint-Aubin")


@pytest.fixture
def other_commune(make_commune: Callable[..., Any]) -> Any:
    return make_commune("villeneuve", "Villeneuve")


@pytest.fixture
def make_member(db: Any) -> Callable[..., Any]:
    """make_member(commune, role, username=None) -> user with that role in that commune."""
    from django.contrib.auth import get_user_model

    from beffroi.core.models import Membership

    counter = {"n": 0}

    def make(commune: Any, role: str, username: str | None = None, **membership: Any) -> Any:
        counter["n"] += 1
        name = username or f"{role}-{commune.slug}-{counter['n']}"
        user = get_user_model().objects.create_user(username=name, password="motdepasse-solide-42")
        Membership.objects.create(user=user, commune=commune, role=str(role), **membership)
        return user

    return make


@pytest.fixture
def client_as(client: Any, make_member: Callable[..., Any]) -> Callable[..., Any]:
    """client_as(commune, role) -> a Django test client logged in as a new member with that role."""

    def login(commune: Any, role: str) -> Any:
        user = make_member(commune, role)
        client.force_login(user)
        client.user = user
        return client

    return login


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_append_only_tables() -> Any:
    """Transactional tests end with Django's `flush`, which deletes every row. The append-only
    triggers (core.dbguard) rightly refuse that; only for the test flush, lift the guard the same
    way the retention purge does."""
    from django.core.management.commands import flush
    from django.db import DatabaseError, connections

    original = flush.Command.handle

    def set_guard(alias: str, value: int) -> None:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("UPDATE core_writeguard SET purge_allowed = %s WHERE id = 1", [value])
        except DatabaseError:
            pass  # table not there (migrations not run yet)

    def handle(self: Any, **options: Any) -> Any:
        alias = options.get("database") or "default"
        set_guard(alias, 1)
        try:
            return original(self, **options)
        finally:
            set_guard(alias, 0)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original
