"""Benchmark: assign 1,000,000 points to 10,000 grids with gridgeo.events.assign.GridIndex vs
geopandas.sjoin(predicate="within") on the same data, in the same process.

The grids are a Voronoi tessellation of random seeds clipped to a ~30 x 30 km box around
Guangming (irregular polygons sharing borders, like real grids). Both methods start from the
same lon/lat arrays; results must be identical (random points never fall exactly on a border,
where "within" and the covers-rule legitimately differ). Prints times and the throughput
ratio (best of --repeat runs each; the machine is shared, so single runs are noisy). The index is built once per published grid set, so its build time is printed apart;
the ratio including the build is printed too.

    .venv/bin/python benchmarks/bench_assign.py [--points 1000000] [--grids 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import shapely

from gridgeo.events.assign import GridIndex


def make_grids(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = 113.78, 22.68, 114.08, 22.96
    seeds = shapely.multipoints(np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.box(x0, y0, x1, y1)))
    cells = shapely.intersection(cells, shapely.box(x0, y0, x1, y1))
    codes = [f"440311{i // 1000:03d}{i // 100 % 10:03d}{i % 100:03d}" for i in range(len(cells))]
    return gpd.GeoDataFrame({"code": codes}, geometry=cells, crs="EPSG:4326")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each method (default 3)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    grids = make_grids(args.grids, rng)
    x0, y0, x1, y1 = grids.total_bounds
    pad = 0.01  # some points fall outside every grid
    x = rng.uniform(x0 - pad, x1 + pad, args.points)
    y = rng.uniform(y0 - pad, y1 + pad, args.points)
    print(f"{len(grids):,} grids (Voronoi, {shapely.get_num_coordinates(grids.geometry.values).sum():,} vertices), "
          f"{args.points:,} points")

    def run_sjoin() -> np.ndarray:
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
        joined = gpd.sjoin(pts, grids, how="left", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        return joined["index_right"].reindex(pts.index).fillna(-1).astype(np.int64).to_numpy()

    def best(fn, repeat: int):
        times, result = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
        return min(times), result

    t_sjoin, sjoin_idx = best(run_sjoin, args.repeat)
    t_build, index = best(lambda: GridIndex(grids), 1)
    t_lookup, ours = best(lambda: index.lookup(x, y), args.repeat)

    same = np.array_equal(ours, sjoin_idx)
    n_diff = int((ours != sjoin_idx).sum())
    print(f"geopandas.sjoin(within): {t_sjoin:8.3f} s  {args.points / t_sjoin:12,.0f} points/s")
    print(f"GridIndex build:         {t_build:8.3f} s  (once per published grid set)")
    print(f"GridIndex.lookup:        {t_lookup:8.3f} s  {args.points / t_lookup:12,.0f} points/s")
    print(f"identical results: {same} ({n_diff} differences; {int((ours < 0).sum()):,} out of area)")
    print(f"throughput ratio (lookup vs sjoin): {t_sjoin / t_lookup:.1f}x")
    print(f"ratio including the index build:    {t_sjoin / (t_build + t_lookup):.1f}x")
    if not same:
        raise SystemExit("results differ")


if __name__ == "__main__":
    main()
