"""The whole city from vector tiles: Leaflet.VectorGrid layers over ``/tiles/{layer}/{z}/{x}/{y}.pbf``,
risk colours applied in the browser by feature code from the risk rule of ``/api/v1/risk``
(fetched compactly from ``/tiles/colours``).

The tiles carry geometry, ``code`` and ``name`` only; colours are never baked in. A
:class:`RiskColours` element fetches ``/tiles/colours?by=...`` on load and every ``refresh_s``
seconds and calls ``setFeatureStyle`` only for the codes whose colour changed, so a refresh
re-fetches no tile and repaints only what changed. Tiles loaded later (pan, zoom) pick the
current colours up from VectorGrid's overridden styles.

:func:`city_tile_layers` adds the usual set: district outlines at city zoom (up to
``city_max_zoom``) and risk-coloured grids from street zoom (``grid_min_zoom``); a wall that
shows every grid city-wide passes a lower ``grid_min_zoom``. The page's browser must reach the
API (same origin, a reverse proxy, or CORS on the API) with read access.

State for tests and benchmarks lives in ``window.gridgeoTiles[<layer name>]`` (the layer itself in
``window.gridgeoTileLayers``): tile requests, tiles loaded, ``idle`` (times every visible tile
was loaded), refreshes (and failed ones: the colours shown stay), features restyled by the last
refresh (and by all), its duration in ms with the
fetch (``refresh_ms``) and the part spent restyling (``apply_ms``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.plugins import VectorGridProtobuf
from jinja2 import Template

from gridgeo.palette import AREA_LINE, AREA_LINE_DARK, NO_RISK_COLOR, OUTLINE, OUTLINE_DARK


def tile_url(api_base: str, layer: str) -> str:
    """The Leaflet URL template of one tile layer of the API at ``api_base`` ('' = same origin)."""
    return f"{api_base.rstrip('/')}/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf"


def _options(layer: str, style: dict, min_zoom: int, max_zoom: int, interactive: bool, tile_size: int,
             fetch_options: dict | None = None) -> str:
    """VectorGrid options as JavaScript: canvas renderer, features keyed by code, zoom range,
    ``fetch_options`` for the tile requests (e.g. an ``Authorization`` header)."""
    styles = f"{{{json.dumps(layer)}: {json.dumps(style)}}}"
    return (f"{{rendererFactory: L.canvas.tile, interactive: {str(interactive).lower()}, minZoom: {min_zoom}, "
            f"tileSize: {tile_size}, fetchOptions: {json.dumps(fetch_options or {})}, "
            f"maxZoom: {max_zoom}, getFeatureId: function(f) {{ return f.properties.code; }}, "
            f"vectorTileLayerStyles: {styles}}}")


class _TileStats(MacroElement):
    """Counts tile requests and loads of a VectorGrid layer into window.gridgeoTiles."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var layer = {{ this.layer.get_name() }};
          var all = window.gridgeoTiles = window.gridgeoTiles || {};
          var s = all[{{ this.key|tojson }}] = all[{{ this.key|tojson }}] ||
                  {requested: 0, loaded: 0, idle: 0, refreshes: 0, failed: 0, restyled: 0, restyled_total: 0,
                   refresh_ms: null, coloured: 0};
          (window.gridgeoTileLayers = window.gridgeoTileLayers || {})[{{ this.key|tojson }}] = layer;
          layer.on("tileloadstart", function() { s.requested++; });
          layer.on("tileload", function() { s.loaded++; });
          layer.on("load", function() { s.idle++; });  // every visible tile loaded
          {% if this.zoom_offset %}
          // tiles of tileSize px drawn from the server's tiles one zoom level up (fewer requests)
          var fetchTile = layer._getVectorTilePromise;
          layer._getVectorTilePromise = function(c) {
            return fetchTile.call(this, {x: c.x, y: c.y, z: c.z + {{ this.zoom_offset }}});
          };
          {% endif %}
          if (L.DomEvent.fakeStop === undefined) {  // VectorGrid 1.3 calls it; Leaflet >= 1.8 dropped it
            L.DomEvent.fakeStop = function(e) { L.DomEvent.stopPropagation(e); };
          }
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: folium.Element, key: str, zoom_offset: int = 0):
        super().__init__()
        self._name = "TileStats"
        self.layer, self.key, self.zoom_offset = layer, key, zoom_offset


