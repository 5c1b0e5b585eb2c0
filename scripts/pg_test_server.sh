#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL + PostGIS server on loopback for the tests.
#   scripts/pg_test_server.sh start DIR PORT   -> prints the database URL
#   scripts/pg_test_server.sh stop DIR
set -euo pipefail
action=$1; dir=$2; port=${3:-55432}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$pgbin/initdb" -D "$dir/data" -A trust -U gridgeo -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
    "$pgbin/psql" -h 127.0.0.1 -p "$port" -U gridgeo -d postgres -qAt \
      -c "CREATE DATABASE gridgeo_test" >/dev/null
    "$pgbin/psql" -h 127.0.0.1 -p "$port" -U gridgeo -d gridgeo_test -qAt \
      -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
    echo "postgresql+psycopg://gridgeo@127.0.0.1:$port/gridgeo_test"
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
