"""Partition on Dask distributed: 2 LocalCluster workers against 1 on the same atlas, one run.

Communities are independent problems, so the regionalization stage spreads over workers; the
refinement and apportioning run before it in the client process. Printed: wall time of the
whole run and of the regionalize stage for in-process, 1 worker and 2 workers, the 2-vs-1 ratio
(goal ≥ 1.7× on a 2-core machine for the regionalize stage) and atoms per second.

Usage: .venv/bin/python benchmarks/bench_partition_dask.py [--atlas DIR]
"""

from __future__ import annotations

import argparse
import time
import warnings

warnings.simplefilter("ignore")

from gridgeo.atlas import DEFAULT_DATA_DIR, load_atlas  # noqa: E402
from gridgeo.partition import run_partition  # noqa: E402
from gridgeo.partition.engine import Engine  # noqa: E402


def timed(atlas, engine: Engine) -> tuple[float, float, int]:
    """(wall s, regionalize s, atoms) of one whole run on ``engine``."""
    t = time.perf_counter()
    res = run_partition(atlas.communities, atlas.legacy, atlas.units, 300, 500, seed=0, engine=engine)
    return time.perf_counter() - t, res.metrics["timings"]["regionalize_s"], len(res.atoms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", default=str(DEFAULT_DATA_DIR))
    atlas = load_atlas(parser.parse_args().atlas)
    rows = {}
    for label, engine in (("in-process", Engine()), ("dask 1 worker", Engine(workers=1)),
                          ("dask 2 workers", Engine(workers=2))):
        rows[label] = timed(atlas, engine)
        wall, reg, atoms = rows[label]
        print(f"{label:15s} wall {wall:7.1f} s  regionalize {reg:7.1f} s  {atoms / wall:8.0f} atoms/s "
              f"({atoms} atoms, {len(atlas.communities)} communities)")
    one, two = rows["dask 1 worker"], rows["dask 2 workers"]
    print(f"2 workers vs 1: regionalize {one[1] / two[1]:.2f}x, whole run {one[0] / two[0]:.2f}x")


if __name__ == "__main__":
    main()
