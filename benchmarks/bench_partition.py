"""Partition benchmark: gridgeo's regionalizer vs spopt's MaxPHeuristic on the same atoms, and scaling.

One run, printed side by side. What is compared (same process, same default dataset):

1. End to end: ``run_partition`` on the whole default district, all legacy layers (1 and 2 jobs).
2. Regionalization only, on the same atoms, adjacency and communities (each community solved on
   its own): gridgeo's ``solve_community`` vs ``spopt.region.MaxPHeuristic`` with floor = min
   households and the atom centroids as attributes. MaxP with its default search budget
   (99 construction iterations, 10 annealing rounds) takes ~10 s per community here, so it runs
   on a sample of communities (--maxp-default-communities, default 2); MaxP with a small budget
   (3 construction iterations, 1 round) runs on all communities. Quality: share of grids within
   [min, max], Polsby-Popper median, legacy preservation (household-weighted ARI, mean largest
   legacy share) per layer, computed the same way for both.
3. Scaling: atoms subdivided synthetically (Voronoi cells of seeded random points inside each
   atom, noded into the refinement via ``extra_lines``) to about 10x as many (--factors).

Solver times are CPU seconds of this process (time.process_time), so that other jobs on the
shared machine do not distort the ratios; end-to-end lines give wall and CPU time.

Usage: .venv/bin/python benchmarks/bench_partition.py [--skip-scaling] [--maxp-default-communities N]
       [--factors 3 10]
"""

from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

warnings.simplefilter("ignore")

from gridgeo.atlas.load import load_default_atlas  # noqa: E402
from gridgeo.geo.crs import WGS84  # noqa: E402
from gridgeo.geo.metric import to_metric  # noqa: E402
from gridgeo.partition import run_partition  # noqa: E402
from gridgeo.partition.adjacency import rook_adjacency  # noqa: E402
from gridgeo.partition.problems import build_problem, community_inputs  # noqa: E402
from gridgeo.partition.regionalize import solve_community  # noqa: E402
from gridgeo.partition.scoring import largest_legacy_share, polsby_popper, weighted_ari  # noqa: E402

LO, HI = 300, 500


def quality(atoms: gpd.GeoDataFrame, labels: np.ndarray, layers: list[str]) -> dict:
    """Grids from atom labels: count, within-band share, PP median, preservation per layer."""
    a = atoms.assign(_g=labels)
    geoms = a[["_g", "geometry"]].dissolve(by="_g", method="coverage").geometry
    hh = a.groupby("_g")["households"].sum()
    out = {"grids": len(hh), "within": float(((hh >= LO) & (hh <= HI)).mean()),
           "pp_median": float(np.median(polsby_popper(geoms.values))),
           "multipart": int((shapely.get_num_geometries(geoms.values) > 1).sum())}
    for layer in layers:
        out[f"ari_{layer}"] = weighted_ari(a["_g"], a[f"legacy_{layer}"], a["households"])
        out[f"share_{layer}"] = float(largest_legacy_share(a, "_g", f"legacy_{layer}").mean())
    return out


def run_maxp(sub: gpd.GeoDataFrame, pairs: pd.DataFrame, construction: int, sa: int, seed: int = 0) -> np.ndarray:
    from libpysal.weights import W
    from spopt.region import MaxPHeuristic

    sub = sub.reset_index(drop=True)
    neigh: dict[int, list[int]] = {i: [] for i in range(len(sub))}
    for x, y in zip(pairs["a"], pairs["b"], strict=True):
        neigh[int(x)].append(int(y))
        neigh[int(y)].append(int(x))
    w = W(neigh, silence_warnings=True)
    cent = sub.geometry.centroid
    frame = sub.assign(cx=cent.x, cy=cent.y)
    if frame["households"].sum() < LO:
        return np.zeros(len(sub), dtype=int)
    np.random.seed(seed)
    model = MaxPHeuristic(frame, w, ["cx", "cy"], "households", LO, top_n=2,
                          max_iterations_construction=construction, max_iterations_sa=sa)
    model.solve()
    return np.asarray(model.labels_)


