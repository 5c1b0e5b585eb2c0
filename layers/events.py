"""Event layers: a heat layer weighted by level and clustered markers with popups."""

from __future__ import annotations

import html
import json

import folium
import folium.plugins as plugins
import pandas as pd

from gridgeo.risk import RISK_COLORS

# heat weight per level: level 1 (most severe) weighs most
LEVEL_WEIGHTS: dict[int, float] = {1: 1.0, 2: 0.7, 3: 0.45, 4: 0.25}


def heat_layer(events: pd.DataFrame, name: str, show: bool = True, radius: int = 14) -> folium.FeatureGroup:
    """Heat map of events (columns lon, lat, level), each weighted by LEVEL_WEIGHTS."""
    group = folium.FeatureGroup(name=name, show=show)
    if len(events):
        weights = events["level"].astype(int).map(LEVEL_WEIGHTS).fillna(0.25)
        data = [[round(float(y), 5), round(float(x), 5), round(float(w), 2)]
                for x, y, w in zip(events["lon"], events["lat"], weights, strict=True)]
        plugins.HeatMap(data, radius=radius, blur=12, min_opacity=0.25, max_zoom=16,
                        gradient={0.2: "#2a7fd4", 0.45: "#f5d000", 0.7: "#f58220", 1.0: "#e02020"}).add_to(group)
    return group


_CALLBACK = """
function (row) {
    var dicts = %(dicts)s, labels = %(labels)s, colors = %(colors)s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 6, color: "#ffffff", weight: 1, fillColor: colors[row[2]], fillOpacity: 0.95});
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
        "colors": json.dumps({lvl: RISK_COLORS[lvl] for lvl in (1, 2, 3, 4)}),
    }
    plugins.FastMarkerCluster(rows, callback=callback,
                              options={"disableClusteringAtZoom": 17, "chunkedLoading": True}).add_to(group)
    return group
