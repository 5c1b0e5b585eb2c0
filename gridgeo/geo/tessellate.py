"""Tessellation helpers: split polygons into block-like pieces that tile them exactly.

Used by the demo-data generator. Everything works in a metric CRS (metres).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.ops import voronoi_diagram


def _rotated_extent(poly: Polygon, angle_rad: float) -> tuple[float, float, float, float]:
    coords = np.asarray(poly.exterior.coords)
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    u = coords[:, 0] * c + coords[:, 1] * s
    v = -coords[:, 0] * s + coords[:, 1] * c
    return u.min(), u.max(), v.min(), v.max()


def _half_plane(angle_rad: float, cut: float, vmin: float, vmax: float, umin: float) -> Polygon:
    """The half plane u < cut (in the frame rotated by angle) as a big rotated rectangle."""
    pad = (vmax - vmin) + 1e4
    rect = np.array([[umin - pad, vmin - pad], [cut, vmin - pad], [cut, vmax + pad], [umin - pad, vmax + pad]])
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    x = rect[:, 0] * c - rect[:, 1] * s
    y = rect[:, 0] * s + rect[:, 1] * c
    return Polygon(np.column_stack([x, y]))


def bisect(
    poly: Polygon | MultiPolygon,
    n: int,
    weights_xy: np.ndarray,
    angle_rad: float,
    rng: np.random.Generator,
) -> list[Polygon | MultiPolygon]:
    """Split ``poly`` into ``n`` pieces by recursive straight cuts, balancing point weights.

    Each cut runs across the longer side of the piece (in a frame rotated by ``angle_rad``,
    with a small random wobble) at the weighted quantile k/n of the sample points inside,
    so dense areas get small pieces. Pieces are ``intersection`` and ``difference`` of the
    same half plane, so they tile the input exactly.
    """
    if n <= 1 or poly.is_empty:
        return [poly]
    hull = poly.convex_hull if isinstance(poly, MultiPolygon) else poly
    angle = angle_rad + rng.normal(0.0, 0.04)
    umin, umax, vmin, vmax = _rotated_extent(hull if isinstance(hull, Polygon) else hull.envelope, angle)
    if (vmax - vmin) > (umax - umin):  # cut across the longer side
        angle += np.pi / 2
        umin, umax, vmin, vmax = _rotated_extent(hull if isinstance(hull, Polygon) else hull.envelope, angle)
    k = n // 2
    inside = weights_xy[shapely.contains_xy(poly, weights_xy[:, 0], weights_xy[:, 1])] if len(weights_xy) else weights_xy
    c, s = np.cos(angle), np.sin(angle)
    if len(inside) >= 4 * n:
        u = inside[:, 0] * c + inside[:, 1] * s
        cut = float(np.quantile(u, k / n))
    else:  # too few samples: balance area by bisection search on the cut position
        lo, hi = umin, umax
        target = poly.area * k / n
        for _ in range(30):
            mid = (lo + hi) / 2
            if poly.intersection(_half_plane(angle, mid, vmin, vmax, umin)).area < target:
                lo = mid
            else:
                hi = mid
        cut = (lo + hi) / 2
        u = None
    cut = min(max(cut, umin + 1.0), umax - 1.0)
    half = _half_plane(angle, cut, vmin, vmax, umin)
    left, right = poly.intersection(half), poly.difference(half)
    left, right = _polygonal(left), _polygonal(right)
    if left.is_empty or right.is_empty:
        return [poly]
    pieces = bisect(left, k, inside, angle_rad, rng) + bisect(right, n - k, inside, angle_rad, rng)
    return pieces


def _polygonal(geom) -> Polygon | MultiPolygon:
    """Keep only the polygonal part of an overlay result."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    flat: list[Polygon] = []
    for part in parts:
        flat.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    return MultiPolygon(flat) if flat else Polygon()


def voronoi_cells(poly: Polygon | MultiPolygon, seeds: np.ndarray, lloyd_iterations: int = 2) -> list:
    """Voronoi cells of ``seeds`` clipped to ``poly``, after a few Lloyd relaxation steps.

    Returns one (possibly multi-part) polygon per seed, in seed order; together they tile ``poly``.
    """
    points = seeds.copy()
    envelope = box(*poly.buffer(2000).bounds)
    cells: list = []
    for iteration in range(lloyd_iterations + 1):
        diagram = voronoi_diagram(shapely.multipoints(points), envelope=envelope)
        raw = list(diagram.geoms)
        tree = shapely.STRtree(raw)
        order = tree.query(shapely.points(points), predicate="within")
        by_seed = dict(zip(order[0], order[1], strict=True))
        cells = [_polygonal(raw[by_seed[i]].intersection(poly)) for i in range(len(points))]
        if iteration < lloyd_iterations:
            centroids = np.array([[c.centroid.x, c.centroid.y] if not c.is_empty else points[i]
                                  for i, c in enumerate(cells)])
            inside = shapely.contains_xy(poly, centroids[:, 0], centroids[:, 1])
            points = np.where(inside[:, None], centroids, points)
    return cells


def absorb_fragments(pieces: list) -> list[Polygon]:
    """Make every piece one polygon: give each minor part to the neighbour sharing its longest border.

    The pieces must tile some region; the result tiles the same region. A fragment that
    touches no other piece stays with its owner (the result is then a MultiPolygon).
    """
    pieces = [_polygonal(p) for p in pieces]
    for _ in range(5):
        moved = False
        tree = shapely.STRtree(pieces)
        for i, piece in enumerate(pieces):
            if not isinstance(piece, MultiPolygon):
                continue
            parts = sorted(piece.geoms, key=lambda g: g.area, reverse=True)
            keep = [parts[0]]
            for part in parts[1:]:
                best, best_len = None, 0.0
                for j in tree.query(part, predicate="intersects"):
                    if j == i:
                        continue
                    shared = part.boundary.intersection(pieces[j].boundary).length
                    if shared > best_len:
                        best, best_len = j, shared
                if best is None:
                    keep.append(part)
                else:
                    pieces[best] = _polygonal(shapely.union(pieces[best], part))
                    moved = True
            pieces[i] = keep[0] if len(keep) == 1 else MultiPolygon(keep)
        if not moved:
            break
    return [p if not isinstance(p, MultiPolygon) or len(p.geoms) > 1 else p.geoms[0] for p in pieces]
