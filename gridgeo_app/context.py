"""Shared Streamlit helpers: language, the active atlas and its display geometries, the event
loader, and the lines that say which atlas and which events a page shows."""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from gridgeo.atlas.model import Atlas
from gridgeo.geo.metric import to_metric
from gridgeo.i18n import DEFAULT_LANG, LANGS, t
from gridgeo_app import event_source as data
from gridgeo_app.layers.assets import missing_assets, use_local_assets

DISPLAY_TOLERANCE_M = 3.0  # simplification for display (coverage-preserving, in metres)


def lang() -> str:
    """The UI language chosen in the sidebar (zh by default)."""
    return st.session_state.get("lang", DEFAULT_LANG)


def language_switch() -> None:
    """The sidebar language selector (shared by every page).

    ``?lang=en`` in the URL sets the language on first load, for screens nobody touches (the
    wall display hides the sidebar): e.g. http://host:8501/wall?lang=en.
    """
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        if wanted in LANGS:
            st.session_state["lang"] = wanted
    st.sidebar.selectbox(t("language", lang()), list(LANGS), format_func=LANGS.get, key="lang")


def refresh_seconds() -> float:
    """Wall display refresh interval in seconds (env GRIDGEO_WALL_REFRESH_S, default 30)."""
    from gridgeo.config import get_settings

    return get_settings().wall_refresh_s


def atlas() -> Atlas:
    """The active atlas (``gridgeo.services.active_atlas.load_active_atlas``: GRIDGEO_ATLAS, else the store's
    active atlas, else the Guangming demo), loaded once per store, name and grid set version."""
    from gridgeo.store import default_url

    return _atlas(default_url(), atlas_name(), data.store().current_version(max_age=5.0))


@st.cache_data(ttl=5, show_spinner=False)
def _active_name(url: str) -> str:
    del url  # cache key
    from gridgeo.services.active_atlas import active_atlas_name

    return active_atlas_name(data.store())


def atlas_name() -> str:
    """The name of the active atlas (looked up in the store at most every 5 s)."""
    from gridgeo.store import default_url

    return _active_name(default_url())


def forget_active_atlas() -> None:
    """Drop the cached atlas choice (after ``use_atlas``), so every page switches at once."""
    _active_name.clear()


@st.cache_resource(show_spinner=False, max_entries=4)
def _atlas(url: str, name: str, grid_set_version: int | None) -> Atlas:
    del url, grid_set_version  # cache key: a new `atlas use` publishes a new grid set version
    from gridgeo.services.active_atlas import load_active_atlas

    use_local_assets()  # folium reads local assets from now on
    from gridgeo.config import get_settings

    return load_active_atlas(data.store(), get_settings().with_(atlas=name))


def atlas_label(lang_: str | None = None) -> str:
    """The active atlas as shown to people: its name, and that the demo is synthetic."""
    from gridgeo.config import DEMO_ATLAS

    L = lang_ or lang()
    name = atlas_name()
    if name == DEMO_ATLAS:
        return t("atlas_demo_label", L)
    district = atlas().meta.get("district_name") or atlas().district.get("name", pd.Series([""])).iloc[0]
    return f"{name} · {district}" if district and str(district) != name else name


def atlas_caption(where=None) -> bool:
    """A small line saying which atlas the page shows (``where``: st or st.sidebar); an error
    line instead, and False, when the active atlas cannot be loaded (e.g. GRIDGEO_ATLAS names an
    atlas the store does not hold)."""
    from gridgeo.errors import InputError

    where = where or st
    try:
        where.caption(t("atlas_caption", lang()).format(name=atlas_label()))
    except InputError as exc:
        where.error(t("atlas_error", lang()).format(error=exc))
        return False
    return True


