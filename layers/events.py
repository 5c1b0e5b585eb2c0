"""Event layers: a heat layer weighted by level and clustered markers with popups."""

from __future__ import annotations

import html

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
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 6, color: "#ffffff", weight: 1, fillColor: row[2], fillOpacity: 0.95});
    marker.bindPopup(row[3]);
    return marker;
};
"""


def marker_cluster_layer(
    events: pd.DataFrame, name: str, popup_columns: list[str], popup_labels: list[str], show: bool = True,
) -> folium.FeatureGroup:
    """Clustered circle markers coloured by level, with a popup listing ``popup_columns``.

    Uses FastMarkerCluster (the data go as one array and markers are made in the browser),
    which keeps the page small with thousands of events.
    """
    group = folium.FeatureGroup(name=name, show=show)
    if len(events):
        rows = []
        cols = [c for c in popup_columns if c in events.columns]
        labels = dict(zip(popup_columns, popup_labels, strict=True))
        for rec in events[["lat", "lon", "level"] + [c for c in cols if c not in ("lat", "lon", "level")]].to_dict("records"):
            popup = "<br>".join(f"<b>{html.escape(labels[c])}</b> {html.escape(str(rec[c]))}" for c in cols)
            rows.append([round(float(rec["lat"]), 5), round(float(rec["lon"]), 5),
                         RISK_COLORS.get(int(rec["level"]), "#888888"), popup])
        plugins.FastMarkerCluster(rows, callback=_CALLBACK,
                                  options={"disableClusteringAtZoom": 17, "chunkedLoading": True}).add_to(group)
    return group
