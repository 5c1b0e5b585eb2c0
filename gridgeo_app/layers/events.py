"""Event layers: a heat layer weighted by level and clustered markers with popups."""

from __future__ import annotations

import html
import json

import folium
import folium.plugins as plugins
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.palette import EVENT_MARKER_LINE, HEAT_GRADIENT, RISK_COLORS
from gridgeo_app.layers.legend import Legend

# heat weight per level: level 1 (most severe) weighs most
LEVEL_WEIGHTS: dict[int, float] = {1: 1.0, 2: 0.7, 3: 0.45, 4: 0.25}


# the heat layer's own sequential palette (purples): never confused with the risk colours


class HeatClip(MacroElement):
    """Clip a Leaflet.heat layer to polygons (the district): after each redraw, everything on
    the heat canvas outside the polygons is erased, so the glow stops at the boundary."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var heat = {{ this.heat.get_name() }}, rings = {{ this.rings_json }};
          var redraw = heat._redraw;
          heat._redraw = function () {
            redraw.call(this);
            var map = this._map, ctx = this._canvas && this._canvas.getContext("2d");
            if (!map || !ctx) { return; }
            ctx.save();
            ctx.globalCompositeOperation = "destination-in";
            ctx.beginPath();
            rings.forEach(function (ring) {
              ring.forEach(function (xy, i) {
                var p = map.latLngToContainerPoint([xy[1], xy[0]]);
                if (i === 0) { ctx.moveTo(p.x, p.y); } else { ctx.lineTo(p.x, p.y); }
              });
              ctx.closePath();
            });
            ctx.fillStyle = "#000";
            ctx.fill("evenodd");
            ctx.restore();
          };
          if (heat._map) { heat._redraw(); }
        })();
        {% endmacro %}
    """)

    def __init__(self, heat: plugins.HeatMap, clip) -> None:
        super().__init__()
        self._name = "HeatClip"
        self.heat = heat
        rings = []
        for poly in getattr(clip, "geoms", [clip]):
            for ring in [poly.exterior, *poly.interiors]:
                rings.append([[round(x, 5), round(y, 5)] for x, y in ring.coords])
        self.rings_json = json.dumps(rings)


def heat_layer(events: pd.DataFrame, name: str, show: bool = True, radius: int = 20, clip=None,
               legend: Legend | None = None) -> folium.FeatureGroup:
    """Heat map of events (columns lon, lat, level), each weighted by LEVEL_WEIGHTS, in the
    HEAT_GRADIENT palette. ``clip`` (a shapely (Multi)Polygon, e.g. the district) cuts the glow
    at its boundary; ``legend`` (see :func:`heat_legend`) shows while the layer does."""
    group = folium.FeatureGroup(name=name, show=show)
    if len(events):
        weights = events["level"].astype(int).map(LEVEL_WEIGHTS).fillna(0.25)
        data = [[round(float(y), 5), round(float(x), 5), round(float(w), 2)]
                for x, y, w in zip(events["lon"], events["lat"], weights, strict=True)]
        # full intensity from zoom 10 on (a district view), one level-I event alone reaches the top
        heat = plugins.HeatMap(data, radius=radius, blur=radius, min_opacity=0.45, max_zoom=10, gradient=HEAT_GRADIENT,
                               max=0.6)
        heat.add_to(group)
        if clip is not None and not clip.is_empty:
            HeatClip(heat, clip).add_to(group)
    if legend is not None:
        legend.add_to(group)
    return group


def heat_legend(title: str, low: str, high: str, font_css: str | None = None, position: str = "bottomleft") -> Legend:
    """The heat layer's legend: its palette as a gradient bar from ``low`` to ``high``."""
    return Legend(title, [], gradient=(list(HEAT_GRADIENT.values()), low, high), font_css=font_css,
                  position=position, css_class="gg-heat-legend")


_CALLBACK = """
function (row) {
    var dicts = %(dicts)s, labels = %(labels)s, colors = %(colors)s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 6, color: "%(ring)s", weight: 1, fillColor: colors[row[2]], fillOpacity: 0.95});
    var html = [];
    for (var i = 0; i < labels.length; i++) {
        html.push("<b>" + labels[i] + "</b> " + dicts[i][row[3 + i]]);
    }
    marker.bindPopup(html.join("<br>"));
    return marker;
};
"""


def marker_cluster_layer(
    events: pd.DataFrame, name: str, popup_columns: list[str], popup_labels: list[str], show: bool = True,
) -> folium.FeatureGroup:
    """Clustered circle markers coloured by level, with a popup listing ``popup_columns``.

    Uses FastMarkerCluster: the markers are made in the browser from one compact array, each
    popup value sent as an index into a table of the column's distinct values, so thousands of
    events stay small on the wire.
    """
    group = folium.FeatureGroup(name=name, show=show)
    if not len(events):
        return group
    cols = [c for c in popup_columns if c in events.columns]
    labels = dict(zip(popup_columns, popup_labels, strict=True))
    dicts, codes = [], []
    for col in cols:
        cat = pd.Categorical(events[col].astype(str))
        dicts.append([html.escape(str(v)) for v in cat.categories])
        codes.append(cat.codes)
    levels = events["level"].astype(int).clip(1, 4).to_numpy()
    lat = events["lat"].astype(float).round(5).to_numpy()
    lon = events["lon"].astype(float).round(5).to_numpy()
    rows = [[float(lat[i]), float(lon[i]), int(levels[i]), *(int(c[i]) for c in codes)] for i in range(len(events))]
    callback = _CALLBACK % {
        "dicts": json.dumps(dicts, ensure_ascii=False),
        "labels": json.dumps([html.escape(labels[c]) for c in cols], ensure_ascii=False),
        "colors": json.dumps({lvl: RISK_COLORS[lvl] for lvl in (1, 2, 3, 4)}), "ring": EVENT_MARKER_LINE,
    }
    plugins.FastMarkerCluster(rows, callback=callback,
                              options={"disableClusteringAtZoom": 17, "chunkedLoading": True}).add_to(group)
    return group
