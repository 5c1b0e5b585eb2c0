"""Point → grid assignment through a spatial index built once per published grid set.

The rule (exact, deterministic):

* A point belongs to the grids that *cover* it (interior or boundary; for a point this is
  ``intersects``). On a border shared by several grids, the one with the **lowest grid code**
  (string order, i.e. numeric order for equal-length codes) wins, so every point gets exactly
  one grid. A point covered by no grid is *out of area* (index -1): kept and flagged by the
  store, never dropped.
* The answer always equals the exact point-in-polygon test ``shapely.intersects`` against every
  grid with that tie-break; tests check this on border, vertex and random points.

How it is fast: :class:`GridIndex` lays a regular lookup table of square cells over the grids'
extent. Cells that no grid boundary passes through (found conservatively from boundary samples
spaced half a cell apart, each widened by a quarter cell) hold their grid (or -1) directly:
4-connected runs of such cells are labelled (``scipy.ndimage.label``) and one exact test per
run gives the value. Border cells keep a list of candidate grids (a bulk ``STRtree.query`` of
the cell boxes: every grid whose bounding box meets the cell). A point in a plain cell is
answered by one array lookup; a point in a border cell by ``shapely.intersects_xy`` against its
cell's few prepared candidate polygons, lowest code among the hits.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

_BORDER = -2


class GridIndex:
    """Spatial index over one grid set (a GeoDataFrame with ``code`` and polygon geometries).

    ``cells_per_grid`` sets the lookup table's resolution (about that many cells per grid on
    average, capped at ``max_cells``); 0 disables the table (exact path only).
    """

    def __init__(self, grids: gpd.GeoDataFrame, cells_per_grid: int = 1024, max_cells: int = 16_000_000):
        self.grids = grids.reset_index(drop=True)
        self.codes = self.grids["code"].astype(str).to_numpy()
        self.geoms = np.asarray(self.grids.geometry.values, dtype=object)
        shapely.prepare(self.geoms)
        order = np.argsort(self.codes, kind="stable")
        self._rank = np.empty(len(order), dtype=np.int64)
        self._rank[order] = np.arange(len(order))
        self.tree = shapely.STRtree(self.geoms)
        self._table: NDArray[np.int32] | None = None
        if len(self.geoms) and cells_per_grid > 0:
            self._build_table(cells_per_grid, max_cells)

    def __len__(self) -> int:
        return len(self.codes)

    # exact path --------------------------------------------------------------------------
    def exact(self, x: ArrayLike, y: ArrayLike) -> NDArray[np.int64]:
        """Row position of the grid of each point by the exact test (−1 = no grid)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        out = np.full(len(x), -1, dtype=np.int64)
        finite = np.isfinite(x) & np.isfinite(y)
        if not finite.any() or not len(self.geoms):
            return out
        where = np.flatnonzero(finite)
        pts = shapely.points(x[where], y[where])
        p_idx, g_idx = self.tree.query(pts)  # bounding-box candidates
        if len(p_idx):
            hit = shapely.intersects_xy(self.geoms[g_idx], x[where][p_idx], y[where][p_idx])
            p_idx, g_idx = p_idx[hit], g_idx[hit]
        if len(p_idx):
            order = np.lexsort((self._rank[g_idx], p_idx))  # per point, lowest code first
            p_sorted, g_sorted = p_idx[order], g_idx[order]
            first = np.ones(len(p_sorted), dtype=bool)
            first[1:] = p_sorted[1:] != p_sorted[:-1]
            out[where[p_sorted[first]]] = g_sorted[first]
        return out

    # lookup table --------------------------------------------------------------------------
    def _build_table(self, cells_per_grid: int, max_cells: int) -> None:
        xmin, ymin, xmax, ymax = shapely.total_bounds(self.geoms)
        n_cells = min(max_cells, cells_per_grid * len(self.geoms))
        size = max(np.sqrt((xmax - xmin) * (ymax - ymin) / n_cells), 1e-9)
        self._x0, self._y0, self._size = xmin - size, ymin - size, size
        self._nx = int(np.ceil((xmax - xmin) / size)) + 3
        self._ny = int(np.ceil((ymax - ymin) / size)) + 3
        border = np.zeros((self._ny, self._nx), dtype=bool)
        # Sample every boundary at spacing size/2: each boundary point then lies within size/4
        # (Chebyshev) of a sample, so marking the cells of the four corners of the square of
        # half-width size/4 around each sample (side size/2 < one cell, so its corners' cells
        # cover it) marks every cell the boundary passes through.
        lines = shapely.segmentize(shapely.boundary(self.geoms), size / 2.0)
        coords = shapely.get_coordinates(lines)
        h = size / 4.0
        for dx in (-h, h):
            for dy in (-h, h):
                ix, iy = self._cell_of(coords[:, 0] + dx, coords[:, 1] + dy)
                border[iy, ix] = True
        # 4-connected runs of boundary-free cells lie in the same grids (no boundary separates
        # them), so one exact test per connected component labels the whole component.
        labels, n_labels = ndimage.label(~border)
        cy, cx = np.nonzero(labels)
        comp = labels[cy, cx]
        first = np.full(n_labels + 1, -1, dtype=np.int64)
        first[comp[::-1]] = np.arange(len(comp))[::-1]  # first cell of every component
        rep = first[1:]
        value = np.full(n_labels + 1, _BORDER, dtype=np.int64)
        value[1:] = self.exact(self._x0 + (cx[rep] + 0.5) * size, self._y0 + (cy[rep] + 0.5) * size)
        table = value[labels]
        # Border cells get a number k (stored as -2 - k) and a candidate list: the grids whose
        # bounding box meets the cell (a superset of those covering any of its points), found
        # once with a bulk STRtree query of the cell boxes.
        by, bx = np.nonzero(border)
        table[by, bx] = -2 - np.arange(len(by))
        x_lo, y_lo = self._x0 + bx * size, self._y0 + by * size
        boxes = shapely.box(x_lo, y_lo, x_lo + size, y_lo + size)
        cell_i, grid_i = self.tree.query(boxes)  # bounding-box candidates; lookups test exactly
        order = np.argsort(cell_i, kind="stable")
        self._cand = grid_i[order].astype(np.int64)
        self._cand_start = np.searchsorted(cell_i[order], np.arange(len(by) + 1)).astype(np.int64)
        self._table = table.astype(np.int64 if len(by) > 2**31 - 3 else np.int32)

    def _candidates(self, k: NDArray[np.int64], x: NDArray, y: NDArray) -> NDArray[np.int64]:
        """Exact answer for points lying in border cells number ``k``: PIP against the cell's
        candidate grids only (prepared polygons), lowest code among the hits."""
        out = np.full(len(k), -1, dtype=np.int64)
        start = self._cand_start[k]
        count = self._cand_start[k + 1] - start
        p_idx = np.repeat(np.arange(len(k)), count)
        if not len(p_idx):
            return out
        offset = np.arange(len(p_idx)) - np.repeat(np.cumsum(count) - count, count)
        g_idx = self._cand[np.repeat(start, count) + offset]
        hit = shapely.intersects_xy(self.geoms[g_idx], x[p_idx], y[p_idx])
        p_idx, g_idx = p_idx[hit], g_idx[hit]
        if len(p_idx):
            order = np.lexsort((self._rank[g_idx], p_idx))
            p_sorted, g_sorted = p_idx[order], g_idx[order]
            first = np.ones(len(p_sorted), dtype=bool)
            first[1:] = p_sorted[1:] != p_sorted[:-1]
            out[p_sorted[first]] = g_sorted[first]
        return out

    def _cell_of(self, x: NDArray, y: NDArray) -> tuple[NDArray, NDArray]:
        ix = np.floor((x - self._x0) / self._size).astype(np.int64)
        iy = np.floor((y - self._y0) / self._size).astype(np.int64)
        return ix, iy

    def lookup(self, x: ArrayLike, y: ArrayLike) -> NDArray[np.int64]:
        """Row position of the grid of each point (−1 = out of area); equals :meth:`exact`."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if self._table is None:
            return self.exact(x, y)
        out = np.full(len(x), -1, dtype=np.int64)
        with np.errstate(invalid="ignore"):
            ix, iy = self._cell_of(np.nan_to_num(x, nan=-1e300), np.nan_to_num(y, nan=-1e300))
        inside = (ix >= 0) & (ix < self._nx) & (iy >= 0) & (iy < self._ny) & np.isfinite(x) & np.isfinite(y)
        where = np.flatnonzero(inside)
        val = self._table[iy[where], ix[where]].astype(np.int64)
        out[where] = val
        in_border = val <= _BORDER
        near = where[in_border]
        if len(near):
            out[near] = self._candidates(_BORDER - val[in_border], x[near], y[near])
        return out

    def code_arrays(self) -> tuple[NDArray, NDArray, NDArray]:
        """Object arrays of grid, community and street codes by row position (cached)."""
        if not hasattr(self, "_code_arrays"):
            def col(name: str) -> NDArray:
                if name not in self.grids:
                    return np.full(len(self), None, dtype=object)
                return np.array([str(v) for v in self.grids[name]], dtype=object)

            self._code_arrays = (col("code"), col("community_code"), col("street_code"))
        return self._code_arrays

    def assign(self, lon: ArrayLike, lat: ArrayLike) -> pd.DataFrame:
        """Codes for each point: grid_code, community_code, street_code (None when out of area)
        and out_of_area (bool)."""
        idx = self.lookup(lon, lat)
        found = idx >= 0
        frame = pd.DataFrame({"out_of_area": ~found})
        for col, src in (("grid_code", "code"), ("community_code", "community_code"),
                         ("street_code", "street_code")):
            values = self.grids[src].astype(str).to_numpy() if src in self.grids else np.full(len(self), None)
            col_values = np.full(len(idx), None, dtype=object)
            col_values[found] = values[idx[found]]
            frame[col] = pd.Series(col_values, dtype=object)
        return frame


def assign_points(grids: gpd.GeoDataFrame, lon: ArrayLike, lat: ArrayLike) -> pd.DataFrame:
    """One-off assignment (builds a :class:`GridIndex`; keep the index to assign repeatedly)."""
    return GridIndex(grids).assign(lon, lat)
