"""Common refinement: cut communities and every legacy layer into atoms.

All work is in the metric CRS (EPSG:4547). The boundaries of the communities and of every legacy
grid are noded together (``shapely.union_all(..., grid_size=1 mm)``, snap rounding) and
polygonized into faces. Each face gets its community and, per legacy layer, the legacy grid that
contains its representative point. Faces below ``sliver_m2`` (overlap and gap slivers between
layers that do not line up) are merged into the neighbour of the same community with which they
share the longest border, then faces are dissolved into atoms.

Repair (maup): the overlaps of every legacy layer and of the communities are measured (STRtree
pairs); ``maup.doctor`` checks those where none were found (it costs about a second per layer)
and every layer with ``repair="maup"``. A legacy layer whose largest overlap exceeds
``sliver_m2`` (``repair="auto"``), or every unclean layer (``repair="maup"``), is repaired with
``maup.smart_repair(layer, nest_within_regions=communities)``, the communities being repaired
with ``maup.smart_repair`` first (nesting needs clean regions) or when their own overlaps exceed
the tolerance. Overlaps below the sliver tolerance are absorbed by the sliver merge instead,
because smart_repair costs 3-15 s per layer here. Gaps in a legacy layer are left: atoms there
simply have no legacy grid of that layer. Everything done is returned in the report.
"""

from __future__ import annotations

import heapq
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.graph import Graph

GRID_SIZE_M = 0.001  # snap-rounding precision for noding the boundaries (1 mm)


@dataclass
class RefinementReport:
    """What the refinement found and did: per-layer checks and repairs, slivers merged."""

    sliver_m2: float
    faces: int = 0
    atoms: int = 0
    slivers_merged: int = 0
    crowded_atoms_cut: int = 0
    outside_dropped_m2: float = 0.0
    communities: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"sliver_m2": self.sliver_m2, "faces": self.faces, "atoms": self.atoms,
                "slivers_merged": self.slivers_merged,
                "crowded_atoms_cut": self.crowded_atoms_cut,
                "outside_dropped_m2": round(self.outside_dropped_m2, 2),
                "communities": self.communities, "layers": self.layers}


def _doctor(gdf: gpd.GeoDataFrame) -> bool:
    import maup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return bool(maup.doctor(gdf[["geometry"]].reset_index(drop=True), silent=True,
                                    accept_holes=True))
        except Exception:  # maup raises on geometries it cannot handle: treat as unclean
            return False


