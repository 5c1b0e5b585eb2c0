"""Benchmark: the live checks after one edit on the whole default district, gridgeo.plan vs a
straightforward geopandas recompute, on the same plan in the same process.

The plan is the partition's proposal over the default dataset's atoms (about 8,600 atoms, 1,250
grids). Each step moves one boundary atom into a neighbouring grid of its community (a random
rook neighbour, seeded), then recomputes what the editing page shows: per-grid households and
population, Polsby-Popper compactness, size status, and the grids that fall into pieces.

- gridgeo.plan: ``ops.move_atoms`` + ``integrity.validate`` (every rule) + ``figures.grid_figures``;
  grid outlines are dissolved once and then only for the grids an edit touched.
- peer: ``GeoDataFrame.dissolve(by="grid")`` of all atoms, then counts by groupby, compactness
  from the dissolved outlines, and pieces from ``explode``.

Both must agree on the households of every grid and on which grids are in pieces. Prints the
time per edit of each and the ratio.

    .venv/bin/python benchmarks/bench_plan_edit.py [--edits 20] [--seed 0]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t = time.perf_counter()
    plan = default_start_plan("proposal")
    print(f"partition + plan: {time.perf_counter() - t:.1f} s, {len(plan.atoms)} atoms, {len(plan.grids)} grids")
    t = time.perf_counter()
    validate(plan)
    grid_figures(plan)
    print(f"first check (adjacency, all outlines dissolved): {time.perf_counter() - t:.2f} s")
    atoms_metric = gpd.GeoDataFrame(plan.atoms.frame[["households", "population"]].reset_index(drop=True),
                                    geometry=plan.atoms.metric, crs="EPSG:4547")
    rng = np.random.default_rng(args.seed)
    a, b = plan.atoms.edges
    lo, hi = plan.band.min_households, plan.band.max_households
    ours, peer, checked = [], [], 0
    for _ in range(args.edits):
        labels = plan.labels()
        cand = np.flatnonzero((labels[a] != labels[b]) & (plan.atoms.community[a] == plan.atoms.community[b]))
        k = cand[rng.integers(len(cand))]
        atom, target = plan.atoms.ids[a[k]], labels[b[k]]
        t = time.perf_counter()
        plan = ops.move_atoms(plan, [atom], target)
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
    print(f"{checked} edits checked identical (households, compactness, grids in pieces)")
    print(f"gridgeo.plan move+validate+figures: median {o * 1000:.0f} ms per edit")
    print(f"geopandas dissolve recompute:       median {p * 1000:.0f} ms per edit")
    print(f"ratio (peer / gridgeo.plan): {p / o:.1f}x")


if __name__ == "__main__":
    main()
