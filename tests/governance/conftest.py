"""Fixtures of the governance tests (builders in ``helpers.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.governance import helpers


@pytest.fixture
def make_item(db: Any) -> Callable[..., Any]:
    """make_item(commune, text, labels=(), action="keep", kind="comment", ...) -> Item with a stored
    Verdict (the engine itself is not called)."""
    return helpers.make_item


@pytest.fixture
def make_decision(db: Any) -> Callable[..., Any]:
    return helpers.make_decision


@pytest.fixture
def user_factory(db: Any) -> Callable[..., Any]:
    return helpers.make_user


@pytest.fixture
def director(commune: Any, make_member: Callable[..., Any]) -> Any:
    """A member of ``commune`` with every permission: the actor of governance actions (they check
    the actor's role)."""
    from beffroi.core.roles import Role

    return make_member(commune, Role.DIRECTION_COM)


@pytest.fixture
def record(db: Any) -> Callable[..., Any]:
    """record(commune, text, labels, kind="hide") -> EvidenceRecord of a new item acted on."""
    from beffroi.workspace.actions.evidence import record_evidence

    def make(
        commune: Any, text: str = "Espèce d'abruti", labels: tuple[str, ...] = ("insult",), kind: str = "hide", **fields: Any
    ) -> Any:
        item = helpers.make_item(commune, text, labels, "review" if labels else "keep", **fields)
        return record_evidence(item, helpers.make_decision(item, kind))

    return make
