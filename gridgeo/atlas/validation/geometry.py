"""Geometry checks: null/empty/wrong-type/invalid geometries and their repair, swapped lon/lat and
features outside the China box."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import shapely

from gridgeo.atlas.model import GEOMETRY_TYPES
from gridgeo.atlas.validation.kinds import many
from gridgeo.atlas.validation.problems import Problem, feature_labels
from gridgeo.i18n import Msg, Seq, word

# The box in which GCJ-02 applies (gridgeo.geo.crs.in_china): used for "outside China" checks.
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)

_REASON = re.compile(r"^(?P<what>[^\[]+)\[(?P<x>[-0-9.eE+]+) (?P<y>[-0-9.eE+]+)\]")


def _reason_msg(reason: str) -> Msg | str:
    """shapely's reason as a catalogue message: 'Self-intersection[113.9 22.7]' -> 'self-intersection
    at lon 113.9, lat 22.7' (GEOS words the catalogue lacks stay as GEOS says them)."""
    m = _REASON.match(reason or "")
    if not m:
        return word("gvr_", (reason or "invalid geometry").lower())
    return Msg("val_reason_at", {"what": word("gvr_", m["what"].strip().lower()),
                                 "lon": f"{float(m['x']):.6f}", "lat": f"{float(m['y']):.6f}"})


def _reason_text(reason: str) -> str:
    """'Self-intersection[113.9 22.7]' -> 'self-intersection at lon 113.9, lat 22.7'."""
    why = _reason_msg(reason)
    return why.render("en") if isinstance(why, Msg) else why


def _box(x0: float, x1: float, y0: float, y1: float) -> Msg:
    """'lon 113.7..114.0, lat 22.6..22.9' as a catalogue message."""
    return Msg("val_box", {"x0": f"{x0:.4f}", "x1": f"{x1:.4f}", "y0": f"{y0:.4f}", "y1": f"{y1:.4f}"})


def check_geometries(gdf: gpd.GeoDataFrame, kind: str | None = None, source: str = "") -> list[Problem]:
    """Null, empty, wrong-type (gridgeo.atlas.model.GEOMETRY_TYPES) and invalid geometries.

    Invalid ones say where (shapely.is_valid_reason) and point to ``--repair``.
    """
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") else np.asarray(
        gdf.geometry.values)
    labels = feature_labels(gdf, kind)
    problems: list[Problem] = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        problems.append(Problem(source, labels[i], Msg("val_null_geometry"), Msg("val_draw_or_delete"),
                                "null_geometry"))
    for i in np.flatnonzero(empty):
        problems.append(Problem(source, labels[i], Msg("val_empty_geometry"), Msg("val_draw_or_delete"),
                                "empty_geometry"))
    present = ~missing & ~empty
    if kind in GEOMETRY_TYPES:
        allowed = GEOMETRY_TYPES[kind]
        types = np.asarray(shapely.get_type_id(geoms))
        names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                          "MultiPolygon", "GeometryCollection"], dtype=object)
        wrong = present & ~np.isin(names[np.clip(types, 0, 7)], allowed)
        for i in np.flatnonzero(wrong):
            need = Seq(tuple(word("geom_", a) for a in allowed), Msg("sep_or"))
            problems.append(Problem(source, labels[i], Msg("val_geometry_type", {"type": word("geom_", names[types[i]])}),
                                    Msg("val_geometry_type_hint", {"kinds": many(kind), "types": need}),
                                    "geometry_type"))
    invalid = present & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        problems.append(Problem(source, labels[i], Msg("val_invalid", {"reason": _reason_msg(reason)}),
                                Msg("val_invalid_hint"),
                                "invalid_geometry"))
    return problems


def repair_geometries(gdf: gpd.GeoDataFrame, kind: str | None = None) -> tuple[gpd.GeoDataFrame, int]:
    """Return a copy with invalid geometries fixed by shapely.make_valid, and how many were fixed.

    For area kinds only the polygonal parts of a repaired geometry are kept (a bow-tie becomes
    a MultiPolygon of its two triangles; collapsed slivers are dropped).
    """
    out = gdf.copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    if not invalid.any():
        return out, 0
    fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    if kind is None or all(t in ("Polygon", "MultiPolygon") for t in GEOMETRY_TYPES.get(kind, ("Point",))):
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
    geoms = geoms.copy()
    geoms[invalid] = fixed
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
    return out, int(invalid.sum())


def _polygonal(geom):
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        return geom
    return shapely.union_all(polys) if len(polys) > 1 else polys[0]


def check_lonlat(gdf: gpd.GeoDataFrame, source: str = "", kind: str | None = None) -> list[Problem]:
    """Swapped lon/lat (the whole layer) or features outside China (each, or the whole layer)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    usable = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    # NaN/inf coordinates are reported as invalid geometry; they say nothing about swaps or units
    usable[np.flatnonzero(usable)[~np.isfinite(shapely.bounds(geoms[usable])).all(axis=1)]] = False
    if not usable.any():
        return []
    b = shapely.bounds(geoms[usable])
    xmin, ymin, xmax, ymax = np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]), np.nanmax(b[:, 3])
    box = _box(xmin, xmax, ymin, ymax)
    x_as_lat = CHINA_LAT[0] <= xmin and xmax <= CHINA_LAT[1]
    y_as_lon = CHINA_LON[0] <= ymin and ymax <= CHINA_LON[1]
    x_as_lon = CHINA_LON[0] <= xmin and xmax <= CHINA_LON[1]
    if x_as_lat and y_as_lon and not x_as_lon:
        return [Problem(source, None, Msg("val_swapped_all", {"box": box}), Msg("val_swapped_all_hint"),
                        "lonlat_swapped")]
    outside = ((b[:, 0] < CHINA_LON[0]) | (b[:, 2] > CHINA_LON[1])
               | (b[:, 1] < CHINA_LAT[0]) | (b[:, 3] > CHINA_LAT[1]))
    if not outside.any():
        return []
    projected = max(abs(xmin), abs(xmax)) > 180 or max(abs(ymin), abs(ymax)) > 90
    hint = Msg("val_metres_hint" if projected else "val_check_crs_hint")
    if outside.all():
        return [Problem(source, None, Msg("val_outside_all", {"n": int(usable.sum()), "box": box}), hint,
                        "outside_china")]
    labels = np.asarray(feature_labels(gdf, kind), dtype=object)[usable]
    swapped = ((CHINA_LAT[0] <= b[:, 0]) & (b[:, 2] <= CHINA_LAT[1])
               & (CHINA_LON[0] <= b[:, 1]) & (b[:, 3] <= CHINA_LON[1]))
    problems = []
    for i in np.flatnonzero(outside):
        span = _box(b[i, 0], b[i, 2], b[i, 1], b[i, 3])
        if swapped[i]:
            problems.append(Problem(source, labels[i], Msg("val_swapped", {"box": span}), Msg("val_swapped_hint"),
                                    "lonlat_swapped"))
        else:
            problems.append(Problem(source, labels[i], Msg("val_outside", {"box": span}), hint, "outside_china"))
    return problems


def _in_china_box(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """True for features whose bounds lie inside the China box (False for null/empty ones)."""
    b = shapely.bounds(np.asarray(gdf.geometry.values, dtype=object))
    with np.errstate(invalid="ignore"):
        return ((b[:, 0] >= CHINA_LON[0]) & (b[:, 2] <= CHINA_LON[1])
                & (b[:, 1] >= CHINA_LAT[0]) & (b[:, 3] <= CHINA_LAT[1]))
