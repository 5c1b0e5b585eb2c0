"""Streets, communities and grids as folium polygon layers with tooltips and zoom-aware labels."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np

from gridgeo.palette import HIGHLIGHT, LAYER_COLORS, SELECTION

# per area kind: outline colour, weight, fill opacity, zoom from which labels show
STYLES: dict[str, dict] = {
    "streets": {"color": LAYER_COLORS["streets"], "weight": 2.5, "fillOpacity": 0.0, "label_zoom": 10, "font": 15},
    "communities": {"color": LAYER_COLORS["communities"], "weight": 1.6, "fillOpacity": 0.0, "label_zoom": 12, "font": 12},
    "grids": {"color": LAYER_COLORS["grids"], "weight": 0.6, "fillOpacity": 0.05, "label_zoom": 15, "font": 10},
}


def geojson_data(gdf: gpd.GeoDataFrame, columns: list[str], precision: int = 5) -> dict:
    """A compact GeoJSON dict of ``gdf`` with only ``columns`` and rounded coordinates.

    Rounding to 5 decimals (about 1 m) keeps the page payload small without visible change.
    """
    import shapely

    cols = [c for c in columns if c in gdf.columns]
    out = gdf[cols + ["geometry"]].copy()
    out["geometry"] = shapely.set_precision(out.geometry.values, 10 ** -precision)
    for col in cols:
        if out[col].dtype.kind == "f":
            out[col] = out[col].round(2)
    return out.__geo_interface__


def area_layer(
    gdf: gpd.GeoDataFrame,
    kind: str,
    name: str,
    tooltip_fields: list[str],
    tooltip_aliases: list[str],
    show: bool = True,
    style: dict | None = None,
    highlight: bool = True,
    fill_column: str | None = None,
    interactive: bool = True,
) -> folium.FeatureGroup:
    """A feature group with the polygons of ``gdf`` (``kind`` in streets/communities/grids).

    Tooltips show ``tooltip_fields`` under ``tooltip_aliases``. With ``fill_column`` each
    polygon is filled with the colour in that column (the choropleth); otherwise outlines only.
    ``interactive=False`` draws a layer that lets clicks and hovers through to the layers below
    (no tooltip, no highlight).
    """
    st = {**STYLES[kind], **(style or {})}
    fields = [f for f in tooltip_fields if f in gdf.columns] if interactive else []
    aliases = [a for f, a in zip(tooltip_fields, tooltip_aliases, strict=True) if f in gdf.columns]
    has_color = fill_column is not None
    data = geojson_data(gdf.rename(columns={fill_column: "_fill"}) if has_color else gdf,
                        ["code"] + [f for f in fields if f != "code"] + (["_fill"] if has_color else []))

    def style_function(feature):
        props = feature["properties"]
        return {
            "color": st["color"],
            "weight": st["weight"],
            "fillColor": props.get("_fill") if has_color else st["color"],
            "fillOpacity": st.get("fillOpacityColored", 0.65) if has_color else st["fillOpacity"],
        }

    group = folium.FeatureGroup(name=name, show=show)
    folium.GeoJson(
        data,
        name=name,
        style_function=style_function,
        highlight_function=(lambda _f: {"weight": st["weight"] + 2, "color": HIGHLIGHT})
        if highlight and interactive else None,
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True) if fields else None,
        zoom_on_click=False,
        **({} if interactive else {"interactive": False}),
    ).add_to(group)
    return group


LABEL_PRIORITY = {"streets": 1, "communities": 2, "grids": 3}


def label_layer(
    gdf: gpd.GeoDataFrame, kind: str, name: str, column: str = "name", show: bool = True,
    min_zoom: int | None = None, font_css: str | None = None,
) -> folium.FeatureGroup:
    """Name labels at each area's representative point, visible from ``min_zoom`` on.

    Visibility by zoom uses the CSS classes that gridgeo_app.layers.base installs on the map, which also
    hides any label that would overlap a higher-ranked one (streets over communities over
    grids). ``font_css`` overrides the font size (any CSS length, e.g. ``max(15px, 2.2vh)``).
    """
    st = STYLES[kind]
    zoom = st["label_zoom"] if min_zoom is None else min_zoom
    size = font_css or f'{st["font"]}px'
    group = folium.FeatureGroup(name=name, show=show, control=True)
    points = gdf.geometry.representative_point()
    for text, pt in zip(gdf[column].astype(str), points, strict=True):
        if pt is None or pt.is_empty or not np.isfinite(pt.x):
            continue
        folium.Marker(
            [round(pt.y, 5), round(pt.x, 5)],
            icon=folium.DivIcon(
                html=f'<div style="font-size:{size}">{html.escape(text)}</div>',
                class_name=f"gg-label gg-min-{zoom} gg-prio-{LABEL_PRIORITY.get(kind, 9)}",
                icon_size=(0, 0),
            ),
            interactive=False,
        ).add_to(group)
    return group


def selection_layer(gdf: gpd.GeoDataFrame, name: str, color: str = SELECTION) -> folium.FeatureGroup:
    """A thick, unfilled, non-interactive outline of the selected area(s)."""
    group = folium.FeatureGroup(name=name, control=False)
    folium.GeoJson(
        geojson_data(gdf, ["code"]),
        style_function=lambda _f: {"color": color, "weight": 4, "fill": False, "opacity": 1.0},
        interactive=False,
    ).add_to(group)
    return group