class RiskColours(MacroElement):
    """Colour a VectorGrid layer from ``risk_url``: ``/tiles/colours?by=<by>`` (only the coloured
    areas; the others are grey; after the first answer only the changes, ``since=<stamp>``) or
    ``/api/v1/risk?by=<by>`` (every area with its ``color``), applied with ``setFeatureStyle`` to
    the codes whose colour changed since the last refresh."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var layer = {{ this.layer.get_name() }};
          var s = window.gridgeoTiles[{{ this.key|tojson }}];
          var base = {{ this.style|tojson }};
          var applied = {};  // code -> colour set by a refresh (tiles start grey)
          var stamp = null;  // of the last /tiles/colours answer: the next one sends only changes
          var grey = {{ this.no_risk|tojson }}, url = {{ this.risk_url|tojson }};
          function paint(code, colour) {
            if ((applied[code] || grey) === colour) { return 0; }
            if (colour === grey) { delete applied[code]; } else { applied[code] = colour; }
            layer.setFeatureStyle(code, Object.assign({}, base, {fillColor: colour}));
            return 1;
          }
          function fullColours(answer) {  // /tiles/colours (only the coloured) or /api/v1/risk (all)
            var colours = answer.colours;
            if (!colours) {
              colours = {};
              answer.areas.forEach(function(a) { colours[a.code] = a.color || grey; });
            }
            return colours;
          }
          function apply(answer) {
            var changed = 0, colours = fullColours(answer);
            if (answer.full === false) {  // only the changes since our last answer
              (answer.cleared || []).forEach(function(code) { changed += paint(code, grey); });
            } else {
              Object.keys(applied).forEach(function(code) {
                if (!(code in colours)) { changed += paint(code, grey); }
              });
            }
            Object.keys(colours).forEach(function(code) { changed += paint(code, colours[code]); });
            return changed;
          }
          function refresh() {
            var t0 = performance.now();
            var since = stamp ? (url.indexOf("?") < 0 ? "?" : "&") + "since=" + stamp : "";
            return fetch(url + since, {{ this.fetch_options|tojson }})
              .then(function(r) { return r.ok ? r.json() : null; })
              .catch(function() { return null; })  // service unreachable: keep the colours shown
              .then(function(answer) {
                if (!answer) { s.failed++; return; }
                var t1 = performance.now(), changed = apply(answer);
                stamp = answer.stamp || null;
                s.refreshes++; s.restyled = changed; s.restyled_total += changed;
                s.coloured = Object.keys(applied).length; s.full = answer.full !== false;
                s.refresh_ms = performance.now() - t0; s.apply_ms = performance.now() - t1;
              });
          }
          layer.gridgeoRefresh = refresh;
          refresh();
          {% if this.refresh_ms %}setInterval(refresh, {{ this.refresh_ms }});{% endif %}
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: folium.Element, key: str, risk_url: str, style: dict, refresh_s: float = 30.0,
                 fetch_options: dict | None = None, none_color: str = NO_RISK_COLOR):
        super().__init__()
        self._name = "RiskColours"
        self.layer, self.key, self.risk_url, self.style = layer, key, risk_url, style
        self.refresh_ms = int(refresh_s * 1000) if refresh_s and refresh_s > 0 else 0
        self.fetch_options = fetch_options or {}
        self.no_risk = none_color


@dataclass(frozen=True)
class TileSource:
    """Where the browser gets the vector tiles (tile mode): the service's base URL as the browser
    reaches it ("": the page's own origin) and the API key its requests carry (the wall's viewer
    key), if any."""

    api_base: str = ""
    key: str | None = None

    @property
    def fetch_options(self) -> dict | None:
        """fetch() options of the browser's tile and colour requests: the key as a bearer header."""
        return {"headers": {"Authorization": f"Bearer {self.key}"}} if self.key else None


@dataclass(frozen=True)
class RiskPaint:
    """How a risk-coloured tile layer is painted: the ``window`` of /tiles/colours, how often it
    is asked again (``refresh_s``; 0: never), the fill opacity, the dark (wall) outlines and the
    fill of areas without open cases."""

    window: str = "24h"
    refresh_s: float = 30.0
    opacity: float = 0.65
    dark: bool = False
    none_color: str = NO_RISK_COLOR


