"""Topology checks: overlaps, gaps, tiling of siblings and by parent, children inside their parent.

Every overlay is computed in both readings of the edges (see gridgeo.atlas.validation.readings) and
measured in m² in EPSG:4547.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.atlas.model import DEFAULT_TOLERANCE_M2
from gridgeo.atlas.validation.kinds import field_word, one
from gridgeo.atlas.validation.problems import Problem, _fmt_m2, feature_labels
from gridgeo.atlas.validation.readings import (
    SLIVER_WIDTH_M,
    _agreed,
    _lonlat_msg,
    _to_metric,
    _usable_geoms,
    remove_slivers,
    safe_intersection,
)
from gridgeo.i18n import Msg, Seq


def check_overlaps(gdf: gpd.GeoDataFrame, tolerance_m2: float = DEFAULT_TOLERANCE_M2, source: str = "",
                   kind: str | None = None) -> list[Problem]:
    """Pairs of features whose shared area exceeds the tolerance (STRtree pairs, vectorized areas)."""
    g = _usable_geoms(gdf)
    if len(g.rows) < 2:
        return []
    left, right = shapely.STRtree(g.metric).query(g.metric, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.intersection(g.metric[left], g.metric[right])
    big = shapely.area(shared) > tolerance_m2  # the agreed part can only be smaller
    left, right, shared = left[big], right[big], shared[big]
    areas = shapely.area(_agreed(shared, shapely.intersection(g.wgs[left], g.wgs[right])))
    labels = feature_labels(gdf, kind)
    word = one(kind)
    return [Problem(source, labels[g.rows[i]], Msg("val_overlap", {"kind": word, "other": labels[g.rows[j]],
                                                                   "area": _fmt_m2(area)}),
                    Msg("val_overlap_hint", {"kind": word, "tol": f"{tolerance_m2:g}"}), "overlap")
            for i, j, area in zip(left, right, areas, strict=True) if area > tolerance_m2]


def _closed_holes(union_metric) -> shapely.Geometry:
    """Holes of a union once cracks thinner than SLIVER_WIDTH_M are closed."""
    r = SLIVER_WIDTH_M / 2
    closed = shapely.buffer(shapely.buffer(union_metric, r, quad_segs=2), -r, quad_segs=2)
    holes = [shapely.Polygon(ring) for p in shapely.get_parts(closed) if p.geom_type == "Polygon"
             for ring in p.interiors]
    return shapely.MultiPolygon(holes) if holes else shapely.Polygon()


def check_gaps(gdf: gpd.GeoDataFrame, tolerance_m2: float = DEFAULT_TOLERANCE_M2, source: str = "",
               kind: str | None = None, parent_geometry=None, parent_label: str | None = None) -> list[Problem]:
    """Areas larger than the tolerance that siblings leave uncovered, located and with neighbours.

    With ``parent_geometry`` (in WGS84) the gaps are parent minus the union of the siblings; without
    it, the holes in the siblings' union (a hole that is really outside the area shows up too:
    pass the parent to avoid that).
    """
    g = _usable_geoms(gdf)
    empty = shapely.Polygon()
    union_m = shapely.union_all(g.metric) if len(g.rows) else empty
    union_w = shapely.union_all(g.wgs) if len(g.rows) else empty
    if parent_geometry is not None:
        parent_w = parent_geometry if parent_geometry.is_valid else shapely.make_valid(parent_geometry)
        parent_m = _to_metric(np.array([parent_w], dtype=object))[0]
        parent_m = parent_m if parent_m.is_valid else shapely.make_valid(parent_m)
        parts = shapely.get_parts(shapely.difference(parent_m, union_m))
        parts = parts[shapely.area(parts) > tolerance_m2]
        if len(parts) == 0:
            return []
        real = _agreed(parts, np.full(len(parts), shapely.difference(parent_w, union_w), dtype=object))
        where = Msg("val_inside", {"parent": parent_label}) if parent_label else ""
    else:
        parts = shapely.get_parts(_closed_holes(union_m))
        parts = parts[shapely.area(parts) > tolerance_m2]
        if len(parts) == 0:
            return []
        holes_w = _closed_holes(_to_metric(np.array([union_w], dtype=object))[0])
        real = remove_slivers(safe_intersection(parts, holes_w))
        where = ""
    pieces = shapely.get_parts(real)
    areas = shapely.area(pieces)
    labels = feature_labels(gdf, kind)
    word = one(kind)
    tree = shapely.STRtree(g.metric) if len(g.rows) else None
    problems = []
    for piece, area in zip(pieces, areas, strict=True):
        if area <= tolerance_m2:
            continue
        near = ""
        if tree is not None:
            hits = tree.query(piece, predicate="dwithin", distance=0.1)
            if len(hits):
                names = [str(labels[g.rows[h]]) for h in sorted(hits)[:5]]
                near = Msg("val_borders", {"names": Seq(tuple(names)), "more": " ..." if len(hits) > 5 else ""})
        at = _lonlat_msg(shapely.point_on_surface(piece))
        problems.append(Problem(source, None, Msg("val_gap", {"area": _fmt_m2(area), "where": where, "kind": word,
                                                              "at": at, "near": near}),
                                Msg("val_gap_hint", {"kind": word, "tol": f"{tolerance_m2:g}"}), "gap"))
    return problems


def check_siblings_tiling(gdf: gpd.GeoDataFrame, tolerance_m2: float = DEFAULT_TOLERANCE_M2,
                          source: str = "", kind: str | None = None, parent_geometry=None,
                          parent_label: str | None = None) -> list[Problem]:
    """Overlaps and gaps between siblings larger than ``tolerance_m2`` square metres."""
    return (check_overlaps(gdf, tolerance_m2, source, kind)
            + check_gaps(gdf, tolerance_m2, source, kind, parent_geometry, parent_label))


def check_tiling_by_parent(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame, child_parent_col: str,
                           tolerance_m2: float = DEFAULT_TOLERANCE_M2, source: str = "",
                           kind: str | None = None, parent_kind: str | None = None) -> list[Problem]:
    """Overlaps among all children, and for each parent the part no child of it covers."""
    problems = check_overlaps(children, tolerance_m2, source, kind)
    if child_parent_col not in children.columns or "code" not in parents.columns:
        return problems
    child_codes = children[child_parent_col].astype(str).to_numpy()
    pword = one(parent_kind, "parent")
    for code, geom in zip(parents["code"].astype(str), parents.geometry.values, strict=True):
        if geom is None or geom.is_empty:
            continue
        subset = children[child_codes == code]
        problems += check_gaps(subset, tolerance_m2, source, kind, geom,
                               Msg("val_parent_label", {"kind": pword, "code": code}))
    return problems


def check_children_in_parent(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame, child_parent_col: str,
                             tolerance_m2: float = DEFAULT_TOLERANCE_M2, source: str = "",
                             kind: str | None = None, parent_kind: str | None = None) -> list[Problem]:
    """Children whose parent code is unknown, or that lie outside their parent.

    Areas: more than ``tolerance_m2`` outside; points (and lines): not covered by the parent.
    """
    if child_parent_col not in children.columns or "code" not in parents.columns or len(children) == 0:
        return []
    labels = feature_labels(children, kind)
    pword = one(parent_kind, "parent")
    col = field_word(child_parent_col)
    p = _usable_geoms(parents)
    parent_pos = {str(parents["code"].iloc[r]): k for k, r in enumerate(p.rows)}
    known_codes = set(parents["code"].astype(str))
    problems: list[Problem] = []
    c = _usable_geoms(children)
    codes = children[child_parent_col].to_numpy(dtype=object)
    pairs_child, pairs_parent = [], []
    for k, r in enumerate(c.rows):
        code = codes[r]
        if code is None or pd.isna(code) or str(code).strip() == "":
            continue  # reported by check_required_fields
        code = str(code)
        if code not in known_codes:
            problems.append(Problem(source, labels[r], Msg("val_unknown_parent", {"col": col, "code": code,
                                                                                   "parent": pword}),
                                    Msg("val_unknown_parent_hint", {"parent": pword}), "unknown_parent"))
        elif code in parent_pos:
            pairs_child.append(k)
            pairs_parent.append(parent_pos[code])
    if not pairs_child:
        return problems
    ci, pi = np.asarray(pairs_child), np.asarray(pairs_parent)
    child_m, parent_m = c.metric[ci], p.metric[pi]
    dims = shapely.get_dimensions(child_m)
    outside_area = np.zeros(len(ci))
    outside = shapely.difference(child_m, parent_m)
    big = (dims == 2) & (shapely.area(outside) > tolerance_m2)
    if big.any():
        outside_w = shapely.difference(c.wgs[ci[big]], p.wgs[pi[big]])
        outside_area[big] = shapely.area(_agreed(outside[big], outside_w))
    not_covered = (dims < 2) & ~shapely.covers(parent_m, child_m) & ~shapely.covers(p.wgs[pi], c.wgs[ci])
    for k in np.flatnonzero((outside_area > tolerance_m2) | not_covered):
        r = c.rows[ci[k]]
        parent_code = str(codes[r])
        if dims[k] == 2:
            msg = Msg("val_outside_parent", {"area": _fmt_m2(outside_area[k]), "parent": pword, "code": parent_code})
        else:
            msg = Msg("val_outside_parent_at", {"parent": pword, "code": parent_code,
                                                "at": _lonlat_msg(shapely.point_on_surface(child_m[k]))})
        problems.append(Problem(source, labels[r], msg,
                                Msg("val_outside_parent_hint", {"parent": pword, "col": col,
                                                                "tol": f"{tolerance_m2:g}"}), "outside_parent"))
    return problems
