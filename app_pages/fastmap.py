"""st_folium with the map's rendering done once per map object.

streamlit-folium renders the whole folium map to a script string on every call (Jinja
templates, JSON of every polygon, regex passes over the result): about a second for the
default dataset with 10,000 events, on every rerun. Here the component arguments are worked
out once per map object (with st_folium itself, so they are exactly what it would send) and
reused; on later reruns only the pushed feature groups, centre and zoom are recomputed.

This reaches into two private names of streamlit-folium 0.27 (``_component_func`` and
``_get_feature_group_string``); tests/test_app.py exercises both, so an upgrade that changes
them fails the tests instead of the page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import folium
import streamlit_folium as sf

_CAPTURE_LOCK = threading.Lock()
_ATTR = "_gridgeo_component_kwargs"


def _prepare(m: folium.Map, key: str, height: int, use_container_width: bool,
             returned_objects: list[str] | None) -> dict:
    captured: dict = {}

    def capture(**kwargs):
        captured.update(kwargs)
        return kwargs.get("default")

    with _CAPTURE_LOCK:
        real = sf._component_func
        sf._component_func = capture
        try:
            sf.st_folium(m, key=key, height=height, use_container_width=use_container_width,
                         returned_objects=returned_objects)
        finally:
            sf._component_func = real
    return captured


def st_folium_cached(
    m: folium.Map,
    key: str,
    height: int = 600,
    use_container_width: bool = True,
    returned_objects: Iterable[str] | None = (),
    center: tuple[float, float] | None = None,
    zoom: float | None = None,
    feature_group_to_add: list[folium.FeatureGroup] | None = None,
):
    """Show ``m`` like ``st_folium`` would and return its result; the map's script is cached on
    the map object, so keep the object (session state or a cache) to make reruns cheap."""
    returned = list(returned_objects) if returned_objects is not None else None
    signature = (key, height, use_container_width, tuple(returned) if returned is not None else None)
    cached = getattr(m, _ATTR, None)
    if cached is None or cached[0] != signature:
        cached = (signature, _prepare(m, key, height, use_container_width, returned))
        setattr(m, _ATTR, cached)
    kwargs = dict(cached[1])
    kwargs["center"] = center
    kwargs["zoom"] = zoom
    if feature_group_to_add:
        parts = []
        with _CAPTURE_LOCK:  # the map may be shared by sessions: attach, render and detach atomically
            for idx, group in enumerate(feature_group_to_add):
                parts.append(sf._get_feature_group_string(group, map=m, idx=idx))
                m._children.pop(group.get_name(), None)  # st_folium adds it to the map; keep it clean
        kwargs["feature_group"] = "".join(parts)
        links_js = [src for g in feature_group_to_add for el in _walk(g) for _, src in getattr(el, "default_js", [])]
        links_css = [href for g in feature_group_to_add for el in _walk(g) for _, href in getattr(el, "default_css", [])]
        kwargs["js_links"] = list(dict.fromkeys([*kwargs["js_links"], *links_js]))
        kwargs["css_links"] = list(dict.fromkeys([*kwargs["css_links"], *links_css]))
    return sf._component_func(**kwargs)


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)
