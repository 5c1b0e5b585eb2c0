"""The service network of the active atlas, loaded once per store and grid set version.

Intake (hall and station of each case), escalation and the API ask :func:`service_network`;
it reads only the service-point layer of the active atlas (the embedded demo's
``service_points.geojson``, or the stored atlas's layer) and keys it by the published grid set
version, which changes whenever another atlas is made active (``gridgeo atlas use``).
"""

from __future__ import annotations

import threading
import weakref

import geopandas as gpd

from gridgeo.atlas.service_points import ServiceNetwork, empty_service_points
from gridgeo.config import DEMO_ATLAS
from gridgeo.geo.metric import metric_crs_of
from gridgeo.services.active_atlas import active_atlas_name

_lock = threading.Lock()
_networks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def active_service_points(store) -> gpd.GeoDataFrame:
    """The service points of the active atlas (WGS84; empty when it has none)."""
    name = active_atlas_name(store)
    if name == DEMO_ATLAS:
        from gridgeo.atlas.load import DEFAULT_DATA_DIR, OPTIONAL_LAYER_FILES

        path = DEFAULT_DATA_DIR / f"{OPTIONAL_LAYER_FILES['service_points']}.geojson"
        if not path.exists():
            return empty_service_points()
        points = gpd.read_file(path, engine="pyogrio").to_crs("EPSG:4326")
        for col in ("code", "territory_code"):
            points[col] = points[col].astype(str)
        return points
    from gridgeo.store.atlases import AtlasNotFound, load_stored_layer

    try:
        return load_stored_layer(store, name, "service_points")
    except AtlasNotFound:
        return empty_service_points()


def service_network(store, version: int | None = None) -> ServiceNetwork:
    """The :class:`ServiceNetwork` of ``store``'s active atlas (built on first use per grid set
    ``version``; default the current one)."""
    version = store.current_version(max_age=1.0) if version is None else version
    with _lock:
        per_store = _networks.setdefault(store, {})
        if version not in per_store:
            points = active_service_points(store)
            per_store[version] = ServiceNetwork(points, metric_crs_of(points) if len(points) else "EPSG:4547")
        return per_store[version]
