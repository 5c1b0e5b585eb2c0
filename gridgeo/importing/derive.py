"""Layers an office may not hand over, derived from the ones below: streets from the communities'
codes (first 9 digits; geometry = dissolve of their communities), the district likewise (6 digits)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from gridgeo.crs import WGS84
from gridgeo.model import CODE_LENGTHS


def _dissolve(children: gpd.GeoDataFrame, key: pd.Series) -> gpd.GeoDataFrame:
    groups = children.groupby(key.to_numpy(), sort=True)
    codes, geoms = [], []
    for code, part in groups:
        codes.append(str(code))
        geoms.append(shapely.make_valid(shapely.union_all(part.geometry.values, grid_size=None)))
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=WGS84)


def _names(children: gpd.GeoDataFrame, key: pd.Series, name_col: str, fallback: str) -> dict[str, str]:
    names: dict[str, str] = {}
    if name_col in children.columns:
        for code, name in zip(key, children[name_col], strict=True):
            if isinstance(name, str) and name.strip() and code not in names:
                names[str(code)] = name.strip()
    return {code: names.get(code, f"{fallback}{code}") for code in map(str, pd.unique(key))}


def derive_parents(children: gpd.GeoDataFrame, parent_kind: str, code_col: str, name_col: str,
                   grand_col: str | None, fallback: str) -> gpd.GeoDataFrame:
    """The parent layer (code, name[, grand_col], geometry) of ``children`` from ``code_col``
    (or the code prefix of the parent's length), its geometry the dissolve of its children."""
    length = CODE_LENGTHS[parent_kind]
    key = children[code_col] if code_col in children.columns else children["code"].str[:length]
    key = key.fillna(children["code"].str[:length]).astype(str)
    out = _dissolve(children, key)
    names = _names(children, key, name_col, fallback)
    out.insert(1, "name", out["code"].map(names))
    if grand_col:
        out.insert(2, grand_col, out["code"].str[:CODE_LENGTHS["district"]])
    return out
