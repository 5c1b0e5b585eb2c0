"""folium layer builders for the map pages; each function returns a layer usable on its own."""

from gridgeo_app.layers.assets import PluginAssets, missing_assets, use_local_assets
from gridgeo_app.layers.base import (
    BASEMAPS,
    WallFrameStyle,
    base_map,
    district_outline,
    layer_control,
    shift_for_basemap,
)
from gridgeo_app.layers.events import HEAT_GRADIENT, heat_layer, heat_legend, marker_cluster_layer
from gridgeo_app.layers.legend import Legend, risk_legend
from gridgeo_app.layers.polygons import area_layer, geojson_data, label_layer, selection_layer
from gridgeo_app.layers.problems import flagged_features, import_preview_map, problem_layer
from gridgeo_app.layers.risk import risk_layer

__all__ = [
    "BASEMAPS", "HEAT_GRADIENT", "Legend", "PluginAssets", "WallFrameStyle", "area_layer", "base_map",
    "district_outline", "flagged_features", "geojson_data", "heat_layer", "heat_legend", "import_preview_map",
    "problem_layer",
    "label_layer", "layer_control", "marker_cluster_layer", "missing_assets", "risk_layer", "risk_legend",
    "selection_layer", "shift_for_basemap", "use_local_assets",
]