def tile_layer(layer: str, name: str, source: TileSource | None = None, style: dict | None = None,
               zooms: tuple[int, int] = (0, 22), show: bool = True, interactive: bool = False,
               tile_size: int = 512) -> VectorGridProtobuf:
    """A VectorGrid layer of one tile layer (districts, streets, communities or grids) from
    ``source``, shown between the ``zooms`` (min, max), with its tile counters in window.gridgeoTiles.

    ``tile_size`` 512 draws each server tile (256 px at its zoom) over 512 screen px one zoom
    level down: a quarter of the requests for the same view, 1 px simplification."""
    if tile_size not in (256, 512):
        raise ValueError(f"tile_size={tile_size}: use 256 or 512")
    source = source or TileSource()
    style = style or {"color": OUTLINE, "weight": 1, "fill": False, "opacity": 0.9}
    grid = VectorGridProtobuf(tile_url(source.api_base, layer), name=name, show=show,
                              options=_options(layer, style, *zooms, interactive, tile_size, source.fetch_options))
    grid.add_child(_TileStats(grid, layer, zoom_offset=-1 if tile_size == 512 else 0))
    return grid


def risk_tile_layer(layer: str, by: str, name: str, source: TileSource | None = None,
                    paint: RiskPaint | None = None, zooms: tuple[int, int] = (0, 22)) -> VectorGridProtobuf:
    """A tile layer filled ``paint.none_color`` (grey), then coloured by risk
    (``/tiles/colours?by=<by>&window=<paint.window>``, the colours of /api/v1/risk in compact
    form) on load and every ``paint.refresh_s`` seconds (0: never again). The source's key goes
    with every tile and colours request (``{"headers": {"Authorization": "Bearer gg_…"}}``)."""
    source, paint = source or TileSource(), paint or RiskPaint()
    style = {"fill": True, "fillColor": paint.none_color, "fillOpacity": paint.opacity, "weight": 0.5,
             "color": AREA_LINE_DARK if paint.dark else AREA_LINE, "opacity": 0.8}
    grid = tile_layer(layer, name, source, style, zooms)
    risk_url = f"{source.api_base.rstrip('/')}/tiles/colours?by={by}&window={paint.window}"
    grid.add_child(RiskColours(grid, layer, risk_url, style, paint.refresh_s, source.fetch_options, paint.none_color))
    return grid


def city_tile_layers(m: folium.Map, names: dict[str, str], source: TileSource | None = None,
                     paint: RiskPaint | None = None, city_max_zoom: int = 12,
                     grid_min_zoom: int = 13) -> dict[str, VectorGridProtobuf]:
    """Add district outlines (zoom <= ``city_max_zoom``) and risk-coloured grids (zoom >=
    ``grid_min_zoom``, painted as ``paint`` says) to ``m``; ``names`` gives the layer-control
    labels for "districts" and "grids" (from gridgeo.i18n). Returns the layers by tile layer name."""
    paint = paint or RiskPaint()
    outline = {"color": OUTLINE_DARK if paint.dark else OUTLINE, "weight": 2, "fill": False, "opacity": 0.9}
    layers = {
        "grids": risk_tile_layer("grids", "grid", names["grids"], source, paint, zooms=(grid_min_zoom, 22)),
        "districts": tile_layer("districts", names["districts"], source, outline, zooms=(0, city_max_zoom)),
    }
    for layer in layers.values():
        layer.add_to(m)
    return layers


def tiles_demo_page(bounds: tuple[float, float, float, float], lang: str = "zh", api_base: str = "",
                    grid_min_zoom: int = 13, refresh_s: float = 30.0, dark: bool = False) -> str:
    """A standalone HTML page of the city from tiles (offline background, district outlines,
    risk-coloured grids, the risk legend), loading its scripts from /app/static/vendor."""
    from gridgeo.i18n import t
    from gridgeo_app.layers.assets import use_local_assets
    from gridgeo_app.layers.base import base_map, layer_control
    from gridgeo_app.layers.legend import risk_legend

    use_local_assets()
    m = base_map(bounds, dark=dark, min_zoom=8, max_zoom=18)
    city_tile_layers(m, {"grids": t("layer_grids", lang), "districts": t("layer_district", lang)},
                     TileSource(api_base), RiskPaint(refresh_s=refresh_s, dark=dark), grid_min_zoom=grid_min_zoom)
    m.add_child(risk_legend(t("layer_risk", lang), lang, dark=dark))
    m.add_child(layer_control())
    return m.get_root().render()
