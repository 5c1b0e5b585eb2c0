"""Benchmark: one brush stroke on the whole default district, gridgeo.plan vs a straightforward
geopandas recompute, on the same plan in the same process.

The plan is today's grids over the default dataset's atoms (the common refinement of
communities, legacy layers and today's grids: about 15,000 atoms, 1,251 grids), as a planner
starts it. Each stroke paints 20 contiguous atoms of one grid, starting at its border, into the
neighbouring grid (as a paint brush dragged across the border would), then recomputes what the
editor shows: every integrity rule, and per grid the households, population, compactness and
size status.

- gridgeo.plan: ``ops.move_atoms`` + ``integrity.validate`` (every rule) + ``figures.grid_figures``;
  grid outlines are dissolved once and then only for the grids a stroke touched.
- peer: ``GeoDataFrame.dissolve(by="grid")`` of all atoms, then counts by groupby, compactness
  from the dissolved outlines, and pieces from ``explode``.

Both must agree on the households and compactness of every grid and on which grids are in
pieces. Prints the server time per stroke of each (median and 90th percentile), the ratio, and
whether the goal of under 300 ms per stroke holds.

    .venv/bin/python benchmarks/bench_plan_edit.py [--strokes 20] [--atoms 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.plan import ops
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.integrity import validate
from gridgeo.plan.start import default_start_plan


def peer_recompute(atoms: gpd.GeoDataFrame, labels: np.ndarray, lo: float, hi: float) -> tuple[pd.DataFrame, set]:
    frame = atoms[["households", "population", "geometry"]].copy()
    frame["grid"] = labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grids = frame.dissolve(by="grid", aggfunc="sum")
    area, perim = grids.geometry.area, grids.geometry.length
    grids["polsby_popper"] = 4 * np.pi * area / perim**2
    grids["size_status"] = np.where(grids["households"] < lo, "under_min",
                                    np.where(grids["households"] > hi, "over_max", "ok"))
    parts = grids.geometry.explode(index_parts=True).groupby(level=0).size()
    return grids, set(parts.index[parts > 1])


def stroke_atoms(plan, rng: np.random.Generator, size: int) -> tuple[list[str], str]:
    """``size`` contiguous atoms of a grid, grown from its border with a neighbouring grid of the
    same community (breadth first), and that neighbour: what a brush stroke across the border paints."""
    atoms = plan.atoms
    a, b = atoms.edges
    labels = plan.labels()
    members = plan.members()
    cand = np.flatnonzero((labels[a] != labels[b]) & (atoms.community[a] == atoms.community[b]))
    while True:
        k = cand[rng.integers(len(cand))]
        src, dst = labels[a[k]], labels[b[k]]
        if len(members[src]) > size + 5:
            break
    inside = np.zeros(len(atoms), dtype=bool)
    inside[members[src]] = True
    picked, frontier, seen = [], [int(a[k])], {int(a[k])}
    while frontier and len(picked) < size:
        nxt = []
        for pos in frontier:
            if len(picked) == size:
                break
            picked.append(pos)
            for n in atoms.neighbours(np.array([pos])):
                if inside[n] and int(n) not in seen:
                    seen.add(int(n))
                    nxt.append(int(n))
        frontier = nxt
    return [str(atoms.ids[p]) for p in picked], str(dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=20)
    parser.add_argument("--atoms", type=int, default=20, help="atoms painted per stroke")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t = time.perf_counter()
    plan = default_start_plan("current")
    print(f"refinement + plan from today's grids: {time.perf_counter() - t:.1f} s, {len(plan.atoms)} atoms, "
          f"{len(plan.grids)} grids")
    t = time.perf_counter()
    validate(plan)
    grid_figures(plan)
    print(f"first check (adjacency, all outlines dissolved): {time.perf_counter() - t:.2f} s")
    atoms_metric = gpd.GeoDataFrame(plan.atoms.frame[["households", "population"]].reset_index(drop=True),
                                    geometry=plan.atoms.metric, crs="EPSG:4547")
    rng = np.random.default_rng(args.seed)
    lo, hi = plan.band.min_households, plan.band.max_households
    ours, peer, checked, moved = [], [], 0, []
    for _ in range(args.strokes):
        ids, target = stroke_atoms(plan, rng, args.atoms)
        moved.append(len(ids))
        t = time.perf_counter()
        plan = ops.move_atoms(plan, ids, target)
        issues = validate(plan)
        figs = grid_figures(plan)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        grids, pieces = peer_recompute(atoms_metric, plan.labels(), lo, hi)
        peer.append(time.perf_counter() - t)
        ours_pieces = {i.grid for i in issues if i.rule == "non_contiguous"}
        live = figs[figs["atoms"] > 0]
        assert np.allclose(live["households"].to_numpy(), grids.loc[live.index, "households"].to_numpy())
        assert np.allclose(live["polsby_popper"].to_numpy(), grids.loc[live.index, "polsby_popper"].to_numpy(),
                           rtol=1e-6)
        assert ours_pieces == pieces, (ours_pieces ^ pieces)
        checked += 1
    o, p = float(np.median(ours)), float(np.median(peer))
    print(f"{checked} strokes of {int(np.median(moved))} atoms checked identical (households, compactness, "
          "grids in pieces)")
    print(f"gridgeo.plan stroke -> checks + figures: median {o * 1000:.0f} ms, p90 "
          f"{np.percentile(ours, 90) * 1000:.0f} ms per stroke")
    print(f"geopandas dissolve recompute:           median {p * 1000:.0f} ms, p90 "
          f"{np.percentile(peer, 90) * 1000:.0f} ms per stroke")
    print(f"ratio (peer / gridgeo.plan): {p / o:.1f}x")
    print(f"goal < 300 ms server time per stroke: {'met' if o < 0.3 else 'NOT met'} (median {o * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
