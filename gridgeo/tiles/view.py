"""Which tiles a map fitted to an area asks for first (what the API warms at start-up).

Leaflet fits the map to the area's bounds with ``zoomSnap`` 0.25 and draws a tile layer at the
rounded zoom; a 512 px tile layer (the default of ``layers.vector_tiles``) asks for the server
tiles one zoom level up. :func:`view_tiles` repeats that arithmetic for one viewport;
:func:`first_view_tiles` unites it over :data:`FIRST_VIEWS`.
"""

from __future__ import annotations

import math

R = 6378137.0
# viewports a city is first shown in: 1080p, 1440p and 4K screens (the map page, the bench's
# tile page) and the wall's map frame on a 1080p and a 4K wall (3.3/4.3 of the width, the height
# under the header, KPIs and ticker: app_pages/wall.py)
FIRST_VIEWS: tuple[tuple[int, int], ...] = ((1920, 1080), (2560, 1440), (3840, 2160), (1444, 846), (2888, 1693))


def view_tiles(bounds, size: tuple[int, int] = (1920, 1080), tile_px: int = 512) -> tuple[int, list[tuple[int, int]]]:
    """The server tiles (zoom, x/y list) Leaflet asks for in a ``size`` viewport fitted to WGS84
    ``bounds`` (fitBounds with zoomSnap 0.25, tiles at the rounded zoom; a 512 px tile layer
    asks for the tiles one zoom up)."""
    def merc(lon, lat):
        return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    (x0, y0), (x1, y1) = merc(bounds[0], bounds[1]), merc(bounds[2], bounds[3])
    world = 2 * math.pi * R
    zoom = math.log2(min(size[0] / ((x1 - x0) / world * 256), size[1] / ((y1 - y0) / world * 256)))
    zoom = math.floor(zoom * 4) / 4
    tz = max(0, round(zoom) - (1 if tile_px == 512 else 0))
    m_per_px = world / (256 * 2 ** zoom)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = size[0] / 2 * m_per_px, size[1] / 2 * m_per_px
    n, span = 2 ** tz, world / 2 ** tz
    xs = range(int((cx - half_w + world / 2) // span), int((cx + half_w + world / 2) // span) + 1)
    ys = range(int((world / 2 - (cy + half_h)) // span), int((world / 2 - (cy - half_h)) // span) + 1)
    return tz, [(x, y) for x in xs for y in ys if 0 <= x < n and 0 <= y < n]


def first_view_tiles(bounds, views=FIRST_VIEWS) -> list[tuple[int, int, int]]:
    """Every (z, x, y) a map fitted to ``bounds`` asks for first in any of ``views``, sorted,
    without repeats."""
    out = set()
    for size in views:
        z, tiles = view_tiles(bounds, size)
        out.update((z, x, y) for x, y in tiles)
    return sorted(out)
