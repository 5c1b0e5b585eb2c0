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
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

import folium
import streamlit_folium as sf

_CAPTURE_LOCK = threading.Lock()
_ATTR = "_gridgeo_component_kwargs"


def _map_lock(m: folium.Map) -> threading.RLock:
    """The map object's own lock (sessions sharing one map render it and its layers one at a time)."""
    return m.__dict__.setdefault("_gridgeo_lock", threading.RLock())  # dict.setdefault is atomic


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
    # scripts of elements streamlit-folium does not collect (gridgeo_app.layers.assets.PluginAssets)
    for kind, attr in (("js_links", "default_js"), ("css_links", "default_css")):
        extra = [url for el in _walk(m) for _, url in getattr(el, attr, [])]
        captured[kind] = list(dict.fromkeys([*captured.get(kind, []), *extra]))
    return captured


LayerSpec = folium.FeatureGroup | tuple[Hashable, Callable[[], folium.FeatureGroup]]
_LAYER_CACHE = "_gridgeo_layer_strings"
LAYER_CACHE_SIZE = 48  # rendered pushed layers kept per map object


def st_folium_cached(
    m: folium.Map,
    key: str,
    height: int = 600,
    use_container_width: bool = True,
    returned_objects: Iterable[str] | None = (),
    center: tuple[float, float] | None = None,
    zoom: float | None = None,
    feature_group_to_add: list[LayerSpec | None] | None = None,
):
    """Show ``m`` like ``st_folium`` would and return its result; the map's script is cached on
    the map object, so keep the object (session state or a cache) to make reruns cheap.

    Each pushed layer is a FeatureGroup (rendered at every call) or a ``(key, build)`` pair:
    rendered once per key and kept on the map object, so a rerun that changes one layer renders
    only that one (the browser swaps the pushed layers without re-creating the map).
    """
    returned = list(returned_objects) if returned_objects is not None else None
    kwargs = dict(_prepared(m, key, height, use_container_width, returned))
    kwargs["center"] = center
    kwargs["zoom"] = zoom
    if feature_group_to_add and any(spec is not None for spec in feature_group_to_add):
        # a None entry is a layer not shown: the others keep their slot (name and cache entry)
        rendered = [_layer_string(m, spec, idx) for idx, spec in enumerate(feature_group_to_add) if spec is not None]
        kwargs["feature_group"] = "".join(part for part, _, _ in rendered)
        kwargs["js_links"] = list(dict.fromkeys([*kwargs["js_links"], *(u for _, js, _ in rendered for u in js)]))
        kwargs["css_links"] = list(dict.fromkeys([*kwargs["css_links"], *(u for _, _, css in rendered for u in css)]))
    return sf._component_func(**kwargs)


def _prepared(m: folium.Map, key: str, height: int, use_container_width: bool,
              returned: list[str] | None) -> dict:
    """The component arguments of ``m`` for this key and height, rendering the map only once.

    streamlit-folium renames the map's elements while it renders them, so a second rendering
    of the same map object leaves stale names in the script (the map stays blank). Another
    key or height for an already rendered map is derived from its first rendering instead.
    """
    signature = (key, height, use_container_width, tuple(returned) if returned is not None else None)
    with _map_lock(m):  # the whole look-up and first rendering: sessions sharing a map render it once
        cached: dict = m.__dict__.get(_ATTR) or {}
        if signature in cached:
            return cached[signature]
        if cached:
            first_sig, first = next(iter(cached.items()))
            if first_sig[2:] != signature[2:]:
                raise ValueError("st_folium_cached: this map was shown with other returned objects or width; "
                                 "build a new map object for that")
            derived = {**first, "height": height, "key": sf.generate_js_hash(first["script"], key, False)}
            cached[signature] = derived
            return derived
        prepared = _prepare(m, key, height, use_container_width, returned)
        m.__dict__.setdefault(_ATTR, {})[signature] = prepared
        return prepared


def _layer_string(m: folium.Map, spec: LayerSpec, idx: int) -> tuple[str, list[str], list[str]]:
    """(script, js links, css links) of one pushed layer, from the map's cache when keyed."""
    if isinstance(spec, folium.FeatureGroup):
        return _render_group(m, spec, idx)
    layer_key, build = spec
    with _map_lock(m):  # sessions sharing a map (ten walls pushed by one change) render a layer once
        cache: OrderedDict = m.__dict__.setdefault(_LAYER_CACHE, OrderedDict())
        hit = cache.get((layer_key, idx))
        if hit is not None:
            cache.move_to_end((layer_key, idx))
            return hit
        out = _render_group(m, build(), idx)
        cache[(layer_key, idx)] = out
        while len(cache) > LAYER_CACHE_SIZE:
            cache.popitem(last=False)
        return out


def _render_group(m: folium.Map, group: folium.FeatureGroup, idx: int) -> tuple[str, list[str], list[str]]:
    with _CAPTURE_LOCK:  # the map may be shared by sessions: attach, render and detach atomically
        text = sf._get_feature_group_string(group, map=m, idx=idx)
        m._children.pop(group.get_name(), None)  # st_folium adds it to the map; keep it clean
    js = [src for el in _walk(group) for _, src in getattr(el, "default_js", [])]
    css = [href for el in _walk(group) for _, href in getattr(el, "default_css", [])]
    return text, js, css


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)
