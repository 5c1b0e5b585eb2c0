"""Layers an office may not hand over, derived from the ones below: streets from the communities'
codes (first 9 digits; geometry = dissolve of their communities, small gaps between them filled
so they are reported on the communities), the district likewise (6 digits)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from gridgeo.atlas.model import CODE_LENGTHS
from gridgeo.geo.crs import WGS84


def _fill_holes(geom, others):
    """``geom`` without the holes that no other child covers: a gap between its own children is
    then reported on the children (where the office can fix it), not as a hole in the parent.
    Holes that other parents' children fill (enclaves) stay."""
    parts = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue
        keep = [ring for ring in poly.interiors
                if others is not None and shapely.area(shapely.intersection(Polygon(ring), others)) > 1e-12]
        parts.append(Polygon(poly.exterior, keep))
    return shapely.union_all(parts) if parts else geom


def _dissolve(children: gpd.GeoDataFrame, key: pd.Series) -> gpd.GeoDataFrame:
    groups = children.groupby(key.to_numpy(), sort=True)
    codes, geoms = [], []
    geometry = np.asarray(children.geometry.values, dtype=object)
    for code, part in groups:
        others = geometry[(key != code).to_numpy()]
        union = shapely.make_valid(shapely.union_all(part.geometry.values))
        codes.append(str(code))
        geoms.append(_fill_holes(union, shapely.union_all(others) if len(others) else None))
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=WGS84)


def _names(children: gpd.GeoDataFrame, key: pd.Series, name_col: str, fallback: str) -> dict[str, str]:
    """Per parent code, the name its children state, else (a district) its GB/T 2260 name, else
    ``fallback`` + code."""
    from gridgeo.atlas.divisions import county_name

    names: dict[str, str] = {}
    if name_col in children.columns:
        for code, name in zip(key, children[name_col], strict=True):
            if isinstance(name, str) and name.strip() and code not in names:
                names[str(code)] = name.strip()
    official = county_name if len(str(key.iloc[0]) if len(key) else "") == CODE_LENGTHS["district"] else None
    return {code: names.get(code) or (official(code) if official else None) or f"{fallback}{code}"
            for code in map(str, pd.unique(key))}


def derive_parents(children: gpd.GeoDataFrame, parent_kind: str, code_col: str, name_col: str,
                   grand_col: str | None, fallback: str) -> gpd.GeoDataFrame:
    """The parent layer (code, name[, grand_col], geometry) of ``children`` from ``code_col``
    (or the code prefix of the parent's length), its geometry the dissolve of its children."""
    length = CODE_LENGTHS[parent_kind]
    key = children[code_col] if code_col in children.columns else children["code"].str[:length]
    key = key.fillna(children["code"].str[:length])
    children, key = children[key.notna()], key[key.notna()].astype(str)  # no code: reported on the child
    out = _dissolve(children, key)
    names = _names(children, key, name_col, fallback)
    out.insert(1, "name", out["code"].map(names))
    if grand_col:
        out.insert(2, grand_col, out["code"].str[:CODE_LENGTHS["district"]])
    return out
