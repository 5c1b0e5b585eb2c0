"""Which tiles a map fitted to an area asks for first (what the API warms at start-up).

A map of ``gridgeo_app.layers.base.base_map`` starts at the area's centre at :data:`START_ZOOM`, then
Leaflet fits it to the area's bounds with ``zoomSnap`` 0.25; a tile layer draws at the rounded
zoom, and a 512 px tile layer (the default of ``gridgeo_app.layers.vector_tiles``) asks for the server tiles
one zoom level up. The browser asks for the tiles of both views (the starting view's requests
are not cancelled). :func:`view_tiles` repeats that arithmetic for one viewport;
:func:`first_view_tiles` unites both views over :data:`FIRST_VIEWS`.
"""

from __future__ import annotations

import math

R = 6378137.0
START_ZOOM = 12  # the zoom a map starts at before it is fitted to its area (gridgeo_app.layers.base.base_map)
# viewports a city is first shown in: 1080p, 1440p and 4K screens (the map page, the bench's
# tile page) and the wall's map frame on a 1080p and a 4K wall (3.3/4.3 of the width, the height
# under the header, KPIs and ticker: gridgeo_app/pages/wall.py)
FIRST_VIEWS: tuple[tuple[int, int], ...] = ((1920, 1080), (2560, 1440), (3840, 2160), (1444, 846), (2888, 1693))


def _merc(lon: float, lat: float) -> tuple[float, float]:
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fitted_zoom(bounds, size: tuple[int, int]) -> float:
    """The zoom Leaflet fits WGS84 ``bounds`` to in a ``size`` viewport (zoomSnap 0.25)."""
    (x0, y0), (x1, y1) = _merc(bounds[0], bounds[1]), _merc(bounds[2], bounds[3])
    world = 2 * math.pi * R
    zoom = math.log2(min(size[0] / ((x1 - x0) / world * 256), size[1] / ((y1 - y0) / world * 256)))
    return math.floor(zoom * 4) / 4


def view_tiles(bounds, size: tuple[int, int] = (1920, 1080), tile_px: int = 512,
               zoom: float | None = None) -> tuple[int, list[tuple[int, int]]]:
    """The server tiles (zoom, x/y list) Leaflet asks for in a ``size`` viewport centred on WGS84
    ``bounds`` at ``zoom`` (default: fitted to them, :func:`fitted_zoom`), tiles at the rounded
    zoom; a 512 px tile layer asks for the tiles one zoom up."""
    (x0, y0), (x1, y1) = _merc(bounds[0], bounds[1]), _merc(bounds[2], bounds[3])
    world = 2 * math.pi * R
    zoom = fitted_zoom(bounds, size) if zoom is None else zoom
    tz = max(0, round(zoom) - (1 if tile_px == 512 else 0))
    m_per_px = world / (256 * 2 ** zoom)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = size[0] / 2 * m_per_px, size[1] / 2 * m_per_px
    n, span = 2 ** tz, world / 2 ** tz
    xs = range(int((cx - half_w + world / 2) // span), int((cx + half_w + world / 2) // span) + 1)
    ys = range(int((world / 2 - (cy + half_h)) // span), int((world / 2 - (cy - half_h)) // span) + 1)
    return tz, [(x, y) for x in xs for y in ys if 0 <= x < n and 0 <= y < n]


def first_view_tiles(bounds, views=FIRST_VIEWS) -> list[tuple[int, int, int]]:
    """Every (z, x, y) a map of ``bounds`` asks for first in any of ``views`` (the starting view
    and the fitted one), sorted, without repeats."""
    out = set()
    for size in views:
        for zoom in (START_ZOOM, None):
            z, tiles = view_tiles(bounds, size, zoom=zoom)
            out.update((z, x, y) for x, y in tiles)
    return sorted(out)
