"""Basic units from a building/compound register (.xlsx or .csv points with 经度/纬度): every dirty
row is skipped and written to the rejects table with its row number, field and reason."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.importing.fields import recognise_fields
from gridgeo.atlas.importing.sources import canonical_frame
from gridgeo.atlas.io import WKT_COLUMNS, parse_crs, read_table
from gridgeo.atlas.model import COUNT_COLUMNS
from gridgeo.atlas.validation import CHINA_LAT, CHINA_LON
from gridgeo.errors import InputError, UsageError
from gridgeo.geo.crs import WGS84, normalize_crs_name, to_wgs84
from gridgeo.i18n import Msg, Seq

REJECT_COLUMNS = ("file", "row", "field", "value", "reason", "reason_zh")
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


def _reason(field: str, value: object) -> Msg:
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return Msg("imp_reason_blank", {"field": field})
    return Msg("imp_reason_not_number", {"field": field, "value": repr(str(value))})


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


def register_sheet(path: Path, wanted: tuple[str, ...] = UNIT_SHEETS) -> str | int:
    """The sheet of a register workbook to read: the first named like ``wanted`` (by default the
    units' names: 基础单元, 楼栋, units), else the first sheet; 0 for a CSV."""
    if path.suffix.lower() == ".csv":
        return 0
    try:
        names = pd.ExcelFile(path).sheet_names
    except Exception:
        return 0  # read_table reports the unreadable workbook
    return next((n for n in names if n.strip().lower() in wanted), 0)


class _Rejects:
    """Rejected cells of a register: file, Excel row number, source field, value, reason."""

    def __init__(self, path: Path, frame: pd.DataFrame, mapping: dict[str, str]) -> None:
        self.path, self.frame = path, frame
        self.source_of = {v: k for k, v in mapping.items()}
        self.rows: list[dict] = []
        self.bad = np.zeros(len(frame), dtype=bool)

    def field(self, col: str) -> str:
        return self.source_of.get(col, col)

    def add(self, rows: np.ndarray, col: str, reason) -> None:
        """Reject ``rows`` (positions) for ``col``; ``reason(i)`` (a catalogue Msg) says why, kept
        in English (``reason``) and Chinese (``reason_zh``) for the rejects file and the page."""
        for i in np.flatnonzero(rows) if rows.dtype == bool else rows:
            value = self.frame[col].iloc[i]
            why = reason(i)
            self.rows.append({"file": str(self.path), "row": int(i) + 2, "field": self.field(col),
                              "value": "" if pd.isna(value) else str(value), "reason": why.render("en"),
                              "reason_zh": why.render("zh")})
            self.bad[i] = True

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(REJECT_COLUMNS))


def _numbers(frame: pd.DataFrame, rej: _Rejects) -> dict[str, np.ndarray]:
    """Coordinates and counts as floats; blank or non-numeric cells and bad counts rejected."""
    values: dict[str, np.ndarray] = {}
    for col in ("lon", "lat", *[c for c in COUNT_COLUMNS if c in frame.columns]):
        floats = np.array([_number(v) for v in frame[col].astype(object)], dtype=object).astype(float)
        rej.add(np.isnan(floats), col, lambda i, c=col: _reason(rej.field(c), frame[c].iloc[i]))
        if col in COUNT_COLUMNS:
            wrong = ~np.isnan(floats) & ((floats < 0) | (np.mod(floats, 1) != 0))
            rej.add(wrong, col, lambda i, c=col: Msg("imp_reason_not_whole", {"field": rej.field(c),
                                                                               "value": frame[c].iloc[i]}))
        values[col] = floats
    return values


def _codes(frame: pd.DataFrame, rej: _Rejects) -> None:
    """Blank codes rejected, and every repeat of a code after its first row."""
    rej.add(frame["code"].isna().to_numpy(), "code", lambda i: Msg("imp_reason_blank", {"field": rej.field("code")}))
    codes = frame["code"].where(~rej.bad)
    first = {}
    for i, code in enumerate(codes):
        if isinstance(code, str):
            first.setdefault(code, i)
    repeat = codes.notna().to_numpy() & codes.duplicated().to_numpy()
    rej.add(repeat, "code", lambda i: Msg("imp_reason_repeat", {"field": rej.field("code"), "value": codes.iloc[i],
                                                                "row": first[codes.iloc[i]] + 2}))


def read_unit_table(path: str | Path, crs: str | None, overrides: dict[str, str] | None
                    ) -> tuple[gpd.GeoDataFrame, dict[str, str], pd.DataFrame, Msg]:
    """(units in WGS84, field mapping, rejects, CRS note) from a register table.

    Rows with a blank or repeated code, a blank coordinate or count, one that is not a number
    ("约120"), or a position outside China are rejected (one rejects line per bad cell). Counts must
    be whole numbers >= 0. Coordinates are in ``crs`` (default CGCS2000/WGS84; GCJ02 for AMap).
    """
    path = Path(path)
    table = read_table(path, register_sheet(path))
    overrides = overrides or {}
    mapping = recognise_fields(list(table.columns), "units", overrides)
    frame = canonical_frame(table, mapping, overrides).reset_index(drop=True)
    for need in ("lon", "lat", "code"):
        if need not in frame.columns:
            alias = {"lon": ("经度",), "lat": ("纬度",), "code": ("楼栋编码", "单元编码")}[need]
            raise InputError(Msg("err_no_column", {"path": str(path), "file": path.name, "col": Msg(f"colw_{need}"),
                                                   "alias": Seq(alias, Msg("sep_or"))}))
    rej = _Rejects(path, frame, mapping)
    values = _numbers(frame, rej)
    _codes(frame, rej)
    convert, crs_name, _ = _point_converter(path, crs)
    lon, lat = np.asarray(convert(values["lon"], values["lat"]), dtype=float)
    outside = ~rej.bad & ~((lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1]) & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1]))
    rej.add(outside, "lon", lambda i: Msg("imp_reason_outside", {"lon": frame["lon"].iloc[i],
                                                                 "lat": frame["lat"].iloc[i]}))
    good = ~rej.bad
    keep = frame.loc[good].drop(columns=["lon", "lat"]).copy()
    for col in COUNT_COLUMNS:
        if col in values:
            keep[col] = values[col][good].astype(np.int64)
    units = gpd.GeoDataFrame(keep, geometry=gpd.points_from_xy(lon[good], lat[good]), crs=WGS84)
    note = Msg("src_points" if crs_name in ("WGS84", "CGCS2000") else "src_points_converted", {"crs": crs_name})
    return units.reset_index(drop=True), mapping, rej.table(), note


def check_unit_crs(crs: str | None) -> None:
    """Refuse an unknown CRS name for a units table before anything is read."""
    if crs:
        try:
            parse_crs(crs)
        except UsageError as exc:
            raise UsageError(f"--crs units={crs}: {exc}") from None
