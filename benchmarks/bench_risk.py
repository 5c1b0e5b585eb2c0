"""Benchmark: /risk with 1,000,000 events in the store — the aggregates path
(``gridgeo.risk.risk_table``: ``event_counts`` + the partial first hour) against the old pandas
path (``Store.events_frame`` over the window + ``risk_by_area``), on the same store, in the same
process. Outputs are checked equal. Prints p50 of each (wall time, and the CPU time of this
process: on the shared machine the wall time mostly measures the load), their ratio, and the
peak Python memory of one call of each (tracemalloc, which numpy and pandas report to).

Events are spread over the last ``--days`` days (default 30) and bulk-written through
``Store.insert_rows`` (so the aggregates are kept as in production), already assigned to the
default atlas's grids, with statuses as a month of lifecycles leaves them (older events mostly
resolved), in random time order (the worst case for reading a window of raw events). Windows:
24 h (about a thirtieth of the events) and the whole ``--days`` (all of them).

    .venv/bin/python benchmarks/bench_risk.py [--events 1000000] [--pg-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from gridgeo.atlas import load_default_atlas
from gridgeo.events import category_codes
from gridgeo.lifecycle import TIME_LIMITS_H
from gridgeo.risk import area_table, risk_by_area, risk_table
from gridgeo.store import open_store

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


def bench(url: str, label: str, args) -> None:
    store = open_store(url, seed_default=True)  # the demo grid set, explicitly
    now = datetime.now(UTC)
    have = store.count_events()
    if have < args.events:
        secs = fill(store, args.events - have, now, args.days, args.seed)
        print(f"[{label}] wrote {args.events - have:,} events in {secs:.0f} s "
              f"({(args.events - have) / secs:,.0f}/s, aggregates kept in the same transactions)", flush=True)
    print(f"[{label}] {store.count_events():,} events in the store; machine load {os.getloadavg()[0]:.1f}",
          flush=True)
    grids = store.current_grid_set()[1]
    for window in (timedelta(hours=24), timedelta(days=args.days)):
        areas = area_table(grids, "grid")

        def old(window=window, areas=areas):
            return risk_by_area(store.events_frame(now - window, None, now=now), areas, "grid")

        def new(window=window, areas=areas):
            return risk_table(store, "grid", window, now, areas=areas)

        w_old, c_old, expected = timed(old)
        pd.testing.assert_frame_equal(new(), expected)
        repeat_old = args.repeat_old if window <= timedelta(days=1) else max(0, args.repeat_old - 2)
        (t_new, cpu_new), (t_old, cpu_old) = p50(new, args.repeat_new), p50(old, repeat_old, (w_old, c_old))
        m_new, m_old = peak_mb(new), peak_mb(old)
        print(f"[{label}] window {window}: p50 aggregates {t_new * 1000:.1f} ms (CPU here {cpu_new * 1000:.1f} ms), "
              f"pandas {t_old * 1000:.0f} ms (CPU {cpu_old * 1000:.0f} ms): {t_old / t_new:.0f}x faster; "
              f"peak Python memory {m_new:.1f} MB vs {m_old:.0f} MB "
              f"({int(expected['open_cases'].sum()):,} open cases in the window)", flush=True)
    store.close()


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
    args = parser.parse_args()
    load_default_atlas()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{args.sqlite or tmp + '/bench.sqlite'}", "SQLite", args)
    if args.pg_url:
        bench(args.pg_url, "PostGIS", args)


if __name__ == "__main__":
    main()