def _smart_repair(gdf: gpd.GeoDataFrame, regions: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """maup.smart_repair, quietly (it prints and draws progress bars)."""
    import contextlib
    import io

    import maup

    frame = gdf.reset_index(drop=True)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        kwargs = {"nest_within_regions": regions[["geometry"]].reset_index(drop=True)} \
            if regions is not None else {}
        repaired = maup.smart_repair(frame, **kwargs)
    repaired = repaired.set_crs(gdf.crs, allow_override=True)
    repaired.index = gdf.index
    return repaired


def _map_here(fn: Callable, items: list, name: str, weights: list[float] | None = None) -> list:
    return [fn(x) for x in items]


def overlap_areas(geoms: np.ndarray) -> np.ndarray:
    """Areas of the pairwise overlaps among ``geoms`` (metric), one value per overlapping pair."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return np.zeros(0)
    areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    return areas[areas > 0]


def _faces(geoms: np.ndarray, extra_lines: np.ndarray | None = None) -> np.ndarray:
    """Polygonize the noded boundaries of all ``geoms`` (and extra lines): the refinement's faces."""
    lines = shapely.boundary(geoms[~shapely.is_empty(geoms)])
    if extra_lines is not None and len(extra_lines):
        lines = np.concatenate([lines, np.asarray(extra_lines, dtype=object)])
    noded = shapely.union_all(lines, grid_size=GRID_SIZE_M)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = np.asarray(faces, dtype=object)
    return faces[shapely.area(faces) > 0]


def _label(points: np.ndarray, polys: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point the label of the first polygon (by position) containing it, and how many do."""
    tree = shapely.STRtree(polys)
    pt_idx, poly_idx = tree.query(points, predicate="within")
    out = np.full(len(points), None, dtype=object)
    count = np.bincount(pt_idx, minlength=len(points))
    if len(pt_idx):
        order = np.lexsort((poly_idx, pt_idx))
        pt_sorted, poly_sorted = pt_idx[order], poly_idx[order]
        first = np.ones(len(pt_sorted), dtype=bool)
        first[1:] = pt_sorted[1:] != pt_sorted[:-1]
        out[pt_sorted[first]] = labels[poly_sorted[first]]
    return out, count


def _merge_slivers(area: np.ndarray, community: np.ndarray, adjacency: pd.Series,
                   sliver_m2: float, keep_apart: np.ndarray | None = None,
                   outside_ok: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Union-find merge of faces below ``sliver_m2`` into the neighbour with the longest shared border.

    Faces of a community only merge within it; faces outside every community join any neighbour
    (and take its community). ``keep_apart`` (a label per face, e.g. today's grid) is respected
    when it can be: a sliver joins a neighbour with its own label before any other.
    ``outside_ok`` (per face) limits the faces outside every community that take part to those
    marked (a chunk of the city merges only those it sees whole: see
    :mod:`gridgeo.partition.chunks`). Returns the group (root face index) of every face and the count.
    """
    n = len(area)
    parent = np.arange(n)
    grp_area = area.astype(float).copy()
    comm = community.copy()
    sub = keep_apart.copy() if keep_apart is not None else np.full(n, None, dtype=object)
    nbrs: list[dict[int, float]] = [dict() for _ in range(n)]
    ok = np.ones(n, dtype=bool) if outside_ok is None else outside_ok
    focal = adjacency.index.get_level_values(0).to_numpy()
    neigh = adjacency.index.get_level_values(1).to_numpy()
    weight = adjacency.to_numpy()
    for a, b, w in zip(focal, neigh, weight, strict=True):
        if a != b and w > 0:
            nbrs[a][b] = w

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    heap = [(grp_area[i], i) for i in range(n) if grp_area[i] < sliver_m2]
    heapq.heapify(heap)
    merged = 0
    while heap:
        a_area, i = heapq.heappop(heap)
        if find(i) != i or grp_area[i] != a_area or (comm[i] is None and not ok[i]):
            continue
        cands = [(w, -j) for j, w in nbrs[i].items()
                 if (comm[i] is None or comm[j] == comm[i] or comm[j] is None) and (comm[j] is not None or ok[j])]
        if not cands:
            continue
        # prefer neighbours inside a community, then of the same keep_apart label (today's grid),
        # then the longest border, then the lowest index
        best = max(cands, key=lambda c: (comm[-c[1]] is not None, sub[-c[1]] == sub[i], c[0], c[1]))
        j = -best[1]
        # merge i into j (keep the larger dict as the survivor's)
        if comm[j] is None:
            comm[j] = comm[i]
        if sub[j] is None:
            sub[j] = sub[i]
        parent[i] = j
        grp_area[j] += grp_area[i]
        nbrs_i = nbrs[i]
        nbrs[i] = {}
        nbrs_i.pop(j, None)
        nbrs[j].pop(i, None)
        for k, w in nbrs_i.items():
            nbrs[k].pop(i, None)
            nbrs[k][j] = nbrs[k].get(j, 0.0) + w
            nbrs[j][k] = nbrs[j].get(k, 0.0) + w
        merged += 1
        if grp_area[j] < sliver_m2:
            heapq.heappush(heap, (grp_area[j], j))
    roots = np.array([find(i) for i in range(n)])
    return roots, merged


def prepare_layers(communities: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame, sliver_m2: float = 100.0,
                   repair: str = "auto", run_map: Callable | None = None,
                   ) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame], RefinementReport]:
    """Check (maup.doctor) and, where needed, repair (maup.smart_repair) communities and layers.

    Returns the communities sorted by code, each legacy layer's (code, geometry) frame and the
    report (see the module docstring for when a layer is repaired). All frames metric.
    ``run_map`` (``Session.map`` of the run's engine) runs the checks, one task per layer, in
    parallel; without it they run here one after the other.
    """
    if repair not in ("auto", "maup", "none"):
        raise ValueError(f"repair must be auto, maup or none, not {repair!r}")
    report = RefinementReport(sliver_m2=sliver_m2)
    comms = communities[["code", "geometry"]].sort_values("code").reset_index(drop=True)
    layers = sorted(legacy["layer"].astype(str).unique())
    frames = {name: legacy[legacy["layer"].astype(str) == name][["code", "geometry"]].reset_index(drop=True)
              for name in layers}
    overlaps = {name: overlap_areas(frames[name].geometry.values) for name in layers}
    # maup.doctor costs ~1 s per layer: run it where the overlap check found nothing to report
    doctor = {name: len(overlaps[name]) == 0 or repair == "maup" for name in layers}
    # the first pass never needs a doctor's verdict to decide what to check ("auto" repairs on
    # overlaps, "maup" checks everything), so all its checks run at once
    big = any(repair == "auto" and len(ov) and ov.max() > sliver_m2 for ov in overlaps.values())
    comm_overlaps = overlap_areas(comms.geometry.values)
    check = repair == "maup" or big or len(comm_overlaps) == 0
    checked = [name for name in layers if doctor[name]]
    to_check = [frames[name] for name in checked] + ([comms] if check else [])
    verdicts = (run_map or _map_here)(_doctor, to_check, "doctor", weights=[float(len(f)) for f in to_check])
    verdict = dict(zip(checked, verdicts, strict=False))
    needs: dict[str, bool] = {}
    for name in layers:
        layer, ov = frames[name], overlaps[name]
        clean = verdict.get(name, False)
        report.layers[name] = {
            "features": len(layer), "doctor_clean": clean,
            "doctor": "run" if doctor[name] else "not run: overlaps found directly",
            "overlaps": int(len(ov)), "overlap_m2": round(float(ov.sum()), 3),
            "largest_overlap_m2": round(float(ov.max()) if len(ov) else 0.0, 3), "repaired": False}
        needs[name] = bool((repair == "maup" and not clean) or (repair == "auto" and len(ov) and ov.max() > sliver_m2))

    comm_big = len(comm_overlaps) and comm_overlaps.max() > sliver_m2
    comm_ok = bool(verdicts[-1]) if check else False
    report.communities = {"doctor_clean": comm_ok, "doctor": "run" if check else "not run: overlaps found directly",
                          "overlaps": len(comm_overlaps), "overlap_m2": round(float(comm_overlaps.sum()), 3),
                          "largest_overlap_m2": round(float(comm_overlaps.max()) if len(comm_overlaps) else 0.0, 3),
                          "repaired": False}
    # nest_within_regions needs clean communities: repair them when a layer is to be repaired too
    if repair != "none" and not comm_ok and (comm_big or repair == "maup" or any(needs.values())):
        comms = _smart_repair(comms)
        report.communities.update(repaired=True, method="maup.smart_repair",
                                  doctor_clean_after=_doctor(comms))
    elif len(comm_overlaps):
        report.communities["method"] = "overlaps below the sliver tolerance: absorbed by the sliver merge"

    for name in layers:
        info = report.layers[name]
        if needs[name]:
            layer = _smart_repair(frames[name], comms)
            after = overlap_areas(layer.geometry.values)
            info.update(repaired=True, method="maup.smart_repair(nest_within_regions=communities)",
                        overlap_m2_after=round(float(after.sum()), 3), doctor_clean_after=_doctor(layer))
            frames[name] = layer
        elif info["overlaps"]:
            info["method"] = "overlaps below the sliver tolerance: absorbed by the sliver merge"

    return comms, frames, report


