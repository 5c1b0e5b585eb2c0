"""Coordinate reference systems used in China, including the ones PROJ lacks.

gridgeo stores everything in WGS84 (EPSG:4326) and does metric work in the CGCS2000
3-degree Gauss-Kruger zone nearest the data (:mod:`gridgeo.geo.metric`; EPSG:4547, CM 114E, for
Shenzhen). CGCS2000 geographic
(EPSG:4490) differs from WGS84 by centimetres and is treated as equal.

GCJ-02 (AMap, Tencent, Google China) and BD-09 (Baidu) are deliberately obfuscated
offsets of a few hundred metres. PROJ does not implement them, so the conversions are
written here as vectorized numpy functions, following the widely published formulas (a few
points at a time, as one event's position, take the same formulas on Python floats: numpy's
per-call overhead would cost more than the arithmetic).
The inverse of GCJ-02 has no closed form; ``gcj02_to_wgs84`` iterates the forward
transform until the round trip errs by far less than a centimetre.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

WGS84 = "EPSG:4326"
CGCS2000 = "EPSG:4490"

CrsName = Literal["WGS84", "CGCS2000", "GCJ02", "BD09"]
CRS_NAMES: tuple[str, ...] = ("WGS84", "CGCS2000", "GCJ02", "BD09")

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_NUMPY = SimpleNamespace(sqrt=np.sqrt, abs=np.abs, sin=np.sin, cos=np.cos)
_FLOATS = SimpleNamespace(sqrt=math.sqrt, abs=abs, sin=math.sin, cos=math.cos)
_FEW = 8  # up to this many points convert on Python floats
DENSIFY_DEG = 0.0002  # about 20 m: edge length before a GCJ-02/BD-09 conversion


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon and lat differ in shape: {lon_a.shape} vs {lat_a.shape}")
    return lon_a, lat_a


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where a point lies in the rough bounding box in which GCJ-02 applies.

    The box (73.66-135.05 E, 3.86-53.55 N) is the one every published implementation uses;
    outside it GCJ-02 equals WGS84.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    return (lon_a >= 72.004) & (lon_a <= 137.8347) & (lat_a >= 0.8293) & (lat_a <= 55.8271)


def _gcj_delta(lon, lat, m: SimpleNamespace = _NUMPY) -> tuple:
    """Offset in degrees that GCJ-02 adds to a WGS84 position (arrays with ``m`` = numpy's
    functions, or floats with ``m`` = math's)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = m.sqrt(m.abs(x))
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    d_lat += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += (20.0 * m.sin(y * math.pi) + 40.0 * m.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * m.sin(y / 12.0 * math.pi) + 320.0 * m.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    d_lon += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lon += (20.0 * m.sin(x * math.pi) + 40.0 * m.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * m.sin(x / 12.0 * math.pi) + 300.0 * m.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * m.sin(rad_lat) ** 2
    sqrt_magic = m.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * m.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def _inside_china(lon: float, lat: float) -> bool:
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271  # the box of :func:`in_china`


def _gcj02_to_wgs84_point(lon: float, lat: float, tolerance_deg: float, max_iter: int) -> tuple[float, float]:
    """:func:`gcj02_to_wgs84` of one point, on Python floats (the same iteration)."""
    if not _inside_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(max_iter):
        d_lon, d_lat = _gcj_delta(w_lon, w_lat, _FLOATS) if _inside_china(w_lon, w_lat) else (0.0, 0.0)
        e_lon, e_lat = w_lon + d_lon - lon, w_lat + d_lat - lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if abs(e_lon) < tolerance_deg and abs(e_lat) < tolerance_deg:
            break
    return w_lon, w_lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert WGS84 lon/lat to GCJ-02. Points outside China are returned unchanged."""
    lon_a, lat_a = _as_arrays(lon, lat)
    d_lon, d_lat = _gcj_delta(lon_a, lat_a)
    inside = in_china(lon_a, lat_a)
    return np.where(inside, lon_a + d_lon, lon_a), np.where(inside, lat_a + d_lat, lat_a)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, tolerance_deg: float = 1e-10, max_iter: int = 30
) -> tuple[NDArray, NDArray]:
    """Convert GCJ-02 lon/lat to WGS84 by fixed-point iteration of the forward transform.

    Converges to well under a millimetre (``tolerance_deg`` 1e-10 degrees is about 0.01 mm)
    in a handful of iterations; points outside China are returned unchanged.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    if lon_a.size <= _FEW:
        pairs = [_gcj02_to_wgs84_point(x, y, tolerance_deg, max_iter)
                 for x, y in zip(lon_a.ravel().tolist(), lat_a.ravel().tolist(), strict=True)]
        return (np.array([p[0] for p in pairs]).reshape(lon_a.shape),
                np.array([p[1] for p in pairs]).reshape(lat_a.shape))
    w_lon, w_lat = lon_a.copy(), lat_a.copy()
    for _ in range(max_iter):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon_a, g_lat - lat_a
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if np.all(np.abs(e_lon) < tolerance_deg) and np.all(np.abs(e_lat) < tolerance_deg):
            break
    inside = in_china(lon_a, lat_a)
    return np.where(inside, w_lon, lon_a), np.where(inside, w_lat, lat_a)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert GCJ-02 lon/lat to Baidu's BD-09."""
    lon_a, lat_a = _as_arrays(lon, lat)
    z = np.sqrt(lon_a**2 + lat_a**2) + 0.00002 * np.sin(lat_a * _X_PI)
    theta = np.arctan2(lat_a, lon_a) + 0.000003 * np.cos(lon_a * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_closed_form(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x**2 + y**2) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(
    lon: ArrayLike, lat: ArrayLike, tolerance_deg: float = 1e-10, max_iter: int = 10
) -> tuple[NDArray, NDArray]:
    """Convert Baidu's BD-09 lon/lat to GCJ-02.

    Starts from the published closed-form inverse (which errs by up to ~0.2 m in the north)
    and refines it by fixed-point iteration of ``gcj02_to_bd09`` so round trips err by far
    less than 0.1 m everywhere.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    g_lon, g_lat = _bd09_to_gcj02_closed_form(lon_a, lat_a)
    for _ in range(max_iter):
        b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = b_lon - lon_a, b_lat - lat_a
        g_lon, g_lat = g_lon - e_lon, g_lat - e_lat
        if np.all(np.abs(e_lon) < tolerance_deg) and np.all(np.abs(e_lat) < tolerance_deg):
            break
    return g_lon, g_lat


def normalize_crs_name(name: str) -> str:
    """Map user spellings ("gcj-02", "epsg:4326", "wgs84", "bd09ll") to a canonical name.

    Raises ValueError with the accepted names when the name is unknown.
    """
    key = name.strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {
        "WGS84": "WGS84", "EPSG4326": "WGS84", "EPSG:4326": "WGS84", "4326": "WGS84",
        "CGCS2000": "CGCS2000", "EPSG4490": "CGCS2000", "EPSG:4490": "CGCS2000", "4490": "CGCS2000",
        "GCJ02": "GCJ02", "GCJ": "GCJ02", "AMAP": "GCJ02", "MARS": "GCJ02",
        "BD09": "BD09", "BD09LL": "BD09", "BAIDU": "BD09",
    }
    if key in aliases:
        return aliases[key]
    raise ValueError(f"unknown CRS {name!r}: use one of {', '.join(CRS_NAMES)}")


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[NDArray, NDArray]:
    """Convert lon/lat arrays from any supported CRS name to WGS84."""
    canonical = normalize_crs_name(crs)
    lon_a, lat_a = _as_arrays(lon, lat)
    if canonical in ("WGS84", "CGCS2000"):
        return lon_a, lat_a
    if canonical == "GCJ02":
        return gcj02_to_wgs84(lon_a, lat_a)
    return gcj02_to_wgs84(*bd09_to_gcj02(lon_a, lat_a))


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[NDArray, NDArray]:
    """Convert WGS84 lon/lat arrays to any supported CRS name."""
    canonical = normalize_crs_name(crs)
    lon_a, lat_a = _as_arrays(lon, lat)
    if canonical in ("WGS84", "CGCS2000"):
        return lon_a, lat_a
    gcj = wgs84_to_gcj02(lon_a, lat_a)
    return gcj if canonical == "GCJ02" else gcj02_to_bd09(*gcj)


def transform_geometries(geoms, crs_from: str, crs_to: str = "WGS84"):
    """Transform a shapely geometry array between supported CRS names, vertex by vertex."""
    import shapely

    source, target = normalize_crs_name(crs_from), normalize_crs_name(crs_to)
    if {source, target} <= {"WGS84", "CGCS2000"}:
        return geoms

    def _apply(coords: NDArray) -> NDArray:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], source)
        lon, lat = from_wgs84(lon, lat, target)
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, _apply)


def to_wgs84_frame(gdf, crs: str, densify_deg: float = DENSIFY_DEG):
    """Return a copy of a GeoDataFrame converted to WGS84 from a supported CRS name.

    For GCJ-02 and BD-09 the edges are first densified to at most ``densify_deg`` (about 20 m),
    since the offset varies along an edge: converting only the vertices of a long edge leaves
    centimetre slivers against neighbours that have a vertex on it.
    """
    import shapely

    out = gdf.copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    if normalize_crs_name(crs) in ("GCJ02", "BD09"):
        geoms = shapely.segmentize(geoms, densify_deg)
    out["geometry"] = transform_geometries(geoms, crs, "WGS84")
    return out.set_crs(WGS84, allow_override=True)
