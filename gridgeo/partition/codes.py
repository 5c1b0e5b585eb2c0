"""15-digit grid codes: community code (12) + 3-digit serial, as in DB11/T 2157.

Serials run in reading order over the community: rows from north to south, and west to east
within a row (a row is a band as high as the square root of the community's median grid area).
A grid that matches a previous grid of the same community (same shape: symmetric difference
below 1% of its area) keeps the previous code, so re-runs that leave a grid unchanged keep its
code; new grids take the lowest serials not used by kept codes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

MAX_SERIAL = 999


def reading_order(geoms: np.ndarray) -> np.ndarray:
    """Positions of ``geoms`` (metric) ordered north->south by row, west->east within a row."""
    if len(geoms) == 0:
        return np.zeros(0, dtype=int)
    cent = shapely.centroid(geoms)
    x, y = shapely.get_x(cent), shapely.get_y(cent)
    band = max(float(np.sqrt(np.median(shapely.area(geoms)))), 1.0)
    row = np.floor((y.max() - y) / band)
    return np.lexsort((x, row))


def match_previous(grids: gpd.GeoDataFrame, previous: gpd.GeoDataFrame | None,
                   tolerance: float = 0.01) -> np.ndarray:
    """For each grid the code of a previous grid of the same shape (or None). Both metric."""
    out = np.full(len(grids), None, dtype=object)
    if previous is None or len(previous) == 0 or len(grids) == 0:
        return out
    prev_geoms = previous.geometry.values
    prev_codes = previous["code"].astype(str).to_numpy()
    tree = shapely.STRtree(prev_geoms)
    g_idx, p_idx = tree.query(grids.geometry.values, predicate="intersects")
    if len(g_idx) == 0:
        return out
    g_geoms = grids.geometry.values[g_idx]
    diff = shapely.area(shapely.symmetric_difference(g_geoms, prev_geoms[p_idx]))
    ok = diff <= tolerance * shapely.area(g_geoms)
    comm = grids["community"].astype(str).to_numpy()
    used: set[str] = set()
    for gi, pi in zip(g_idx[ok], p_idx[ok], strict=True):
        code = prev_codes[pi]
        if out[gi] is None and code not in used and code[:12] == comm[gi] and len(code) == 15 and code.isdigit():
            out[gi] = code
            used.add(code)
    return out


def assign_codes(grids: gpd.GeoDataFrame, previous: gpd.GeoDataFrame | None = None) -> np.ndarray:
    """A 15-digit code for each grid (metric frame with a ``community`` column)."""
    codes = match_previous(grids, previous)
    comm = grids["community"].astype(str).to_numpy()
    geoms = grids.geometry.values
    for c in sorted(set(comm)):
        idx = np.flatnonzero(comm == c)
        taken = {int(code[12:]) for code in codes[idx] if code is not None}
        free = (s for s in range(1, MAX_SERIAL + 1) if s not in taken)
        for pos in idx[reading_order(geoms[idx])]:
            if codes[pos] is None:
                serial = next(free, None)
                if serial is None:
                    raise ValueError(f"community {c}: more than {MAX_SERIAL} grids; widen the band")
                codes[pos] = f"{c}{serial:03d}"
    return codes
