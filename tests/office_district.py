"""An office-style file set for a synthetic district near Chengdu, generated in the tests (issue 10).

Not Guangming and not in its GK zone: the district lies around 104.07°E 30.60°N, in CGCS2000
3-degree Gauss–Krüger zone 35 (central meridian 105°E): EPSG:4523 with the zone prefix
(x ≈ 35,410,000), EPSG:4544 without. Every wart a real office's files have:

- communities.shp: GBK .dbf with no .cpg and a zero language byte, Chinese field names
  (社区编码 社区名称 所属街道), zone-prefixed GK coordinates and NO .prj;
- grids.shp: GBK without .cpg, pinyin-initial fields (BH MC SQMC HS RK WGY), a .prj, grid codes
  given as serials within the community ("01") and the community by NAME only;
- no streets file (streets come from the community codes), no district file;
- legacy layers: party.geojson in CGCS2000 geographic, urban.gpkg in EPSG:4523;
- units.xlsx: a building register (楼栋编码 小区名称 地址 户数 人口 经度 纬度) with GCJ-02 positions,
  blank cells, "约120" text numbers, a bad coordinate and a building entered twice.

``make_office_set(folder)`` writes the files and returns their paths and the truth to check
against (community polygons in EPSG:4523, the dirty rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import Polygon

from gridgeo.geo.crs import wgs84_to_gcj02

ZONE_EPSG = "EPSG:4523"  # CGCS2000 3-degree GK zone 35, with zone prefix
NOPREFIX_EPSG = "EPSG:4544"  # the same zone without prefix (CM 105°E)
CENTRE_LONLAT = (104.07, 30.60)
DISTRICT = "510199"
CELL_M = 500.0
NX, NY = 12, 8  # cells: 6 km x 4 km
STREET_NAMES = ("蓉南街道", "锦河街道")
COMMUNITY_NAMES = ("桂溪社区", "锦华社区", "川师社区", "莲桂社区", "琉璃社区", "牛市口社区")


@dataclass
class OfficeSet:
    """Paths of the generated files and the truth to test the import against."""

    folder: Path
    communities: Path
    grids: Path
    legacy: dict[str, Path]
    units: Path
    community_gk: gpd.GeoDataFrame  # code, name, geometry in EPSG:4523 (as written)
    grid_count: int
    unit_rows: int
    dirty_rows: dict[int, str] = field(default_factory=dict)  # Excel row -> field
    unit_lonlat: dict[str, tuple[float, float]] = field(default_factory=dict)  # true WGS84 positions


def _lattice(seed: int) -> np.ndarray:
    """(NX+1, NY+1, 2) node coordinates in EPSG:4523, interior nodes jittered by up to 90 m."""
    x0, y0 = pyproj.Transformer.from_crs("EPSG:4326", ZONE_EPSG, always_xy=True).transform(*CENTRE_LONLAT)
    x0, y0 = round(x0 - NX * CELL_M / 2), round(y0 - NY * CELL_M / 2)
    gx, gy = np.meshgrid(np.arange(NX + 1) * CELL_M + x0, np.arange(NY + 1) * CELL_M + y0, indexing="ij")
    rng = np.random.default_rng(seed)
    jitter = rng.uniform(-90, 90, size=(NX + 1, NY + 1, 2))
    jitter[[0, -1], :, :] = 0
    jitter[:, [0, -1], :] = 0
    return np.stack([gx, gy], axis=-1) + jitter


def _cells(nodes: np.ndarray, cols: range, rows: range):
    """Union of lattice cells: their shared edges coincide exactly, so the union is clean."""
    polys = [Polygon([nodes[i, j], nodes[i + 1, j], nodes[i + 1, j + 1], nodes[i, j + 1]])
             for i in cols for j in rows]
    return shapely.union_all(polys)


def _write_gbk_shapefile(gdf: gpd.GeoDataFrame, path: Path, prj: bool) -> None:
    """A shapefile as old desktop GIS writes it in China: GBK text, no .cpg, language byte 0."""
    gdf.to_file(path, driver="ESRI Shapefile", engine="pyogrio", encoding="GBK")
    for suffix in (".cpg",) + (() if prj else (".prj",)):
        path.with_suffix(suffix).unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # language driver id: not stated
    dbf.write_bytes(bytes(data))


def _communities(nodes: np.ndarray) -> gpd.GeoDataFrame:
    rows = []
    for s in range(2):  # street 1 = south half, street 2 = north half
        for c in range(3):
            code = f"{DISTRICT}{s + 1:03d}{c + 1:03d}"
            geom = _cells(nodes, range(4 * c, 4 * c + 4), range(4 * s, 4 * s + 4))
            rows.append({"社区编码": code, "社区名称": COMMUNITY_NAMES[3 * s + c], "所属街道": STREET_NAMES[s],
                         "geometry": geom, "_cols": 4 * c, "_rows": 4 * s})
    return gpd.GeoDataFrame(rows, crs=ZONE_EPSG)


def _grids(nodes: np.ndarray, communities: gpd.GeoDataFrame, rng) -> gpd.GeoDataFrame:
    rows = []
    for _, comm in communities.iterrows():
        serial = 0
        for gi in range(2):
            for gj in range(2):
                serial += 1
                c0, r0 = comm["_cols"] + 2 * gi, comm["_rows"] + 2 * gj
                rows.append({"BH": f"{serial:02d}", "MC": f"{comm['社区名称']}第{serial}网格",
                             "SQMC": comm["社区名称"], "HS": int(rng.integers(300, 500)),
                             "RK": int(rng.integers(700, 1400)), "WGY": f"王{'一二三四'[serial - 1]}",
                             "geometry": _cells(nodes, range(c0, c0 + 2), range(r0, r0 + 2))})
    return gpd.GeoDataFrame(rows, crs=ZONE_EPSG)


def _legacy(nodes: np.ndarray) -> dict[str, gpd.GeoDataFrame]:
    party, urban = [], []
    for i in range(0, NX, 3):
        for j in range(0, NY, 2):
            party.append({"编码": f"DJ{i:02d}{j:02d}", "名称": f"党建网格{i}-{j}",
                          "geometry": _cells(nodes, range(i, i + 3), range(j, j + 2))})
    for i in range(0, NX, 4):
        for j in range(NY):
            urban.append({"编码": f"CG{i:02d}{j:02d}", "名称": f"城管网格{i}-{j}",
                          "geometry": _cells(nodes, range(i, i + 4), range(j, j + 1))})
    return {"party": gpd.GeoDataFrame(party, crs=ZONE_EPSG), "urban": gpd.GeoDataFrame(urban, crs=ZONE_EPSG)}


def _register(nodes: np.ndarray, rng, truth: dict) -> tuple[pd.DataFrame, dict[int, str]]:
    """Two buildings per cell at a point inside it, positions in GCJ-02; some rows dirty."""
    to_wgs = pyproj.Transformer.from_crs(ZONE_EPSG, "EPSG:4326", always_xy=True)
    rows = []
    for i in range(NX):
        for j in range(NY):
            cell = _cells(nodes, range(i, i + 1), range(j, j + 1))
            for k in range(2):
                p = shapely.Point(cell.centroid.x + (k - 0.5) * 150, cell.centroid.y + (k - 0.5) * 90)
                lon, lat = to_wgs.transform(p.x, p.y)
                glon, glat = wgs84_to_gcj02(lon, lat)
                truth[f"LD{i:02d}{j:02d}{k}"] = (float(lon), float(lat))
                rows.append({"楼栋编码": f"LD{i:02d}{j:02d}{k}", "小区名称": f"锦城花园{i}-{j}",
                             "地址": f"蓉南路{i * 10 + j}号{k + 1}栋", "户数": str(int(rng.integers(60, 140))),
                             "人口": str(int(rng.integers(150, 400))),
                             "经度": f"{float(glon):.7f}", "纬度": f"{float(glat):.7f}"})
    table = pd.DataFrame(rows)
    dirty = {3: "户数", 10: "纬度", 17: "户数", 25: "经度", 40: "人口", 60: "楼栋编码"}  # data row -> field
    table.loc[3, "户数"] = "约120"
    table.loc[10, "纬度"] = None
    table.loc[17, "户数"] = None
    table.loc[25, "经度"] = "104.07x"
    table.loc[40, "人口"] = "三百"
    table.loc[60, "楼栋编码"] = table.loc[59, "楼栋编码"]  # the same building entered twice
    table.loc[5, "地址"] = None  # blank but not required: the row is kept
    return table, {i + 2: f for i, f in dirty.items()}


def make_office_set(folder: str | Path, seed: int = 7) -> OfficeSet:
    """Write the office-style files into ``folder`` and return where they are and the truth."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    nodes = _lattice(seed)
    communities = _communities(nodes)
    grids = _grids(nodes, communities, rng)
    _write_gbk_shapefile(communities.drop(columns=["_cols", "_rows"]), folder / "communities.shp", prj=False)
    _write_gbk_shapefile(grids, folder / "grids.shp", prj=True)
    legacy = _legacy(nodes)
    legacy_paths = {"party": folder / "party.geojson", "urban": folder / "urban.gpkg"}
    legacy["party"].to_crs("EPSG:4490").to_file(legacy_paths["party"], driver="GeoJSON", engine="pyogrio")
    legacy["urban"].to_file(legacy_paths["urban"], driver="GPKG", engine="pyogrio")
    positions: dict[str, tuple[float, float]] = {}
    table, dirty = _register(nodes, rng, positions)
    units = folder / "楼栋台账.xlsx"
    table.to_excel(units, index=False, sheet_name="楼栋")
    truth = communities[["社区编码", "社区名称", "geometry"]].rename(columns={"社区编码": "code", "社区名称": "name"})
    return OfficeSet(folder, folder / "communities.shp", folder / "grids.shp", legacy_paths, units,
                     truth, len(grids), len(table), dirty, positions)
