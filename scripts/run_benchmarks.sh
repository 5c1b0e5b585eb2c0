#!/usr/bin/env bash
# Run every benchmark in benchmarks/ (peer comparisons printed as ratios). Not part of `make test`.
# A PostGIS server is not needed; benchmarks use the embedded SQLite store and the default dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for bench in benchmarks/bench_*.py; do
  echo "== $bench"
  .venv/bin/python "$bench" "$@" || { echo "!! $bench failed"; status=1; }
done
exit $status
