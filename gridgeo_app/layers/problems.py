"""The import preview: an imported atlas's areas, with the features a validation problem names
drawn in red (the 数据导入 page)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.palette import PROBLEM_COLOR, SELECTION
from gridgeo_app.layers.base import base_map, district_outline, layer_control
from gridgeo_app.layers.legend import Legend
from gridgeo_app.layers.polygons import STYLES, area_layer, geojson_data

AREA_KINDS = ("streets", "communities", "grids")


def flagged_features(frame: gpd.GeoDataFrame, kind: str, features: set) -> gpd.GeoDataFrame:
    """The rows of ``frame`` a problem names: by code (or id), else by 1-based row number, the way
    :func:`gridgeo.atlas.validation.feature_labels` names them."""
    from gridgeo.atlas.validation import feature_labels

    if frame is None or not len(frame) or not features:
        return frame.iloc[0:0] if frame is not None else gpd.GeoDataFrame()
    labels = pd.Series(feature_labels(frame, kind), index=frame.index, dtype=object)
    wanted = {str(f) for f in features}
    return frame[labels.astype(str).isin(wanted)]


def problem_layer(flagged: dict[str, gpd.GeoDataFrame], name: str, tooltip: str) -> folium.FeatureGroup:
    """Red outlines (areas) and red dots (units, events) of the flagged features, with the
    problem text as tooltip (column ``problem``)."""
    group = folium.FeatureGroup(name=name, show=True)
    for frame in flagged.values():
        if frame is None or not len(frame):
            continue
        frame = frame.assign(code=frame.get("code", pd.Series("", index=frame.index)).astype(str).fillna(""))
        areas = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        points = frame[~frame.index.isin(areas.index) & frame.geometry.notna()]
        if len(areas):
            folium.GeoJson(
                geojson_data(areas, ["code", "problem"]),
                style_function=lambda _f: {"color": PROBLEM_COLOR, "weight": 3, "fillColor": PROBLEM_COLOR,
                                           "fillOpacity": 0.35},
                tooltip=folium.GeoJsonTooltip(fields=["code", "problem"], aliases=["", tooltip], sticky=True),
            ).add_to(group)
        for _, row in points.iterrows():
            pt = row.geometry.representative_point()
            folium.CircleMarker([pt.y, pt.x], radius=6, color=PROBLEM_COLOR, fill=True, fill_opacity=0.9,
                                tooltip=f"{row['code']} · {row['problem']}").add_to(group)
    return group


class RefitOnShow(MacroElement):
    """Fit ``bounds`` again once the map's frame has its size (and a moment later), until the user
    moves the map: the map is built in a frame of no size, where Leaflet's fit ends at the minimum
    zoom, and the component sets its view after the map's own script."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var m = {{ this._parent.get_name() }}, b = {{ this.bounds }}, touched = false, c = m.getContainer();
          function fit() {
            if (!touched && c.clientWidth > 0 && c.clientHeight > 0) { m.invalidateSize(); m.fitBounds(b); }
          }
          ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (e) {
            c.addEventListener(e, function () { touched = true; }, {passive: true});
          });
          new ResizeObserver(fit).observe(c);
          [300, 1000, 2500].forEach(function (ms) { setTimeout(fit, ms); });
        })();
        {% endmacro %}
    """)

    def __init__(self, bounds: tuple[float, float, float, float]):
        super().__init__()
        self._name = "RefitOnShow"
        x0, y0, x1, y1 = (float(v) for v in bounds)
        self.bounds = f"[[{y0}, {x0}], [{y1}, {x1}]]"


def focus_layer(focus: gpd.GeoDataFrame, name: str) -> folium.FeatureGroup:
    """The picked problem's features: a thick outline (areas) or a ringed dot (points)."""
    group = folium.FeatureGroup(name=name, show=True)
    areas = focus[focus.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(areas):
        folium.GeoJson(areas[["geometry"]].to_json(), style_function=lambda _f: {
            "color": SELECTION, "weight": 5, "fillColor": SELECTION, "fillOpacity": 0.15}).add_to(group)
    for geom in focus.geometry[~focus.index.isin(areas.index) & focus.geometry.notna()]:
        pt = geom.representative_point()
        folium.CircleMarker([pt.y, pt.x], radius=12, color=SELECTION, weight=4, fill=False).add_to(group)
    return group


def import_preview_map(layers: dict[str, gpd.GeoDataFrame], flagged: dict[str, gpd.GeoDataFrame],
                       names: dict[str, str], problem_name: str, problem_tooltip: str,
                       legend_title: str, focus: gpd.GeoDataFrame | None = None,
                       focus_name: str = "") -> folium.Map:
    """The preview of an import: district outline, streets, communities and grids (names from
    ``names`` by kind) and the flagged features on top in red, with a legend for every colour;
    ``focus`` (the features of the problem picked in the list) outlined on top and fitted."""
    shown = [k for k in ("district", *AREA_KINDS) if k in layers and layers[k] is not None and len(layers[k])]
    frames = [layers[k] for k in shown] or [f for f in flagged.values() if len(f)]
    bounds = tuple(pd.concat([f.geometry for f in frames]).total_bounds) if frames else (73.5, 18.0, 135.0, 53.5)
    focused = focus is not None and len(focus) and focus.geometry.notna().any()
    if focused:
        x0, y0, x1, y1 = focus.total_bounds
        pad = max(x1 - x0, y1 - y0, 0.002) * 0.6  # the feature with its neighbours around it
        bounds = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    m = base_map(bounds, basemap="offline")
    m.add_child(RefitOnShow(bounds))
    if "district" in shown:
        district_outline(layers["district"], name=names.get("district", "district")).add_to(m)
    for kind in AREA_KINDS:
        if kind in shown:
            area_layer(layers[kind], kind, names[kind], ["code", "name"], [names["code"], names["name"]],
                       show=kind != "grids" or len(layers[kind]) < 3000).add_to(m)
    problem_layer(flagged, problem_name, problem_tooltip).add_to(m)
    items = [(STYLES[k]["color"], names[k]) for k in AREA_KINDS if k in shown]
    items.append((PROBLEM_COLOR, problem_name))
    if focused:
        focus_layer(focus, focus_name).add_to(m)
        items.append((SELECTION, focus_name))
    m.add_child(Legend(legend_title, items))
    layer_control().add_to(m)
    return m
