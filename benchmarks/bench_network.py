"""Benchmark and closing figures of the service network (issue 23) on the embedded demo:

1. a simulated week (gridgeo.demo.simulate.seed_store: 7 days × ``--per-day`` cases, lifecycles
   advanced to the end of the week), then one escalation run at the end of the week and seeded
   simulated reporter ratings (80 % 满意, 15 % 基本满意, 5 % 不满意) of the cases at the feedback
   step; prints the per-hall figures (gridgeo.analysis.halls), by tier and the busiest halls;
2. the dispatch cost per case: the hall and nearest-station routing alone
   (``ServiceNetwork.route``) and the whole intake preparation (assign, dispatch, hall, station,
   due time: ``gridgeo.services.intake.prepare``), best of ``--repeat`` runs, in µs per case.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_network.py [--per-day 1200] [--cases 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from gridgeo.analysis.halls import district_figures, hall_figures
from gridgeo.atlas.load import load_default_atlas
from gridgeo.demo.simulate import generate_events, seed_store
from gridgeo.events.schema import validate_events
from gridgeo.services.escalation import escalate
from gridgeo.services.intake import prepare
from gridgeo.services.network import service_network
from gridgeo.services.workspace import open_store
from gridgeo.store.ratings import rate_case

NOW = datetime(2026, 3, 9, 0, tzinfo=UTC)  # the end of the simulated week (a Monday, 08:00 in Shanghai)


def simulated_week(store, atlas, per_day: int, seed: int) -> pd.DataFrame:
    """Seed a week, escalate at its end, rate the cases at the feedback step; the cases' frame."""
    seed_store(store, atlas, days=7, per_day=per_day, seed=seed, now=NOW)
    moved = escalate(store, NOW)
    frame = store.events_frame(extra=True, now=NOW)
    rng = np.random.default_rng(seed)
    rated = 0
    for eid in frame.loc[frame["status"].isin(["confirmed", "feedback"]), "id"]:
        with contextlib.suppress(ValueError):
            rate_case(store, eid, str(rng.choice(["satisfied", "fair", "unsatisfied"], p=[0.8, 0.15, 0.05])),
                      "reporter", NOW, 5)
            rated += 1
    print(f"simulated week: {len(frame):,} cases, {len(moved):,} escalated at the end of the week, {rated:,} rated")
    return store.events_frame(extra=True, now=NOW)


def print_figures(frame: pd.DataFrame, atlas) -> None:
    points = atlas.service_points.set_index("code")
    figures = hall_figures(frame, NOW)
    figures["tier"] = figures["hall_code"].map(points["tier"])
    figures["name"] = figures["hall_code"].map(points["name"])
    totals = district_figures(frame, NOW)
    print("district:", {k: round(float(v), 3) if k.endswith(("_h", "share")) else int(v) for k, v in totals.items()})
    by_tier = figures.groupby("tier")[["cases", "closed", "overdue", "escalated", "rated"]].sum()
    print("by tier of the responsible hall:\n" + by_tier.to_string())
    cols = ["hall_code", "name", "cases", "closed", "closed_local_share", "median_h", "p90_h", "overdue",
            "escalated", "rated", "satisfied_share"]
    print("busiest 10 halls:\n" + figures[cols].head(10).to_string(index=False))
    out = Path(tempfile.gettempdir()) / "gridgeo_hall_figures_week.csv"
    figures.to_csv(out, index=False)
    print(f"all {len(figures)} halls written to {out}")


def dispatch_cost(store, atlas, n: int, repeat: int) -> None:
    events = generate_events(atlas, n=n, duration=3600.0, seed=99, start=NOW, id_prefix="bench")
    valid, errors = validate_events(events, now=NOW + pd.Timedelta(hours=2))
    valid = [e for e in valid if e is not None]
    network = service_network(store)
    idx_rows = prepare(store, valid[:10], NOW)  # warm the caches (grid index, network)
    assert all("hall_code" in r for r in idx_rows)
    lon, lat = np.array([e.lon for e in valid]), np.array([e.lat for e in valid])
    rows = prepare(store, valid, NOW)
    targets = [r["dispatch_target"] for r in rows]
    community = np.array([r["community_code"] for r in rows], dtype=object)
    street = np.array([r["street_code"] for r in rows], dtype=object)
    best_route = best_prepare = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        network.route(targets, lon, lat, community, street)
        best_route = min(best_route, time.perf_counter() - t)
        t = time.perf_counter()
        prepare(store, valid, NOW)
        best_prepare = min(best_prepare, time.perf_counter() - t)
    one = min(_time(lambda: prepare(store, valid[:1], NOW)) for _ in range(200))
    one_route = min(_time(lambda: network.route(targets[:1], lon[:1], lat[:1], community[:1], street[:1]))
                    for _ in range(200))
    print(f"dispatch cost, {len(valid):,} cases in one batch: hall + nearest station {best_route / len(valid) * 1e6:.1f} µs"
          f"/case; whole intake preparation {best_prepare / len(valid) * 1e6:.1f} µs/case; "
          f"a batch of one: routing {one_route * 1e6:.0f} µs, whole preparation {one * 1e6:.0f} µs")


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=1200, help="cases a day in the simulated week")
    parser.add_argument("--cases", type=int, default=20_000, help="cases timed for the dispatch cost")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    atlas = load_default_atlas()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'week.sqlite'}", seed_default=False)
        store.publish_grid_set(atlas.grids, author="bench")
        frame = simulated_week(store, atlas, args.per_day, args.seed)
        print_figures(frame, atlas)
        dispatch_cost(store, atlas, args.cases, args.repeat)
        store.close()


if __name__ == "__main__":
    main()
