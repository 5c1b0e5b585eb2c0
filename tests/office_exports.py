"""Small office-style layers as real grid offices publish them (issue 19), generated in the tests.

A synthetic district 510199 near Chengdu (not a real one): 2 streets, 4 communities, 12 grids,
in WGS84. ``layers()`` gives clean canonical frames; the tests rename the fields to an office's
(pinyin, Chinese, English), explode multiparts, blank codes, add stray rows, and write the files.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box

DISTRICT = "510199"
X0, Y0, CELL = 104.05, 30.58, 0.01  # one community = CELL x CELL degrees; grids are thirds of it
STREETS = {"510199001": "蓉南街道", "510199002": "锦河街道"}
COMMUNITIES = {"510199001001": "桂溪社区", "510199001002": "锦华社区",
               "510199002001": "川师社区", "510199002002": "莲桂社区"}


def _community_box(i: int):
    return box(X0 + i * CELL, Y0, X0 + (i + 1) * CELL, Y0 + CELL)


def layers() -> dict[str, gpd.GeoDataFrame]:
    """streets, communities, grids: code, name, parent code, geometry (WGS84), tiling exactly."""
    comms = [{"code": c, "name": n, "street_code": c[:9], "geometry": _community_box(i)}
             for i, (c, n) in enumerate(COMMUNITIES.items())]
    grids = []
    for i, c in enumerate(COMMUNITIES):
        x0 = X0 + i * CELL
        for k in range(3):
            grids.append({"code": f"{c}{k + 1:03d}", "name": f"{COMMUNITIES[c][:2]}{k + 1}号网格",
                          "community_code": c,
                          "geometry": box(x0, Y0 + k * CELL / 3, x0 + CELL, Y0 + (k + 1) * CELL / 3)})
    streets = []
    for s, n in STREETS.items():
        geom = shapely.union_all([r["geometry"] for r in comms if r["street_code"] == s])
        streets.append({"code": s, "name": n, "district_code": DISTRICT, "geometry": geom})
    return {name: gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
            for name, rows in (("streets", streets), ("communities", comms), ("grids", grids))}


def explode_rows(frame: gpd.GeoDataFrame, index: int, parts: int = 2) -> gpd.GeoDataFrame:
    """Row ``index`` cut into ``parts`` vertical slices, one row each (as ArcGIS exports a multipart
    feature): same attributes, disjoint pieces (a hair apart, like islands)."""
    row = frame.iloc[index]
    x0, y0, x1, y1 = row.geometry.bounds
    w = (x1 - x0) / parts
    pieces = [box(x0 + k * w, y0, x0 + (k + 1) * w, y1) for k in range(parts)]
    extra = gpd.GeoDataFrame([{**row.drop("geometry").to_dict(), "geometry": p} for p in pieces],
                             geometry="geometry", crs=frame.crs)
    rest = frame.drop(frame.index[index])
    return gpd.GeoDataFrame(pd.concat([rest.iloc[:index], extra, rest.iloc[index:]], ignore_index=True),
                            geometry="geometry", crs=frame.crs)


def write(frame: gpd.GeoDataFrame, path: Path, fields: dict[str, str] | None = None) -> Path:
    """Write ``frame`` with its fields renamed to the office's (``fields``: canonical -> office);
    a shapefile in GBK with a .cpg, as Chinese desktop GIS writes it (4 Chinese characters fit a field)."""
    out = frame.rename(columns=fields or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_file(path, engine="pyogrio", **({"encoding": "GBK"} if path.suffix == ".shp" else {}))
    return path
