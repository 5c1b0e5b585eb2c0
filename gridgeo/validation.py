"""Validate grid-atlas layers and report every problem as one line: file, feature, what, what to do.

The checks are plain functions over WGS84 GeoDataFrames returning lists of ``Problem`` so other
modules can reuse them; ``validate_file``, ``validate_folder`` and ``validate_atlas`` run them all.
Overlaps, gaps and outside-parent areas use an STRtree for candidate pairs and shapely 2's
vectorized overlays, computed with edges read as straight both in degrees and in EPSG:4547 (only
what both readings agree on counts; see the topology section) and measured in m² in EPSG:4547.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gridgeo.atlas import LAYER_FILES
from gridgeo.crs import METRIC, WGS84
from gridgeo.errors import InputError, UsageError
from gridgeo.io import read_layer
from gridgeo.model import (
    CODE_LENGTHS,
    COUNT_COLUMNS,
    DEFAULT_TOLERANCE_M2,
    GEOMETRY_TYPES,
    REQUIRED_COLUMNS,
    Atlas,
)

KINDS: tuple[str, ...] = tuple(REQUIRED_COLUMNS)
AREA_KINDS: tuple[str, ...] = ("district", "streets", "communities", "grids")

# kind -> (parent kind, column of the child naming its parent's code)
PARENTS: dict[str, tuple[str, str]] = {
    "streets": ("district", "district_code"),
    "communities": ("streets", "street_code"),
    "grids": ("communities", "community_code"),
    "units": ("communities", "community_code"),
}

SINGULAR: dict[str, str] = {
    "district": "district", "streets": "street", "communities": "community", "grids": "grid",
    "legacy": "legacy grid", "units": "unit", "events": "event",
}

# The box in which GCJ-02 applies (gridgeo.crs.in_china): used for "outside China" checks.
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)


@dataclass(frozen=True)
class Problem:
    """One problem in one file: ``feature`` is a code (str), a 1-based row number (int) or None.

    A row number counts features from 1 (in a CSV: data rows below the header).

    ``check`` names the kind of problem (e.g. "invalid_geometry") for programs and tests.
    """

    file: str
    feature: str | int | None
    message: str
    hint: str = ""
    check: str = ""

    def __str__(self) -> str:
        where = self.file or "<layer>"
        if isinstance(self.feature, int):
            where += f": row {self.feature}"
        elif self.feature is not None:
            where += f": feature {self.feature}"
        return f"{where}: {self.message}" + (f" — {self.hint}" if self.hint else "")


def _plural(kind: str) -> str:
    return "districts" if kind == "district" else "legacy grids" if kind == "legacy" else kind


def _id_column(gdf: pd.DataFrame, kind: str | None = None) -> str | None:
    preferred = ("id", "code") if kind == "events" else ("code", "id")
    return next((c for c in preferred if c in gdf.columns), None)


def feature_labels(gdf: pd.DataFrame, kind: str | None = None) -> list[str | int]:
    """How each feature is named in a problem: its code (or event id), else its 1-based row."""
    col = _id_column(gdf, kind)
    if col is None:
        return list(range(1, len(gdf) + 1))
    values = gdf[col].to_numpy(dtype=object)
    return [str(v) if v is not None and not pd.isna(v) and str(v).strip() else i + 1
            for i, v in enumerate(values)]


def _fmt_m2(value: float) -> str:
    return f"{value:,.0f} m²" if value >= 10 else f"{value:.2f} m²"


# --- attribute checks -------------------------------------------------------------------------

def check_required_fields(gdf: pd.DataFrame, kind: str, source: str = "") -> list[Problem]:
    """Required columns of ``kind`` (gridgeo.model.REQUIRED_COLUMNS) that are missing or empty."""
    required = REQUIRED_COLUMNS[kind]
    problems: list[Problem] = []
    labels = None
    for col in required:
        if col not in gdf.columns:
            problems.append(Problem(source, None, f"missing required field {col!r}",
                                    f"add a {col} column ({_plural(kind)} need: {', '.join(required)})",
                                    "missing_field"))
            continue
        values = gdf[col]
        empty = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
        if empty.any():
            labels = labels or feature_labels(gdf, kind)
            for i in np.flatnonzero(empty):
                problems.append(Problem(source, labels[i], f"required field {col!r} is empty",
                                        f"fill in {col}", "empty_field"))
    return problems


def check_counts(gdf: pd.DataFrame, source: str = "", kind: str | None = None) -> list[Problem]:
    """Households, population and enterprises must be whole numbers >= 0 where present."""
    problems: list[Problem] = []
    labels = None
    for col in COUNT_COLUMNS:
        if col not in gdf.columns:
            continue
        raw = gdf[col]
        numbers = pd.to_numeric(raw, errors="coerce")
        bad = (raw.notna() & numbers.isna()) | (numbers < 0) | (numbers.notna() & (numbers % 1 != 0))
        for i in np.flatnonzero(bad.to_numpy()):
            labels = labels or feature_labels(gdf, kind)
            problems.append(Problem(source, labels[i], f"{col} is {raw.iloc[i]!r}, not a whole number >= 0",
                                    f"write {col} as a count", "bad_count"))
    return problems


def check_duplicate_codes(gdf: pd.DataFrame, source: str = "", column: str = "code") -> list[Problem]:
    """Codes used by more than one feature, naming the rows that share each."""
    if column not in gdf.columns:
        return []
    codes = gdf[column]
    dup = codes.notna() & codes.duplicated(keep=False)
    problems: list[Problem] = []
    if not dup.any():
        return problems
    rows = pd.Series(np.arange(1, len(gdf) + 1)[dup.to_numpy()], index=codes[dup].astype(str).to_numpy())
    for code, group in rows.groupby(level=0, sort=False):
        problems.append(Problem(source, code, f"{column} used by {len(group)} features "
                                f"(rows {', '.join(map(str, group.to_numpy()))})",
                                f"give each feature its own {column}", "duplicate_code"))
    return problems


def check_code_lengths(gdf: pd.DataFrame, kind: str, source: str = "") -> list[Problem]:
    """Codes must be digits of the kind's length, start with the parent code, and parent codes too.

    District 6, street 9, community 12, grid 15 digits (gridgeo.model.CODE_LENGTHS).
    """
    problems: list[Problem] = []
    labels = feature_labels(gdf, kind)
    expected = CODE_LENGTHS.get(kind)
    parent_kind, parent_col = PARENTS.get(kind, (None, None))
    if expected and "code" in gdf.columns:
        codes = gdf["code"].astype(object)
        for i, code in enumerate(codes):
            if code is None or pd.isna(code):
                continue
            code = str(code)
            if not (code.isdigit() and len(code) == expected):
                problems.append(Problem(source, labels[i], f"code {code!r} is not {expected} digits",
                                        f"{SINGULAR[kind]} codes have {expected} digits", "code_length"))
            elif parent_col in gdf.columns and pd.notna(gdf[parent_col].iloc[i]):
                parent = str(gdf[parent_col].iloc[i])
                if not code.startswith(parent):
                    problems.append(Problem(
                        source, labels[i], f"code {code} does not start with its {parent_col} {parent}",
                        f"a {SINGULAR[kind]} code extends its {SINGULAR[parent_kind]}'s code",
                        "code_prefix"))
    if parent_kind and parent_col in gdf.columns and parent_kind in CODE_LENGTHS:
        plen = CODE_LENGTHS[parent_kind]
        for i, value in enumerate(gdf[parent_col].astype(object)):
            if value is None or pd.isna(value) or str(value).strip() == "":
                continue
            if not (str(value).isdigit() and len(str(value)) == plen):
                problems.append(Problem(source, labels[i], f"{parent_col} {str(value)!r} is not {plen} digits",
                                        f"{SINGULAR[parent_kind]} codes have {plen} digits", "code_length"))
    return problems


def check_events(gdf: gpd.GeoDataFrame, source: str = "") -> list[Problem]:
    """Each event's fields checked with the event schema the service uses (gridgeo.events).

    Positions are taken from the (already WGS84) geometry; rows without a point are left to
    check_geometries. Times must carry a zone, levels be 1-4, categories known, and so on.
    """
    from gridgeo.events import validate_event

    labels = feature_labels(gdf, "events")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    is_point = ~shapely.is_missing(geoms) & (shapely.get_type_id(geoms) == 0)
    columns = [c for c in gdf.columns if c not in (gdf.geometry.name, "crs_in")]
    problems: list[Problem] = []
    for i, row in enumerate(gdf[columns].itertuples(index=False, name=None)):
        if not is_point[i] or shapely.is_empty(geoms[i]):
            continue
        raw = {k: v for k, v in zip(columns, row, strict=True) if not (v is None or (np.isscalar(v) and pd.isna(v)))}
        for key in ("lon", "lat", "lng", "longitude", "latitude", "x", "y", "经度", "纬度"):
            raw.pop(key, None)
        raw.update(lon=float(geoms[i].x), lat=float(geoms[i].y), crs="WGS84")
        if isinstance(raw.get("level"), float) and raw["level"].is_integer():
            raw["level"] = int(raw["level"])
        for err in validate_event(raw, i)[1]:
            problems.append(Problem(source, labels[i], f"{err.field}: {err.message}",
                                    f"fix {err.field}" if err.field != "event" else "fix the row", "event_field"))
    return problems


# --- geometry checks --------------------------------------------------------------------------

_REASON = re.compile(r"^(?P<what>[^\[]+)\[(?P<x>[-0-9.eE+]+) (?P<y>[-0-9.eE+]+)\]")


def _reason_text(reason: str) -> str:
    """'Self-intersection[113.9 22.7]' -> 'self-intersection at lon 113.9, lat 22.7'."""
    m = _REASON.match(reason or "")
    if not m:
        return (reason or "invalid geometry").lower()
    return f"{m['what'].strip().lower()} at lon {float(m['x']):.6f}, lat {float(m['y']):.6f}"


def check_geometries(gdf: gpd.GeoDataFrame, kind: str | None = None, source: str = "") -> list[Problem]:
    """Null, empty, wrong-type (gridgeo.model.GEOMETRY_TYPES) and invalid geometries.

    Invalid ones say where (shapely.is_valid_reason) and point to ``--repair``.
    """
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") else np.asarray(
        gdf.geometry.values)
    labels = feature_labels(gdf, kind)
    problems: list[Problem] = []
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    for i in np.flatnonzero(missing):
        problems.append(Problem(source, labels[i], "geometry is null",
                                "draw the feature or delete the row", "null_geometry"))
    for i in np.flatnonzero(empty):
        problems.append(Problem(source, labels[i], "geometry is empty",
                                "draw the feature or delete the row", "empty_geometry"))
    present = ~missing & ~empty
    if kind in GEOMETRY_TYPES:
        allowed = GEOMETRY_TYPES[kind]
        types = np.asarray(shapely.get_type_id(geoms))
        names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                          "MultiPolygon", "GeometryCollection"], dtype=object)
        wrong = present & ~np.isin(names[np.clip(types, 0, 7)], allowed)
        for i in np.flatnonzero(wrong):
            problems.append(Problem(source, labels[i], f"geometry is a {names[types[i]]}",
                                    f"{_plural(kind)} need {' or '.join(allowed)}", "geometry_type"))
    invalid = present & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        problems.append(Problem(source, labels[i], f"invalid geometry: {_reason_text(reason)} (WGS84)",
                                "fix it there, or rerun with --repair OUT to fix it with make_valid",
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
    if not usable.any():
        return []
    b = shapely.bounds(geoms[usable])
    xmin, ymin, xmax, ymax = np.nanmin(b[:, 0]), np.nanmin(b[:, 1]), np.nanmax(b[:, 2]), np.nanmax(b[:, 3])
    box = f"lon {xmin:.4f}..{xmax:.4f}, lat {ymin:.4f}..{ymax:.4f}"
    x_as_lat = CHINA_LAT[0] <= xmin and xmax <= CHINA_LAT[1]
    y_as_lon = CHINA_LON[0] <= ymin and ymax <= CHINA_LON[1]
    x_as_lon = CHINA_LON[0] <= xmin and xmax <= CHINA_LON[1]
    if x_as_lat and y_as_lon and not x_as_lon:
        return [Problem(source, None, f"lon/lat look swapped (coordinates span {box})",
                        "swap the x and y columns / axes so longitude comes first", "lonlat_swapped")]
    outside = ((b[:, 0] < CHINA_LON[0]) | (b[:, 2] > CHINA_LON[1])
               | (b[:, 1] < CHINA_LAT[0]) | (b[:, 3] > CHINA_LAT[1]))
    if not outside.any():
        return []
    projected = max(abs(xmin), abs(xmax)) > 180 or max(abs(ymin), abs(ymax)) > 90
    hint = ("the numbers look like metres, not degrees: declare the projected CRS, e.g. --crs EPSG:4547"
            if projected else "check the coordinates and the declared CRS (--crs)")
    if outside.all():
        return [Problem(source, None, f"all {int(usable.sum())} features lie outside China ({box})", hint,
                        "outside_china")]
    labels = np.asarray(feature_labels(gdf, kind), dtype=object)[usable]
    swapped = ((CHINA_LAT[0] <= b[:, 0]) & (b[:, 2] <= CHINA_LAT[1])
               & (CHINA_LON[0] <= b[:, 1]) & (b[:, 3] <= CHINA_LON[1]))
    problems = []
    for i in np.flatnonzero(outside):
        span = f"lon {b[i, 0]:.4f}..{b[i, 2]:.4f}, lat {b[i, 1]:.4f}..{b[i, 3]:.4f}"
        if swapped[i]:
            problems.append(Problem(source, labels[i], f"lon/lat look swapped ({span})",
                                    "swap its x and y so longitude comes first", "lonlat_swapped"))
        else:
            problems.append(Problem(source, labels[i], f"lies outside China ({span})", hint, "outside_china"))
    return problems


def _in_china_box(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """True for features whose bounds lie inside the China box (False for null/empty ones)."""
    b = shapely.bounds(np.asarray(gdf.geometry.values, dtype=object))
    with np.errstate(invalid="ignore"):
        return ((b[:, 0] >= CHINA_LON[0]) & (b[:, 2] <= CHINA_LON[1])
                & (b[:, 1] >= CHINA_LAT[0]) & (b[:, 3] <= CHINA_LAT[1]))


# --- topology checks --------------------------------------------------------------------------
# A polygon edge is straight in the space it was drawn in, and the two readings differ: over a
# 5 km edge a segment straight in degrees bows ~10 cm away from the one straight in metres
# (EPSG:4547), enough to turn a shared border into hundreds of m² of "overlap" if the overlay is
# done in the other space. So every overlay (overlap, gap, outside parent) is computed in both
# spaces and only the part found in both counts; what is left is measured in EPSG:4547 after a
# morphological opening that drops anything thinner than SLIVER_WIDTH_M (float noise).

SLIVER_WIDTH_M = 0.01

_TO_METRIC = pyproj.Transformer.from_crs(WGS84, METRIC, always_xy=True)
_TO_WGS84 = pyproj.Transformer.from_crs(METRIC, WGS84, always_xy=True)


@dataclass
class _Geoms:
    """The usable geometries of a layer in WGS84 and in EPSG:4547, and their row positions."""

    wgs: np.ndarray
    metric: np.ndarray
    rows: np.ndarray


def _usable_geoms(gdf: gpd.GeoDataFrame) -> _Geoms:
    """Non-null, non-empty geometries (invalid ones made valid) in both spaces."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    rows = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    wgs = geoms[rows].copy()
    metric = _to_metric(wgs)
    for arr in (wgs, metric):
        bad = ~shapely.is_valid(arr)
        if bad.any():
            arr[bad] = shapely.make_valid(arr[bad])
    return _Geoms(wgs, metric, rows)


