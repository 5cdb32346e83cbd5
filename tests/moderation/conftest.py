"""Shared engines: building one loads the lexicons, word frequencies and model (a few seconds)."""

from __future__ import annotations

import pytest

from beffroi.domain.moderation.engine import Engine


@pytest.fixture(scope="session")
def rules_engine() -> Engine:
    """The engine without the learned model: what the rules alone decide."""
    return Engine(use_model=False)


@pytest.fixture(scope="session")
def full_engine() -> Engine:
    """The default engine: rules + shipped model + default charter."""
    return Engine()