def _simplify(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    metric = to_metric(gdf)
    try:  # keeps shared borders shared (no slivers between neighbours on screen)
        simplified = shapely.coverage_simplify(metric.geometry.values, tolerance_m, simplify_boundary=True)
    except shapely.errors.GEOSException:  # not a clean coverage: simplify each polygon on its own
        simplified = shapely.simplify(metric.geometry.values, tolerance_m, preserve_topology=True)
    out = gdf.copy()
    out["geometry"] = gpd.GeoSeries(simplified, crs=metric.crs).to_crs(gdf.crs).values
    return out


def display_layers() -> dict[str, gpd.GeoDataFrame]:
    """Streets, communities, grids and the district simplified for display (shared borders kept),
    inside the session's territory (:func:`gridgeo_app.scope.layers_for`: a community's account
    gets its grids, its community and the outlines of its street and district).

    The grids are the store's current published grid set (so a grid set published from the
    editor shows up within seconds); the atlas grids until one is published.
    """
    from gridgeo_app.scope import layers_for

    return layers_for(all_display_layers())


def all_display_layers() -> dict[str, gpd.GeoDataFrame]:
    """:func:`display_layers` of the whole atlas, whoever asks (the warm-up; never drawn as is)."""
    from gridgeo.store import default_url

    return _display_layers(default_url(), data.store().current_version(max_age=5.0))


@st.cache_resource(show_spinner=False, max_entries=4)
def _display_layers(url: str, grid_set_version: int | None) -> dict[str, gpd.GeoDataFrame]:
    del url  # cache key
    a = atlas()
    grids = (data.store().current_grid_set()[1] if grid_set_version is not None else a.grids).copy()
    for col in ("households", "population", "enterprises"):
        if col in grids:
            grids[col] = pd.to_numeric(grids[col], errors="coerce").fillna(0).astype(int)
    layers = {name: _simplify(getattr(a, name), DISPLAY_TOLERANCE_M) for name in ("district", "streets", "communities")}
    layers["grids"] = _simplify(grids, DISPLAY_TOLERANCE_M)
    layers["service_points"] = a.service_points  # points: nothing to simplify (the halls layer)
    names = dict(zip(a.streets["code"], a.streets["name"], strict=True))
    cnames = dict(zip(a.communities["code"], a.communities["name"], strict=True))
    layers["grids"]["street_name"] = layers["grids"]["street_code"].map(names)
    layers["grids"]["community_name"] = layers["grids"]["community_code"].map(cnames)
    layers["communities"]["street_name"] = layers["communities"]["street_code"].map(names)
    for name, by in (("communities", "community_code"), ("streets", "street_code")):
        sums = grids.groupby(by)[["households", "population"]].sum()
        layers[name] = layers[name].join(sums, on="code")
    return layers


def seed_once() -> int:
    """Seed an empty DEMO store once per server process and store URL; returns how many events
    the app simulated (0 when the store had events already, or is not the demo store: a store
    opened for real work never receives simulated events)."""
    from gridgeo.store import default_url

    url = default_url()
    if not data.is_demo():
        return 0
    if data.store().count_events():
        return _seed_result.get(url, 0)
    with st.spinner(t("seeding", lang())):
        _seed_result[url] = _seed(url)
    return _seed_result[url]


_seed_result: dict[str, int] = {}


@st.cache_resource(show_spinner=False)
def _seed(url: str) -> int:
    del url  # cache key: seed each store once per process
    return data.ensure_seeded(atlas())


EVENT_CACHE_S = 10  # map and review reruns within this many seconds share one store query


def events(start: datetime, end: datetime, fresh: bool = False, extra: bool = False,
           change: str | None = None) -> pd.DataFrame:
    """Events in [start, end) from the ONE loader (gridgeo_app.event_source.load_events), inside
    the session's territory and masked as its role says (:func:`gridgeo_app.scope.events_for`).

    Unless ``fresh``, both ends are floored to EVENT_CACHE_S seconds and the result is cached
    that long, so clicks and widget changes do not query the store again. ``extra``: with the
    accepted/received/updated times (the halls layer's cards). ``change``: the pushed change the
    page reruns for (gridgeo_app.live_feed.follow_changes): read up to now, once for every page
    pushed by the same change (the territory is applied after the shared read).
    """
    from gridgeo_app.scope import events_for

    if fresh:
        return events_for(data.load_events(atlas(), start, end, extra))
    from gridgeo.store import default_url

    def floor(ts: datetime) -> datetime:
        return datetime.fromtimestamp(ts.timestamp() // EVENT_CACHE_S * EVENT_CACHE_S, tz=ts.tzinfo)

    if change:
        return events_for(_events_at_change(default_url(), floor(start), change, end, extra))
    return events_for(_events_cached(default_url(), floor(start), floor(end), extra))


@st.cache_data(ttl=120, max_entries=16, show_spinner=False)
def _events_at_change(url: str, start: datetime, change: str, _end: datetime, extra: bool = False) -> pd.DataFrame:
    del url, change  # part of the cache key
    return data.load_events(atlas(), start, _end, extra)


def open_events(start: datetime, end: datetime) -> pd.DataFrame:
    """The cases still open among those reported in [start, end), read now (the wall's map and
    alerts: gridgeo_app.event_source.load_open_events), inside the session's territory."""
    from gridgeo_app.scope import events_for

    return events_for(data.load_open_events(atlas(), start, end))


@st.cache_data(ttl=EVENT_CACHE_S * 2, max_entries=32, show_spinner=False)
def _events_cached(url: str, start: datetime, end: datetime, extra: bool = False) -> pd.DataFrame:
    del url  # part of the cache key: one cache entry per store
    return data.load_events(atlas(), start, end, extra)


def assets_warning() -> None:
    """Tell the user how to fix a missing offline asset set (the map would stay blank)."""
    missing = missing_assets()
    if missing:
        st.error(t("assets_missing").format(file=missing[0]))


def _has_events(shown: pd.DataFrame | None) -> bool:
    return bool(shown is not None and len(shown)) or bool(data.store().count_events())


def source_text(seeded: int, shown: pd.DataFrame | None = None) -> str:
    """One line saying which atlas is shown, where the events come from (and that simulated
    ones are a demo); "no events yet" for a store that has none."""
    L = lang()
    parts = [t("atlas_caption", L).format(name=atlas_label(L))]
    if not _has_events(shown):
        parts.append(t("no_events_yet", L))
    else:
        parts.append(t("simulated_source" if data.source_is_simulated(shown) else "store_source", L))
    if seeded:
        parts.append(t("seeded", L).format(n=seeded))
    if data.is_demo():
        parts.append(t("synthetic_note", L))
    return " · ".join(parts)


def source_caption(seeded: int, shown: pd.DataFrame | None = None) -> None:
    """Say which atlas is shown, where the events come from, and whether the app just simulated
    them (that notice once per session, and only while the events shown are simulated ones); an
    empty store (real work, first day) gets a visible "no events yet"."""
    if seeded and not st.session_state.get("_seed_notice_shown") and data.source_is_simulated(shown):
        st.session_state["_seed_notice_shown"] = True
        st.info(t("seeded", lang()).format(n=seeded))
    elif not _has_events(shown):
        st.info(t("no_events_yet_long", lang()))
    st.caption(source_text(0, shown))


def tile_source():
    """The vector-tile source of the pages (``gridgeo_app.maps.TileSource``) when they draw the
    active atlas from tiles (``Settings.use_tiles``: GRIDGEO_TILES_URL set and more grids than
    GRIDGEO_TILES_MIN_GRIDS), else None (every polygon as GeoJSON, as for the demo). The session's
    wall key (``?key=`` or GRIDGEO_WALL_KEY) goes with the browser's requests as a bearer header."""
    from gridgeo.config import get_settings
    from gridgeo_app.maps import TileSource
    from gridgeo_app.scope import scopes

    settings = get_settings()
    if not settings.use_tiles(len(display_layers()["grids"])):
        return None
    key = st.query_params.get("key") or settings.wall_key
    if scopes() and not key:  # a territorial account: its own (few) grids as GeoJSON, never the city's tiles
        return None
    return TileSource(settings.tiles_url, key or None)
