"""An office's service-point file (halls, centres and stations) read into the atlas's layer.

The file is a point layer (.shp .gpkg .geojson) or a register (.xlsx/.csv with 经度/纬度), its
fields found through the alias table (编码/网点名称/层级/辖区编码/地址/工作人员/开放时间, pinyin
WDBM/WDMC/CJ/XQBM, English). Coordinates in GCJ-02 or BD-09 are converted like every other layer
(``--crs service_points=GCJ02``). Tiers may be written as the slugs (station, community, street,
district) or in Chinese (党群服务站, 社区党群服务中心, 街道综治中心, 区综治中心, 站点, 社区, 街道, 区级);
a territory may be given by its code or by the name of a community or street of the atlas.
Rows with a blank or non-numeric coordinate, an unknown tier word or an unknown territory name
become problems naming the point; the layer's own checks (a hall inside its community, one hall
per community) are gridgeo.atlas.validation.network's.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.importing.fields import recognise_fields
from gridgeo.atlas.importing.sources import LayerRead, canonical_frame, read_source, text_codes
from gridgeo.atlas.importing.units import _number, _point_converter, is_table, register_sheet
from gridgeo.atlas.io import read_table
from gridgeo.atlas.model import SERVICE_POINT_COLUMNS, SERVICE_TIERS
from gridgeo.atlas.validation import CHINA_LAT, CHINA_LON, Problem
from gridgeo.errors import InputError
from gridgeo.geo.crs import WGS84
from gridgeo.i18n import Msg, Seq

LAYER = "service_points"
SHEETS = ("服务网点", "service_points", "网点", "服务阵地", "阵地")
# tier words, tried in this order on the text of a 层级 cell (a 服务站 is a station before
# anything else; a 街道中心 before a 社区; 区 last, as 社区 holds it too)
_TIER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("station", ("站", "驿", "点位")),
    ("street", ("街道", "镇", "乡")),
    ("community", ("社区", "村", "居委")),
    ("district", ("区", "县", "市")),
)
_TEXT = ("name", "address", "staff", "opening_hours", "territory_name")


def tier_slug(value: object) -> str | None:
    """The tier slug a 层级 cell names (``station``/``community``/``street``/``district``), or None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if text.casefold() in SERVICE_TIERS:
        return text.casefold()
    return next((slug for slug, words in _TIER_WORDS if any(w in text for w in words)), None)


def _from_table(path: Path, crs: str | None, overrides: dict[str, str]) -> tuple[gpd.GeoDataFrame, dict, Msg,
                                                                                list[Problem]]:
    table = read_table(path, register_sheet(path, SHEETS))
    mapping = recognise_fields(list(table.columns), LAYER, overrides)
    frame = canonical_frame(table, mapping, overrides).reset_index(drop=True)
    for need in ("lon", "lat"):
        if need not in frame.columns:
            raise InputError(Msg("err_no_column", {"path": str(path), "file": path.name, "col": Msg(f"colw_{need}"),
                                                   "alias": Seq(("经度" if need == "lon" else "纬度",), Msg("sep_or"))}))
    lon = np.array([_number(v) for v in frame["lon"].astype(object)], dtype=float)
    lat = np.array([_number(v) for v in frame["lat"].astype(object)], dtype=float)
    bad = np.isnan(lon) | np.isnan(lat)
    convert, crs_name, _ = _point_converter(path, crs)
    x, y = (np.asarray(a, dtype=float) for a in convert(np.where(bad, 0.0, lon), np.where(bad, 0.0, lat)))
    outside = ~bad & ~((x >= CHINA_LON[0]) & (x <= CHINA_LON[1]) & (y >= CHINA_LAT[0]) & (y <= CHINA_LAT[1]))
    problems = [Problem(str(path), _label(frame, i), Msg("sp_bad_position", {"lon": frame["lon"].iloc[i],
                                                                              "lat": frame["lat"].iloc[i]}),
                        Msg("sp_bad_position_hint"), "service_point_position")
                for i in np.flatnonzero(bad | outside)]
    good = ~(bad | outside)  # rows without a usable position are left out (each named in a problem)
    out = gpd.GeoDataFrame(frame.loc[good].drop(columns=["lon", "lat"]).reset_index(drop=True),
                           geometry=gpd.points_from_xy(x[good], y[good]), crs=WGS84)
    note = Msg("src_points" if crs_name in ("WGS84", "CGCS2000") else "src_points_converted", {"crs": crs_name})
    return out, mapping, note, problems


