"""Partition on Dask distributed: 2 LocalCluster workers against 1 on the same atlas, one run.

Communities are independent problems, so the regionalization stage spreads over workers; the
refinement and apportioning run before it in the client process. Printed: wall time of the
whole run and of the regionalize stage for in-process, 1 worker and 2 workers, the 2-vs-1 ratio
(goal ≥ 1.7× on a 2-core machine for the regionalize stage) and atoms per second.

The clusters are started before the clock runs (a long-lived cluster is how a city runs it),
so the ratio is that of the work, not of starting worker processes.

Usage: .venv/bin/python benchmarks/bench_partition_dask.py [--atlas DIR] [--districts N]
(a city made by ``gridgeo demo-data --outline ... --code 440300``; ``--districts N`` keeps the
first N of its districts)
"""

from __future__ import annotations

import argparse
import time
import warnings

warnings.simplefilter("ignore")

from gridgeo.atlas import DEFAULT_DATA_DIR, load_atlas  # noqa: E402
from gridgeo.partition import run_partition  # noqa: E402
from gridgeo.partition.engine import Engine  # noqa: E402


def subset(atlas, n: int | None):
    """The first ``n`` districts of a city atlas (all when None)."""
    if not n:
        return atlas
    keep = sorted(atlas.district["code"].astype(str))[:n]
    comms = atlas.communities[atlas.communities["code"].astype(str).str[:6].isin(keep)]
    outline = comms.union_all()
    legacy = atlas.legacy[atlas.legacy.intersects(outline)]
    units = atlas.units[atlas.units["community_code"].astype(str).isin(comms["code"].astype(str))]
    return type(atlas)(meta=atlas.meta, district=atlas.district, streets=atlas.streets, communities=comms,
                       grids=atlas.grids, legacy=legacy, units=units)


def timed(atlas, engine: Engine) -> tuple[float, float, int]:
    """(wall s, regionalize s, atoms) of one whole run on ``engine``."""
    t = time.perf_counter()
    res = run_partition(atlas.communities, atlas.legacy, atlas.units, 300, 500, seed=0, engine=engine)
    return time.perf_counter() - t, res.metrics["timings"]["regionalize_s"], len(res.atoms)


def _print(label: str, row: tuple[float, float, int], atlas) -> None:
    wall, reg, atoms = row
    print(f"{label:15s} wall {wall:7.1f} s  regionalize {reg:7.1f} s  {atoms / wall:8.0f} atoms/s "
          f"({atoms} atoms, {len(atlas.communities)} communities)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--districts", type=int, help="keep the first N districts of a city")
    args = parser.parse_args()
    atlas = subset(load_atlas(args.atlas), args.districts)
    rows = {"in-process": timed(atlas, Engine())}
    _print("in-process", rows["in-process"], atlas)
    from dask.distributed import LocalCluster

    for n in (1, 2):
        label = f"dask {n} worker{'s' if n > 1 else ''}"
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            rows[label] = timed(atlas, Engine(scheduler=cluster.scheduler_address))
        _print(label, rows[label], atlas)
    one, two = rows["dask 1 worker"], rows["dask 2 workers"]
    print(f"2 workers vs 1: regionalize {one[1] / two[1]:.2f}x, whole run {one[0] / two[0]:.2f}x")


if __name__ == "__main__":
    main()
