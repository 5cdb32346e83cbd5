"""Run the test platform by hand: ``python -m beffroi.connectors.testplatform --port 8765``.

Beffroi refuses to contact addresses of the local network (``connectors.urlguard``): start the Beffroi
that connects to this platform with ``BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS=1``."""

from __future__ import annotations

import argparse
import time

from beffroi.connectors.testplatform import PlatformStore, TestPlatformServer


def main() -> int:
    parser = argparse.ArgumentParser(description="Plateforme de test de Beffroi (serveur HTTP local).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="jeton-de-test")
    parser.add_argument("--no-idempotency", action="store_true", help="Ignore les clés d'idempotence (comme un vrai réseau).")
    args = parser.parse_args()
    store = PlatformStore(token=args.token, honour_idempotency_keys=not args.no_idempotency)
    server = TestPlatformServer(store, host=args.host, port=args.port).start()
    print(f"Plateforme de test : {server.url} (jeton « {args.token} »). Ctrl+C pour arrêter.")
    print("Lancez le Beffroi qui s'y connecte avec BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS=1 (adresse locale).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
