"""The base map: offline background with the district outline, optional online tiles, a metric
scale bar (no miles or feet), and a map that fills whatever frame the page gives it.

Offline is the default (command centres run on intranets): no tile layer at all, a plain
background colour and the district outline. Online providers are optional; those that use
GCJ-02 (AMap) need every geometry shifted from WGS84 to GCJ-02 so it sits on their streets,
which :func:`shift_for_basemap` does with gridgeo.geo.crs. WGS84 providers (OSM) get no shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.geo.crs import transform_geometries
from gridgeo.palette import (
    DARK_BACKGROUND,
    FLASH_COLOR,
    INK,
    INK_DARK,
    LIGHT_BACKGROUND,
    OUTLINE,
    OUTLINE_DARK,
)
from gridgeo.tiles.view import START_ZOOM


@dataclass(frozen=True)
class Basemap:
    """A basemap choice: tile URL (None = offline), attribution, and the CRS its tiles use."""

    key: str
    tiles: str | None
    attribution: str
    crs: str = "WGS84"
    subdomains: str = "abc"


BASEMAPS: dict[str, Basemap] = {
    "offline": Basemap("offline", None, "", "WGS84"),
    "osm": Basemap("osm", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
                   "&copy; OpenStreetMap contributors", "WGS84"),
    "amap": Basemap("amap",
                    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                    "&copy; 高德地图 AutoNavi", "GCJ02", "1234"),
}



def basemap_crs(basemap: str) -> str:
    """The CRS name the basemap's tiles are drawn in ("WGS84" or "GCJ02")."""
    return BASEMAPS[basemap].crs


def shift_for_basemap(gdf: gpd.GeoDataFrame, basemap: str) -> gpd.GeoDataFrame:
    """A copy of a WGS84 frame moved into the basemap's CRS (unchanged for WGS84 basemaps).

    The result keeps the WGS84 CRS label on purpose: Leaflet draws lon/lat as given, and the
    GCJ-02 tiles expect GCJ-02 lon/lat.
    """
    target = basemap_crs(basemap)
    if target in ("WGS84", "CGCS2000") or gdf.empty:
        return gdf
    out = gdf.copy()
    out["geometry"] = transform_geometries(out.geometry.values, "WGS84", target)
    return out


class _Background(MacroElement):
    """Plain map background colour and zoom-dependent label visibility classes."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .leaflet-container { background: {{ this.color }}; font-family: "Noto Sans CJK SC",
             "Noto Sans SC", "Microsoft YaHei", sans-serif; }
          .gg-label { pointer-events: none; white-space: nowrap; text-align: center;
             font-weight: 600; color: {{ this.label_color }};
             text-shadow: 0 0 3px {{ this.color }}, 0 0 3px {{ this.color }}; }
          .gg-label div { transform: translate(-50%, -50%); display: inline-block; }
          .gg-label.gg-hidden { visibility: hidden; }
          {% for z in this.zooms %}.gg-min-{{ z }} { display: none; }
          .gg-zge-{{ z }} .gg-min-{{ z }} { display: block; }
          {% endfor %}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
          var m = {{ this._parent.get_name() }};
          function zoomClasses() {
            var c = m.getContainer(), z = m.getZoom();
            {% for z in this.zooms %}c.classList.toggle("gg-zge-{{ z }}", z >= {{ z }});
            {% endfor %}
          }
          // labels without collisions: higher-ranked labels (streets, then communities, then
          // grids; data in their gg-prio-N class) are placed first, a label that would overlap
          // one already placed is hidden; re-run after every zoom, move and layer change
          var pending = null;
          function declutter() {
            pending = null;
            var labels = Array.prototype.slice.call(m.getContainer().querySelectorAll(".gg-label"));
            var prio = function (el) { var k = /gg-prio-(\\d)/.exec(el.className); return k ? +k[1] : 9; };
            labels.sort(function (a, b) { return prio(a) - prio(b); });
            var placed = [];
            labels.forEach(function (el) {
              el.classList.remove("gg-hidden");
              var box = el.firstElementChild ? el.firstElementChild.getBoundingClientRect() : null;
              if (!box || (box.width === 0 && box.height === 0)) { return; }
              var hit = placed.some(function (p) {
                return box.left < p.right + 2 && box.right > p.left - 2 && box.top < p.bottom + 1 && box.bottom > p.top - 1;
              });
              if (hit) { el.classList.add("gg-hidden"); } else { placed.push(box); }
            });
          }
          function later() { if (!pending) { pending = setTimeout(declutter, 60); } }
          m.on("zoomend", function () { zoomClasses(); later(); });
          m.on("moveend layeradd layerremove resize", later);
          m.whenReady(function () { zoomClasses(); later(); });
        })();
        {% endmacro %}
    """)

    def __init__(self, color: str, label_color: str):
        super().__init__()
        self._name = "Background"
        self.color = color
        self.label_color = label_color
        self.zooms = list(range(8, 20))