def _to_metric(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def remove_slivers(geoms: np.ndarray) -> np.ndarray:
    """Morphological opening by SLIVER_WIDTH_M / 2: drops the parts of EPSG:4547 geometries
    thinner than SLIVER_WIDTH_M and keeps the rest (less a rounding of its corners)."""
    r = SLIVER_WIDTH_M / 2
    return shapely.buffer(shapely.buffer(geoms, -r, quad_segs=2), r, quad_segs=2)


def _agreed(metric_result: np.ndarray, wgs_result: np.ndarray) -> np.ndarray:
    """The part of an overlay result found in both readings, without slivers (EPSG:4547)."""
    return remove_slivers(shapely.intersection(metric_result, _to_metric(wgs_result)))


def _lonlat(point_metric: shapely.Point) -> str:
    lon, lat = _TO_WGS84.transform(point_metric.x, point_metric.y)
    return f"lon {lon:.6f}, lat {lat:.6f}"


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
    word = SINGULAR.get(kind or "", "feature")
    return [Problem(source, labels[g.rows[i]], f"overlaps {word} {labels[g.rows[j]]} by {_fmt_m2(area)}",
                    f"move the shared border so each place belongs to one {word} "
                    f"(tolerance {tolerance_m2:g} m²)", "overlap")
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
        where = f" inside {parent_label}" if parent_label else ""
    else:
        parts = shapely.get_parts(_closed_holes(union_m))
        parts = parts[shapely.area(parts) > tolerance_m2]
        if len(parts) == 0:
            return []
        holes_w = _closed_holes(_to_metric(np.array([union_w], dtype=object))[0])
        real = remove_slivers(shapely.intersection(parts, holes_w))
        where = ""
    pieces = shapely.get_parts(real)
    areas = shapely.area(pieces)
    labels = feature_labels(gdf, kind)
    word = SINGULAR.get(kind or "", "feature")
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
                near = f"; borders {', '.join(names)}{' ...' if len(hits) > 5 else ''}"
        problems.append(Problem(source, None, f"gap of {_fmt_m2(area)}{where} not covered by any {word} "
                                f"(at {_lonlat(shapely.point_on_surface(piece))}{near})",
                                f"extend a neighbouring {word} to cover it (tolerance {tolerance_m2:g} m²)", "gap"))
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
    pword = SINGULAR.get(parent_kind or "", "parent")
    for code, geom in zip(parents["code"].astype(str), parents.geometry.values, strict=True):
        if geom is None or geom.is_empty:
            continue
        subset = children[child_codes == code]
        problems += check_gaps(subset, tolerance_m2, source, kind, geom, f"{pword} {code}")
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
    pword = SINGULAR.get(parent_kind or "", "parent")
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
            problems.append(Problem(source, labels[r], f"{child_parent_col} {code} is not a known {pword}",
                                    f"use the code of an existing {pword} or add that {pword}",
                                    "unknown_parent"))
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
            msg = f"lies {_fmt_m2(outside_area[k])} outside its {pword} {parent_code}"
        else:
            msg = f"lies outside its {pword} {parent_code} (at {_lonlat(shapely.point_on_surface(child_m[k]))})"
        problems.append(Problem(source, labels[r], msg,
                                f"redraw it inside the {pword} or fix {child_parent_col} "
                                f"(tolerance {tolerance_m2:g} m²)", "outside_parent"))
    return problems


# --- whole layers, files and atlases ----------------------------------------------------------

def validate_frame(gdf: gpd.GeoDataFrame, kind: str, source: str = "",
                   tolerance_m2: float = DEFAULT_TOLERANCE_M2, parent: gpd.GeoDataFrame | None = None,
                   tiling: bool = True) -> list[Problem]:
    """Every check that applies to a layer of ``kind``; with ``parent`` also nesting and per-parent gaps.

    Metric checks are skipped when the coordinates are not usable (swapped or outside China).
    ``tiling=False`` skips overlap/gap checks (e.g. for legacy layers, which overlap by nature).
    """
    if kind not in REQUIRED_COLUMNS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if len(gdf) == 0:
        return [Problem(source, None, "the layer has no features", "export it again with its features",
                        "empty_layer")]
    problems = check_required_fields(gdf, kind, source)
    problems += check_code_lengths(gdf, kind, source)
    problems += check_duplicate_codes(gdf, source, column=_id_column(gdf, kind) or "code")
    problems += check_counts(gdf, source, kind)
    problems += check_geometries(gdf, kind, source)
    if kind == "events":
        problems += check_events(gdf, source)
    where = check_lonlat(gdf, source, kind)
    problems += where
    if any(p.feature is None for p in where):
        return problems  # coordinates are unusable: areas would be meaningless
    if where:  # leave the misplaced features out of the area checks
        gdf = gdf.set_geometry(np.where(_in_china_box(gdf), np.asarray(gdf.geometry.values, dtype=object), None),
                               crs=gdf.crs)
    parent_kind, parent_col = PARENTS.get(kind, (None, None))
    if parent is not None and parent_col:
        nesting = check_children_in_parent(gdf, parent, parent_col, tolerance_m2, source, kind, parent_kind)
        outside = sum(p.check == "outside_parent" for p in nesting)
        if outside >= 3 and outside > len(gdf) / 2:
            nesting.insert(0, Problem(
                source, None, f"{outside} of {len(gdf)} features lie partly outside their "
                f"{SINGULAR[parent_kind]}: the two files may be in different CRSs (GCJ-02 and BD-09 are "
                "shifted by a few hundred metres from WGS84)",
                "declare each file's CRS with --crs and --parent-crs", "crs_mismatch"))
        problems += nesting
    if tiling and kind in AREA_KINDS:
        if parent is not None and parent_col:
            problems += check_tiling_by_parent(gdf, parent, parent_col, tolerance_m2, source, kind, parent_kind)
        else:
            problems += check_siblings_tiling(gdf, tolerance_m2, source, kind)
    return problems


_NAME_HINTS: dict[str, tuple[str, ...]] = {
    "legacy": ("legacy", "旧网格", "部门网格"),
    "events": ("events", "event", "cases", "petitions", "事件", "诉求", "信访件"),
    "units": ("units", "unit", "单元", "小区"),
    "grids": ("grids", "grid", "网格"),
    "communities": ("communities", "community", "社区"),
    "streets": ("streets", "street", "街道"),
    "district": ("district", "districts", "区县"),
}


def guess_kind(gdf: pd.DataFrame, path: str | Path | None = None) -> tuple[str | None, str]:
    """Guess the kind of a layer from its file name, then its columns and code lengths.

    Returns (kind or None, how it was guessed).
    """
    if path is not None:
        stem = Path(path).stem.lower()
        tokens = set(re.split(r"[^0-9a-z\u4e00-\u9fff]+", stem))
        for kind, names in _NAME_HINTS.items():
            if any(n in tokens or (not n.isascii() and n in stem) for n in names):
                return kind, "guessed from the file name"
    cols = set(gdf.columns)
    by_columns = [
        ("events", {"reported_at"}), ("legacy", {"layer"}), ("units", {"kind", "households"}),
        ("grids", {"community_code"}), ("communities", {"street_code"}), ("streets", {"district_code"}),
    ]
    for kind, needed in by_columns:
        if needed <= cols:
            return kind, "guessed from the columns"
    if "code" in cols and len(gdf):
        lengths = gdf["code"].dropna().astype(str).str.len()
        if len(lengths):
            common = int(lengths.mode().iloc[0])
            for kind, n in CODE_LENGTHS.items():
                if n == common:
                    return kind, "guessed from the code length"
    return None, "could not be guessed"


@dataclass
class Report:
    """The outcome of validating one file: the problems, the kind used and the data read."""

    path: str
    kind: str | None
    kind_reason: str
    problems: list[Problem] = field(default_factory=list)
    frame: gpd.GeoDataFrame | None = None
    parent_frame: gpd.GeoDataFrame | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_path(path: str | Path, kind: str | None = None, crs: str | None = None,
                  tolerance_m2: float = DEFAULT_TOLERANCE_M2, parent: str | Path | None = None,
                  parent_crs: str | None = None, layer: str | None = None) -> Report:
    """Read and validate one file; unreadable files become problems, bad arguments raise UsageError."""
    source = str(path)
    read_kind = kind or guess_kind(pd.DataFrame(), path)[0]  # from the name: picks a GeoPackage layer
    try:
        gdf = read_layer(path, kind=read_kind, crs=crs, layer=layer)
    except InputError as exc:
        return Report(source, kind, "given" if kind else "not guessed (file unreadable)",
                      [_problem_from_error(source, exc)])
    reason = "given with --kind"
    if kind is None:
        kind, reason = guess_kind(gdf, path)
        if kind is None:
            raise UsageError(f"{path}: cannot tell which kind of layer this is from its name or columns; "
                             f"pass --kind {'|'.join(KINDS)}")
    parent_gdf = None
    parent_problems: list[Problem] = []
    if parent is not None:
        parent_kind = PARENTS.get(kind, (None, None))[0]
        if parent_kind is None:
            raise UsageError(f"--parent does not apply to {kind}; it applies to {', '.join(PARENTS)}")
        try:
            parent_gdf = read_layer(parent, kind=parent_kind, crs=parent_crs if parent_crs else crs)
        except InputError as exc:
            return Report(source, kind, reason, [_problem_from_error(str(parent), exc)], gdf)
        parent_problems = (check_required_fields(parent_gdf, parent_kind, str(parent))
                           + check_geometries(parent_gdf, parent_kind, str(parent))
                           + check_lonlat(parent_gdf, str(parent), parent_kind))
        if "code" not in parent_gdf.columns or any(p.feature is None and p.check.startswith(("lonlat", "outside"))
                                                   for p in parent_problems):
            return Report(source, kind, reason, parent_problems, gdf)  # the parent cannot be used
    problems = validate_frame(gdf, kind, source, tolerance_m2, parent_gdf, tiling=kind != "legacy")
    return Report(source, kind, reason, parent_problems + problems, gdf, parent_gdf)


def _problem_from_error(source: str, exc: Exception) -> Problem:
    text = str(exc)
    if text.startswith(source + ": "):
        text = text[len(source) + 2:]
    what, _, hint = text.rpartition("; ")
    return Problem(source, None, what or text, hint if what else "", "unreadable")


def validate_file(path: str | Path, kind: str | None = None, crs: str | None = None,
                  tolerance_m2: float = DEFAULT_TOLERANCE_M2, parent: str | Path | None = None) -> list[Problem]:
    """Every problem found in one layer file (see ``validate_path`` for the kind used and the data)."""
    return validate_path(path, kind, crs, tolerance_m2, parent).problems


def validate_atlas(atlas: Atlas, tolerance_m2: float = DEFAULT_TOLERANCE_M2,
                   folder: str | Path | None = None) -> list[Problem]:
    """Check every layer of an atlas, nesting (streets in the district, communities in streets,
    grids and units in communities) and that each parent is tiled by its children without
    overlaps or gaps above the tolerance. Legacy layers are checked feature by feature only."""
    def src(name: str) -> str:
        return str(Path(folder) / f"{name}.geojson") if folder is not None else f"{name}.geojson"

    problems = validate_frame(atlas.district, "district", src("district"), tolerance_m2)
    problems += validate_frame(atlas.streets, "streets", src("streets"), tolerance_m2, atlas.district)
    problems += validate_frame(atlas.communities, "communities", src("communities"), tolerance_m2,
                               atlas.streets)
    problems += validate_frame(atlas.grids, "grids", src("grids"), tolerance_m2, atlas.communities)
    problems += validate_frame(atlas.legacy, "legacy", src("legacy"), tolerance_m2, tiling=False)
    problems += validate_frame(atlas.units, "units", src("units"), tolerance_m2, atlas.communities)
    return problems


def validate_folder(folder: str | Path, tolerance_m2: float = DEFAULT_TOLERANCE_M2
                    ) -> tuple[list[Problem], dict[str, int]]:
    """Read each ``<layer>.geojson`` of an atlas folder with ``read_layer`` and validate them together.

    Missing or unreadable layer files are reported as problems (then nothing else is checked).
    Returns the problems and the number of features per layer read.
    """
    folder = Path(folder)
    frames: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    for name, stem in LAYER_FILES.items():
        path = folder / f"{stem}.geojson"
        if not path.exists():
            problems.append(Problem(str(path), None, f"missing atlas layer {name!r}",
                                    f"add it, or generate an atlas with `gridgeo demo-data --out {folder}`",
                                    "missing_layer"))
            continue
        try:
            frames[name] = read_layer(path, kind=name)
        except InputError as exc:
            problems.append(_problem_from_error(str(path), exc))
    counts = {name: len(gdf) for name, gdf in frames.items()}
    if problems:
        return problems, counts
    return validate_atlas(Atlas(meta={}, **frames), tolerance_m2, folder), counts
