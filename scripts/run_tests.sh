#!/usr/bin/env bash
# Lint (style and the import contracts), start a throw-away PostGIS server, run the whole pytest suite against it, tear it down.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/lint-imports
pgdir=$(mktemp -d /tmp/gridgeo-pg.XXXXXX)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'bash scripts/pg_test_server.sh stop "$pgdir"' EXIT
GRIDGEO_TEST_PG_URL=$(bash scripts/pg_test_server.sh start "$pgdir" "$port")
export GRIDGEO_TEST_PG_URL GRIDGEO_REQUIRE_PG=1 GRIDGEO_REQUIRE_BROWSER=1
.venv/bin/python -m pytest "$@"
