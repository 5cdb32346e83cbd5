"""Fixtures of the website comments tests: a commune with its website declared."""

from __future__ import annotations

from typing import Any

import pytest

SITE = "https://www.saint-aubin.example"


@pytest.fixture
def site(commune: Any) -> Any:
    from beffroi.workspace.models import Account

    return Account.objects.create(
        commune=commune, platform="website", external_id=SITE, name="Site de la mairie", owned=True,
        options={"origins": ["https://agenda.saint-aubin.example"]},
    )


@pytest.fixture
def api(commune: Any) -> str:
    return f"/api/website/{commune.slug}/comments"


@pytest.fixture
def real_engine() -> None:
    """The real moderation engine decides publication (no stand-in)."""
