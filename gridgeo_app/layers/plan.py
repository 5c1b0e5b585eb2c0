"""folium maps of a plan for the editing page: atoms coloured by grid, grid outlines coloured by
size status, selected atoms, integrity issues, the Draw tools (lasso polygon, split line), and
the diff of two versions.

Kept out of the page script so the AppTest and the browser test draw exactly these maps.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium import plugins

from gridgeo.geo.crs import WGS84
from gridgeo.palette import (
    ATOM_LINE,
    CUT_LINE,
    DIFF_COLORS,
    DIFF_FALLBACK,
    HIGHLIGHT,
    MOVED_FILL,
    MOVED_LINE,
    PALETTE,
    SELECTED_LINE,
    SEVERITY_COLORS,
    STATUS_COLORS,
    STATUS_FALLBACK,
    UNASSIGNED_FILL,
    UNIT_DOT,
)
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.integrity import Issue
from gridgeo.plan.model import Plan


def grid_colors(codes) -> dict[str, str]:
    """A fill colour per grid code (stable: by position of the code in sorted order)."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(sorted(codes))}


def community_atoms(plan: Plan, community: str) -> gpd.GeoDataFrame:
    """The atoms of ``community`` (WGS84) with atom_id, grid, households, population, legacy codes."""
    frame = plan.atoms.frame
    mask = frame["community_code"].to_numpy() == community
    labels = plan.labels()[mask]
    cols = ["households", "population", *[c for c in frame.columns if c.startswith("legacy_")]]
    out = gpd.GeoDataFrame(frame.loc[mask, cols].reset_index(), geometry=frame.geometry.values[mask], crs=WGS84)
    out["grid"] = pd.Series(labels, dtype=object).fillna("").to_numpy()
    return out


def atoms_at(plan: Plan, geometry: shapely.Geometry, community: str | None = None) -> list[str]:
    """Atom ids whose representative point lies in ``geometry`` (WGS84; a lasso polygon) or that
    contain it (a clicked point)."""
    pts = plan.atoms.points
    if geometry.geom_type in ("Point", "MultiPoint"):
        hit = shapely.contains(np.asarray(plan.atoms.frame.geometry.values), geometry)
    else:
        hit = shapely.contains(geometry, pts)
    if community is not None:
        hit &= plan.atoms.community == community
    return [str(a) for a in plan.atoms.ids[hit]]