def compare(res, communities: gpd.GeoDataFrame, layers: list[str], n_default: int) -> None:
    atoms = to_metric(res.atoms).reset_index(drop=True)
    comms = to_metric(communities.assign(code=communities["code"].astype(str)), atoms.crs)
    problems = [build_problem(x) for x in community_inputs(atoms, comms, layers, res.metrics["primary_layer"],
                                                           LO, HI)]
    ours = np.empty(len(atoms), dtype=object)
    ours_time: dict[str, float] = {}
    for p in problems:
        t = time.process_time()
        r = solve_community(p, seed=0)
        ours_time[p.community] = time.process_time() - t
        ours[p.atom_ids] = [f"{p.community}#{x}" for x in r.labels]

    def maxp_over(codes: list[str], construction: int, sa: int) -> tuple[np.ndarray, float, np.ndarray]:
        labels = np.empty(len(atoms), dtype=object)
        mask = atoms["community"].isin(codes).to_numpy()
        total = 0.0
        for c in codes:
            idx = np.flatnonzero(atoms["community"].to_numpy() == c)
            sub = atoms.iloc[idx]
            pairs = rook_adjacency(sub)
            t = time.process_time()
            lab = run_maxp(sub, pairs, construction, sa)
            total += time.process_time() - t
            labels[idx] = [f"{c}#{x}" for x in lab]
        return labels, total, mask

    all_codes = sorted(atoms["community"].unique())
    sample = all_codes[:n_default]
    rows = []
    lab, t_small, mask = maxp_over(all_codes, 3, 1)
    t_ours_all = sum(ours_time.values())
    rows.append(("gridgeo solve_community", f"all {len(all_codes)} communities", t_ours_all,
                 quality(atoms[mask], ours[mask], layers)))
    rows.append(("MaxPHeuristic (3 constr., 1 SA)", f"all {len(all_codes)} communities", t_small,
                 quality(atoms[mask], lab[mask], layers)))
    if n_default:
        lab_d, t_def, mask_d = maxp_over(sample, 99, 10)
        t_ours_s = sum(ours_time[c] for c in sample)
        rows.append(("gridgeo solve_community", f"sample {len(sample)}: {','.join(c[-3:] for c in sample)}",
                     t_ours_s, quality(atoms[mask_d], ours[mask_d], layers)))
        rows.append(("MaxPHeuristic (defaults 99/10)", f"sample {len(sample)}", t_def,
                     quality(atoms[mask_d], lab_d[mask_d], layers)))
    print(f"\n== Regionalization on the same atoms ({len(atoms)} atoms; floor/band {LO}-{HI} households)")
    head = f"{'solver':34s} {'communities':28s} {'CPU s':>8s} {'grids':>6s} {'in band':>8s} {'PP med':>7s}"
    head += "".join(f" {'ARI ' + x[:5]:>10s}" for x in layers) + "".join(f" {'shr ' + x[:5]:>10s}" for x in layers)
    print(head)
    for name, scope, t, q in rows:
        line = f"{name:34s} {scope:28s} {t:8.2f} {q['grids']:6d} {q['within']:8.1%} {q['pp_median']:7.3f}"
        line += "".join(f" {q['ari_' + x]:10.3f}" for x in layers) + "".join(f" {q['share_' + x]:10.3f}" for x in layers)
        print(line)
    print(f"speed ratio (MaxP small budget / gridgeo, all communities): {t_small / max(t_ours_all, 1e-9):.1f}x")
    if n_default:
        print(f"speed ratio (MaxP defaults / gridgeo, sample): {t_def / max(t_ours_s, 1e-9):.1f}x")


def subdivision_lines(atoms_m: gpd.GeoDataFrame, factor: float, seed: int = 1) -> np.ndarray:
    """Voronoi edges of ``factor`` random points per atom (clipped to it, 0.5 m overshoot), WGS84."""
    rng = np.random.default_rng(seed)
    lines = []
    for geom in atoms_m.geometry.values:
        k = max(2, int(round(factor)))
        minx, miny, maxx, maxy = geom.bounds
        pts = []
        tries = 0
        while len(pts) < k and tries < 20 * k:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            tries += 1
            if geom.contains(shapely.Point(x, y)):
                pts.append((x, y))
        if len(pts) < 2:
            continue
        edges = shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=shapely.box(*geom.bounds).buffer(10),
                                         only_edges=True)
        parts = shapely.get_parts(shapely.intersection(edges, geom.buffer(0.5)))
        lines.extend(parts[np.isin(shapely.get_type_id(parts), (1, 5))])
    return gpd.GeoSeries(lines, crs=atoms_m.crs).to_crs(WGS84).values


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--maxp-default-communities", type=int, default=2)
    ap.add_argument("--factors", type=int, nargs="*", default=[10], help="subdivision factors (default 10)")
    args = ap.parse_args()
    a = load_default_atlas()
    layers = sorted(a.legacy["layer"].unique())
    print("== End to end: whole default district, all legacy layers", layers)
    res = None
    for jobs in (1, 2):
        t, c = time.perf_counter(), time.process_time()
        res_j = run_partition(a.communities, a.legacy, a.units, LO, HI, seed=0, n_jobs=jobs)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        m = res_j.metrics
        print(f"jobs={jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU of this process ({m['atoms']} atoms -> "
              f"{m['grids']} grids, {m['share_within_bounds']:.1%} in band); stages {m['timings']}")
        res = res if res is not None else res_j
    compare(res, a.communities, layers, args.maxp_default_communities)
    if args.skip_scaling:
        return
    print("\n== Scaling: atoms subdivided synthetically (Voronoi cells inside each atom)")
    base_atoms = to_metric(res.atoms)
    t, c = time.perf_counter(), time.process_time()
    res = run_partition(a.communities, a.legacy, a.units, LO, HI, seed=0)
    base_time, base_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"x1: {res.metrics['atoms']} atoms, {base_time:.1f} s wall, {base_cpu:.1f} s CPU, "
          f"stages {res.metrics['timings']}")
    for factor in args.factors:
        lines = subdivision_lines(base_atoms, factor)
        t, c = time.perf_counter(), time.process_time()
        r = run_partition(a.communities, a.legacy, a.units, LO, HI, seed=0, extra_lines=lines)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        m = r.metrics
        print(f"x{factor}: {m['atoms']} atoms ({m['atoms'] / res.metrics['atoms']:.1f}x), {wall:.1f} s wall "
              f"({wall / base_time:.1f}x), {cpu:.1f} s CPU ({cpu / base_cpu:.1f}x), "
              f"{m['share_within_bounds']:.1%} in band, "
              f"PP median {m['polsby_popper']['median']:.3f}; stages {m['timings']}")


if __name__ == "__main__":
    main()