def refine(comms: gpd.GeoDataFrame, frames: dict[str, gpd.GeoDataFrame], report: RefinementReport,
           extra_lines: np.ndarray | None = None, current: gpd.GeoDataFrame | None = None,
           keep: set[str] | None = None, region: shapely.Geometry | None = None) -> gpd.GeoDataFrame:
    """Atoms of the common refinement of prepared communities and layers (see prepare_layers).

    ``extra_lines`` (metric linework, e.g. cuts between basic units) are noded in as well.
    ``current`` (metric code + geometry: today's grids) is a layer of the refinement too: its
    boundaries are noded in, every atom gets its ``current_grid`` and slivers merge within their
    grid where they can, so today's grids are unions of atoms.
    ``keep`` (community codes; a chunk of the city, see :mod:`gridgeo.partition.chunks`) returns
    only the atoms of those communities, merges only the faces outside every community that lie
    in ``region`` (its halo) and counts only its faces in the report (and the outside faces in
    ``region`` nearest its communities).
    Returns the atoms (atom, community, legacy_<layer> codes, [current_grid], area_m2, geometry),
    sorted by community then north->south, west->east; fills in the report's counts.
    """
    sliver_m2 = report.sliver_m2
    if keep is None:  # a whole refinement: its counts replace those of an earlier round
        report.faces = report.slivers_merged = 0
        report.outside_dropped_m2 = 0.0
        for info in report.layers.values():
            info.pop("gap_m2", None)
    layers = [comms.geometry.values] + [f.geometry.values for f in frames.values()]
    if current is not None:
        layers.append(current.geometry.values)
    all_geoms = np.concatenate(layers)
    faces = _faces(all_geoms, extra_lines)
    points = shapely.point_on_surface(faces)
    face_comm, _ = _label(points, comms.geometry.values, comms["code"].to_numpy(dtype=object))
    owned = _owned_faces(face_comm, points, comms, keep, region)
    report.faces += int(owned.sum())
    face_labels: dict[str, np.ndarray] = {}
    area = shapely.area(faces)
    for name, layer in frames.items():
        lab, count = _label(points, layer.geometry.values, layer["code"].to_numpy(dtype=object))
        face_labels[name] = lab
        gap = float(area[(count == 0) & (face_comm != None) & owned].sum())  # noqa: E711
        report.layers[name]["gap_m2"] = round(report.layers[name].get("gap_m2", 0.0) + gap, 1)
    face_current = None
    if current is not None:
        face_current, _ = _label(points, current.geometry.values, current["code"].astype(str).to_numpy(dtype=object))

    graph = Graph.build_contiguity(gpd.GeoSeries(faces), rook=True, by_perimeter=True)
    # a chunk merges only the outside faces it sees whole (inside its region)
    outside_ok = None if keep is None or region is None else shapely.within(faces, region)
    roots, merged = _merge_slivers(area, face_comm, graph.adjacency, sliver_m2, keep_apart=face_current,
                                   outside_ok=outside_ok)
    # the community of a group is that of its root face (faces outside every community adopt one)
    root_comm = face_comm[roots]
    outside = pd.isna(root_comm)
    report.slivers_merged += int(merged if keep is None else (owned & (roots != np.arange(len(roots)))).sum())
    report.outside_dropped_m2 += float(area[outside & owned].sum())

    keep = ~outside if keep is None else np.isin(root_comm, list(keep))
    df = pd.DataFrame({"root": roots[keep], "community": root_comm[keep], "area": area[keep]})
    for name, lab in face_labels.items():
        df[f"legacy_{name}"] = lab[keep]
    if face_current is not None:
        df["current_grid"] = face_current[keep]
    geoms = faces[keep]
    # atom labels: those of the group's largest face
    order = np.lexsort((-df["area"].to_numpy(), df["root"].to_numpy()))
    biggest = df.iloc[order].drop_duplicates("root")
    groups = gpd.GeoDataFrame(df[["root"]], geometry=geoms, crs=comms.crs)
    dissolved = dissolve_valid(groups, "root")
    atoms = biggest.set_index("root").drop(columns=["area"])
    atoms = gpd.GeoDataFrame(atoms, geometry=dissolved.reindex(atoms.index).values, crs=comms.crs)
    atoms = order_atoms(atoms)
    report.atoms = len(atoms)
    return atoms


