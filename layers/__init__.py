"""folium layer builders for the map pages; each function returns a layer usable on its own."""

from layers.assets import missing_assets, use_local_assets
from layers.base import BASEMAPS, base_map, district_outline, layer_control, shift_for_basemap
from layers.events import heat_layer, marker_cluster_layer
from layers.legend import Legend, risk_legend
from layers.polygons import area_layer, geojson_data, label_layer, selection_layer
from layers.problems import flagged_features, import_preview_map, problem_layer
from layers.risk import risk_layer

__all__ = [
    "BASEMAPS", "Legend", "area_layer", "base_map", "district_outline", "flagged_features", "geojson_data",
    "heat_layer", "import_preview_map", "problem_layer",
    "label_layer", "layer_control", "marker_cluster_layer", "missing_assets", "risk_layer", "risk_legend",
    "selection_layer", "shift_for_basemap", "use_local_assets",
]
