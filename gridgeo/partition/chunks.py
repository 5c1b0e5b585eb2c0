"""The refinement and the apportioning, chunk by chunk (a street or a community at a time).

A whole city's overlay (every boundary noded together, polygonized, its face graph) does not
fit one process comfortably; atoms never cross a community border, so the refinement splits
into independent chunks. A chunk owns the communities of one street (or one community). It is
sent only the features that intersect its *halo* (its communities' outline grown by ``halo_m``;
found with an STRtree in the client), runs :func:`~gridgeo.partition.overlay.refine` on them and keeps the atoms of its
own communities. Its work and memory are bounded by the features that meet its street.

Why the atoms equal those of one whole refinement: inside a community every line that crosses
it belongs to a feature that intersects it, so its faces, their labels (first community /
legacy grid / today's grid by position, the same order as the whole run) and their sliver
merges (within the community) are the same, and the snap rounding (1 mm, local) nodes the same
lines the same way. The features are sent whole, not cut to the halo: cutting them (by a general
intersection or by ``clip_by_rect``) changed the noding of nearly coincident borders, so two
chunks disagreed along district borders (on the Shenzhen demo city 84 atoms differed and 23
pairs overlapped by up to 0.1 m²). A face outside every community (a gap between communities,
or beyond the outline) below the sliver tolerance is merged into a neighbour, as in the whole
refinement, when it lies inside the chunk's halo (the chunk then sees it whole); a longer one,
running along several chunks, is dropped by every chunk instead (a whole refinement merges it
into one neighbour). The report's ``outside_dropped_m2`` counts those.

The chunks' atoms are concatenated and sorted by the same key as one refinement
(:func:`~gridgeo.partition.overlay.order_atoms`).

The apportioning is chunked the same way: in the run, the refinement task of a chunk also gets
the units meeting its halo and returns the (unit, atom) links of its atoms (for area units, the
overlap area), so the atoms are not sent back to the workers; the client maps the links to the
atoms' final positions and reduces them as :func:`~gridgeo.partition.apportion.apportion` does
for one piece. A chunk the cut lines between crowded units do not reach keeps its atoms and its
links from the round before. (:func:`apportion_chunked` can also link given atoms chunk by chunk.)

Every chunk runs on the run's engine session (:mod:`gridgeo.partition.engine`): in this
process, a process pool or a Dask cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.partition.apportion import apportion_links, reduce_links
from gridgeo.partition.engine import Session
from gridgeo.partition.overlay import RefinementReport, order_atoms, refine

DEFAULT_HALO_M = 100.0


@dataclass
class RefineChunk:
    """One chunk's input: the community codes it owns, its halo, and the features meeting it."""

    codes: list[str]
    halo: shapely.Geometry
    comms: gpd.GeoDataFrame
    frames: dict[str, gpd.GeoDataFrame]
    current: gpd.GeoDataFrame | None
    lines: np.ndarray | None
    sliver_m2: float
    units: np.ndarray | None = None  # the units meeting the halo (metric geometries), to link to the atoms
    unit_ids: np.ndarray | None = None  # their positions in the run's units


def chunk_keys(comms: gpd.GeoDataFrame, by: str = "street") -> np.ndarray:
    """The chunk of every community: its ``street_code`` (when ``by="street"`` and given), else itself."""
    if by == "street" and "street_code" in comms and comms["street_code"].notna().all():
        return comms["street_code"].astype(str).to_numpy(dtype=object)
    return comms["code"].astype(str).to_numpy(dtype=object)


