"""Hand-made partition cases whose right answer is known (shared by the partition tests).

Coordinates are laid out in metres in EPSG:4547 and converted to WGS84, as real inputs are.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import DEFAULT_METRIC as METRIC

X0, Y0 = 490_000.0, 2_520_000.0
COMMUNITY = "440311001001"


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _wgs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.set_crs(METRIC).to_crs(WGS84)


def strip_case(extra_units: list[tuple[float, float, int]] | None = None) -> dict:
    """One community 1200 x 400 m; primary layer `party` has four grids west to east:

    A (x 0-300): 4 units x 100 = 400 households (fits 300-500: must stay whole);
    B (x 300-900): 24 units x 50 = 1200 households (too big: split into 3 x 400 along the
    100 m cells of layer `urban`); C (x 900-1050): 150 and D (x 1050-1200): 200 (both too small,
    neighbours: merged into one grid of 350). Layer `urban` is a 12 x 4 grid of 100 m cells.
    """
    party = gpd.GeoDataFrame({"code": ["A", "B", "C", "D"], "layer": "party"},
                             geometry=[box(0, 0, 300, 400), box(300, 0, 900, 400), box(900, 0, 1050, 400),
                                       box(1050, 0, 1200, 400)])
    cells = [box(i * 100, j * 100, (i + 1) * 100, (j + 1) * 100) for i in range(12) for j in range(4)]
    urban = gpd.GeoDataFrame({"code": [f"U{i:02d}" for i in range(len(cells))], "layer": "urban"},
                             geometry=cells)
    legacy = gpd.GeoDataFrame(gpd.pd.concat([party, urban], ignore_index=True), geometry="geometry")
    units = []
    for k, (x, y) in enumerate([(50, 50), (150, 150), (250, 250), (50, 350)]):  # A
        units.append((f"a{k}", x, y, 100))
    for i in range(6):  # B: one unit of 50 in each of its 24 cells
        for j in range(4):
            units.append((f"b{i}{j}", 350 + 100 * i, 50 + 100 * j, 50))
    units.append(("c0", 950, 200, 150))
    units.append(("d0", 1150, 200, 200))
    for k, (x, y, h) in enumerate(extra_units or []):
        units.append((f"x{k}", x, y, h))
    pts = gpd.GeoDataFrame(
        {"code": [u[0] for u in units], "name": [u[0] for u in units], "kind": "compound",
         "households": [u[3] for u in units], "population": [u[3] * 3 for u in units],
         "enterprises": [1 for _ in units], "community_code": COMMUNITY},
        geometry=[shapely.Point(X0 + u[1], Y0 + u[2]) for u in units])
    communities = gpd.GeoDataFrame({"code": [COMMUNITY], "name": ["测试社区"], "street_code": ["440311001"]},
                                   geometry=[box(0, 0, 1200, 400)])
    return {"communities": _wgs(communities), "legacy": _wgs(legacy), "units": _wgs(pts)}


def two_community_case() -> dict:
    """Two communities side by side (400 x 400 m each) and one legacy grid crossing their border.

    West holds 420 households, east 120 (below any min of 300: infeasible, reported).
    """
    communities = gpd.GeoDataFrame({"code": ["440311001001", "440311001002"], "name": ["西", "东"],
                                    "street_code": "440311001"},
                                   geometry=[box(0, 0, 400, 400), box(400, 0, 800, 400)])
    legacy = gpd.GeoDataFrame({"code": ["L1", "L2", "L3"], "layer": "party"},
                              geometry=[box(0, 0, 300, 400), box(300, 0, 600, 400), box(600, 0, 800, 400)])
    units = gpd.GeoDataFrame({"code": ["u1", "u2", "u3", "u4"], "households": [200, 220, 60, 60],
                              "population": [500, 600, 150, 160], "enterprises": [1, 2, 3, 4]},
                             geometry=[shapely.Point(X0 + 100, Y0 + 200), shapely.Point(X0 + 350, Y0 + 200),
                                       shapely.Point(X0 + 450, Y0 + 100), shapely.Point(X0 + 700, Y0 + 300)])
    return {"communities": _wgs(communities), "legacy": _wgs(legacy), "units": _wgs(units)}


def ring_case(community_hole: bool = False, ring_hh: int = 50, centre_hh: int = 300) -> dict:
    """One community 300 x 300 m whose primary layer `party` has a ring grid R around a centre grid C.

    Layer `urban` is a 3 x 3 grid of 100 m cells. R's eight cells hold 50 households each (400)
    and C (the centre cell) 300 (``ring_hh`` per ring cell, ``centre_hh``): both already fit 300-500, so keeping the legacy grids whole (the
    naive answer) leaves R enclosing C. The no-enclave rule must open R, e.g. handing one ring
    cell to C (350 / 350). With ``community_hole`` the centre is instead a hole of the community
    and R (400) is its only grid: a hole of the community itself is fine.
    """
    centre = box(100, 100, 200, 200)
    outer = box(0, 0, 300, 300)
    ring = outer.difference(centre)
    party = gpd.GeoDataFrame({"code": ["R"] if community_hole else ["R", "C"], "layer": "party"},
                             geometry=[ring] if community_hole else [ring, centre])
    cells = [box(i * 100, j * 100, (i + 1) * 100, (j + 1) * 100) for i in range(3) for j in range(3)
             if not (community_hole and i == 1 and j == 1)]
    urban = gpd.GeoDataFrame({"code": [f"U{i}" for i in range(len(cells))], "layer": "urban"}, geometry=cells)
    legacy = gpd.GeoDataFrame(gpd.pd.concat([party, urban], ignore_index=True), geometry="geometry")
    units = [(f"r{i}{j}", 50 + 100 * i, 50 + 100 * j, 50) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
    units = [(u[0], u[1], u[2], ring_hh) for u in units]
    if not community_hole:
        units.append(("c", 150, 150, centre_hh))
    pts = gpd.GeoDataFrame(
        {"code": [u[0] for u in units], "households": [u[3] for u in units],
         "population": [u[3] * 3 for u in units], "enterprises": 1, "community_code": COMMUNITY},
        geometry=[shapely.Point(X0 + u[1], Y0 + u[2]) for u in units])
    communities = gpd.GeoDataFrame({"code": [COMMUNITY], "name": ["环形社区"], "street_code": ["440311001"]},
                                   geometry=[ring if community_hole else outer])
    return {"communities": _wgs(communities), "legacy": _wgs(legacy), "units": _wgs(pts)}
