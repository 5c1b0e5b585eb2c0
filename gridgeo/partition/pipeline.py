"""propose_grids: communities + legacy layers + basic units -> grids, crosswalk, metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.atlas.model import COUNT_COLUMNS, DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS
from gridgeo.errors import InputError, UsageError
from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import to_metric
from gridgeo.partition.apportion import apportion, crowded_cut_lines
from gridgeo.partition.chunks import DEFAULT_HALO_M, ChunkPlan, apportion_chunked, chunk_keys, refine_chunked
from gridgeo.partition.codes import assign_codes
from gridgeo.partition.crosswalk import build_crosswalk, outcome_summary
from gridgeo.partition.engine import Engine, Session, open_session, solve_problems
from gridgeo.partition.overlay import dissolve_valid, prepare_layers, refine
from gridgeo.partition.problems import community_inputs
from gridgeo.partition.scoring import (
    change_class,
    distribution,
    largest_legacy_share,
    polsby_popper,
    size_status,
    weighted_ari,
)

Progress = Callable[[str, float], None]  # (stage message, fraction done 0..1)


@dataclass
class PartitionResult:
    """Everything a run produces; ``grids`` and ``atoms`` are in WGS84."""

    grids: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    metrics: dict
    atoms: gpd.GeoDataFrame


def _require(gdf: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in gdf.columns]
    if missing:
        raise InputError(f"{what}: missing field(s) {', '.join(missing)}; add them (needs {', '.join(cols)})")
    if len(gdf) == 0:
        raise InputError(f"{what}: no features; give a layer with features")


def check_inputs(communities: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                 lo: float, hi: float) -> None:
    """The minimal checks the partition needs, as one-line InputError/UsageError."""
    if not (0 <= lo < hi):
        raise UsageError(f"--min-households {lo:g} must be >= 0 and below --max-households {hi:g}")
    _require(communities, ("code",), "communities")
    _require(legacy, ("code", "layer"), "legacy")
    _require(units, ("households",), "units")
    for name, gdf in (("communities", communities), ("legacy", legacy), ("units", units)):
        if gdf.crs is None:
            raise InputError(f"{name}: no CRS; give the layer in WGS84 (EPSG:4326)")
        bad = gdf.geometry.isna() | gdf.geometry.is_empty
        if bad.any():
            raise InputError(f"{name}: feature {int(np.flatnonzero(bad.to_numpy())[0]) + 1} has no geometry; "
                             "fix or drop it")
    if communities["code"].duplicated().any():
        dup = communities.loc[communities["code"].duplicated(), "code"].iloc[0]
        raise InputError(f"communities: code {dup} used twice; give each community its own code")
    for col in COUNT_COLUMNS:
        if col in units.columns:
            v = pd.to_numeric(units[col], errors="coerce")
            if (v < 0).any() or (v.isna() & units[col].notna()).any():
                raise InputError(f"units: field {col} has a negative or non-numeric value; write counts >= 0")


def choose_primary(atoms: pd.DataFrame, layers: list[str], lo: float, hi: float) -> tuple[str, dict]:
    """The layer whose legacy grids most often already fit the band (ties: more grids, name)."""
    fit = {}
    for layer in layers:
        hh = atoms.groupby(["community", f"legacy_{layer}"])["households"].sum()
        fit[layer] = (float(((hh >= lo) & (hh <= hi)).mean()) if len(hh) else 0.0, len(hh))
    best = max(layers, key=lambda k: (fit[k][0], fit[k][1], k))
    return best, {k: round(v[0], 4) for k, v in fit.items()}


def to_wgs84_valid(gdf: gpd.GeoDataFrame, densify_m: float = 5.0) -> gpd.GeoDataFrame:
    """Reproject metric polygons to WGS84 without folding rings.

    A long straight edge in EPSG:4547 is slightly curved in lon/lat, but reprojection keeps only
    its end points: where a sub-millimetre sliver merged into a grid runs along such an edge, the
    other side (with many vertices) can then cross it. Geometries that come out invalid are
    densified (``shapely.segmentize``, ``densify_m``) before reprojecting; any still invalid are
    made valid, keeping the largest polygon when the rest totals under 1 m².
    """
    out = gdf.to_crs(WGS84)
    geoms = out.geometry.values
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    if len(bad) == 0:
        return out
    fixed = np.asarray(geoms, dtype=object).copy()
    dense = gpd.GeoSeries(shapely.segmentize(gdf.geometry.values[bad], densify_m), crs=gdf.crs).to_crs(WGS84)
    fixed[bad] = dense.values
    metric_area = shapely.area(gdf.geometry.values)
    for i in bad[~shapely.is_valid(fixed[bad])]:
        geom = shapely.make_valid(fixed[i], method="structure", keep_collapsed=False)
        parts = shapely.get_parts(geom)
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        if len(parts) == 0:
            continue
        areas = shapely.area(parts)
        scale = metric_area[i] / max(float(areas.sum()), 1e-30)  # m² per square degree, locally
        fixed[i] = parts[int(np.argmax(areas))] if (areas.sum() - areas.max()) * scale < 1.0 \
            else shapely.union_all(parts)
    return out.set_geometry(gpd.GeoSeries(fixed, index=out.index, crs=WGS84))


def enclosing_grids(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame,
                    min_m2: float = 1.0) -> list[dict]:
    """Grids (metric, with code and community) whose holes are filled by other grids.

    A hole counts when more than ``min_m2`` of it lies inside the grid's community (a hole of the
    community itself is fine). Returns one dict per such grid: code, households, population,
    hole_m2 and the codes of the grids inside its holes.
    """
    geoms = grids.geometry.values
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    has = np.unique(part_of[shapely.get_num_interior_rings(parts) > 0])
    if len(has) == 0:
        return []
    by_code = dict(zip(communities["code"].astype(str), communities.geometry.values, strict=True))
    points = shapely.point_on_surface(geoms)
    out = []
    for i in has:
        row = grids.iloc[i]
        comm = by_code.get(str(row["community"]))
        polys = shapely.get_parts(geoms[i])
        holes = [shapely.Polygon(r) for p in polys for r in p.interiors]
        filled = [h for h in holes if comm is None or shapely.area(shapely.intersection(h, comm)) > min_m2]
        if not filled:
            continue
        hole = shapely.union_all(filled)
        same = np.flatnonzero((grids["community"] == row["community"]).to_numpy())
        inner = [str(grids["code"].iloc[j]) for j in same if j != i and shapely.contains(hole, points[j])]
        out.append({"code": str(row["code"]), "households": round(float(row["households"]), 1),
                    "population": round(float(row["population"]), 1),
                    "hole_m2": round(float(sum(shapely.area(h) for h in filled)), 1), "encloses": sorted(inner)})
    return sorted(out, key=lambda e: e["code"])


def _chunk_plan(comms_p: gpd.GeoDataFrame, comm_m: gpd.GeoDataFrame, chunk_by: str | None,
                halo_m: float) -> ChunkPlan | None:
    """The chunks of the refinement (None: one whole refinement); keys from the input communities."""
    if chunk_by is None:
        return None
    if chunk_by not in ("street", "community"):
        raise UsageError(f"chunk_by must be street, community or None, not {chunk_by!r}")
    keys = dict(zip(comm_m["code"], chunk_keys(comm_m, chunk_by), strict=True))
    return ChunkPlan.build(comms_p, np.array([keys[c] for c in comms_p["code"]], dtype=object), halo_m)


@dataclass
class _Stages:
    """The refinement and apportioning of one run: whole, or chunk by chunk on the run's session."""

    comms: gpd.GeoDataFrame
    frames: dict
    report: object
    current: gpd.GeoDataFrame | None
    units: gpd.GeoDataFrame
    legacy: gpd.GeoDataFrame
    primary_layer: str | None
    session: Session
    plan: ChunkPlan | None
    cache: dict = field(default_factory=dict)
    links: tuple | None = None  # the unit-atom links the chunks made with the last atoms
    rounds: list[int] = field(default_factory=list)  # chunks refined in each round

    def refine(self, lines: list) -> gpd.GeoDataFrame:
        """The atoms, with ``lines`` (metric) noded in (chunked: linked to the units in the same tasks)."""
        extra = np.asarray(lines, dtype=object) if lines else None
        if self.plan is None:
            return refine(self.comms, self.frames, self.report, extra_lines=extra, current=self.current)
        before = len(self.cache)
        atoms, self.links = refine_chunked(self.comms, self.frames, self.report, self.plan, self.session,
                                           extra_lines=extra, current=self.current, cache=self.cache,
                                           units=self.units)
        self.rounds.append(len(self.cache) - before)
        return atoms

    def apportion(self, atoms: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
        """The atoms with their counts, and the apportion report."""
        if self.plan is None:
            return apportion(atoms, self.units, self.legacy, self.primary_layer)
        return apportion_chunked(atoms, self.units, self.plan, self.session, self.legacy, self.primary_layer,
                                 links=self.links)


def run_partition(communities: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                  min_households: float = DEFAULT_MIN_HOUSEHOLDS,
                  max_households: float = DEFAULT_MAX_HOUSEHOLDS, primary_layer: str | None = None,
                  seed: int = 0, sliver_m2: float = 100.0, repair: str = "auto", n_jobs: int = 1,
                  min_population: float | None = None, max_population: float | None = None,
                  previous: gpd.GeoDataFrame | None = None, layers: list[str] | None = None,
                  split_crowded: bool = True, extra_lines: np.ndarray | None = None,
                  progress: Progress | None = None, engine: Engine | None = None,
                  current: gpd.GeoDataFrame | None = None, chunk_by: str | None = "street",
                  halo_m: float = DEFAULT_HALO_M) -> PartitionResult:
    """Propose all-element grids; the full result including the atoms (see propose_grids).

    ``current`` (WGS84 code + geometry: today's grids) is made a layer of the refinement, so
    every atom lies in one of today's grids (its ``current_grid``) and a plan started from them
    reproduces them exactly (``gridgeo.plan.start``). ``chunk_by`` ("street", "community" or None
    for one whole refinement) chunks the refinement and the apportioning
    (:mod:`gridgeo.partition.chunks`; halo ``halo_m``); the chunks and the community problems run
    on ``engine``.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    lo, hi = float(min_households), float(max_households)
    check_inputs(communities, legacy, units, lo, hi)
    if min_population is not None and max_population is not None and not (
            0 <= float(min_population) < float(max_population)):
        raise UsageError(f"--min-population {min_population:g} must be >= 0 and below "
                         f"--max-population {max_population:g}")
    legacy = legacy.copy()
    legacy["layer"] = legacy["layer"].astype(str)
    if layers:
        unknown = sorted(set(layers) - set(legacy["layer"]))
        if unknown:
            raise UsageError(f"legacy layer(s) {', '.join(unknown)} not in the legacy data; it holds "
                             f"{', '.join(sorted(legacy['layer'].unique()))}")
        legacy = legacy[legacy["layer"].isin(layers)]
    all_layers = sorted(legacy["layer"].unique())
    if primary_layer is not None and primary_layer not in all_layers:
        raise UsageError(f"--primary-layer {primary_layer}: no such legacy layer; choose one of "
                         f"{', '.join(all_layers)}")

    def tick(stage: str, frac: float) -> None:
        if progress:
            progress(stage, frac)

    tick("refine", 0.0)
    comm_m = to_metric(communities.assign(code=communities["code"].astype(str)))  # the district's GK zone
    legacy_m = to_metric(legacy.assign(code=legacy["code"].astype(str)), comm_m.crs)
    units_m = to_metric(units, comm_m.crs)
    current_m = None
    if current is not None:
        _require(current, ("code",), "current grids")
        current_m = to_metric(current[["code", "geometry"]].assign(code=current["code"].astype(str)), comm_m.crs)
    base_lines: list = []
    if extra_lines is not None and len(extra_lines):
        base_lines = list(gpd.GeoSeries(np.asarray(extra_lines, dtype=object), crs=WGS84).to_crs(comm_m.crs).values)
    engine = engine or Engine(jobs=n_jobs)
    with open_session(engine) as session:
        comms_p, frames, refine_report = prepare_layers(comm_m, legacy_m, sliver_m2=sliver_m2, repair=repair,
                                                        run_map=session.map)
        plan = _chunk_plan(comms_p, comm_m, chunk_by, halo_m)
        stages = _Stages(comms_p, frames, refine_report, current_m, units_m, legacy_m, primary_layer, session, plan)
        atoms = stages.refine(base_lines)
        timings["refine_s"] = time.perf_counter() - t0
        tick("apportion", 0.3)
        t = time.perf_counter()
        atoms, apportion_report = stages.apportion(atoms)
        refine_report.crowded_atoms_cut = 0
        if split_crowded:
            all_lines: list = list(base_lines)
            for _ in range(3):  # a cut can leave a new crowded atom where slivers merged: repeat
                lines, n_cut = crowded_cut_lines(atoms, units_m, hi)
                if not n_cut:
                    break
                all_lines.extend(lines)
                atoms = stages.refine(all_lines)
                atoms, apportion_report = stages.apportion(atoms)
                refine_report.crowded_atoms_cut += n_cut
        timings["apportion_s"] = time.perf_counter() - t
        if primary_layer is None:
            primary_layer, fit = choose_primary(atoms, all_layers, lo, hi)
            primary_reason = f"auto: the layer whose grids most often fit the band {fit}"
        else:
            primary_reason = "given"
        tick("regionalize", 0.4)
        t = time.perf_counter()
        problems = community_inputs(atoms, comms_p, all_layers, primary_layer, lo, hi, min_population,
                                    max_population)

        def sub_tick(stage: str, frac: float) -> None:
            tick(stage, 0.4 + 0.5 * frac)

        results = solve_problems(problems, seed, engine, sub_tick, session)
        timings["regionalize_s"] = time.perf_counter() - t
    t = time.perf_counter()
    tick("assemble", 0.9)

    grid_key = np.empty(len(atoms), dtype=object)
    reasons: dict[str, tuple[str, str]] = {}
    for res in results:
        for local, gid in enumerate(res.labels):
            grid_key[res.atom_ids[local]] = f"{res.community}#{gid:04d}"
        for gid, why in res.reasons.items():
            reasons[f"{res.community}#{gid:04d}"] = why
    atoms["grid_key"] = grid_key
    geoms = dissolve_valid(atoms, "grid_key")
    sums = atoms.groupby("grid_key")[list(COUNT_COLUMNS)].sum()
    grids = gpd.GeoDataFrame(sums, geometry=geoms.reindex(sums.index).values, crs=atoms.crs)
    grids["community"] = [k.split("#")[0] for k in grids.index]
    grids["atoms"] = atoms.groupby("grid_key").size().reindex(grids.index).to_numpy()
    grids["code"] = assign_codes(grids, to_metric(previous, comm_m.crs) if previous is not None else None)
    key_to_code = dict(zip(grids.index, grids["code"], strict=True))
    atoms["grid_code"] = atoms["grid_key"].map(key_to_code)

    grids["area_m2"] = grids.geometry.area
    grids["polsby_popper"] = polsby_popper(grids.geometry.values)
    status = size_status(grids["households"].to_numpy(), lo, hi)
    grids["size_status"] = status
    ok = status == "ok"
    if min_population is not None or max_population is not None:
        pst = size_status(grids["population"].to_numpy(), min_population, max_population, "population")
        grids["population_status"] = pst
        ok = ok & (pst == "ok")
    grids["within_bounds"] = ok
    for k, good in zip(grids.index, ok, strict=True):
        if not good and not reasons[k][0]:  # never a silent violation
            reasons[k] = ("out_of_band", "outside the band after the local search; no contiguous fix found")
    grids["reason_code"] = [reasons[k][0] if not good else "" for k, good in zip(grids.index, ok, strict=True)]
    grids["reason"] = [reasons[k][1] if not good else "" for k, good in zip(grids.index, ok, strict=True)]
    grids["change"] = change_class(atoms, "grid_key", f"legacy_{primary_layer}").reindex(grids.index).to_numpy()
    preservation = {}
    for layer in all_layers:
        share = largest_legacy_share(atoms, "grid_key", f"legacy_{layer}")
        grids[f"share_{layer}"] = share.reindex(grids.index).round(4).to_numpy()
        preservation[layer] = {
            "ari_households": round(weighted_ari(atoms["grid_key"], atoms[f"legacy_{layer}"],
                                                 atoms["households"]), 4),
            "mean_largest_share": round(float(share.mean()), 4),
        }
    crosswalk = build_crosswalk(atoms, all_layers)
    outcomes = outcome_summary(crosswalk)
    for layer in all_layers:
        counts = outcomes.get(layer, {})
        total = sum(counts.values()) or 1
        preservation[layer].update({"legacy_grids": sum(counts.values()),
                                    "kept_whole": counts.get("kept", 0), "merged": counts.get("merged", 0),
                                    "split": counts.get("split", 0),
                                    "kept_or_merged_share": round((counts.get("kept", 0)
                                                                   + counts.get("merged", 0)) / total, 4)})
    # primary legacy grids that already fit the band (inside one community): what became of them
    col = f"legacy_{primary_layer}"
    per = atoms.dropna(subset=[col]).groupby(col).agg(h=("households", "sum"), nc=("community", "nunique"))
    fitting = per.index[(per["h"] >= lo) & (per["h"] <= hi) & (per["nc"] == 1)]
    prim = crosswalk[crosswalk["layer"] == primary_layer].drop_duplicates("legacy_code").set_index("legacy_code")
    fit_out = prim.loc[prim.index.intersection(fitting), "outcome"].value_counts().to_dict()
    preservation[primary_layer]["already_in_band"] = {"legacy_grids": int(len(fitting)),
                                                     **{k: int(v) for k, v in fit_out.items()}}
    enclaves = enclosing_grids(grids, comms_p)
    n_parts = shapely.get_num_geometries(grids.geometry.values)
    grids["parts"] = n_parts
    grids = grids.reset_index(drop=True)
    column_order = ["code", "community", *COUNT_COLUMNS, "area_m2", "polsby_popper", "size_status",
                    *(["population_status"] if "population_status" in grids else []), "within_bounds", "reason_code",
                    "reason", "change", "atoms", "parts", *[f"share_{x}" for x in all_layers], "geometry"]
    grids = grids[column_order].sort_values("code").reset_index(drop=True)
    timings["assemble_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0

    within = grids["within_bounds"].astype(bool)
    infeasible = grids.loc[~within, ["code", "households", "population", "size_status", "reason_code", "reason"]]
    if "population_status" in grids:
        infeasible["size_status"] = [h if h != "ok" else p for h, p in zip(
            infeasible["size_status"], grids.loc[~within, "population_status"], strict=True)]
    metrics = {
        "grids": len(grids),
        "communities": int(grids["community"].nunique()),
        "atoms": len(atoms),
        "bounds": {"min_households": lo, "max_households": hi, "min_population": min_population,
                   "max_population": max_population},
        "seed": int(seed),
        "primary_layer": primary_layer,
        "primary_layer_reason": primary_reason,
        "layers": all_layers,
        "share_within_bounds": round(float(within.mean()), 4),
        "within_bounds": int(within.sum()),
        "households": distribution(grids["households"]),
        "polsby_popper": distribution(grids["polsby_popper"]),
        "change": grids["change"].value_counts().to_dict(),
        "preservation": preservation,
        "infeasible": [{"code": r.code, "households": round(float(r.households), 1),
                        "population": round(float(r.population), 1), "status": r.size_status,
                        "reason_code": r.reason_code, "reason": r.reason} for r in infeasible.itertuples()]
        + [{"code": e["code"], "households": e["households"], "population": e["population"],
            "status": "encloses", "reason_code": "encloses_grid",
            "reason": f"encloses another grid: {', '.join(e['encloses'])} ({e['hole_m2']:.0f} m² hole); "
                      "no corridor to the outside kept every grid contiguous and within the band"}
           for e in enclaves],
        "enclaves": enclaves,
        "totals_in": {c: round(float(pd.to_numeric(units[c], errors="coerce").fillna(0).sum()), 3)
                      for c in COUNT_COLUMNS if c in units.columns},
        "totals_out": {c: round(float(grids[c].sum()), 3) for c in COUNT_COLUMNS},
        "refinement": refine_report.as_dict(),
        "apportion": apportion_report,
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "n_jobs": n_jobs,
        "engine": engine.describe(),
        "chunks": {"by": chunk_by or "none", "count": len(plan.codes) if plan else 1, "halo_m": halo_m,
                   "refined_per_round": stages.rounds},
    }
    tick("done", 1.0)
    return PartitionResult(to_wgs84_valid(grids), crosswalk, metrics, to_wgs84_valid(atoms))


def propose_grids(communities: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                  min_households: float = DEFAULT_MIN_HOUSEHOLDS,
                  max_households: float = DEFAULT_MAX_HOUSEHOLDS, primary_layer: str | None = None,
                  seed: int = 0, **kwargs) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    """Propose unified all-element grids from overlapping legacy grid layers.

    ``communities`` (code, geometry), ``legacy`` (code, layer, geometry; several layers told
    apart by ``layer``) and ``units`` (households, population, enterprises; points or areas)
    are WGS84 GeoDataFrames. Returns ``(grids, crosswalk, metrics)``: the grids in WGS84 with
    code, community, counts, area, Polsby-Popper, size status (+ reason where a bound cannot be
    met), change vs the primary layer and per-layer largest legacy share; the crosswalk of every
    legacy grid to the new grids; and the report. Keyword options: sliver_m2, repair, n_jobs,
    engine (an :class:`~gridgeo.partition.engine.Engine`: local processes or a Dask cluster),
    min_population, max_population, previous (earlier grids whose codes to keep), layers,
    split_crowded (cut atoms above max between their units, default True), extra_lines (WGS84
    lines noded into the refinement, e.g. roads), progress (callback(stage, fraction)), chunk_by
    ("street" default, "community" or None) and halo_m (see :mod:`gridgeo.partition.chunks`).
    """
    res = run_partition(communities, legacy, units, min_households, max_households, primary_layer, seed,
                        **kwargs)
    return res.grids, res.crosswalk, res.metrics