def refine_chunk(chunk: RefineChunk) -> tuple[gpd.GeoDataFrame, dict, tuple | None]:
    """Refine one chunk (runs on a worker): its atoms (unnumbered), its report counts and, when
    the chunk carries units, their links to its atoms (atom ids: positions in the chunk's atoms;
    see :func:`~gridgeo.partition.apportion.apportion_links`)."""
    report = RefinementReport(sliver_m2=chunk.sliver_m2, layers={name: {} for name in chunk.frames})
    atoms = refine(chunk.comms, chunk.frames, report, extra_lines=chunk.lines, current=chunk.current,
                   keep=set(chunk.codes), region=chunk.halo)
    counts = {"faces": report.faces, "slivers_merged": report.slivers_merged,
              "outside_dropped_m2": report.outside_dropped_m2,
              "gap_m2": {name: info.get("gap_m2", 0.0) for name, info in report.layers.items()}}
    links = None
    if chunk.units is not None:
        links = apportion_links(atoms.geometry.values, np.arange(len(atoms)), chunk.units, chunk.unit_ids)
    return atoms.drop(columns=["atom"]), counts, links


def _near(tree: shapely.STRtree, halo: shapely.Geometry) -> np.ndarray:
    return np.sort(tree.query(halo, predicate="intersects"))


@dataclass
class ChunkPlan:
    """The chunks of a run: per chunk the community codes and the halo (metric)."""

    codes: list[list[str]]
    halos: list[shapely.Geometry]

    @classmethod
    def build(cls, comms: gpd.GeoDataFrame, keys: np.ndarray, halo_m: float = DEFAULT_HALO_M) -> ChunkPlan:
        """One chunk per distinct key (sorted), its halo the union of its communities grown by ``halo_m``."""
        codes, halos = [], []
        code = comms["code"].astype(str).to_numpy(dtype=object)
        for key in sorted(set(keys)):
            idx = np.flatnonzero(keys == key)
            codes.append([str(c) for c in code[idx]])
            halos.append(shapely.buffer(shapely.union_all(comms.geometry.values[idx]), halo_m))
        return cls(codes, halos)


def refine_chunked(comms: gpd.GeoDataFrame, frames: dict[str, gpd.GeoDataFrame], report: RefinementReport,
                   plan: ChunkPlan, session: Session, extra_lines: np.ndarray | None = None,
                   current: gpd.GeoDataFrame | None = None, cache: dict | None = None,
                   units: gpd.GeoDataFrame | None = None) -> tuple[gpd.GeoDataFrame, tuple | None]:
    """The atoms of :func:`~gridgeo.partition.overlay.refine`, computed chunk by chunk on ``session``.

    With ``units``, each chunk also links its atoms to the units meeting its halo, in the same
    task (no second round trip of the atoms); the links come back with the atoms' final positions
    for :func:`apportion_chunked`. ``cache`` (a dict kept between rounds of the same run) skips
    chunks whose input did not change: after crowded atoms are cut, only the chunks the new lines
    reach are refined and linked again. Returns the atoms and the links (None without units).
    """
    comm_tree = shapely.STRtree(comms.geometry.values)
    trees = {name: shapely.STRtree(f.geometry.values) for name, f in frames.items()}
    cur_tree = shapely.STRtree(current.geometry.values) if current is not None else None
    lines = np.asarray(extra_lines, dtype=object) if extra_lines is not None and len(extra_lines) else None
    line_tree = shapely.STRtree(lines) if lines is not None else None
    unit_geoms = units.geometry.values if units is not None else None
    unit_tree = shapely.STRtree(unit_geoms) if unit_geoms is not None else None
    cache = {} if cache is None else cache
    todo, keys = [], []
    for codes, halo in zip(plan.codes, plan.halos, strict=True):
        line_idx = _near(line_tree, halo) if line_tree is not None else np.zeros(0, dtype=int)
        key = (tuple(codes), len(line_idx), hash(tuple(shapely.to_wkb(lines[line_idx])))
               if len(line_idx) else 0, units is not None)
        keys.append(key)
        if key in cache:
            continue
        u_idx = _near(unit_tree, halo) if unit_tree is not None else None
        todo.append((key, RefineChunk(
            codes=codes, halo=halo, comms=comms.iloc[_near(comm_tree, halo)],
            frames={name: f.iloc[_near(trees[name], halo)] for name, f in frames.items()},
            current=current.iloc[_near(cur_tree, halo)] if current is not None else None,
            lines=lines[line_idx] if len(line_idx) else None, sliver_m2=report.sliver_m2,
            units=unit_geoms[u_idx] if u_idx is not None else None, unit_ids=u_idx)))
    weights = [float(sum(len(f) for f in c.frames.values()) + len(c.comms)) for _, c in todo]
    for (key, _), res in zip(todo, session.map(refine_chunk, [c for _, c in todo], "refine", weights=weights),
                             strict=True):
        cache[key] = res
    results = [cache[k] for k in keys]
    _sum_counts(report, [counts for _, counts, _ in results])
    joined = pd.concat([a for a, _, _ in results], ignore_index=True)
    joined["_src"] = np.arange(len(joined))
    atoms = order_atoms(joined)
    final = np.empty(len(atoms), dtype=np.int64)
    final[atoms["_src"].to_numpy()] = np.arange(len(atoms))
    atoms = atoms.drop(columns=["_src"])
    report.atoms = len(atoms)
    if units is None:
        return atoms, None
    offsets = np.cumsum([0] + [len(a) for a, _, _ in results])[:-1]
    points = [np.column_stack([p[:, 0], final[off + p[:, 1]]]) for (_, _, (p, _)), off in zip(results, offsets,
                                                                                               strict=True)]
    polys = [np.column_stack([q[:, 0], final[off + q[:, 1].astype(np.int64)], q[:, 2]])
             for (_, _, (_, q)), off in zip(results, offsets, strict=True)]
    return atoms, (np.concatenate(points).astype(np.int64) if points else np.zeros((0, 2), dtype=np.int64),
                   np.concatenate(polys) if polys else np.zeros((0, 3)))