def _owned_faces(face_comm: np.ndarray, points: np.ndarray, comms: gpd.GeoDataFrame,
                 keep: set[str] | None, region: shapely.Geometry | None) -> np.ndarray:
    """Faces a (chunk's) report counts: all, or those of the ``keep`` communities and the outside
    faces in ``region`` whose nearest community is one of them."""
    if keep is None:
        return np.ones(len(face_comm), dtype=bool)
    owned = np.isin(face_comm, list(keep))
    out = np.flatnonzero(pd.isna(face_comm))
    if region is not None and len(out):
        out = out[shapely.within(points[out], region)]
    if len(out) and len(comms):
        tree = shapely.STRtree(comms.geometry.values)
        p_idx, c_idx = tree.query_nearest(points[out], all_matches=False, return_distance=False)
        near = np.full(len(out), None, dtype=object)
        near[p_idx] = comms["code"].to_numpy(dtype=object)[c_idx]
        owned[out] = np.isin(near, list(keep))
    return owned


def order_atoms(atoms: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Atoms sorted deterministically (community, then north->south, west->east), ``area_m2`` set
    and numbered 0.. in column ``atom`` (replacing any earlier numbering)."""
    atoms = atoms.drop(columns=[c for c in ("atom", "area_m2") if c in atoms])
    cent = atoms.geometry.centroid
    atoms["_y"], atoms["_x"], atoms["_a"] = -cent.y.round(3), cent.x.round(3), -atoms.geometry.area.round(3)
    atoms = atoms.sort_values(["community", "_y", "_x", "_a"], kind="mergesort").drop(columns=["_y", "_x", "_a"])
    atoms["area_m2"] = atoms.geometry.area
    atoms = atoms.reset_index(drop=True)
    atoms.insert(0, "atom", np.arange(len(atoms)))
    return atoms


def dissolve_valid(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Dissolve a coverage by ``by`` (``method="coverage"``, fast) and make every result valid.

    A coverage union can return a ring that touches itself (invalid for GEOS); such groups are
    unioned again with ``shapely.union_all`` and, if still invalid, fixed with make_valid
    (polygonal parts kept).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = gdf[[by, "geometry"]].dissolve(by=by, method="coverage").geometry
    bad = ~shapely.is_valid(out.values)
    if bad.any():
        geoms = out.values.copy()
        groups = gdf.groupby(by).indices
        for pos in np.flatnonzero(bad):
            key = out.index[pos]
            geom = shapely.union_all(gdf.geometry.values[groups[key]])
            if not shapely.is_valid(geom):
                geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
            parts = shapely.get_parts(geom)
            parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
            geoms[pos] = shapely.union_all(parts) if len(parts) > 1 else parts[0]
        out = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    return out


def build_atoms(communities: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame, sliver_m2: float = 100.0,
                repair: str = "auto") -> tuple[gpd.GeoDataFrame, RefinementReport]:
    """prepare_layers then refine: the atoms of communities x every legacy layer, and the report.

    ``communities`` (code, geometry) and ``legacy`` (code, layer, geometry) must be metric;
    ``repair`` is "auto", "maup" (repair every unclean legacy layer) or "none".
    """
    comms, frames, report = prepare_layers(communities, legacy, sliver_m2, repair)
    return refine(comms, frames, report), report
