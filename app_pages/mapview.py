"""Building the folium maps of the pages from display layers, events and the risk rule.

Kept apart from the page scripts so the benchmark and the tests build exactly the same maps.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from app_pages.data import local_time
from gridgeo.i18n import category_name, level_name, status_name, t
from gridgeo.risk import RiskRule, risk_by_area, risk_label
from layers import (
    area_layer,
    base_map,
    district_outline,
    heat_layer,
    label_layer,
    layer_control,
    marker_cluster_layer,
    risk_layer,
    risk_legend,
    shift_for_basemap,
)

OPEN = ("reported", "accepted", "escalated")
KIND_BY = {"grid": "grids", "community": "communities", "street": "streets"}


def level_counts(events: pd.DataFrame, column: str) -> pd.DataFrame:
    """Events per area code and level as columns lv1..lv4."""
    if not len(events):
        return pd.DataFrame(columns=["lv1", "lv2", "lv3", "lv4"])
    table = pd.crosstab(events[column].astype(str), events["level"].astype(int))
    table = table.reindex(columns=[1, 2, 3, 4], fill_value=0)
    table.columns = [f"lv{c}" for c in table.columns]
    return table


def area_frame(layers: dict[str, gpd.GeoDataFrame], by: str, events: pd.DataFrame,
               rule: RiskRule | None, lang: str) -> gpd.GeoDataFrame:
    """The display polygons of level ``by`` with risk columns and event counts by level."""
    areas = layers[KIND_BY[by]]
    risk = risk_by_area(events, areas[["code", "households"]], by, rule)
    out = areas.merge(risk, on="code", how="left")
    out = out.join(level_counts(events, f"{by}_code"), on="code")
    for col in ("lv1", "lv2", "lv3", "lv4"):
        out[col] = out[col].fillna(0).astype(int)
    out["risk_label"] = out["risk_level"].map(lambda v: risk_label(int(v), lang))
    return out


def _tooltip(kind: str, lang: str) -> tuple[list[str], list[str]]:
    fields = ["name", "code", "households", "population"]
    if kind == "grids":
        fields += ["grid_worker", "community_name"]
    fields += ["risk_label", "open_cases", "lv1", "lv2", "lv3", "lv4"]
    alias = {"name": t("name", lang), "code": t("code", lang), "households": t("households", lang),
             "population": t("population", lang), "grid_worker": t("grid_worker", lang),
             "community_name": t("community", lang), "risk_label": t("risk_level", lang),
             "open_cases": t("open_cases", lang)}
    alias.update({f"lv{i}": level_name(i, lang) for i in (1, 2, 3, 4)})
    return fields, [alias[f] for f in fields]


def planner_map(
    layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame, lang: str, *, by: str = "grid",
    show: frozenset[str] = frozenset({"streets", "communities", "risk", "heat", "labels"}),
    basemap: str = "offline", rule: RiskRule | None = None, focus: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The Map page's map: outlines, the risk choropleth by ``by``, heat, markers, labels, legend.

    ``layers`` are the display layers (possibly filtered to a street/community); ``focus``
    decides the initial view (default: the district).
    """
    sh = {name: shift_for_basemap(gdf, basemap) for name, gdf in layers.items()}
    ev = events
    if basemap != "offline" and len(ev):
        from gridgeo.crs import from_wgs84
        lon, lat = from_wgs84(ev["lon"].to_numpy(), ev["lat"].to_numpy(), "GCJ02" if basemap == "amap" else "WGS84")
        ev = ev.assign(lon=lon, lat=lat)
    bounds = tuple((focus if focus is not None else layers["district"]).total_bounds)
    m = base_map(bounds, basemap=basemap)
    district_outline(sh["district"]).add_to(m)
    if "risk" in show:
        frame = area_frame(sh, by, events, rule, lang)
        fields, aliases = _tooltip(KIND_BY[by], lang)
        risk_layer(frame, frame[["code", "risk_level", "color"]], KIND_BY[by], t("layer_risk", lang),
                   fields, aliases).add_to(m)
    # outlines above the choropleth let clicks through to it, so a click picks the risk unit;
    # without the risk layer the grid outlines are the clickable layer
    for kind, key in (("communities", "layer_communities"), ("streets", "layer_streets")):
        if kind in show and not ("risk" in show and KIND_BY[by] == kind):
            frame = area_frame(sh, "community" if kind == "communities" else "street", events, rule, lang)
            fields, aliases = _tooltip(kind, lang)
            area_layer(frame, kind, t(key, lang), fields, aliases, interactive="risk" not in show).add_to(m)
    if "grids" in show and not ("risk" in show and by == "grid"):
        frame = area_frame(sh, "grid", events, rule, lang)
        fields, aliases = _tooltip("grids", lang)
        area_layer(frame, "grids", t("layer_grids", lang), fields, aliases, interactive="risk" not in show).add_to(m)
    if "heat" in show:
        heat_layer(ev, t("layer_heat", lang)).add_to(m)
    if "markers" in show:
        open_ev = ev[ev["status"].isin(OPEN)] if len(ev) else ev
        open_ev = open_ev.assign(
            category_name=open_ev["category"].map(lambda c: category_name(str(c), lang)),
            level_name=open_ev["level"].map(lambda v: level_name(int(v), lang)),
            status_name=open_ev["status"].map(lambda s: status_name(s, lang)),
            time=local_time(open_ev["reported_at"]),
        ) if len(open_ev) else open_ev
        marker_cluster_layer(open_ev, t("layer_markers", lang),
                             ["category_name", "level_name", "status_name", "time", "grid_code"],
                             [t("category", lang), t("level", lang), t("status", lang), t("reported_at", lang),
                              t("grid", lang)]).add_to(m)
    if "labels" in show:
        label_layer(sh["streets"], "streets", t("street", lang) + t("labels", lang)).add_to(m)
        label_layer(sh["communities"], "communities", t("community", lang) + t("labels", lang)).add_to(m)
        if len(sh["grids"]) <= 400:  # grid labels only for a focused selection
            label_layer(sh["grids"], "grids", t("grid", lang) + t("labels", lang)).add_to(m)
    risk_legend(t("legend_title", lang), lang, rule).add_to(m)
    layer_control(collapsed=True).add_to(m)
    return m


