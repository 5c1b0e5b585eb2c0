"""Building the folium maps of the pages from display layers, events and the risk rule.

Kept apart from the page scripts so the benchmark and the tests build exactly the same maps.

The map page draws a small base map once per selection (district outline, background, the
plugin scripts) and pushes every layer on top as its own feature group (:func:`map_layers`),
each keyed by exactly what it depends on: a control change re-renders only the layers whose
key changed (gridgeo_app.map_render caches the rest), and the browser swaps them in place.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.analysis.risk import RiskRule, risk_by_area, risk_label, risk_timeline
from gridgeo.events.schema import category_label
from gridgeo.i18n import level_name, status_name, t
from gridgeo.palette import (
    AREA_LINE,
    AREA_LINE_DARK,
    FLASH_COLOR,
    NO_RISK_COLOR,
    OUTLINE,
    OUTLINE_DARK,
    PLAYBACK_DOT_LINE,
    PLAYBACK_DOT_LINE_DARK,
    STEADY_COLOR,
    WALL_NONE_COLOR,
)
from gridgeo_app.event_source import local_time
from gridgeo_app.layers import (
    PluginAssets,
    WallFrameStyle,
    area_layer,
    base_map,
    district_outline,
    geojson_data,
    heat_layer,
    heat_legend,
    label_layer,
    marker_cluster_layer,
    risk_legend,
    shift_for_basemap,
)
from gridgeo_app.layers.base import basemap_crs
from gridgeo_app.layers.paint import base_areas, paint_layer, register_areas
from gridgeo_app.layers.playback import Playback, PlaybackControls, playback_data
from gridgeo_app.layers.vector_tiles import (
    RiskPaint,
    TileSource,
    city_tile_layers,
    risk_tile_layer,
    tile_layer,
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


# pushed-layer slots (fixed, so each layer keeps its name and cache entry whatever else is shown);
# outlines in this order so the coarser ones end on top
SLOTS = ("risk", "grids", "communities", "streets", "heat", "markers", "halls", "labels", "highlight")
WALL_STREET_STYLE = {"color": OUTLINE_DARK, "weight": 2.5, "fill": False}  # the wall's street outlines
# the wall's grids without open cases (the paint's fill for them, and its style when removed)
WALL_GRID_STYLE = {"color": AREA_LINE_DARK, "weight": 0.5, "opacity": 1.0, "fillColor": WALL_NONE_COLOR, "fillOpacity": 1.0}
WALL_FONT = "max(15px, 2.1vh)"  # wall map text, in the map frame's viewport (it fills the frame)
FIXED = {"grids": ["name", "code", "community_name", "households", "population", "grid_worker"],
         "communities": ["name", "code", "street_name", "households", "population"],
         "streets": ["name", "code", "households", "population"]}
FIXED_LABELS = {"name": "name", "code": "code", "community_name": "community", "street_name": "street",
                "households": "households", "population": "population", "grid_worker": "grid_worker"}
LIVE = ["risk_label", "open_cases", "lv1", "lv2", "lv3", "lv4"]


def fit_area(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """What a map opens fitted to: the session's territory when it has one
    (``gridgeo_app.scope.layers_for`` adds it), else the district."""
    territory = layers.get("territory")
    return territory if territory is not None and len(territory) else layers["district"]


def map_base(layers: dict[str, gpd.GeoDataFrame], basemap: str = "offline",
             focus: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The map page's base: background, district outline, the (invisible) polygons of grids,
    communities and streets that the pushed paints colour, and the scripts of every plugin
    that may be pushed later (the browser loads scripts only with the first map)."""
    sh = {name: shift_for_basemap(gdf, basemap) for name, gdf in layers.items()}
    bounds = tuple((focus if focus is not None else fit_area(layers)).total_bounds)
    m = base_map(bounds, basemap=basemap)
    district_outline(sh["district"]).add_to(m)
    base_areas(m, sh, FIXED)
    PluginAssets().add_to(m)
    return m


