"""Benchmark: /risk's computation with 1,000,000 (or 10,000,000) events in the store, three ways
on the same store in the same process, outputs checked equal:

- ``gridgeo.analysis.risk.risk_table``: the rolling open-case sums of the window's span (about one row
  per area, :mod:`gridgeo.store.open_windows`) plus the partial first hour;
- the hourly aggregates alone (``event_counts`` summed over the window's hours);
- the old pandas path (``Store.events_frame`` over the window + ``risk_by_area``), skipped for
  windows holding more than ``--max-pandas-rows`` events.

Prints p50 of each (wall time, and the CPU time of this process: on the shared machine the wall
time mostly measures the load), their ratios, and the peak Python memory of one call of the
first and the last (tracemalloc, which numpy and pandas report to).

Events are spread over the last ``--days`` days (default 30) and bulk-written through
``Store.insert_rows`` (so the aggregates are kept as in production), already assigned to the
grids (the demo district's, or with ``--atlas-dir`` an imported atlas's, e.g. the whole-Shenzhen
demo city), with statuses as a month of lifecycles leaves them (older events mostly resolved),
in random time order (the worst case for reading a window of raw events). ``--sql-fill``
(PostGIS) writes them inside PostgreSQL instead, and the rolling sums are then rebuilt from the
aggregates. Windows: 24 h (about a thirtieth of the events) and the whole ``--days``.

    .venv/bin/python benchmarks/bench_risk.py [--events 1000000] [--pg-url postgresql+psycopg://...]
        [--sql-fill] [--skip-sqlite] [--atlas-dir /work/city/shenzhen]
    # 10,000,000 events on a city: --events 10000000 --sql-fill --skip-sqlite --atlas-dir DIR --pg-url URL
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from gridgeo.analysis.risk import DEFAULT_RULE, _apply_rule, area_table, risk_by_area, risk_table
from gridgeo.atlas.load import load_default_atlas
from gridgeo.events.lifecycle import TIME_LIMITS_H
from gridgeo.events.schema import category_codes
from gridgeo.services.workspace import open_store
from gridgeo.store.counts import open_case_counts

CHANNELS = ("app", "hotline", "grid_worker", "volunteer", "hall")


def make_rows(grids, n: int, now: datetime, days: float, rng: np.random.Generator, serial: int) -> list[dict]:
    """``n`` stored-event rows over the last ``days`` days (1 % out of area)."""
    hh = pd.to_numeric(grids["households"], errors="coerce").fillna(1).to_numpy(float) + 1
    pick = rng.choice(len(grids), size=n, p=hh / hh.sum())
    points = grids.geometry.representative_point()
    lon, lat = points.x.to_numpy()[pick], points.y.to_numpy()[pick]
    out = rng.random(n) < 0.01
    age_s = rng.uniform(0, days * 86400.0, n)
    reported = pd.to_datetime(now) - pd.to_timedelta(age_s, unit="s")
    level = rng.choice([1, 2, 3, 4], size=n, p=[0.03, 0.12, 0.45, 0.40])
    cats = np.array(category_codes())[rng.integers(0, len(category_codes()), n)]
    chan = np.array(CHANNELS)[rng.integers(0, len(CHANNELS), n)]
    # older events are further along: P(still open) falls from 0.9 (just reported) to 0.05 (a week)
    p_open = np.clip(0.9 * np.exp(-age_s / (2 * 86400.0)), 0.05, 0.9)
    u = rng.random(n)
    status = np.where(u < p_open * 0.5, "reported", np.where(u < p_open * 0.9, "accepted", np.where(
        u < p_open, "escalated", np.where(u < p_open + 0.05, "rejected", np.where(
            u < 0.7, "resolved", np.where(u < 0.85, "confirmed", "feedback"))))))
    handle = pd.to_timedelta(rng.exponential(8 * 3600.0, n), unit="s")
    codes = {c: grids[c].astype(str).to_numpy()[pick] for c in ("code", "community_code", "street_code")}
    t_rep = reported.floor("us").to_pydatetime()
    t_res = (reported + handle).floor("us").to_pydatetime()
    limits = {lv: timedelta(hours=h) for lv, h in TIME_LIMITS_H["immediate"].items()}
    rows = []
    for k in range(n):
        t, st, inside, lv = t_rep[k], str(status[k]), not out[k], int(level[k])
        resolved = t_res[k] if st in ("resolved", "confirmed", "feedback") else None
        community = codes["community_code"][k]
        rows.append({
            "id": f"b{serial + k}", "reported_at": t, "received_at": t, "lon": float(lon[k]), "lat": float(lat[k]),
            "crs_in": "WGS84", "lon_in": None, "lat_in": None, "category": str(cats[k]), "level": lv,
            "channel": str(chan[k]), "text": "", "list_type": "immediate", "status": st, "status_notes": None,
            "grid_code": codes["code"][k] if inside else None, "community_code": community if inside else None,
            "street_code": codes["street_code"][k] if inside else None,
            "grid_set_version": 1, "out_of_area": not inside,
            "dispatch_target": f"community:{community}" if inside else "district:440311",
            "due_at": t + limits[lv], "accepted_at": t if st not in ("reported", "rejected") else None,
            "resolved_at": resolved, "updated_at": resolved or t,
        })
    return rows


def fill(store, n: int, now: datetime, days: float, seed: int) -> float:
    """Bulk-write ``n`` events (chunks of 50,000); return the seconds it took."""
    grids = store.current_grid_set()[1]
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for start in range(0, n, 50_000):
        store.insert_rows(make_rows(grids, min(50_000, n - start), now, days, rng, start), actor="bench")
    return time.perf_counter() - t0


_SQL_FILL = """
WITH src AS (
    SELECT g, CAST(:now AS timestamptz) - random() * :days * interval '1 day' AS t,
           1 + floor(random() * :ngrids)::int AS k,
           random() AS u, random() AS lv_r, random() AS cat_r, random() AS ch_r, random() AS h_r
    FROM generate_series(:first, :last) AS g
), rows AS (
    SELECT 'q' || g AS id, t, gr.*, u, ch_r, h_r,
           CASE WHEN lv_r < 0.03 THEN 1 WHEN lv_r < 0.15 THEN 2 WHEN lv_r < 0.60 THEN 3 ELSE 4 END AS level,
           (CAST(:cats AS text[]))[1 + floor(cat_r * cardinality(CAST(:cats AS text[])))::int] AS category,
           greatest(0.05, least(0.9, 0.9 * exp(-extract(epoch FROM CAST(:now AS timestamptz) - t) / 172800.0))) AS p_open
    FROM src JOIN bench_grids gr USING (k)
), statused AS (
    SELECT *, CASE WHEN u < p_open * 0.5 THEN 'reported' WHEN u < p_open * 0.9 THEN 'accepted'
                   WHEN u < p_open THEN 'escalated' WHEN u < p_open + 0.05 THEN 'rejected'
                   WHEN u < 0.7 THEN 'resolved' WHEN u < 0.85 THEN 'confirmed' ELSE 'feedback' END AS status
    FROM rows
), ins AS (
    INSERT INTO events (id, reported_at, received_at, lon, lat, crs_in, category, level, channel, text, list_type,
                        status, grid_code, community_code, street_code, grid_set_version, out_of_area,
                        dispatch_target, due_at, accepted_at, resolved_at, updated_at)
    SELECT id, t, t, lon, lat, 'WGS84', category, level, (CAST(:channels AS text[]))[1 + floor(ch_r * cardinality(CAST(:channels AS text[])))::int],
           '', 'immediate', status, code, community_code, street_code, :version, false,
           'community:' || community_code, t + (CAST(:limits AS float8[]))[level] * interval '1 hour',
           CASE WHEN status NOT IN ('reported', 'rejected') THEN t END,
           CASE WHEN status IN ('resolved', 'confirmed', 'feedback') THEN t - ln(1 - h_r) * interval '8 hours' END,
           CASE WHEN status IN ('resolved', 'confirmed', 'feedback') THEN t - ln(1 - h_r) * interval '8 hours' ELSE t END
    FROM statused ORDER BY statused.t  -- each chunk's rows in time order, as live intake writes them
    RETURNING reported_at, grid_code, community_code, street_code, level, category, status
)
INSERT INTO event_counts (bucket, grid_code, community_code, street_code, level, category, status, n)
SELECT date_trunc('hour', reported_at, 'UTC'), grid_code, community_code, street_code, level, category, status, count(*)
FROM ins GROUP BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (status, bucket, grid_code, community_code, street_code, level, category)
DO UPDATE SET n = event_counts.n + excluded.n
"""


def sql_fill(store, n: int, now: datetime, days: float, seed: int, chunk: int = 500_000) -> float:
    """PostGIS only: write ``n`` events inside PostgreSQL (generate_series; grids picked uniformly,
    at their point on surface, none out of area; into their months' partitions, each chunk in
    time order), with their aggregates, in chunks of ``chunk``;
    the seconds it took. For 10 million events, where ``fill`` through Python would take hours."""
    import sqlalchemy as sa

    version = store.current_version()
    months = [now - timedelta(days=d) for d in range(int(days) + 2)]
    store._partitions.ensure(store.write_engine, months)  # as the write path does: rows go to their month
    limits = [TIME_LIMITS_H["immediate"][lv] for lv in (1, 2, 3, 4)]
    t0 = time.perf_counter()
    with store.write_engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS bench_grids"))
        conn.execute(sa.text(
            "CREATE TABLE bench_grids AS SELECT row_number() OVER (ORDER BY code)::int AS k, code, community_code, "
            "street_code, ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT code, community_code, street_code, "
            "ST_PointOnSurface(ST_GeomFromWKB(wkb, 4326)) AS p FROM grid_set_grids WHERE version = :v) s"),
            {"v": version})
        ngrids = conn.execute(sa.text("SELECT count(*) FROM bench_grids")).scalar_one()
        first = conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one() + 1
        conn.execute(sa.text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
    for start in range(first, first + n, chunk):
        last = min(start + chunk, first + n) - 1
        with store.write_engine.begin() as conn:
            conn.execute(sa.text(_SQL_FILL), {
                "now": now, "days": days, "ngrids": ngrids, "first": start, "last": last, "version": version,
                "cats": list(category_codes()), "channels": list(CHANNELS), "limits": limits})
        print(f"  {last - first + 1:,} of {n:,} events written ({time.perf_counter() - t0:.0f} s)", flush=True)
    with store.write_engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE bench_grids"))
        # the fill wrote event_counts directly: the /risk rolling sums are rebuilt from them
        conn.execute(sa.text("DELETE FROM open_counts"))
        conn.execute(sa.text("DELETE FROM open_windows"))
        conn.execute(sa.text("ANALYZE events"))
        conn.execute(sa.text("ANALYZE event_counts"))
    return time.perf_counter() - t0


def events_in(store, start: datetime) -> int:
    """Events reported since ``start``."""
    import sqlalchemy as sa

    from gridgeo.store import schema

    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.events)
                            .where(schema.events.c.reported_at >= start)).scalar_one()


def timed(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def p50(fn, repeat: int, first: tuple[float, float] | None = None) -> tuple[float, float]:
    """Median wall and CPU seconds over ``repeat`` calls (plus a ``first`` sample already taken)."""
    samples = [first] if first else []
    samples += [timed(fn)[:2] for _ in range(repeat)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def use_atlas(url: str, folder: str, name: str) -> None:
    """Import the atlas in ``folder`` into the store at ``url`` and make it active, as a grid
    office does (`gridgeo atlas import` and `atlas use`), unless the store already has grids."""
    store = open_store(url, seed_default=False)
    has_grids = store.current_version() is not None
    store.close()
    if has_grids:
        return
    env = {**os.environ, "GRIDGEO_DATABASE_URL": url}
    gridgeo = [sys.executable, "-m", "gridgeo"]
    subprocess.run([*gridgeo, "atlas", "import", "--dir", folder, "--name", name, "--quiet"], env=env, check=True)
    subprocess.run([*gridgeo, "atlas", "use", name], env=env, check=True)


def bench(url: str, label: str, args) -> None:
    if args.atlas_dir:
        use_atlas(url, args.atlas_dir, args.atlas_name)
    store = open_store(url, seed_default=True)  # the demo grid set, explicitly (unless --atlas-dir)
    now = datetime.now(UTC)
    have = store.count_events()
    if have < args.events:
        bulk = args.sql_fill and store.backend == "postgresql"
        secs = (sql_fill if bulk else fill)(store, args.events - have, now, args.days, args.seed)
        how = "inside PostgreSQL" if bulk else "through Store.insert_rows"
        print(f"[{label}] wrote {args.events - have:,} events {how} in {secs:.0f} s "
              f"({(args.events - have) / secs:,.0f}/s, aggregates kept in the same transactions)", flush=True)
    grids = store.current_grid_set()[1]
    print(f"[{label}] {store.count_events():,} events in the store, {len(grids):,} grids; "
          f"machine load {os.getloadavg()[0]:.1f}", flush=True)
    secs, _, spans = timed(lambda: store.refresh_open_windows(now))
    print(f"[{label}] rolling open-case sums: {len(spans)} span(s) built or moved in {secs:.2f} s", flush=True)
    for window in (timedelta(hours=24), timedelta(days=args.days)):
        bench_window(store, label, args, now, window, area_table(grids, "grid"))
    store.close()


def bench_window(store, label: str, args, now: datetime, window: timedelta, areas: pd.DataFrame) -> None:
    """p50 of /risk's computation for one window: the rolling sums (``risk_table``), the hourly
    aggregates alone, and (when the window is small enough) the pandas path; outputs checked equal."""
    def rolling():
        return risk_table(store, "grid", window, now, areas=areas)

    def hourly():
        return _apply_rule(areas, open_case_counts(store.engine, "grid_code", now - window,
                                                   DEFAULT_RULE.open_statuses), DEFAULT_RULE)

    def old():
        return risk_by_area(store.events_frame(now - window, None, now=now), areas, "grid")

    pd.testing.assert_frame_equal(rolling(), hourly())
    (t_new, cpu_new), (t_hour, _) = p50(rolling, args.repeat_new), p50(hourly, max(3, args.repeat_new // 3))
    line = (f"[{label}] window {window}: p50 rolling sums {t_new * 1000:.1f} ms (CPU here {cpu_new * 1000:.1f} ms), "
            f"hourly aggregates {t_hour * 1000:.1f} ms ({t_hour / t_new:.1f}x)")
    in_window = events_in(store, now - window)
    if in_window > args.max_pandas_rows:
        print(f"{line}; pandas path not run: it would load {in_window:,} events (> --max-pandas-rows)", flush=True)
        return
    w_old, c_old, expected = timed(old)
    pd.testing.assert_frame_equal(rolling(), expected)
    repeat_old = args.repeat_old if window <= timedelta(days=1) else max(0, args.repeat_old - 2)
    t_old, cpu_old = p50(old, repeat_old, (w_old, c_old))
    m_new, m_old = peak_mb(rolling), peak_mb(old)
    print(f"{line}, pandas {t_old * 1000:.0f} ms (CPU {cpu_old * 1000:.0f} ms): {t_old / t_new:.0f}x; "
          f"peak Python memory {m_new:.1f} MB vs {m_old:.0f} MB "
          f"({int(expected['open_cases'].sum()):,} open cases in the window)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat-new", type=int, default=21)
    parser.add_argument("--repeat-old", type=int, default=3)
    parser.add_argument("--sqlite", default=None, help="SQLite file to use/keep (default: a temp file)")
    parser.add_argument("--pg-url", default=None, help="also run on this (empty or benchmark) PostGIS database")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--sql-fill", action="store_true",
                        help="on PostGIS, write the events inside PostgreSQL (for 10,000,000 events)")
    parser.add_argument("--atlas-dir", default=None,
                        help="import this atlas folder (e.g. the whole-Shenzhen demo city) instead of the demo district")
    parser.add_argument("--atlas-name", default="bench-city")
    parser.add_argument("--max-pandas-rows", type=int, default=3_000_000,
                        help="skip the pandas path for windows holding more events than this")
    args = parser.parse_args()
    load_default_atlas()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{args.sqlite or tmp + '/bench.sqlite'}", "SQLite", args)
    if args.pg_url:
        bench(args.pg_url, "PostGIS", args)


if __name__ == "__main__":
    main()