def wall_base_map(layers: dict[str, gpd.GeoDataFrame], lang: str) -> folium.Map:
    """The wall display's base map: dark background, every grid in neutral grey, street outlines
    and names. It never changes; the risk layer is pushed on top at each refresh."""
    m = base_map(tuple(layers["district"].total_bounds), dark=True)
    district_outline(layers["district"], dark=True).add_to(m)
    folium.GeoJson(
        layers["grids"][["code", "geometry"]].__geo_interface__,
        name=t("layer_grids", lang),
        style_function=lambda _f: {"color": "#3a5575", "weight": 0.5, "fillColor": "#1b2c44", "fillOpacity": 0.6},
        interactive=False,
        control=False,
    ).add_to(m)
    folium.GeoJson(
        layers["streets"][["code", "geometry"]].__geo_interface__,
        name=t("layer_streets", lang),
        style_function=lambda _f: {"color": "#7fb2ff", "weight": 2, "fill": False},
        interactive=False,
        control=False,
    ).add_to(m)
    label_layer(layers["streets"], "streets", t("labels", lang), min_zoom=8).add_to(m)
    risk_legend(t("legend_title", lang), lang, dark=True, font_px=15).add_to(m)
    return m


def wall_live_layers(layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame, lang: str,
                     rule: RiskRule | None = None) -> list[folium.FeatureGroup]:
    """The layers pushed at each wall refresh: grids with open cases by risk colour, and heat."""
    frame = area_frame(layers, "grid", events, rule, lang)
    # nobody hovers over a wall display: no tooltips, which keeps each push small
    at_risk = risk_layer(frame, frame[["code", "risk_level", "color"]], "grids", t("layer_risk", lang),
                         [], [], only_at_risk=True, opacity=0.8)
    return [at_risk, heat_layer(events, t("layer_heat", lang), radius=12)]
