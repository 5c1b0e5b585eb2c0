"""Attribute checks: required fields, counts, duplicate codes, code lengths and event rows."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.atlas.model import (
    CODE_LENGTHS,
    COUNT_COLUMNS,
    REQUIRED_COLUMNS,
    is_division_code,
    is_provisional,
)
from gridgeo.atlas.validation.kinds import PARENTS, field_word, many, one
from gridgeo.atlas.validation.problems import Problem, feature_labels
from gridgeo.i18n import Msg, Seq


def check_required_fields(gdf: pd.DataFrame, kind: str, source: str = "") -> list[Problem]:
    """Required columns of ``kind`` (gridgeo.atlas.model.REQUIRED_COLUMNS) that are missing or empty."""
    required = REQUIRED_COLUMNS[kind]
    problems: list[Problem] = []
    labels = None
    for col in required:
        if col not in gdf.columns:
            need = Seq(tuple(field_word(c) for c in required))
            problems.append(Problem(source, None, Msg("val_missing_field", {"col": field_word(col)}),
                                    Msg("val_missing_field_hint", {"col": field_word(col), "kinds": many(kind),
                                                                   "required": need}),
                                    "missing_field"))
            continue
        values = gdf[col]
        empty = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
        if empty.any():
            labels = labels or feature_labels(gdf, kind)
            for i in np.flatnonzero(empty):
                problems.append(Problem(source, labels[i], Msg("val_empty_field", {"col": field_word(col)}),
                                        Msg("val_empty_field_hint", {"col": field_word(col)}), "empty_field"))
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
            value = raw.iloc[i]
            value = value.item() if isinstance(value, np.generic) else value  # -1.0, not np.float64(-1.0)
            problems.append(Problem(source, labels[i], Msg("val_bad_count", {"col": field_word(col),
                                                                             "value": repr(value)}),
                                    Msg("val_bad_count_hint", {"col": field_word(col)}), "bad_count"))
    return problems


def check_duplicate_codes(gdf: pd.DataFrame, source: str = "", column: str = "code") -> list[Problem]:
    """Codes used by more than one feature, naming the rows that share each (the file's own rows,
    ``_row``, when an import carries them: parts merged before no longer shift the numbers)."""
    if column not in gdf.columns:
        return []
    codes = gdf[column]
    dup = codes.notna() & codes.duplicated(keep=False)
    problems: list[Problem] = []
    if not dup.any():
        return problems
    numbers = gdf["_row"].to_numpy() if "_row" in gdf.columns else np.arange(1, len(gdf) + 1)
    rows = pd.Series(numbers[dup.to_numpy()], index=codes[dup].astype(str).to_numpy())
    for code, group in rows.groupby(level=0, sort=False):
        rows_text = ", ".join(map(str, group.to_numpy()))
        problems.append(Problem(source, code, Msg("val_duplicate", {"col": field_word(column), "n": len(group),
                                                                    "rows": rows_text}),
                                Msg("val_duplicate_hint", {"col": field_word(column)}), "duplicate_code"))
    return problems


def check_code_lengths(gdf: pd.DataFrame, kind: str, source: str = "") -> list[Problem]:
    """Codes must be digits of the kind's length, start with the parent code, and parent codes too.

    District 6, street 9, community 12, grid 15 digits (gridgeo.atlas.model.CODE_LENGTHS); a grid
    code may go on with a category letter or more digits (gridgeo.atlas.model.is_division_code).
    """
    problems: list[Problem] = []
    labels = feature_labels(gdf, kind)
    expected = CODE_LENGTHS.get(kind)
    parent_kind, parent_col = PARENTS.get(kind, (None, None))
    if expected and "code" in gdf.columns:
        codes = gdf["code"].astype(object)
        provisional = gdf["provisional"].fillna(False).to_numpy(dtype=bool) if "provisional" in gdf.columns else None
        parents = gdf[parent_col].to_numpy(dtype=object) if parent_col in gdf.columns else None  # once, not per row
        for i, code in enumerate(codes):
            if code is None or pd.isna(code) or (provisional is not None and provisional[i]):
                continue  # a provisional code (gridgeo.atlas.importing.codeless) has its own form
            code = str(code)
            if not is_division_code(kind, code):
                problems.append(Problem(source, labels[i], Msg("val_code_length", {"code": repr(code), "n": expected}),
                                        Msg("val_code_length_hint", {"kind": one(kind), "n": expected}),
                                        "code_length"))
            elif parents is not None and pd.notna(parents[i]):
                parent = str(parents[i])
                if not code.startswith(parent):
                    problems.append(Problem(
                        source, labels[i], Msg("val_code_prefix", {"code": code, "col": field_word(parent_col),
                                                                   "parent": parent}),
                        Msg("val_code_prefix_hint", {"kind": one(kind), "parent": one(parent_kind)}),
                        "code_prefix"))
    if parent_kind and parent_col in gdf.columns and parent_kind in CODE_LENGTHS:
        plen = CODE_LENGTHS[parent_kind]
        for i, value in enumerate(gdf[parent_col].astype(object)):
            if value is None or pd.isna(value) or str(value).strip() == "" or is_provisional(value):
                continue
            if not (str(value).isdigit() and len(str(value)) == plen):
                problems.append(Problem(source, labels[i], Msg("val_parent_length", {
                    "col": field_word(parent_col), "value": repr(str(value)), "n": plen}),
                                        Msg("val_code_length_hint", {"kind": one(parent_kind), "n": plen}),
                                        "code_length"))
    return problems


def check_events(gdf: gpd.GeoDataFrame, source: str = "") -> list[Problem]:
    """Each event's fields checked with the event schema the service uses (gridgeo.events.schema).

    Positions are taken from the (already WGS84) geometry; rows without a point are left to
    check_geometries. Times must carry a zone, levels be 1-4, categories known, and so on.
    """
    from gridgeo.events.schema import validate_event

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