def base_map(
    bounds: tuple[float, float, float, float],
    basemap: str = "offline",
    dark: bool = False,
    min_zoom: int = 9,
    max_zoom: int = 18,
) -> folium.Map:
    """A folium map fitted to ``bounds`` (minx, miny, maxx, maxy in WGS84) with a scale bar.

    ``basemap`` is a key of BASEMAPS; "offline" draws no tiles. Bounds are shifted with the
    basemap's CRS. ``dark`` switches to the wall display's dark background.
    """
    choice = BASEMAPS[basemap]
    minx, miny, maxx, maxy = bounds
    if choice.crs != "WGS84":
        import numpy as np

        from gridgeo.geo.crs import from_wgs84
        lon, lat = from_wgs84(np.array([minx, maxx]), np.array([miny, maxy]), choice.crs)
        minx, maxx, miny, maxy = float(lon[0]), float(lon[1]), float(lat[0]), float(lat[1])
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=START_ZOOM,  # the API warms the tiles of this view too (gridgeo.tiles.view)
        tiles=None,
        control_scale=False,  # folium's bar shows miles and feet too: MetricScale below
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        zoom_snap=0.25,
        prefer_canvas=False,  # SVG paths: crisp polygons, countable in the browser test
    )
    # folium gives maxZoom/minZoom to the tile layer only; without tiles the map needs them itself
    # (MarkerCluster refuses a map without maxZoom)
    m.options.update({"max_zoom": max_zoom, "min_zoom": min_zoom})
    if choice.tiles:
        folium.TileLayer(choice.tiles, attr=choice.attribution, name=choice.key, subdomains=choice.subdomains,
                         max_zoom=max_zoom, control=False).add_to(m)
    m.add_child(_Background(DARK_BACKGROUND if dark else LIGHT_BACKGROUND,
                            INK_DARK if dark else INK))
    m.add_child(MetricScale())
    m.add_child(FillFrame())
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def district_outline(district: gpd.GeoDataFrame, dark: bool = False, name: str = "district") -> folium.GeoJson:
    """The district outline as a non-interactive line layer."""
    color = OUTLINE_DARK if dark else OUTLINE
    return folium.GeoJson(
        district[["code", "name", "geometry"]].__geo_interface__,
        name=name,
        style_function=lambda _f: {"color": color, "weight": 3, "fill": False, "opacity": 0.9},
        interactive=False,
        control=False,
    )


def layer_control(collapsed: bool = False) -> folium.LayerControl:
    """The layer switcher (overlays only; the basemap is chosen outside the map)."""
    return folium.LayerControl(position="topright", collapsed=collapsed)


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only (``imperial: false``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


class FillFrame(MacroElement):
    """The map fills its frame: the pages size the frame (in viewport units, from the height
    their controls leave) and Leaflet follows the frame's resize."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          html, body { height: 100%; margin: 0; overflow: hidden; }
          #map_div, #map_div2, .folium-map { height: 100vh !important; width: 100% !important; }
        </style>
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "FillFrame"


class WallFrameStyle(MacroElement):
    """The wall map flashes the outlines drawn in the highlight colour (it fills its frame as
    every base map: :class:`FillFrame`)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .leaflet-overlay-pane path[stroke="{{ this.flash_color }}"] { animation: gg-flash 0.8s ease-in-out infinite alternate; }
          @keyframes gg-flash { from { stroke-opacity: 1; stroke-width: 7px; } to { stroke-opacity: 0.15; stroke-width: 3px; } }
          .leaflet-control-scale-line { font-size: max(11px, 1.4vh); }
          .leaflet-control-zoom { display: none; }  /* nobody touches a wall */
        </style>
        {% endmacro %}
    """)

    def __init__(self, flash_color: str = FLASH_COLOR):
        super().__init__()
        self._name = "WallFrameStyle"
        self.flash_color = flash_color
