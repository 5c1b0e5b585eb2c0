"""Validate grid-atlas layers and report every problem as one line: file, feature, what, what to do.

The checks are plain functions over WGS84 GeoDataFrames returning lists of ``Problem`` so other
modules can reuse them; ``validate_file``, ``validate_folder`` and ``validate_atlas`` run them all.
Overlaps, gaps and outside-parent areas use an STRtree for candidate pairs and shapely 2's
vectorized overlays, computed with edges read as straight both in degrees and in EPSG:4547 (only
what both readings agree on counts; see gridgeo.atlas.validation.readings) and measured in m² in EPSG:4547.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.io import read_layer
from gridgeo.atlas.load import LAYER_FILES
from gridgeo.atlas.model import CODE_LENGTHS, DEFAULT_TOLERANCE_M2, REQUIRED_COLUMNS, Atlas
from gridgeo.atlas.validation.fields import (
    check_code_lengths,
    check_counts,
    check_duplicate_codes,
    check_events,
    check_required_fields,
)
from gridgeo.atlas.validation.geometry import (
    _REASON,
    CHINA_LAT,
    CHINA_LON,
    _in_china_box,
    _polygonal,
    _reason_text,
    check_geometries,
    check_lonlat,
    repair_geometries,
)
from gridgeo.atlas.validation.kinds import AREA_KINDS, KINDS, PARENTS, SINGULAR, _plural, one
from gridgeo.atlas.validation.problems import (
    Problem,
    Report,
    _fmt_m2,
    _id_column,
    _problem_from_error,
    feature_labels,
)
from gridgeo.atlas.validation.readings import (
    _TO_METRIC,
    _TO_WGS84,
    SLIVER_WIDTH_M,
    _agreed,
    _Geoms,
    _lonlat,
    _to_metric,
    _usable_geoms,
    metric_zone,
    remove_slivers,
)
from gridgeo.atlas.validation.topology import (
    _closed_holes,
    check_children_in_parent,
    check_gaps,
    check_overlaps,
    check_siblings_tiling,
    check_tiling_by_parent,
)
from gridgeo.errors import InputError, UsageError
from gridgeo.i18n import Msg

# Everything gridgeo.atlas.validation offered as one module is still importable from here, including
# the private helpers (underscore names) that other modules and tests may import.
__all__ = [
    "AREA_KINDS", "CHINA_LAT", "CHINA_LON", "KINDS", "PARENTS", "SINGULAR", "SLIVER_WIDTH_M",
    "Problem", "Report",
    "check_children_in_parent", "check_code_lengths", "check_counts", "check_duplicate_codes",
    "check_events", "check_gaps", "check_geometries", "check_lonlat", "check_overlaps",
    "check_required_fields", "check_siblings_tiling", "check_tiling_by_parent", "feature_labels",
    "guess_kind", "remove_slivers", "repair_geometries", "validate_atlas", "validate_file",
    "validate_folder", "validate_frame", "validate_path",
    "_NAME_HINTS", "_REASON", "_TO_METRIC", "_TO_WGS84", "_Geoms", "_agreed", "_closed_holes",
    "_fmt_m2", "_id_column", "_in_china_box", "_lonlat", "_plural", "_polygonal", "_problem_from_error",
    "_reason_text", "_to_metric", "_usable_geoms",
]


def validate_frame(gdf: gpd.GeoDataFrame, kind: str, source: str = "",
                   tolerance_m2: float = DEFAULT_TOLERANCE_M2, parent: gpd.GeoDataFrame | None = None,
                   tiling: bool = True) -> list[Problem]:
    """Every check that applies to a layer of ``kind``; with ``parent`` also nesting and per-parent gaps.

    Metric checks are skipped when the coordinates are not usable (swapped or outside China).
    ``tiling=False`` skips overlap/gap checks (e.g. for legacy layers, which overlap by nature).
    Areas are measured in the layer's metric CRS (``gridgeo.geo.metric.metric_crs_of``: the configured
    one, else the nearest CGCS2000 GK zone).
    """
    from gridgeo.geo.metric import metric_crs_of

    with metric_zone(metric_crs_of(gdf)):
        return _validate_frame(gdf, kind, source, tolerance_m2, parent, tiling)


def _validate_frame(gdf: gpd.GeoDataFrame, kind: str, source: str, tolerance_m2: float,
                    parent: gpd.GeoDataFrame | None, tiling: bool) -> list[Problem]:
    if kind not in REQUIRED_COLUMNS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if len(gdf) == 0:
        return [Problem(source, None, Msg("val_empty_layer"), Msg("val_empty_layer_hint"), "empty_layer")]
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
                source, None, Msg("val_crs_mismatch", {"outside": outside, "n": len(gdf), "parent": one(parent_kind)}),
                Msg("val_crs_mismatch_hint"), "crs_mismatch"))
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


def validate_file(path: str | Path, kind: str | None = None, crs: str | None = None,
                  tolerance_m2: float = DEFAULT_TOLERANCE_M2, parent: str | Path | None = None) -> list[Problem]:
    """Every problem found in one layer file (see ``validate_path`` for the kind used and the data)."""
    return validate_path(path, kind, crs, tolerance_m2, parent).problems


def validate_atlas(atlas: Atlas, tolerance_m2: float = DEFAULT_TOLERANCE_M2,
                   folder: str | Path | None = None, *, sources: dict[str, str] | None = None,
                   optional: tuple[str, ...] = ()) -> list[Problem]:
    """Check every layer of an atlas, nesting (streets in the district, communities in streets,
    grids and units in communities) and that each parent is tiled by its children without
    overlaps or gaps above the tolerance. Legacy layers are checked feature by feature only.

    ``sources`` names the file each layer came from in the problems (default
    ``<folder>/<layer>.geojson``); layers named in ``optional`` (e.g. legacy, units) may be empty.
    """
    def src(name: str) -> str:
        if sources and name in sources:
            return sources[name]
        return str(Path(folder) / f"{name}.geojson") if folder is not None else f"{name}.geojson"

    def check(name: str, kind: str, parent: gpd.GeoDataFrame | None = None, tiling: bool = True) -> list[Problem]:
        frame = getattr(atlas, name)
        if name in optional and len(frame) == 0:
            return []
        return validate_frame(frame, kind, src(name), tolerance_m2, parent, tiling=tiling)

    problems = check("district", "district")
    problems += check("streets", "streets", atlas.district)
    problems += check("communities", "communities", atlas.streets)
    problems += check("grids", "grids", atlas.communities)
    problems += check("legacy", "legacy", tiling=False)
    problems += check("units", "units", atlas.communities)
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
            problems.append(Problem(str(path), None, Msg("val_missing_layer", {"layer": Msg(f"lyr_{name}")}),
                                    Msg("val_missing_layer_hint", {"folder": str(folder)}), "missing_layer"))
            continue
        try:
            frames[name] = read_layer(path, kind=name)
        except InputError as exc:
            problems.append(_problem_from_error(str(path), exc))
    counts = {name: len(gdf) for name, gdf in frames.items()}
    if problems:
        return problems, counts
    return validate_atlas(Atlas(meta={}, **frames), tolerance_m2, folder), counts
