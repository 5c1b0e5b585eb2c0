"""Polygons drawn once, painted many times: the map page's fast redraw.

The base map carries the geometry of grids, communities and streets once per selection
(:func:`base_areas`: invisible, registered by kind in the frame's ``window.ggLayers`` with their
fixed attributes in ``window.ggProps``). A control change then pushes only *paints*
(:class:`Paint`): small feature groups whose script restyles a registered layer (risk fill
colours, or outlines), binds tooltips built in the browser from compact arrays, decides which
layer takes clicks, and undoes all of it when the group is removed. A paint is a few tens of
kB instead of the megabyte of a re-sent GeoJSON, and the browser creates no new SVG paths.
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.palette import BLACK, NO_RISK_COLOR
from gridgeo_app.layers.polygons import STYLES, geojson_data

HIDDEN = {"color": BLACK, "weight": 0, "opacity": 0, "fillOpacity": 0}


class _Register(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          window.ggLayers = window.ggLayers || {}; window.ggProps = window.ggProps || {};
          var layer = {{ this.layer.get_name() }};
          window.ggLayers["{{ this.kind }}"] = layer;
          window.ggProps["{{ this.kind }}"] = {{ this.props_json }};
          layer.eachLayer(function (l) { var e = l.getElement && l.getElement(); if (e) { e.style.pointerEvents = "none"; } });
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: folium.GeoJson, kind: str, props: dict):
        super().__init__()
        self._name = "Register"
        self.layer = layer
        self.kind = kind
        self.props_json = json.dumps(props, ensure_ascii=False, separators=(",", ":"))


def register_areas(m: folium.Map, layer: folium.GeoJson, kind: str) -> None:
    """Register a layer already on ``m`` (features carrying ``code``) so paints of ``kind``
    restyle it (the wall's grids: drawn once, recoloured by each push)."""
    _Register(layer, kind, {}).add_to(m)


def base_areas(m: folium.Map, layers: dict[str, gpd.GeoDataFrame], prop_columns: dict[str, list[str]]) -> None:
    """Add grids, communities and streets (bottom to top) to ``m`` as invisible, clickable-when-
    painted layers, each feature carrying only its code; ``prop_columns[kind]`` are the fixed
    attributes the tooltips show (sent once, as one array per code)."""
    for kind in ("grids", "communities", "streets"):
        gdf = layers[kind]
        layer = folium.GeoJson(geojson_data(gdf, ["code"]), name=kind, control=False, zoom_on_click=False,
                               style_function=lambda _f: dict(HIDDEN))
        layer.add_to(m)
        cols = [c for c in prop_columns.get(kind, []) if c in gdf.columns]
        values = gdf[cols].astype(object).where(gdf[cols].notna(), "")
        props = {str(code): [str(v) for v in row] for code, row in zip(gdf["code"], values.to_numpy(), strict=True)}
        _Register(layer, kind, props).add_to(m)


class Paint(MacroElement):
    """Restyles the registered layer ``kind`` while its feature group is on the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var group = {{ this._parent.get_name() }}, d = {{ this.data_json }};
          function tip(code) {
            var fixed = ((window.ggProps || {})[d.kind] || {})[code] || [], live = d.live[code] || d.live_default;
            var rows = [];
            fixed.forEach(function (v, i) { if (v !== "") { rows.push("<b>" + d.fixed_labels[i] + "</b> " + v); } });
            (live || []).forEach(function (v, i) { rows.push("<b>" + d.live_labels[i] + "</b> " + v); });
            return rows.join("<br>");
          }
          function each(fn) {
            var base = (window.ggLayers || {})[d.kind];
            if (base) { base.eachLayer(fn); }
            return base;
          }
          function on() {
            var base = each(function (l) {
              var code = l.feature.properties.code, style = Object.assign({}, d.style);
              if (d.fills) { style.fillColor = d.fills[code] || d.none; }
              l.setStyle(style);
              var e = l.getElement && l.getElement();
              if (e) { e.style.pointerEvents = d.interactive ? "auto" : "none"; }
              if (d.interactive) { l.bindTooltip(function () { return tip(code); }, {sticky: true}); }
            });
            if (base && d.front) { base.bringToFront(); }
          }
          function off() {
            each(function (l) {
              l.setStyle(d.hidden); l.unbindTooltip();
              var e = l.getElement && l.getElement(); if (e) { e.style.pointerEvents = "none"; }
            });
          }
          group.on("add", on);
          group.on("remove", off);
          if (group._map) { on(); }
        })();
        {% endmacro %}
    """)

    def __init__(self, data: dict):
        super().__init__()
        self._name = "Paint"
        self.data_json = json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def paint_layer(
    kind: str, name: str, *, fills: pd.Series | None = None, none_color: str = NO_RISK_COLOR, opacity: float = 0.65,
    outline: dict | None = None, interactive: bool = False, live: pd.DataFrame | None = None,
    live_labels: list[str] = (), fixed_labels: list[str] = (), rest: dict | None = None,
) -> folium.FeatureGroup:
    """A feature group that paints the registered layer ``kind``: ``fills`` (colour by code) as a
    choropleth, else only the outline (``outline`` overrides STYLES[kind]). ``interactive``
    makes it the layer that takes clicks and hovers; its tooltip lists the fixed attributes
    (``fixed_labels``, from :func:`base_areas`) and the ``live`` columns (one row per code,
    labelled ``live_labels``). ``rest``: the style the layer goes back to when the paint is
    removed (default hidden: the map page's polygons are invisible until painted)."""
    st = {**STYLES[kind], **(outline or {})}
    style = {"color": st["color"], "weight": st["weight"], "opacity": 1.0,
             "fillOpacity": opacity if fills is not None else st["fillOpacity"]}
    if fills is None:
        style["fillColor"] = st["color"]
    data = {
        "kind": kind, "style": style, "hidden": rest or HIDDEN, "interactive": bool(interactive),
        "fills": {str(k): v for k, v in fills.items()} if fills is not None else None, "none": none_color,
        "live": ({str(code): [str(v) for v in row] for code, row in zip(live.index, live.to_numpy(), strict=True)}
                 if live is not None else {}),
        "live_default": None, "live_labels": list(live_labels), "fixed_labels": list(fixed_labels),
        "front": fills is None,
    }
    group = folium.FeatureGroup(name=name, control=False)
    Paint(data).add_to(group)
    return group
