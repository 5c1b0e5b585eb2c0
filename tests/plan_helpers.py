"""Hand-made atoms and plans for the plan tests, whose right answers are known.

``lattice()``: a 4x4 lattice of ~100 m squares (rows north->south, columns west->east) in two
communities (columns 0-1: community A, columns 2-3: community B), 100 households, 250 people
and 1 enterprise per atom, and a legacy layer ``party`` with L1 = rows 0-1 x columns 1-2 (it
crosses the community border) and L2 elsewhere. ``lattice_plan()``: four grids of four atoms
(400 households each; band 300-500): A001 top-left, A002 bottom-left, B001 top-right,
B002 bottom-right.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from gridgeo.plan.model import SizeBand, make_plan

A, B = "440311001001", "440311001002"
CELL = 0.001
X0, Y0 = 113.90, 22.75


def atom_id(row: int, col: int) -> str:
    return f"r{row}c{col}"


def lattice(n: int = 4) -> gpd.GeoDataFrame:
    rows = []
    for r in range(n):
        for c in range(n):
            x0, x1 = round(X0 + c * CELL, 6), round(X0 + (c + 1) * CELL, 6)
            y0, y1 = round(Y0 - (r + 1) * CELL, 6), round(Y0 - r * CELL, 6)
            rows.append({"atom_id": atom_id(r, c), "community_code": A if c < n // 2 else B,
                         "households": 100, "population": 250, "enterprises": 1,
                         "legacy_party": "L1" if (r < 2 and c in (1, 2)) else "L2",
                         "geometry": box(x0, y0, x1, y1)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def lattice_assignment(n: int = 4) -> dict[str, str]:
    out = {}
    for r in range(n):
        for c in range(n):
            comm = A if c < n // 2 else B
            out[atom_id(r, c)] = f"{comm}{1 if r < n // 2 else 2:03d}"
    return out


def lattice_plan(band: SizeBand | None = None):
    return make_plan(lattice(), lattice_assignment(), band=band or SizeBand(300, 500))


def g(comm: str, serial: int) -> str:
    return f"{comm}{serial:03d}"
