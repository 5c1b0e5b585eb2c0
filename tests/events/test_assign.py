"""Point → grid assignment: the border rule, out-of-area points, and equality with the exact test."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gridgeo.events.assign import GridIndex, assign_points


def brute_force(grids, x, y):
    """The exact rule written the slow obvious way: lowest code among grids covering the point."""
    codes = grids["code"].astype(str).to_numpy()
    out = []
    for px, py in zip(x, y, strict=True):
        pt = shapely.Point(px, py)
        hits = [c for c, g in zip(codes, grids.geometry, strict=True) if g.covers(pt)] \
            if np.isfinite(px) and np.isfinite(py) else []
        out.append(min(hits) if hits else None)
    return out


def codes_of(index, positions):
    return [index.codes[i] if i >= 0 else None for i in positions]


@pytest.mark.parametrize("cells", [256, 0])
def test_known_answers_on_hand_made_grids(small_grids, cells):
    index = GridIndex(small_grids, cells_per_grid=cells)
    pts = {
        (113.905, 22.705): "440311001001001",  # inside A1
        (113.925, 22.715): "440311002001001",  # inside C1
        (113.91, 22.705): "440311001001001",  # A1|A2 shared edge -> lower code A1
        (113.92, 22.703): "440311001001002",  # A2|B1 shared edge -> A2
        (113.925, 22.71): "440311001002001",  # B1|C1 shared edge -> B1
        (113.91, 22.71): "440311001001001",  # corner of A1, A2, C1 -> A1
        (113.90, 22.70): "440311001001001",  # outer corner: covered by A1
        (113.93, 22.72): "440311002001001",  # outer corner of C1
        (113.95, 22.705): None,  # east of everything
        (113.899999, 22.705): None,  # just outside the west edge
        (float("nan"), 22.705): None,
    }
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    got = codes_of(index, index.lookup(x, y))
    assert got == list(pts.values())
    assert got == brute_force(small_grids, x, y)


def test_assign_frame_carries_codes_and_flags_out_of_area(small_grids):
    frame = assign_points(small_grids, [113.915, 113.99], [22.705, 22.705])
    assert frame.loc[0, ["grid_code", "community_code", "street_code"]].tolist() == \
        ["440311001001002", "440311001001", "440311001"]
    assert frame["out_of_area"].tolist() == [False, True]
    assert frame.loc[1, "grid_code"] is None


def test_tie_break_does_not_depend_on_row_order(small_grids):
    shuffled = small_grids.iloc[::-1]
    x, y = np.array([113.91, 113.92, 113.91]), np.array([22.705, 22.71, 22.71])
    assert codes_of(GridIndex(small_grids), GridIndex(small_grids).lookup(x, y)) == \
        codes_of(GridIndex(shuffled), GridIndex(shuffled).lookup(x, y))


def test_equals_exact_test_on_default_atlas(default_atlas):
    grids = default_atlas.grids
    index = GridIndex(grids)
    rng = np.random.default_rng(42)
    xmin, ymin, xmax, ymax = grids.total_bounds
    n = 20000
    x = rng.uniform(xmin - 0.01, xmax + 0.01, n)
    y = rng.uniform(ymin - 0.01, ymax + 0.01, n)
    # vertices and edge midpoints: exactly on shared borders
    coords = shapely.get_coordinates(shapely.boundary(grids.geometry.values))
    pick = rng.choice(len(coords) - 1, 3000, replace=False)
    mids = (coords[pick] + coords[pick + 1]) / 2
    x = np.concatenate([x, coords[pick, 0], mids[:, 0]])
    y = np.concatenate([y, coords[pick, 1], mids[:, 1]])
    fast = index.lookup(x, y)
    exact = index.exact(x, y)
    assert np.array_equal(fast, exact)
    # exact() itself against shapely covers + lowest code, on a sample (brute force is slow)
    sample = rng.choice(len(x), 400, replace=False)
    sample = np.concatenate([sample, np.arange(n, n + 200)])  # include vertices
    assert codes_of(index, exact[sample]) == brute_force(grids, x[sample], y[sample])
    assert (fast >= 0).any() and (fast == -1).any()
