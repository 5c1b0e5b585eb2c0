"""Basic units from a building/compound register (.xlsx or .csv points with 经度/纬度): every dirty
row is skipped and written to the rejects table with its row number, field and reason."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.crs import WGS84, normalize_crs_name, to_wgs84
from gridgeo.errors import InputError, UsageError
from gridgeo.importing.fields import recognise_fields
from gridgeo.importing.sources import canonical_frame
from gridgeo.io import WKT_COLUMNS, parse_crs, read_table
from gridgeo.model import COUNT_COLUMNS
from gridgeo.validation import CHINA_LAT, CHINA_LON

REJECT_COLUMNS = ("file", "row", "field", "value", "reason")
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def is_table(path: Path) -> bool:
    """True for a register read as a table (xlsx, or a csv without a WKT geometry column)."""
    suffix = path.suffix.lower()
    if suffix != ".csv":
        return suffix in TABLE_SUFFIXES
    columns = {str(c).strip().lower() for c in read_table(path).columns}
    return not columns & set(WKT_COLUMNS)


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().replace(",", "")
    return float(text) if _NUMBER.match(text) else None


def _reason(field: str, value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return f"{field} is blank"
    return f"{field} {str(value)!r} is not a number"


def _point_converter(path: Path, crs: str | None):
    """A function (lon, lat) -> WGS84 lon/lat for the declared CRS (default CGCS2000 = WGS84)."""
    name = crs or "CGCS2000"
    try:
        canonical = normalize_crs_name(name)
        return (lambda x, y: to_wgs84(x, y, canonical)), canonical, canonical in ("WGS84", "CGCS2000")
    except ValueError:
        pass
    proj = parse_crs(name)
    if proj.is_geographic:
        return (lambda x, y: (np.asarray(x), np.asarray(y))), name, True
    from pyproj import Transformer
    tr = Transformer.from_crs(proj, WGS84, always_xy=True)
    return (lambda x, y: tr.transform(x, y)), name, False


UNIT_SHEETS = ("基础单元", "楼栋", "units", "楼栋台账", "单元")


def _unit_sheet(path: Path) -> str | int:
    """The sheet of a workbook to read: one named like units (基础单元, 楼栋, units), else the first."""
    if path.suffix.lower() == ".csv":
        return 0
    try:
        names = pd.ExcelFile(path).sheet_names
    except Exception:
        return 0  # read_table reports the unreadable workbook
    return next((n for n in names if n.strip().lower() in UNIT_SHEETS), 0)


def read_unit_table(path: str | Path, crs: str | None, overrides: dict[str, str] | None
                    ) -> tuple[gpd.GeoDataFrame, dict[str, str], pd.DataFrame, str]:
    """(units in WGS84, field mapping, rejects, CRS note) from a register table.

    Rows with a blank code or coordinate, a coordinate or count that is not a number ("约120"), or
    a position outside China are rejected (one rejects line per bad cell). Counts must be whole
    numbers >= 0. Coordinates are in ``crs`` (default CGCS2000/WGS84; GCJ02 for AMap pickers).
    """
    path = Path(path)
    table = read_table(path, _unit_sheet(path))
    overrides = overrides or {}
    mapping = recognise_fields(list(table.columns), "units", overrides)
    frame = canonical_frame(table, mapping, overrides)
    for need in ("lon", "lat"):
        if need not in frame.columns:
            raise InputError(f"{path}: no {'longitude' if need == 'lon' else 'latitude'} column; name it "
                             f"{'经度' if need == 'lon' else '纬度'} (or map it in a --fields file)")
    if "code" not in frame.columns:
        raise InputError(f"{path}: no code column; name it 楼栋编码 or 单元编码 (or map it in a --fields file)")
    rejects: list[dict] = []
    source_of = {v: k for k, v in mapping.items()}

    def reject(i: int, field: str, reason: str) -> None:
        rejects.append({"file": str(path), "row": i + 2, "field": source_of.get(field, field),
                        "value": "" if pd.isna(frame[field].iloc[i]) else str(frame[field].iloc[i]),
                        "reason": reason})

    n = len(frame)
    bad = np.zeros(n, dtype=bool)
    values: dict[str, np.ndarray] = {}
    for col in ("lon", "lat", *[c for c in COUNT_COLUMNS if c in frame.columns]):
        nums = np.array([_number(v) for v in frame[col].astype(object)], dtype=object)
        for i in np.flatnonzero(pd.isna(nums.astype(float))):
            reject(i, col, _reason(source_of.get(col, col), frame[col].iloc[i]))
            bad[i] = True
        floats = nums.astype(float)
        if col in COUNT_COLUMNS:
            wrong = ~np.isnan(floats) & ((floats < 0) | (np.mod(floats, 1) != 0))
            for i in np.flatnonzero(wrong):
                reject(i, col, f"{source_of.get(col, col)} {frame[col].iloc[i]} is not a whole number >= 0")
            bad |= wrong
        values[col] = floats
    blank_code = frame["code"].isna().to_numpy()
    for i in np.flatnonzero(blank_code):
        reject(i, "code", f"{source_of.get('code', 'code')} is blank")
    bad |= blank_code
    convert, crs_name, _ = _point_converter(path, crs)
    lon, lat = np.asarray(convert(values["lon"], values["lat"]), dtype=float)
    outside = ~bad & ~((lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1]) & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1]))
    for i in np.flatnonzero(outside):
        reject(i, "lon", f"position ({frame['lon'].iloc[i]}, {frame['lat'].iloc[i]}) is outside China "
                         "(swapped, or not in the declared CRS?)")
    bad |= outside
    keep = frame.loc[~bad].drop(columns=["lon", "lat"]).copy()
    for col in COUNT_COLUMNS:
        if col in values:
            keep[col] = values[col][~bad].astype(np.int64)
    units = gpd.GeoDataFrame(keep, geometry=gpd.points_from_xy(lon[~bad], lat[~bad]), crs=WGS84)
    note = f"{crs_name} points" + (" converted to WGS84" if crs_name not in ("WGS84", "CGCS2000") else "")
    return units.reset_index(drop=True), mapping, pd.DataFrame(rejects, columns=list(REJECT_COLUMNS)), note


def check_unit_crs(crs: str | None) -> None:
    """Refuse an unknown CRS name for a units table before anything is read."""
    if crs:
        try:
            parse_crs(crs)
        except UsageError as exc:
            raise UsageError(f"--crs units={crs}: {exc}") from None