def _sum_counts(report: RefinementReport, counts: list[dict]) -> None:
    report.faces = sum(c["faces"] for c in counts)
    report.slivers_merged = sum(c["slivers_merged"] for c in counts)
    report.outside_dropped_m2 = float(sum(c["outside_dropped_m2"] for c in counts))
    for name, info in report.layers.items():
        info["gap_m2"] = round(sum(c["gap_m2"].get(name, 0.0) for c in counts), 1)


def apportion_chunked(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, plan: ChunkPlan, session: Session,
                      legacy: gpd.GeoDataFrame | None = None, primary_layer: str | None = None,
                      links: tuple | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """:func:`~gridgeo.partition.apportion.apportion`, with the unit-atom overlays run chunk by chunk
    (or taken from ``links``, made by :func:`refine_chunked` with the atoms)."""
    if links is not None:
        return reduce_links(atoms, units, links[0], links[1], legacy, primary_layer)
    by_comm = atoms.groupby(atoms["community"].astype(str).to_numpy(dtype=object), sort=False).indices
    geoms = units.geometry.values if len(units) else np.zeros(0, dtype=object)
    unit_tree = shapely.STRtree(geoms)
    tasks = []
    none = np.zeros(0, dtype=np.intp)
    for codes, halo in zip(plan.codes, plan.halos, strict=True):
        a_idx = np.sort(np.concatenate([by_comm.get(c, none) for c in codes]))
        u_idx = _near(unit_tree, halo) if len(geoms) else np.zeros(0, dtype=int)
        tasks.append((atoms.geometry.values[a_idx], a_idx, geoms[u_idx], u_idx))
    links = session.map(_links_task, tasks, "apportion", weights=[float(len(t[1])) for t in tasks])
    point_pairs = np.concatenate([x[0] for x in links]) if links else np.zeros((0, 2), dtype=int)
    poly_links = np.concatenate([x[1] for x in links]) if links else np.zeros((0, 3))
    return reduce_links(atoms, units, point_pairs, poly_links, legacy, primary_layer)


def _links_task(task: tuple) -> tuple[np.ndarray, np.ndarray]:
    atom_geoms, atom_ids, unit_geoms, unit_ids = task
    return apportion_links(atom_geoms, atom_ids, unit_geoms, unit_ids)