def edit_map(plan: Plan, community: str, selected: list[str] | None = None, focus_grid: str | None = None,
             issues: list[Issue] | None = None, draw: bool = True, labels: dict[str, str] | None = None,
             units: gpd.GeoDataFrame | None = None, lang: str = "zh") -> folium.Map:
    """The editing map of one community (see the module docstring); ``units`` (basic units:
    compounds, urban villages, parks...) are drawn as small dots with their households. A legend
    names every colour and symbol; grid labels show from the zoom at which they no longer
    collide (gridgeo_app.layers.labels), bigger grids first."""
    from gridgeo_app.layers import base_map
    from gridgeo_app.layers.labels import declutter_zooms, text_width_px
    from gridgeo_app.layers.legend import plan_legend

    labels = labels or {}
    atoms = community_atoms(plan, community)
    bounds = tuple(atoms.total_bounds) if len(atoms) else (113.85, 22.70, 114.0, 22.85)
    m = base_map(bounds, min_zoom=9, max_zoom=19)
    colors = grid_colors(set(atoms["grid"]) - {""})
    sel = set(selected or [])
    atoms["_fill"] = atoms["grid"].map(colors).fillna(UNASSIGNED_FILL)
    atoms["_sel"] = atoms["atom_id"].isin(sel)
    atoms["households"] = atoms["households"].round(0)
    props = ["atom_id", "grid", "households", "population", "_fill", "_sel"]
    data = atoms[props + ["geometry"]].copy()
    data["geometry"] = shapely.set_precision(data.geometry.values, 1e-7)

    def style(feature):
        p = feature["properties"]
        return {"color": SELECTED_LINE if p["_sel"] else ATOM_LINE, "weight": 3 if p["_sel"] else 0.6,
                "fillColor": p["_fill"], "fillOpacity": 0.85 if p["_sel"] else 0.55}

    group = folium.FeatureGroup(name=labels.get("atoms", "atoms"))
    folium.GeoJson(data.__geo_interface__, style_function=style, zoom_on_click=False,
                   highlight_function=lambda _f: {"weight": 2.5, "color": HIGHLIGHT},
                   tooltip=folium.GeoJsonTooltip(fields=["atom_id", "grid", "households"],
                                                 aliases=[labels.get(k, k) for k in ("atom_id", "grid", "households")],
                                                 sticky=True)).add_to(group)
    group.add_to(m)

    figs = grid_figures(plan, sorted(set(atoms["grid"]) - {""}))
    shapes = plan.grid_shapes()
    outl = gpd.GeoDataFrame(figs.reset_index()[["code", "name", "households", "size_status"]],
                            geometry=shapes.geometry.reindex(figs.index).values, crs=WGS84)
    outl = outl[~outl.geometry.isna()]
    outl["households"] = outl["households"].round(0)
    outl["_focus"] = outl["code"] == focus_grid
    outl["geometry"] = shapely.set_precision(outl.geometry.values, 1e-7)

    def grid_style(feature):
        p = feature["properties"]
        return {"color": STATUS_COLORS.get(p["size_status"], STATUS_FALLBACK), "weight": 5 if p["_focus"] else 2.5,
                "fill": False, "dashArray": None if p["_focus"] else "6 3"}

    outlines = folium.FeatureGroup(name=labels.get("grids", "grids"))
    folium.GeoJson(outl.__geo_interface__, style_function=grid_style, interactive=False).add_to(outlines)
    points = shapely.point_on_surface(outl.geometry.values)
    texts = [f"{code[-3:]} · {int(hh)}" for code, hh in zip(outl["code"], outl["households"], strict=True)]
    area = shapely.area(outl.geometry.values)
    zooms = declutter_zooms(shapely.get_x(points), shapely.get_y(points), text_width_px(texts, 11),
                            np.full(len(texts), 15.0), priority=area + 1e9 * outl["_focus"].to_numpy(),
                            base_zoom=13, max_zoom=19)
    for pt, text, zoom in zip(points, texts, zooms, strict=True):
        if zoom > 19:  # would still sit on a bigger grid's label at the closest zoom
            continue
        folium.Marker([pt.y, pt.x], interactive=False, icon=folium.DivIcon(
            html=f'<div style="font-size:11px">{text}</div>', class_name=f"gg-label gg-min-{int(zoom)}",
            icon_size=(0, 0))).add_to(outlines)
    outlines.add_to(m)

    if units is not None and len(units):
        unit_group = folium.FeatureGroup(name=labels.get("units", "units"))
        for pt in units.geometry.representative_point():  # not interactive: clicks reach the atoms
            folium.CircleMarker([pt.y, pt.x], radius=3, color=UNIT_DOT, weight=1, fill=True, fill_opacity=0.9,
                                interactive=False).add_to(unit_group)
        unit_group.add_to(m)
    if issues:
        warn = folium.FeatureGroup(name=labels.get("issues", "issues"))
        for issue in issues:
            if issue.lat is None:
                continue
            folium.CircleMarker([issue.lat, issue.lon], radius=8, color=SEVERITY_COLORS.get(issue.severity, SEVERITY_COLORS["error"]),
                                fill=True, fill_opacity=0.8, tooltip=issue.text(lang)).add_to(warn)
        warn.add_to(m)
    if draw:
        plugins.Draw(export=False, position="topleft",
                     draw_options={"polyline": {"shapeOptions": {"color": CUT_LINE}}, "polygon": True,
                                   "rectangle": True, "circle": False, "marker": False, "circlemarker": False},
                     edit_options={"edit": False}).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    plan_legend(lang).add_to(m)
    return m


def diff_map(before: Plan, after: Plan, diff, labels: dict[str, str] | None = None) -> folium.Map:
    """Grids that differ between two plans (coloured by status) and the moved atoms."""
    from gridgeo.plan.diff import diff_shapes
    from gridgeo_app.layers import base_map

    labels = labels or {}
    shapes = diff_shapes(before, after, diff)
    moved = diff.moved_areas
    frames = [f for f in (shapes, moved) if len(f)]
    if frames:
        bounds = tuple(pd.concat([f.geometry for f in frames]).total_bounds)
    else:
        bounds = tuple(after.atoms.frame.total_bounds)
    m = base_map(bounds, min_zoom=9, max_zoom=19)
    if len(shapes):
        shapes = shapes.copy()
        shapes["geometry"] = shapely.set_precision(shapes.geometry.values, 1e-7)
        folium.GeoJson(shapes.__geo_interface__, name=labels.get("grids", "grids"),
                       style_function=lambda f: {"color": DIFF_COLORS.get(f["properties"]["status"], DIFF_FALLBACK),
                                                 "weight": 2.5, "fillOpacity": 0.1},
                       tooltip=folium.GeoJsonTooltip(fields=["code", "status"])).add_to(m)
    if len(moved):
        mv = moved.copy()
        mv["geometry"] = shapely.set_precision(mv.geometry.values, 1e-7)
        folium.GeoJson(mv.__geo_interface__, name=labels.get("moved", "moved"),
                       style_function=lambda _f: {"color": MOVED_LINE, "weight": 1, "fillColor": MOVED_FILL,
                                                  "fillOpacity": 0.6},
                       tooltip=folium.GeoJsonTooltip(fields=["from_grid", "to_grid", "households"])).add_to(m)
    return m
