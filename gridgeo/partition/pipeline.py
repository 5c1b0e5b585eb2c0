"""A partition run in stages: communities + legacy layers + basic units -> grids, crosswalk, metrics.

:func:`run_partition` takes the layers (:class:`~gridgeo.partition.options.PartitionInputs`) and
the settings (:class:`~gridgeo.partition.options.PartitionOptions`) and runs :func:`prepare`
(checks, layer choice, metric frames), :func:`build_atoms` (overlay refinement and apportioning,
crowded atoms cut), :func:`regionalize` (one solver per community), then
:func:`gridgeo.partition.assemble.assemble` (grids, codes, crosswalk) and :func:`run_metrics`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.model import COUNT_COLUMNS
from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import to_metric
from gridgeo.partition.apportion import apportion, crowded_cut_lines
from gridgeo.partition.assemble import Assembled, assemble, to_wgs84_valid
from gridgeo.partition.chunks import ChunkPlan, apportion_chunked, chunk_keys, refine_chunked
from gridgeo.partition.engine import Engine, Session, open_session, solve_problems
from gridgeo.partition.options import (
    PartitionInputs,
    PartitionOptions,
    Progress,
    check_inputs,
    select_layers,
)
from gridgeo.partition.overlay import prepare_layers, refine
from gridgeo.partition.problems import community_inputs
from gridgeo.partition.scoring import distribution


@dataclass
class PartitionResult:
    """Everything a run produces; ``grids`` and ``atoms`` are in WGS84."""

    grids: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    metrics: dict
    atoms: gpd.GeoDataFrame


def choose_primary(atoms: pd.DataFrame, layers: list[str], lo: float, hi: float) -> tuple[str, dict]:
    """The layer whose legacy grids most often already fit the band (ties: more grids, name)."""
    fit = {}
    for layer in layers:
        hh = atoms.groupby(["community", f"legacy_{layer}"])["households"].sum()
        fit[layer] = (float(((hh >= lo) & (hh <= hi)).mean()) if len(hh) else 0.0, len(hh))
    best = max(layers, key=lambda k: (fit[k][0], fit[k][1], k))
    return best, {k: round(v[0], 4) for k, v in fit.items()}


def _chunk_plan(comms_p: gpd.GeoDataFrame, comm_m: gpd.GeoDataFrame, chunk_by: str | None,
                halo_m: float) -> ChunkPlan | None:
    """The chunks of the refinement (None: one whole refinement); keys from the input communities."""
    if chunk_by is None:
        return None
    keys = dict(zip(comm_m["code"], chunk_keys(comm_m, chunk_by), strict=True))
    return ChunkPlan.build(comms_p, np.array([keys[c] for c in comms_p["code"]], dtype=object), halo_m)


class _Clock:
    """The stage timings of a run (seconds): each stage from its ``start`` to its ``stop``."""

    def __init__(self) -> None:
        self.t0 = self.mark = time.perf_counter()
        self.timings: dict[str, float] = {}

    def start(self) -> None:
        self.mark = time.perf_counter()

    def stop(self, key: str) -> None:
        self.timings[key] = time.perf_counter() - self.mark


@dataclass
class Prepared:
    """The checked inputs of a run in the district's metric CRS, and the legacy layers it uses."""

    communities: gpd.GeoDataFrame
    legacy: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    current: gpd.GeoDataFrame | None
    lines: list  # extra lines (metric) noded into the refinement
    layers: list[str]


@dataclass
class Atoms:
    """The refined, counted atoms (metric) and the reports of the refinement and apportioning."""

    atoms: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame  # the communities as the overlay prepared them
    refinement: object
    apportion: dict
    chunks: ChunkPlan | None
    refined_per_round: list[int]


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


def prepare(inputs: PartitionInputs, options: PartitionOptions) -> Prepared:
    """Check the options and layers (one-line UsageError/InputError), keep the legacy layers the
    run uses and bring everything into the communities' metric CRS (the district's GK zone)."""
    options.check()
    check_inputs(inputs)
    legacy, layers = select_layers(inputs.legacy, options)
    comm_m = to_metric(inputs.communities.assign(code=inputs.communities["code"].astype(str)))
    legacy_m = to_metric(legacy.assign(code=legacy["code"].astype(str)), comm_m.crs)
    current_m = None
    if inputs.current is not None:
        current = inputs.current
        current_m = to_metric(current[["code", "geometry"]].assign(code=current["code"].astype(str)), comm_m.crs)
    lines: list = []
    if inputs.extra_lines is not None and len(inputs.extra_lines):
        extra = gpd.GeoSeries(np.asarray(inputs.extra_lines, dtype=object), crs=WGS84)
        lines = list(extra.to_crs(comm_m.crs).values)
    return Prepared(comm_m, legacy_m, to_metric(inputs.units, comm_m.crs), current_m, lines, layers)


