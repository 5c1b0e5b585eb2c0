#!/usr/bin/env bash
# Lint (style and the import contracts), start a throw-away PostGIS server, run the whole pytest suite against it, tear it down.
# The suite runs in two parts: everything but the speed and timing measures on $GRIDGEO_TEST_WORKERS
# pytest-xdist workers (default 2, one per core; each worker has its own PostGIS database, whole
# test files per worker), then the tests marked `serial` alone, so a measure never shares the
# machine with other tests. Arguments, when given, go to one plain pytest run instead.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/lint-imports
pgdir=$(mktemp -d /tmp/gridgeo-pg.XXXXXX)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'bash scripts/pg_test_server.sh stop "$pgdir"' EXIT
GRIDGEO_TEST_PG_URL=$(bash scripts/pg_test_server.sh start "$pgdir" "$port")
export GRIDGEO_TEST_PG_URL GRIDGEO_REQUIRE_PG=1 GRIDGEO_REQUIRE_BROWSER=1
if [ $# -gt 0 ]; then
  .venv/bin/python -m pytest "$@"
  exit
fi
status=0
.venv/bin/python -m pytest -n "${GRIDGEO_TEST_WORKERS:-2}" --dist loadfile -m "not serial" --durations=25 || status=$?
.venv/bin/python -m pytest -m serial --durations=10 || status=$?
exit $status
