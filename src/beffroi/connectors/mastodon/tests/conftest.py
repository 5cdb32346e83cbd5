"""Fixtures of the Mastodon connector's tests: the fake instance and a connector bound to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from beffroi.connectors.base import AccountConfig
from beffroi.connectors.mastodon.connector import MastodonConnector
from beffroi.connectors.mastodon.tests.fakeserver import TOKEN, FakeMastodon

NOW = dt.datetime(2024, 6, 2, 12, 0, tzinfo=dt.UTC)
COMMUNE_ID = "109000000000000001"


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        yield server


@pytest.fixture
def make_connector(fake: FakeMastodon) -> Callable[..., MastodonConnector]:
    def make(
        *, token: str = TOKEN, now: dt.datetime = NOW, external_id: str = COMMUNE_ID, **options: Any
    ) -> MastodonConnector:
        config = AccountConfig(
            platform="mastodon",
            external_id=external_id,
            credentials={"instance_url": fake.url, "access_token": token},
            options=options,
        )
        connector = MastodonConnector(config)
        connector.clock = lambda: now.timestamp()  # type: ignore[method-assign]
        return connector

    return make