def _label(frame: pd.DataFrame, i: int) -> str | int:
    """How a row is named in a problem: its code and name, else its Excel row number."""
    code = frame["code"].iloc[i] if "code" in frame.columns else None
    name = frame["name"].iloc[i] if "name" in frame.columns else None
    if isinstance(code, str) and code.strip():
        return f"{code} {name}" if isinstance(name, str) and name.strip() else code
    return int(i) + 2


def read_service_points(path: str | Path, crs: str | None, overrides: dict[str, str] | None
                        ) -> tuple[LayerRead, list[Problem]]:
    """The service points of one file in WGS84 with canonical fields, and the problems of its rows
    (positions that are blank, not numbers or outside China)."""
    path = Path(path)
    if is_table(path):
        frame, mapping, note, problems = _from_table(path, crs, overrides or {})
        read = LayerRead(path, frame, mapping, None, note)
    else:
        read, problems = read_source(path, LAYER, crs, overrides), []
    for col in ("code", "territory_code"):
        if col in read.frame.columns:
            read.frame[col] = text_codes(read.frame[col])
    for col in _TEXT:
        if col in read.frame.columns:
            read.frame[col] = [None if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip()
                               else str(v).strip() for v in read.frame[col].astype(object)]
    return read, problems


def _names(frame: gpd.GeoDataFrame) -> dict[str, str]:
    """Name -> code of the features whose name is unique in the layer."""
    counts = frame["name"].astype(str).value_counts()
    return {str(n): str(c) for n, c in zip(frame["name"], frame["code"], strict=True) if counts.get(str(n)) == 1}


def place_service_points(read: LayerRead, atlas_layers: dict[str, gpd.GeoDataFrame]
                         ) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The layer with :data:`SERVICE_POINT_COLUMNS` (tiers as slugs, territories as codes: named
    territories looked up among the communities, streets and district of ``atlas_layers``) and the
    problems of rows whose tier or territory cannot be read."""
    frame, source = read.frame.copy(), str(read.path)
    problems: list[Problem] = []
    if "tier" in frame.columns:
        slugs = [tier_slug(v) for v in frame["tier"]]
        for i, (raw, slug) in enumerate(zip(frame["tier"], slugs, strict=True)):
            if slug is None:
                problems.append(Problem(source, _label(frame, i), Msg("sp_bad_tier", {"tier": "" if pd.isna(raw) else raw}),
                                        Msg("sp_bad_tier_hint"), "service_point_tier"))
        frame["tier"] = [s if s is not None else raw for s, raw in zip(slugs, frame["tier"], strict=True)]
    if "territory_name" in frame.columns:
        known = {}
        for layer in ("district", "streets", "communities"):
            known |= _names(atlas_layers[layer])
        have = (frame["territory_code"] if "territory_code" in frame.columns
                else pd.Series(None, index=frame.index)).astype(object).copy()
        for i, (code, name) in enumerate(zip(have, frame["territory_name"], strict=True)):
            if isinstance(code, str) and code:
                continue
            if name is not None and name in known:
                have.iloc[i] = known[name]
            elif name is not None:
                problems.append(Problem(source, _label(frame, i), Msg("sp_unknown_territory", {"territory": name}),
                                        Msg("sp_unknown_territory_hint"), "service_point_territory"))
        frame["territory_code"] = have
    for col in SERVICE_POINT_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    return gpd.GeoDataFrame(frame[[*SERVICE_POINT_COLUMNS, "geometry"]].reset_index(drop=True), geometry="geometry",
                            crs=WGS84), problems
