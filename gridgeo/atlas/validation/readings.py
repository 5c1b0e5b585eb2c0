"""The two-readings overlay helpers the topology checks share.

A polygon edge is straight in the space it was drawn in, and the two readings differ: over a
5 km edge a segment straight in degrees bows ~10 cm away from the one straight in metres
(EPSG:4547), enough to turn a shared border into hundreds of m² of "overlap" if the overlay is
done in the other space. So every overlay (overlap, gap, outside parent) is computed in both
spaces and only the part found in both counts; what is left is measured in metres after a
morphological opening that drops anything thinner than SLIVER_WIDTH_M (float noise).

The metric space is EPSG:4547 unless a check runs inside :func:`metric_zone` (``validate_frame``
does, with the CGCS2000 GK zone of the layer it checks: a district near Chengdu is measured in
EPSG:4544, not 9° off the 114°E meridian).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import DEFAULT_METRIC as METRIC
from gridgeo.i18n import Msg

SLIVER_WIDTH_M = 0.01

_TO_METRIC = pyproj.Transformer.from_crs(WGS84, METRIC, always_xy=True)
_TO_WGS84 = pyproj.Transformer.from_crs(METRIC, WGS84, always_xy=True)
_ZONE: ContextVar[str] = ContextVar("gridgeo_validation_metric_crs", default=METRIC)


@lru_cache(maxsize=16)
def _transformers(metric: str) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    if metric == METRIC:
        return _TO_METRIC, _TO_WGS84
    return (pyproj.Transformer.from_crs(WGS84, metric, always_xy=True),
            pyproj.Transformer.from_crs(metric, WGS84, always_xy=True))


@contextmanager
def metric_zone(metric: str) -> Iterator[str]:
    """Run the checks inside in the metric CRS ``metric`` (e.g. "EPSG:4544")."""
    token = _ZONE.set(metric)
    try:
        yield metric
    finally:
        _ZONE.reset(token)


@dataclass
class _Geoms:
    """The usable geometries of a layer in WGS84 and in EPSG:4547, and their row positions."""

    wgs: np.ndarray
    metric: np.ndarray
    rows: np.ndarray


def _usable_geoms(gdf: gpd.GeoDataFrame) -> _Geoms:
    """Non-null, non-empty geometries (invalid ones made valid) in both spaces."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    rows = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    wgs = geoms[rows].copy()
    metric = _to_metric(wgs)
    for arr in (wgs, metric):
        bad = ~shapely.is_valid(arr)
        if bad.any():
            arr[bad] = shapely.make_valid(arr[bad])
    return _Geoms(wgs, metric, rows)


def _to_metric(geoms: np.ndarray) -> np.ndarray:
    forward = _transformers(_ZONE.get())[0]
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])))


def remove_slivers(geoms: np.ndarray) -> np.ndarray:
    """Morphological opening by SLIVER_WIDTH_M / 2: drops the parts of EPSG:4547 geometries
    thinner than SLIVER_WIDTH_M and keeps the rest (less a rounding of its corners)."""
    r = SLIVER_WIDTH_M / 2
    return shapely.buffer(shapely.buffer(geoms, -r, quad_segs=2), r, quad_segs=2)


def _agreed(metric_result: np.ndarray, wgs_result: np.ndarray) -> np.ndarray:
    """The part of an overlay result found in both readings, without slivers (EPSG:4547)."""
    return remove_slivers(shapely.intersection(metric_result, _to_metric(wgs_result)))


def _lonlat_msg(point_metric: shapely.Point) -> Msg:
    """'lon 113.9, lat 22.7' of a metric point, as a catalogue message."""
    lon, lat = _transformers(_ZONE.get())[1].transform(point_metric.x, point_metric.y)
    return Msg("val_lonlat", {"lon": f"{lon:.6f}", "lat": f"{lat:.6f}"})


def _lonlat(point_metric: shapely.Point) -> str:
    return _lonlat_msg(point_metric).render("en")