TILE_WINDOW = {"today": "today", "last_24h": "24h", "last_7d": "7d"}  # the page's window -> /tiles/colours
OUTLINE_MIN_ZOOM = {"streets": 0, "communities": 11, "grids": 13}  # outlines from tiles, each from its zoom


def map_tile_base(layers: dict[str, gpd.GeoDataFrame], lang: str, tiles: TileSource, *, by: str = "grid",
                  window: str = "today", show: frozenset[str] = frozenset({"streets", "communities", "risk"}),
                  basemap: str = "offline", focus: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The map page's base in tile mode: the areas of ``by`` from the service's vector tiles,
    coloured by risk in the browser (``/tiles/colours``, the page's window) when "risk" is
    shown, the outlines shown (streets, communities, grids) and district outlines from tiles too,
    the risk legend. Clicks come back as points (the page finds the area under them). Tiles are
    WGS84: ``basemap`` must be offline or osm."""
    if basemap_crs(basemap) != "WGS84":
        raise ValueError(f"basemap {basemap!r}: tiles are WGS84; use offline or osm")
    m = base_map(tuple((focus if focus is not None else fit_area(layers)).total_bounds), basemap=basemap)
    if "risk" in show:
        risk_tile_layer(KIND_BY[by], by, t("layer_risk", lang), tiles, RiskPaint(TILE_WINDOW[window], refresh_s=0),
                        zooms=(OUTLINE_MIN_ZOOM[KIND_BY[by]], 22)).add_to(m)
        risk_legend(t("legend_title", lang), lang).add_to(m)
    for kind in ("grids", "communities", "streets"):
        if kind in show and not ("risk" in show and KIND_BY[by] == kind):
            style = {"color": AREA_LINE, "weight": {"grids": 0.5, "communities": 1}.get(kind, 2), "fill": False}
            tile_layer(kind, t(f"layer_{kind}", lang), tiles, style, zooms=(OUTLINE_MIN_ZOOM[kind], 22)).add_to(m)
    tile_layer("districts", t("layer_district", lang), tiles, {"color": OUTLINE, "weight": 2.5, "fill": False}).add_to(m)
    PluginAssets().add_to(m)
    return m


def area_at(layers: dict[str, gpd.GeoDataFrame], by: str, lon: float, lat: float) -> str | None:
    """The code of the area of level ``by`` under a clicked point (WGS84), or None."""
    import shapely

    areas = layers[KIND_BY[by]]
    hits = areas.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    return str(areas["code"].iloc[hits[0]]) if len(hits) else None


def _live(layers: dict[str, gpd.GeoDataFrame], by: str, events: pd.DataFrame, rule: RiskRule | None,
          lang: str) -> pd.DataFrame:
    """Risk and counts per area of level ``by``, without geometry (for paints and tooltips)."""
    plain = {KIND_BY[by]: pd.DataFrame(layers[KIND_BY[by]].drop(columns="geometry"))}
    return area_frame(plain, by, events, rule, lang).set_index("code")


def _shift_events(ev: pd.DataFrame, basemap: str) -> pd.DataFrame:
    if basemap == "offline" or not len(ev):
        return ev
    from gridgeo.geo.crs import from_wgs84
    lon, lat = from_wgs84(ev["lon"].to_numpy(), ev["lat"].to_numpy(), "GCJ02" if basemap == "amap" else "WGS84")
    return ev.assign(lon=lon, lat=lat)


def _markers(ev: pd.DataFrame, lang: str) -> folium.FeatureGroup:
    open_ev = ev[ev["status"].isin(OPEN)] if len(ev) else ev
    open_ev = open_ev.assign(
        category_name=open_ev["category"].map(lambda c: category_label(str(c), lang)),
        level_name=open_ev["level"].map(lambda v: level_name(int(v), lang)),
        status_name=open_ev["status"].map(lambda s: status_name(s, lang)),
        time=local_time(open_ev["reported_at"]),
    ) if len(open_ev) else open_ev
    return marker_cluster_layer(open_ev, t("layer_markers", lang),
                                ["category_name", "level_name", "status_name", "time", "grid_code"],
                                [t("category", lang), t("level", lang), t("status", lang), t("reported_at", lang),
                                 t("grid", lang)])


def _labels(sh: dict[str, gpd.GeoDataFrame], lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=t("labels", lang))
    label_layer(sh["streets"], "streets", t("street", lang) + t("labels", lang)).add_to(group)
    label_layer(sh["communities"], "communities", t("community", lang) + t("labels", lang)).add_to(group)
    if len(sh["grids"]) <= 400:  # grid labels only for a focused selection
        label_layer(sh["grids"], "grids", t("grid", lang) + t("labels", lang)).add_to(group)
    return group


def _paint(kind: str, layers, events, lang: str, rule, *, risk: bool, interactive: bool) -> folium.FeatureGroup:
    by = {v: k for k, v in KIND_BY.items()}[kind]
    live = _live(layers, by, events, rule, lang) if interactive else None
    live_labels = [t("risk_level", lang), t("open_cases", lang)] + [level_name(i, lang) for i in (1, 2, 3, 4)]
    fixed_labels = [t(FIXED_LABELS[c], lang) for c in FIXED[kind]]
    if risk:
        group = paint_layer(kind, t("layer_risk", lang), fills=live["color"], interactive=True,
                            outline={"color": AREA_LINE, "weight": 0.7}, live=live[LIVE], live_labels=live_labels,
                            fixed_labels=fixed_labels)
        risk_legend(t("legend_title", lang), lang, rule).add_to(group)
        return group
    return paint_layer(kind, t({"grids": "layer_grids", "communities": "layer_communities",
                                "streets": "layer_streets"}[kind], lang), interactive=interactive,
                       live=live[LIVE] if live is not None else None, live_labels=live_labels,
                       fixed_labels=fixed_labels)


def map_layers(
    layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame, lang: str, *, by: str = "grid",
    show: frozenset[str] = frozenset({"streets", "communities", "risk", "labels"}), basemap: str = "offline",
    rule: RiskRule | None = None, keys: tuple = (), events_key: tuple = (),
) -> list[tuple[tuple, Callable[[], folium.FeatureGroup]] | None]:
    """The map page's pushed layers as (key, build) pairs in SLOTS order (None: not shown).

    Risk and outlines are paints of the base map's polygons (gridgeo_app.layers.paint); heat, markers and
    labels are real layers. ``keys`` identifies the selection, language and basemap,
    ``events_key`` the events: a layer's key holds only what it depends on, so toggling the
    heat layer leaves the risk paint's key (and its cached rendering) unchanged. The risk and
    heat legends belong to their layers and come and go with them.
    """
    shifted: dict = {}

    def sh() -> dict[str, gpd.GeoDataFrame]:
        if not shifted:
            shifted.update({name: shift_for_basemap(gdf, basemap) for name, gdf in layers.items()})
        return shifted

    risk_on = "risk" in show
    specs: dict[str, tuple] = {}
    if risk_on:
        specs["risk"] = (("risk", by, keys, events_key),
                         lambda: _paint(KIND_BY[by], layers, events, lang, rule, risk=True, interactive=True))
    # without the risk layer the finest outline shown takes clicks and shows counts
    outlines = [k for k in ("grids", "communities", "streets") if k in show and not (risk_on and KIND_BY[by] == k)]
    clickable = None if risk_on or not outlines else outlines[0]
    for kind in outlines:
        specs[kind] = ((kind, keys, kind == clickable, events_key if kind == clickable else ()),
                       lambda kind=kind: _paint(kind, layers, events, lang, rule, risk=False,
                                                interactive=kind == clickable))
    if "heat" in show:
        def build_heat() -> folium.FeatureGroup:
            legend = heat_legend(t("heat_legend_title", lang), t("heat_low", lang), t("heat_high", lang))
            return heat_layer(_shift_events(events, basemap), t("layer_heat", lang),
                              clip=sh()["district"].union_all(), legend=legend)
        specs["heat"] = (("heat", keys, events_key), build_heat)
    if "markers" in show:
        specs["markers"] = (("markers", keys, events_key), lambda: _markers(_shift_events(events, basemap), lang))
    if "halls" in show and len(layers.get("service_points", ())):
        specs["halls"] = (("halls", keys, events_key), lambda: _halls(sh()["service_points"], events, lang))
    if "labels" in show:
        specs["labels"] = (("labels", keys), lambda: _labels(sh(), lang))
    return [specs.get(slot) for slot in SLOTS]


def _halls(points: gpd.GeoDataFrame, events: pd.DataFrame, lang: str) -> folium.FeatureGroup:
    from gridgeo.analysis.halls import hall_workload
    from gridgeo_app.layers.halls import halls_layer

    workload = hall_workload(events, pd.Timestamp.now(tz="UTC")) if len(events) and "hall_code" in events else \
        pd.DataFrame(columns=["code"])
    return halls_layer(points, workload, lang)


def planner_map(
    layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame, lang: str, *, by: str = "grid",
    show: frozenset[str] = frozenset({"streets", "communities", "risk", "labels"}),
    basemap: str = "offline", rule: RiskRule | None = None, focus: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The Map page's map as one folium map (base plus every layer of :func:`map_layers`), for
    exports, tests and the benchmark; the page itself pushes the layers onto the base."""
    m = map_base(layers, basemap, focus)
    for spec in map_layers(layers, events, lang, by=by, show=show, basemap=basemap, rule=rule):
        if spec is not None:
            spec[1]().add_to(m)
    return m


def wall_base_map(layers: dict[str, gpd.GeoDataFrame], lang: str) -> folium.Map:
    """The wall display's base map: dark background, every grid in WALL_NONE_COLOR, street
    outlines and names, the legend (whose "no open cases" swatch is that same colour). It never
    changes; the risk layer is pushed on top at each refresh. The map fills its frame (the page
    sizes the frame to the height the screen has left)."""
    m = base_map(tuple(fit_area(layers).total_bounds), dark=True)
    WallFrameStyle(FLASH_COLOR).add_to(m)
    district_outline(layers["district"], dark=True).add_to(m)
    grids = folium.GeoJson(
        layers["grids"][["code", "geometry"]].__geo_interface__,
        name=t("layer_grids", lang),
        style_function=lambda _f: dict(WALL_GRID_STYLE),
        interactive=False,
        control=False,
    )
    grids.add_to(m)
    register_areas(m, grids, "grids")  # each push paints these (colours by code: no geometry re-sent)
    folium.GeoJson(
        layers["streets"][["code", "geometry"]].__geo_interface__,
        name=t("layer_streets", lang),
        style_function=lambda _f: WALL_STREET_STYLE,
        interactive=False,
        control=False,
    ).add_to(m)
    PluginAssets().add_to(m)
    return m


WALL_GRID_MIN_ZOOM = 0  # the wall never zooms: its grids show city-wide (measured in docs/tiles.md)
WALL_CITY_MAX_ZOOM = 13  # a 4K wall fitted to a city sits at about zoom 12.5: districts stay on


def wall_tile_base_map(layers: dict[str, gpd.GeoDataFrame], lang: str, tiles: TileSource,
                       refresh_s: float, window: str = "30d") -> folium.Map:
    """The wall's base map in tile mode: dark background, grids from the service's vector tiles
    filled WALL_NONE_COLOR and recoloured by risk in the browser (``/tiles/colours`` over the
    open cases of ``window``, the wall's OPEN_LOOKBACK_WINDOW as for the GeoJSON wall, every
    ``refresh_s`` s: only changed grids are restyled, no tile is fetched again),
    district outlines on top. The legend, street names and highlights are pushed as before."""
    m = base_map(tuple(fit_area(layers).total_bounds), dark=True)
    WallFrameStyle(FLASH_COLOR).add_to(m)
    paint = RiskPaint(window, refresh_s=refresh_s, opacity=1.0, dark=True, none_color=WALL_NONE_COLOR)
    city_tile_layers(m, {"grids": t("layer_grids", lang), "districts": t("layer_district", lang)}, tiles, paint,
                     city_max_zoom=WALL_CITY_MAX_ZOOM, grid_min_zoom=WALL_GRID_MIN_ZOOM)
    # street outlines as the GeoJSON wall's
    tile_layer("streets", t("layer_streets", lang), tiles, WALL_STREET_STYLE).add_to(m)
    PluginAssets().add_to(m)
    return m


def wall_labels(layers: dict[str, gpd.GeoDataFrame], lang: str) -> folium.FeatureGroup:
    """Street names on the wall, pushed last so they sit above the risk colours."""
    return label_layer(layers["streets"], "streets", t("labels", lang), min_zoom=8, font_css=WALL_FONT)


def wall_legend(lang: str, rule: RiskRule | None = None, playback: bool = False) -> folium.FeatureGroup:
    """The wall's legend: risk colours, the navy of grids without open cases, and the highlight
    outline (live) or the event dots (playback)."""
    group = folium.FeatureGroup(name=t("legend_title", lang), control=False)
    extra = ([(PLAYBACK_DOT_LINE_DARK, t("playback_events", lang))] if playback
             else [(FLASH_COLOR, t("wall_highlight_legend", lang))])
    risk_legend(t("legend_title", lang), lang, rule, dark=True, none_color=WALL_NONE_COLOR, font_css=WALL_FONT,
                extra=extra, note=False).add_to(group)
    return group


class RefreshTileColours(MacroElement):
    """Asks the tile layers of the map for their colours now (a change was pushed), instead of
    at their next timer tick; ``nonce`` makes each push a new script."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        /* push {{ this.nonce }} */
        Object.values(window.gridgeoTileLayers || {}).forEach(function (l) { if (l.gridgeoRefresh) l.gridgeoRefresh(); });
        {% endmacro %}
    """)

    def __init__(self, nonce: int):
        super().__init__()
        self._name = "RefreshTileColours"
        self.nonce = int(nonce)


def wall_live_layers(layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame, lang: str,
                     rule: RiskRule | None = None, flash: list[str] = (), steady: list[str] = (),
                     tiles: bool = False, pushed_changes: int | None = None,
                     fills: tuple[Hashable, pd.Series] | None = None) -> list:
    """The layers pushed at each wall refresh: grids with open cases by risk colour (in tile
    mode the browser colours the tiles itself: when ``pushed_changes`` is given, it asks for
    the colours at once), the highlighted grids (``flash`` flashing, ``steady`` outlined),
    street names and the legend.

    Each is a ``(key, build)`` spec keyed by what it shows, so on a map object shared by several
    walls (gridgeo_app.map_render.st_folium_cached) a layer is rendered once for all of them.
    ``fills``: (a fingerprint, grid code -> colour) already worked out from ``events``."""
    hl_key = ("wall_highlight", tuple(flash), tuple(steady), pushed_changes if tiles else None)

    def highlights() -> folium.FeatureGroup:
        group = highlight_layer(layers["grids"], flash, steady)
        if tiles and pushed_changes:
            RefreshTileColours(pushed_changes).add_to(group)
        return group

    pushed = [(hl_key, highlights), (("wall_labels", lang), lambda: wall_labels(layers, lang)),
              (("wall_legend", lang, repr(rule)), lambda: wall_legend(lang, rule))]
    if tiles:
        return pushed
    if fills is None:
        plain = {"grids": pd.DataFrame(layers["grids"][["code", "households"]])}
        frame = area_frame(plain, "grid", events, rule, lang)
        colours = frame.loc[frame["risk_level"] > 0].set_index("code")["color"]
        fills = (hash(tuple(colours.items())), colours)
    key, colours = fills

    def at_risk() -> folium.FeatureGroup:
        # a paint of the base map's grids: only {code: colour} of the grids at risk travels (no
        # geometry, no new SVG paths); nobody hovers over a wall display, so no tooltips
        return paint_layer("grids", t("layer_risk", lang), fills=colours, none_color=WALL_NONE_COLOR, opacity=1.0,
                           outline={"color": WALL_GRID_STYLE["color"], "weight": WALL_GRID_STYLE["weight"]},
                           rest=WALL_GRID_STYLE)

    return [(("wall_risk", key, lang), at_risk), *pushed]


def highlight_layer(grids: gpd.GeoDataFrame, flash: list[str], steady: list[str]) -> folium.FeatureGroup:
    """Thick outlines of the highlighted grids: flashing ones (animated by WallFrameStyle's CSS,
    which matches their stroke colour) and steady ones."""
    group = folium.FeatureGroup(name="highlight", control=False)
    for codes, color in ((flash, FLASH_COLOR), (steady, STEADY_COLOR)):
        chosen = grids[grids["code"].isin(list(codes))]
        if len(chosen):
            folium.GeoJson(geojson_data(chosen, ["code"]), interactive=False,
                           style_function=lambda _f, c=color: {"color": c, "weight": 5, "fill": False, "opacity": 1},
                           ).add_to(group)
    return group


PLAYBACK_STEP_MIN = 15  # one moment every 15 minutes: 97 moments for a day


def playback_map(layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame, lang: str, start, end, *,
                 dark: bool = False, autoplay: bool = False, rule: RiskRule | None = None,
                 focus: gpd.GeoDataFrame | None = None) -> folium.Map:
    """A map replaying [start, end]: each grid in its risk colour at every 15-minute moment (the
    cases open then, same rule as the live map) and the events of the hour before it.

    ``events`` should reach back before ``start`` (cases reported earlier may still be open).
    ``dark`` builds it on the wall's base map, autoplaying in a loop when ``autoplay``.
    """
    times = pd.date_range(pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC"),
                          freq=f"{PLAYBACK_STEP_MIN}min")
    grids = layers["grids"]
    timeline = risk_timeline(events, grids[["code", "households"]], "grid", times, rule)
    ev = events
    if len(ev):
        reported = pd.to_datetime(ev["reported_at"], utc=True)
        ev = ev.assign(step=times.searchsorted(reported, side="left"))
        ev = ev[(reported >= times[0]) & (ev["step"] < len(times))]
    labels = list(local_time(pd.Series(times)))
    controls = PlaybackControls(t("playback_play", lang), t("playback_pause", lang),
                                window_steps=60 // PLAYBACK_STEP_MIN, autoplay=autoplay)
    data = playback_data(grids, timeline, ev, labels, controls, dark=dark, none_color=WALL_NONE_COLOR if dark else None)
    if dark:
        m = wall_base_map(layers, lang)
        Playback(data, position="topleft", dark=True, font_css=WALL_FONT).add_to(m)
        wall_labels(layers, lang).add_to(m)
        wall_legend(lang, rule, playback=True).add_to(m)
        return m
    m = map_base(layers, "offline", focus)
    area_layer(area_frame(layers, "grid", events.iloc[0:0], rule, lang), "grids", t("layer_grids", lang),
               [], [], style={"fillOpacity": 0.65, "color": NO_RISK_COLOR}, fill_column=None, interactive=False).add_to(m)
    Playback(data, position="bottomleft").add_to(m)
    _labels(layers, lang).add_to(m)
    risk_legend(t("legend_title", lang), lang, rule, extra=[(PLAYBACK_DOT_LINE, t("playback_events", lang))]).add_to(m)
    return m
