"""The one rule for the metric CRS in which gridgeo measures areas, lengths and tolerances.

The configured CRS (``GRIDGEO_METRIC_CRS``, :attr:`gridgeo.config.Settings.metric_crs`) wins;
otherwise the CGCS2000 3-degree Gauss–Krüger zone (without zone prefix) whose central meridian
is nearest the data: EPSG:4547 (CM 114°E) for Shenzhen, EPSG:4544 (CM 105°E) for Chengdu.
The planner, the import, the partition, the maps and the prints all ask this module.
"""

from __future__ import annotations

import math
from functools import lru_cache

import geopandas as gpd
import pyproj

from gridgeo.config import Settings, get_settings
from gridgeo.geo.crs import WGS84

# CGCS2000 3-degree Gauss–Krüger zones without the zone prefix: EPSG:4534 (CM 75°E) … 4554 (CM 135°E)
GK3_FIRST_EPSG, GK3_FIRST_CM, GK3_LAST_EPSG = 4534, 75, 4554
DEFAULT_LON = 114.0  # when there is nothing to measure: the zone of the embedded demo


def gk3_zone_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree GK zone (no zone prefix) whose central meridian is
    nearest ``lon``: 114.0 → 4547 (CM 114°E), 104.1 → 4544 (CM 105°E)."""
    index = round((float(lon) - GK3_FIRST_CM) / 3)
    return min(max(GK3_FIRST_EPSG + index, GK3_FIRST_EPSG), GK3_LAST_EPSG)


DEFAULT_METRIC = "EPSG:4547"  # gk3_zone_epsg(DEFAULT_LON): CGCS2000 / 3-degree GK CM 114°E


def metric_crs_at(lon: float | None, settings: Settings | None = None) -> str:
    """The configured metric CRS, else the GK zone nearest ``lon`` (default 114°E)."""
    settings = settings or get_settings()
    if settings.metric_crs:
        return settings.metric_crs
    return f"EPSG:{gk3_zone_epsg(DEFAULT_LON if lon is None else lon)}"


def centre_lon(gdf: gpd.GeoDataFrame) -> float | None:
    """The longitude (WGS84) of the centre of the frame's bounds, or None for an empty frame."""
    frame = gdf if gdf.crs is not None else gdf.set_crs(WGS84)
    x0, y0, x1, y1 = frame.total_bounds
    if not len(frame) or not all(map(math.isfinite, (x0, y0, x1, y1))):
        return None
    if frame.crs.is_geographic:
        return float((x0 + x1) / 2)
    centre = gpd.GeoSeries(gpd.points_from_xy([(x0 + x1) / 2], [(y0 + y1) / 2]), crs=frame.crs)
    return float(centre.to_crs(WGS84).x.iloc[0])


def metric_crs_of(gdf: gpd.GeoDataFrame, settings: Settings | None = None, *, crs: str | None = None) -> str:
    """The metric CRS for ``gdf``: ``crs`` if given, else the configured one, else the GK zone
    nearest the centre of the frame."""
    if crs:
        return crs
    settings = settings or get_settings()
    if settings.metric_crs:
        return settings.metric_crs
    return metric_crs_at(centre_lon(gdf), settings)


def to_metric(gdf: gpd.GeoDataFrame, crs: str | None = None, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Project a frame (WGS84 when it declares no CRS) to ``crs``, else to the metric CRS that
    :func:`metric_crs_of` picks for it (pass one CRS when several frames must share it)."""
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    return gdf.to_crs(metric_crs_of(gdf, settings, crs=crs))


def area_m2(gdf: gpd.GeoDataFrame, crs: str | None = None):
    """Area of each feature in square metres (in ``crs``, default the frame's metric CRS)."""
    return to_metric(gdf, crs).geometry.area


@lru_cache(maxsize=32)
def transformer(source: str, target: str) -> pyproj.Transformer:
    """A cached always-xy transformer between two CRSs."""
    return pyproj.Transformer.from_crs(source, target, always_xy=True)
