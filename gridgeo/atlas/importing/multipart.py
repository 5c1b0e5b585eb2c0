"""Rows that are parts of one feature, dissolved before any duplicate check.

ArcGIS "explode" and some exports write each part of a multipart feature as its own row: the same
street, community or grid (same code, same name, same other attributes) on 2–4 rows. Those rows
become one feature whose geometry is the union of the parts (a MultiPolygon when they do not
touch). Rows sharing a code whose other attributes disagree stay apart: that is a duplicate code,
reported by the validation. Per-row bookkeeping fields (OBJECTID, FID, Shape_Length, Shape_Area,
面积, 周长) and the import's own row fields do not count as identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROW, FILE = "_row", "_file"  # the file row (1-based) and file each feature came from
_BOOKKEEPING = re.compile(r"^(objectid(_\d+)?|fid|ogc_fid|orig_fid|shape_?(leng|length|len|area)|"
                          r"area|length|perimeter|面积|周长|平方米|mj|zc)$", re.IGNORECASE)


@dataclass(frozen=True)
class Merge:
    """Rows of one file merged into one feature: its code, the row it kept, the rows merged into it."""

    code: str
    file: str
    row: int
    merged: tuple[int, ...]


def identity_columns(frame: pd.DataFrame) -> list[str]:
    """The fields that name a feature: all but geometry, row bookkeeping and the import's own."""
    skip = {ROW, FILE, frame.geometry.name} if isinstance(frame, gpd.GeoDataFrame) else {ROW, FILE}
    return [c for c in frame.columns if c not in skip and not _BOOKKEEPING.match(str(c))]


def _key(values: np.ndarray) -> tuple:
    return tuple(None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values)


def merge_parts(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Merge]]:
    """``frame`` with the rows that are parts of one feature dissolved into one, and the merges.

    Linear in rows: only rows whose code repeats are compared.
    """
    if "code" not in frame.columns or len(frame) < 2:
        return frame, []
    codes = frame["code"]
    repeated = codes.notna() & codes.duplicated(keep=False)
    if not repeated.any():
        return frame, []
    cols = identity_columns(frame)
    groups: dict[tuple, list[int]] = {}
    values = frame[cols].to_numpy(dtype=object)
    for i in np.flatnonzero(repeated.to_numpy()):
        groups.setdefault(_key(values[i]), []).append(int(i))
    geoms = np.asarray(frame.geometry.values, dtype=object).copy()
    drop: list[int] = []
    merges: list[Merge] = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        geoms[rows[0]] = shapely.union_all(geoms[rows])
        drop += rows[1:]
        merges.append(Merge(str(codes.iloc[rows[0]]), _cell(frame, FILE, rows[0]), _row_of(frame, rows[0]),
                            tuple(_row_of(frame, r) for r in rows[1:])))
    out = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    keep = np.ones(len(frame), dtype=bool)
    keep[drop] = False
    return out[keep], merges


def _row_of(frame: pd.DataFrame, i: int) -> int:
    return int(frame[ROW].iloc[i]) if ROW in frame.columns else i + 1


def _cell(frame: pd.DataFrame, col: str, i: int) -> str:
    return str(frame[col].iloc[i]) if col in frame.columns else ""