def build_atoms(prep: Prepared, options: PartitionOptions, session: Session, clock: _Clock,
                tick: Progress) -> Atoms:
    """The common refinement of communities and legacy layers (chunked per ``options.chunk_by``)
    with the units' counts apportioned; atoms above the band are cut between their units and
    the refinement redone (up to three times) when ``options.split_crowded``."""
    comms_p, frames, report = prepare_layers(prep.communities, prep.legacy, sliver_m2=options.sliver_m2,
                                             repair=options.repair, run_map=session.map)
    plan = _chunk_plan(comms_p, prep.communities, options.chunk_by, options.halo_m)
    stages = _Stages(comms_p, frames, report, prep.current, prep.units, prep.legacy, options.primary_layer,
                     session, plan)
    atoms = stages.refine(prep.lines)
    clock.stop("refine_s")
    tick("apportion", 0.3)
    clock.start()
    atoms, apportion_report = stages.apportion(atoms)
    report.crowded_atoms_cut = 0
    if options.split_crowded:
        all_lines: list = list(prep.lines)
        for _ in range(3):  # a cut can leave a new crowded atom where slivers merged: repeat
            lines, n_cut = crowded_cut_lines(atoms, prep.units, options.band[1])
            if not n_cut:
                break
            all_lines.extend(lines)
            atoms = stages.refine(all_lines)
            atoms, apportion_report = stages.apportion(atoms)
            report.crowded_atoms_cut += n_cut
    clock.stop("apportion_s")
    return Atoms(atoms, comms_p, report, apportion_report, plan, stages.rounds)


def primary_layer_of(atoms: gpd.GeoDataFrame, layers: list[str], options: PartitionOptions) -> tuple[str, str]:
    """The primary legacy layer and why: the given one, or the one whose grids best fit the band."""
    if options.primary_layer is not None:
        return options.primary_layer, "given"
    primary, fit = choose_primary(atoms, layers, *options.band)
    return primary, f"auto: the layer whose grids most often fit the band {fit}"


def regionalize(made: Atoms, prep: Prepared, options: PartitionOptions, primary_layer: str,
                run: tuple[Engine, Session], tick: Progress) -> list:
    """Solve every community's grids (on the run's engine and session); the solver results."""
    engine, session = run
    problems = community_inputs(made.atoms, made.communities, prep.layers, primary_layer, *options.band,
                                options.min_population, options.max_population)

    def sub_tick(stage: str, frac: float) -> None:
        tick(stage, 0.4 + 0.5 * frac)

    return solve_problems(problems, options.seed, engine, sub_tick, session)


def partition_atoms(inputs: PartitionInputs, options: PartitionOptions | None = None,
                    engine: Engine | None = None) -> gpd.GeoDataFrame:
    """Only the atoms :func:`run_partition` would give (the common refinement with the units'
    counts, WGS84), without solving any community: what a plan over today's grids needs."""
    options = options or PartitionOptions()
    prep = prepare(inputs, options)
    engine = engine or Engine(jobs=options.n_jobs)
    with open_session(engine) as session:
        made = build_atoms(prep, options, session, _Clock(), lambda _stage, _frac: None)
    return to_wgs84_valid(made.atoms)


def run_partition(inputs: PartitionInputs, options: PartitionOptions | None = None,
                  progress: Progress | None = None, engine: Engine | None = None) -> PartitionResult:
    """Propose all-element grids from ``inputs`` as ``options`` say; the full result including the
    atoms (see :func:`propose_grids`). ``progress`` is called with (stage, fraction done); the
    chunks and the community problems run on ``engine`` (default: local, ``options.n_jobs``)."""
    options = options or PartitionOptions()
    clock = _Clock()

    def tick(stage: str, frac: float) -> None:
        if progress:
            progress(stage, frac)

    prep = prepare(inputs, options)
    tick("refine", 0.0)
    engine = engine or Engine(jobs=options.n_jobs)
    with open_session(engine) as session:
        made = build_atoms(prep, options, session, clock, tick)
        primary_layer, primary_reason = primary_layer_of(made.atoms, prep.layers, options)
        tick("regionalize", 0.4)
        clock.start()
        results = regionalize(made, prep, options, primary_layer, (engine, session), tick)
        clock.stop("regionalize_s")
    clock.start()
    tick("assemble", 0.9)
    out = assemble(made.atoms, results, made.communities, inputs.previous, options, primary_layer, prep.layers)
    clock.stop("assemble_s")
    clock.timings["total_s"] = time.perf_counter() - clock.t0
    metrics = run_metrics(out, made, prep, options, inputs.units)
    metrics.update({"primary_layer": primary_layer, "primary_layer_reason": primary_reason,
                    "timings": {k: round(v, 3) for k, v in clock.timings.items()}, "engine": engine.describe()})
    tick("done", 1.0)
    return PartitionResult(to_wgs84_valid(out.grids), out.crosswalk, metrics, to_wgs84_valid(made.atoms))


