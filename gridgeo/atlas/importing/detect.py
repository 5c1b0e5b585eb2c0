"""What a file does not say about itself: its CRS when there is no .prj, told from the coordinates.

CGCS2000 Gauss–Krüger coordinates with the zone number in the false easting give the zone away:
x ≈ 35,400,000 is 3-degree zone 35 (EPSG:4523, central meridian 105°E); the 3-degree zones 25–45
are EPSG:4513–4533, the 6-degree zones 13–23 are EPSG:4491–4501 (the two ranges do not overlap).
Without the prefix (EPSG:4534–4554, x between about 100,000 and 900,000) the zone cannot be known
from the numbers, and lon/lat degrees may be WGS84, CGCS2000 or GCJ-02: both need ``--crs``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pyogrio
import pyproj

from gridgeo.errors import InputError, UsageError
from gridgeo.i18n import Msg, word

GK3_PREFIXED = (25, 45, 4513)  # first zone, last zone, EPSG of the first zone (CM 75°E)
GK6_PREFIXED = (13, 23, 4491)  # 6-degree zones 13 (CM 75°E) .. 23 (CM 135°E)


def gk_zone(x: float) -> tuple[int, Msg] | None:
    """(EPSG code, description as a catalogue message) of the CGCS2000 GK zone named by a
    zone-prefixed easting, else None."""
    zone = int(x // 1_000_000)
    offset = x - zone * 1_000_000
    if not 100_000 <= offset <= 900_000:
        return None
    for first, last, epsg0, width in (GK3_PREFIXED + (3,), GK6_PREFIXED + (6,)):
        if first <= zone <= last:
            cm = zone * width if width == 3 else zone * 6 - 3
            return epsg0 + zone - first, Msg("src_gk_zone", {"width": width, "zone": zone, "cm": cm})
    return None


def gk_zone_epsg(x: float) -> tuple[int, str] | None:
    """(EPSG code, description) of the CGCS2000 GK zone named by a zone-prefixed easting, else None."""
    found = gk_zone(x)
    return (found[0], found[1].render("en")) if found else None


def _info(path: Path, **kwargs) -> dict:
    """pyogrio.read_info; field names that are not valid in the declared encoding (a name cut
    inside a character) do not matter for the CRS and the bounds, so read them as Latin-1 then."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pyogrio.read_info(path, **kwargs)
        except UnicodeDecodeError:
            return pyogrio.read_info(path, encoding="ISO-8859-1", **kwargs)


def file_crs(path: Path, kind: str | None = None) -> pyproj.CRS | None:
    """The CRS a vector file declares (.prj, GeoPackage SRS, GeoJSON = WGS84), or None; in a
    multi-layer GeoPackage that of the layer named like ``kind``."""
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        layer = kind if kind in names else None
        info = _info(path, layer=layer)
    except Exception:
        return None  # unreadable: read_layer reports it with its own message
    return pyproj.CRS.from_user_input(info["crs"]) if info.get("crs") else None


def looks_projected(path: Path, kind: str | None = None) -> bool:
    """True when a layer's coordinates cannot be degrees (|x| > 180 or |y| > 90)."""
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        info = _info(path, layer=kind if kind in names else None, force_total_bounds=True)
        xmin, ymin, xmax, ymax = (float(v) for v in info["total_bounds"])
    except Exception:
        return False
    return max(abs(xmin), abs(xmax)) > 180 or max(abs(ymin), abs(ymax)) > 90


def detect_crs(path: Path, what: str, flag: str) -> tuple[str, Msg]:
    """(CRS for read_layer, how it was found: a catalogue message) for a file that declares no CRS.

    Raises UsageError (one line, naming ``flag`` to use) when the coordinates do not tell.
    """
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        info = _info(path, layer=what if what in names else None, force_total_bounds=True)
        xmin, ymin, xmax, ymax = (float(v) for v in info["total_bounds"])
    except Exception as exc:
        raise InputError(f"{path}: cannot read the coordinates ({exc}); check the file") from None
    low, high = gk_zone(xmin), gk_zone(xmax)
    if low and high and low[0] == high[0] and ymin > 0 and ymax < 6_500_000:
        return f"EPSG:{low[0]}", Msg("src_crs_detected", {"zone": low[1], "epsg": f"EPSG:{low[0]}",
                                                          "why": Msg("src_no_prj")})
    params = {"path": str(path), "file": Path(path).name, "what": word("lyr_", what), "flag": flag}
    if xmin >= 60_000 and xmax <= 940_000 and ymin > 0 and ymax < 6_500_000:
        raise UsageError(Msg("err_gk_no_zone", params))
    if xmin >= 70 and xmax <= 140 and ymin >= 0 and ymax <= 56:
        raise UsageError(Msg("err_degrees_unknown", params))
    raise UsageError(Msg("err_no_crs", {**params, "x": f"{xmin:.0f}", "y": f"{ymin:.0f}"}))
