"""Map labels without collisions: each label shows from the zoom at which it no longer overlaps a
more important one.

Web Mercator halves the ground size of a pixel at every zoom level, so two labels anchored at
fixed points that do not overlap at zoom z do not overlap at any higher zoom either. For every
pair the first zoom at which their boxes (text width x height in pixels, centred on the anchor)
separate is computed in closed form; a label's minimum zoom is the largest of those against the
labels placed before it (higher priority), and never below ``base_zoom``. The result feeds the
zoom classes that :mod:`gridgeo_app.layers.base` installs (``gg-min-<z>``), so labels appear as the planner
zooms in and never sit on one another. Used by the editing map's grid labels and available to
any label layer (e.g. a browser component can take the zooms as data).
"""

from __future__ import annotations

import numpy as np

EARTH_M_PER_PX_Z0 = 156_543.033_928  # Web Mercator metres per pixel at zoom 0 on the equator


def text_width_px(texts, font_px: float) -> np.ndarray:
    """Approximate rendered widths: CJK characters a full em, others about 0.6 em, plus padding."""
    out = []
    for text in texts:
        s = str(text)
        wide = sum(1 for ch in s if ord(ch) > 0x2E80)
        out.append((wide + 0.6 * (len(s) - wide)) * font_px + 6)
    return np.asarray(out, dtype=float)


def declutter_zooms(lon, lat, widths_px, heights_px, priority=None, base_zoom: int = 12,
                    max_zoom: int = 20) -> np.ndarray:
    """The zoom from which each label shows (``base_zoom``..``max_zoom``; ``max_zoom`` + 1 when it
    would still collide at ``max_zoom``). Higher ``priority`` (default: order given) wins."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    w, h = np.asarray(widths_px, float), np.asarray(heights_px, float)
    n = len(lon)
    if n == 0:
        return np.zeros(0, dtype=int)
    order = np.argsort(-np.asarray(priority, float), kind="stable") if priority is not None else np.arange(n)
    # metres on the ground (local equirectangular, enough for label spacing) at each anchor
    y0 = np.radians(np.nanmean(lat))
    x_m = np.radians(lon) * 6_378_137.0 * np.cos(y0)
    y_m = np.radians(lat) * 6_378_137.0
    scale = EARTH_M_PER_PX_Z0 * np.cos(y0)  # metres per pixel at zoom 0 at this latitude
    zooms = np.full(n, base_zoom, dtype=int)
    placed: list[int] = []
    for i in order:
        j = np.asarray([k for k in placed if zooms[k] <= max_zoom], dtype=int)
        if len(j):
            # separation needed in pixels / available in metres: apart once metres-per-pixel <= ratio
            rx = np.abs(x_m[j] - x_m[i]) / ((w[j] + w[i]) / 2)
            ry = np.abs(y_m[j] - y_m[i]) / ((h[j] + h[i]) / 2)
            ratio = np.maximum(rx, ry)
            with np.errstate(divide="ignore"):
                need = np.ceil(np.log2(scale / np.maximum(ratio, 1e-12)))
            zooms[i] = int(np.clip(max(base_zoom, need.max()), base_zoom, max_zoom + 1))
        placed.append(int(i))
    return zooms