def _infeasible(grids: gpd.GeoDataFrame, enclaves: list[dict]) -> list[dict]:
    """The grids outside the band (with their reason) and the grids that enclose others."""
    within = grids["within_bounds"].astype(bool)
    out = grids.loc[~within, ["code", "households", "population", "size_status", "reason_code", "reason"]]
    if "population_status" in grids:
        out["size_status"] = [h if h != "ok" else p for h, p in zip(
            out["size_status"], grids.loc[~within, "population_status"], strict=True)]
    return ([{"code": r.code, "households": round(float(r.households), 1), "population": round(float(r.population), 1),
              "status": r.size_status, "reason_code": r.reason_code, "reason": r.reason} for r in out.itertuples()]
            + [{"code": e["code"], "households": e["households"], "population": e["population"],
                "status": "encloses", "reason_code": "encloses_grid",
                "reason": f"encloses another grid: {', '.join(e['encloses'])} ({e['hole_m2']:.0f} m² hole); "
                          "no corridor to the outside kept every grid contiguous and within the band"}
               for e in enclaves])


def run_metrics(out: Assembled, made: Atoms, prep: Prepared, options: PartitionOptions,
                units: gpd.GeoDataFrame) -> dict:
    """The run's report (metrics.json) without the primary layer, timings and engine (the caller's)."""
    grids = out.grids
    within = grids["within_bounds"].astype(bool)
    lo, hi = options.band
    return {
        "grids": len(grids),
        "communities": int(grids["community"].nunique()),
        "atoms": len(made.atoms),
        "bounds": {"min_households": lo, "max_households": hi, "min_population": options.min_population,
                   "max_population": options.max_population},
        "seed": int(options.seed),
        "primary_layer": None,
        "primary_layer_reason": None,
        "layers": prep.layers,
        "share_within_bounds": round(float(within.mean()), 4),
        "within_bounds": int(within.sum()),
        "households": distribution(grids["households"]),
        "polsby_popper": distribution(grids["polsby_popper"]),
        "change": grids["change"].value_counts().to_dict(),
        "preservation": out.preservation,
        "infeasible": _infeasible(grids, out.enclaves),
        "enclaves": out.enclaves,
        "totals_in": {c: round(float(pd.to_numeric(units[c], errors="coerce").fillna(0).sum()), 3)
                      for c in COUNT_COLUMNS if c in units.columns},
        "totals_out": {c: round(float(grids[c].sum()), 3) for c in COUNT_COLUMNS},
        "refinement": made.refinement.as_dict(),
        "apportion": made.apportion,
        "timings": None,
        "n_jobs": options.n_jobs,
        "engine": None,
        "chunks": {"by": options.chunk_by or "none", "count": len(made.chunks.codes) if made.chunks else 1,
                   "halo_m": options.halo_m, "refined_per_round": made.refined_per_round},
    }


def propose_grids(inputs: PartitionInputs, options: PartitionOptions | None = None,
                  progress: Progress | None = None,
                  engine: Engine | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    """Propose unified all-element grids from overlapping legacy grid layers.

    ``inputs`` holds the WGS84 layers and ``options`` the band, layers, seed and work split (see
    :mod:`gridgeo.partition.options`). Returns ``(grids, crosswalk, metrics)``: the grids in WGS84
    with code, community, counts, area, Polsby-Popper, size status (+ reason where a bound cannot
    be met), change vs the primary layer and per-layer largest legacy share; the crosswalk of
    every legacy grid to the new grids; and the report. ``engine`` (an
    :class:`~gridgeo.partition.engine.Engine`: local processes or a Dask cluster) and
    ``progress`` (callback(stage, fraction)) as in :func:`run_partition`.
    """
    res = run_partition(inputs, options, progress, engine)
    return res.grids, res.crosswalk, res.metrics
