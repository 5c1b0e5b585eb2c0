"""Point folium (and so streamlit-folium) at the app's own copies of Leaflet and its plugins.

folium's classes list their scripts and stylesheets in ``default_js`` / ``default_css`` as
CDN URLs; streamlit-folium collects those lists from the map's elements and its frontend
loads them. :func:`use_local_assets` rewrites them, class by class, to the files that
scripts/vendor_assets.py put in static/vendor/, served by Streamlit at /app/static/vendor/.
Entries with no local copy (Bootstrap 3 glyphicons, folium's awesome-rotate CSS) are dropped:
nothing the pages draw uses them, and a CDN URL would make an intranet browser wait.
"""

from __future__ import annotations

from pathlib import Path

import folium
import folium.plugins as plugins
from branca.element import MacroElement
from jinja2 import Template

VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"
DEFAULT_BASE_URL = "/app/static/vendor"

# folium resource name -> path under static/vendor (None: drop the resource)
LOCAL_FILES: dict[str, str | None] = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "awesome-markers/dist/leaflet.awesome-markers.js",
    "leaflet_css": "leaflet/dist/leaflet.css",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "glyphicons_css": None,
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "awesome_markers_css": "awesome-markers/dist/leaflet.awesome-markers.css",
    "awesome_rotate_css": None,
    "markerclusterjs": "markercluster/dist/leaflet.markercluster.js",
    "markerclustercss": "markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/dist/MarkerCluster.Default.css",
    "leaflet-heat.js": "heat/dist/leaflet-heat.js",
    "Control.Fullscreen.js": "fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "fullscreen/Control.FullScreen.css",
    "leaflet_draw_js": "leaflet-draw/dist/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/dist/leaflet.draw.css",
    "vectorGrid": "vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
    "Leaflet.Sync": "leaflet-sync/L.Map.Sync.js",
}

# The classes whose resources are rewritten (their subclasses inherit the lists).
PATCHED_CLASSES = (
    folium.Map,
    plugins.MarkerCluster,
    plugins.HeatMap,
    plugins.Fullscreen,
    plugins.Draw,
    plugins.VectorGridProtobuf,
    plugins.DualMap,
)


def _rewrite(resources: list[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    out = []
    for name, url in resources:
        if url.startswith(base_url):
            out.append((name, url))
            continue
        if name not in LOCAL_FILES:
            raise KeyError(f"no local copy known for folium resource {name!r} ({url}); add it to "
                           "gridgeo_app/layers/assets.py and scripts/vendor_assets.py")
        local = LOCAL_FILES[name]
        if local is not None:
            out.append((name, f"{base_url}/{local}"))
    return out


def use_local_assets(base_url: str = DEFAULT_BASE_URL) -> None:
    """Make every patched folium class load its JS/CSS from ``base_url`` (idempotent)."""
    base_url = base_url.rstrip("/")
    for cls in PATCHED_CLASSES:
        for attr in ("default_js", "default_css"):
            current = cls.__dict__.get(attr)
            if current is not None:
                setattr(cls, attr, _rewrite(list(current), base_url))


def missing_assets() -> list[str]:
    """Vendored files the pages need that are not on disk (empty when set up)."""
    return [rel for rel in LOCAL_FILES.values() if rel and not (VENDOR_DIR / rel).exists()]


def remote_resources(m: folium.Element) -> list[str]:
    """Every JS/CSS URL that an element tree would load from outside the app (should be empty)."""
    urls: list[str] = []

    def walk(el):
        for attr in ("default_js", "default_css"):
            urls.extend(u for _, u in getattr(el, attr, []) if "://" in u)
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return urls


class PluginAssets(MacroElement):
    """Lists the scripts and stylesheets of the plugins a page may push onto a map later (heat,
    marker clusters): streamlit-folium's frontend loads scripts only with the first map, so
    the base map must carry them. gridgeo_app.map_render adds the links of every element of the map
    (streamlit-folium itself only collects those of folium's JSCSSMixin elements, and making
    this one of them breaks its renaming of the map's element ids)."""

    _template = Template("")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PluginAssets"
        self.default_js = [*plugins.MarkerCluster.default_js, *plugins.HeatMap.default_js]
        self.default_css = list(plugins.MarkerCluster.default_css)
