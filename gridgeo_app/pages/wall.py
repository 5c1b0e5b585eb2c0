"""指挥大屏 Wall display: dark, large type, no interaction, fits the screen; refreshes itself.

Layout in viewport units: the root font size follows the screen (16 px on 1920×1080, 32 px on
3840×2160), every block above the map has a height in rem, and the map frame takes the
height that is left, so nothing scrolls on any 16:9 screen.

The base map (every grid, the streets) is built once per session; each refresh runs only the
fragment below, which pushes the changing layers (grids at risk, highlights, names, legend)
with streamlit-folium's feature_group_to_add, so the map is not re-mounted and keeps its view.
Settings (gridgeo.config): GRIDGEO_WALL_REFRESH_S, GRIDGEO_WALL_STALE_S, GRIDGEO_WALL_HIGHLIGHT_S.
Tile mode (a city: GRIDGEO_TILES_URL set and more grids than GRIDGEO_TILES_MIN_GRIDS): the base
map draws the grids from the service's vector tiles and the browser recolours them from
``/tiles/colours`` (only changed grids restyled, no tile re-fetched); the fragment then pushes no
per-grid GeoJSON, only highlights, street names and the legend.
``?mode=playback`` replays the last 24 hours on the map instead of the live risk layer.

Around the clock (gridgeo_app.wall_content.wall_data): the map colours, the alerts, the street bars
and the open-case figures come from the cases still open whatever day they were reported; the
day's figures (received, accepted, resolved, rate) count since local midnight and say so, and
``?figures=24h`` (one click on the header's switch) counts the last 24 hours instead.

The service network (issue 23): the halls layer (a marker per hall, centre and station sized by
its open cases and coloured by the overdue share, a card on click, its legend) and the side
column's most loaded halls, both for the points and cases of the viewer's territory (the wall
key's or the user's scope: ``Identity.sees_area``/``covers``); ``?halls=0`` leaves them out.

Push, not poll (GRIDGEO_API_URL set): the fragment holds a hidden subscription to the service's
change stream (gridgeo_app.live_feed); a new case is painted in the page the moment it arrives
(its grid's colour, the figures; in the browser, gridgeo_app.live_feed), then each burst of
changes reruns the fragment, which draws everything from the store again; a published grid
set reruns the page (new geometry, same browser page); the timer stays as the fallback and the
header says whether the wall is live.
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from gridgeo.config import get_settings
from gridgeo.i18n import level_name, t
from gridgeo.palette import RISK_COLORS, WALL
from gridgeo.store.sql import EVENT_COLUMNS
from gridgeo_app import context as common
from gridgeo_app import event_source as data
from gridgeo_app import session
from gridgeo_app import wall_content as wallview
from gridgeo_app.layers.halls import halls_layer
from gridgeo_app.live_feed import live_feed
from gridgeo_app.map_render import st_folium_cached
from gridgeo_app.maps import (
    WALL_FONT,
    area_frame,
    fit_area,
    playback_map,
    wall_base_map,
    wall_live_layers,
    wall_tile_base_map,
)
from gridgeo_app.scope import areas_below, cache_key, territory_name

L = common.lang()
seeded = common.seed_once()
layers_all = common.display_layers()
common.assets_warning()
SETTINGS = get_settings()
PLAYBACK = st.query_params.get("mode") == "playback"
WINDOW = st.query_params.get("figures", "today")
WINDOW = WINDOW if WINDOW in wallview.FIGURE_WINDOWS else "today"
MAP_FRAME_HEIGHT = "calc(100vh - 14.6rem)"  # what is left under the header, KPIs and ticker
WHO = st.session_state.get("identity") or session.app_identity() or session.OPEN_IDENTITY
POINTS = layers_all.get("service_points")
if st.query_params.get("halls", "1") in ("0", "off") or POINTS is None or not len(POINTS):
    POINTS = None  # no halls layer, no list
else:  # the halls of the viewer's territory and the centres above it
    POINTS = POINTS[[WHO.sees_area(str(c)) for c in POINTS["territory_code"]]]

st.markdown(f"""
<style>
  html {{ font-size: max(12px, min(0.8333vw, 1.4815vh)) !important; }}
  .stApp, [data-testid="stHeader"] {{ background: {WALL.page}; color: {WALL.text}; }}
  [data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stStatusWidget"], [data-testid="stToolbar"], [data-testid="stDecoration"] {{ display: none; }}
  [data-testid="stElementContainer"]:has(style), [data-testid="stElementContainer"]:has(.gg-hide) {{ display: none; }}
  /* no fading of the old figures while a refresh runs: the wall never flickers */
  [data-stale="true"] {{ opacity: 1 !important; transition: none !important; filter: none !important; }}
  .stMainBlockContainer, .block-container {{ padding: 0.6rem 1.2rem 0 1.2rem !important; max-width: 100% !important; }}
  .stMainBlockContainer [data-testid="stVerticalBlock"] {{ gap: 0.5rem; }}
  .stMainBlockContainer [data-testid="stHorizontalBlock"] {{ gap: 0.8rem; }}
  .stMainBlockContainer p, .stMainBlockContainer span, .stMainBlockContainer div {{ color: {WALL.text}; }}
  .gg-head {{ display: flex; align-items: center; gap: 1.5rem; height: 3rem; }}
  .gg-head h1 {{ font-size: 2.3rem; line-height: 3rem; margin: 0; padding: 0; flex: 1; color: {WALL.title}; }}
  .gg-fresh {{ font-size: 1.25rem; padding: 0.2rem 0.8rem; border-radius: 0.4rem; white-space: nowrap; }}
  .gg-fresh.gg-ok {{ background: {WALL.fresh_bg}; border: 1px solid {WALL.fresh_border}; }}
  .gg-fresh.gg-stale {{ background: {WALL.stale_bg}; border: 1px solid {WALL.stale_border}; animation: gg-blink 1.2s step-end infinite; }}
  @keyframes gg-blink {{ 50% {{ border-color: {WALL.stale_bg}; }} }}
  .gg-clock {{ font-size: 2rem; font-weight: 700; font-variant-numeric: tabular-nums; }}
  .gg-win {{ display: flex; gap: 0.3rem; font-size: 1.2rem; white-space: nowrap; }}
  .gg-win a {{ padding: 0.15rem 0.7rem; border-radius: 0.4rem; border: 1px solid {WALL.panel_border}; color: {WALL.label} !important;
              text-decoration: none; }}
  .gg-win a.gg-on {{ background: {WALL.panel_border}; color: {WALL.title} !important; font-weight: 700; }}
  .gg-kpi.gg-open {{ background: {WALL.panel_open}; }}
  .gg-live {{ font-size: 1.1rem; white-space: nowrap; color: {WALL.label} !important; }}
  .gg-live.gg-on {{ color: {WALL.live} !important; }}
  .gg-kpis {{ display: grid; grid-template-columns: repeat(10, 1fr); gap: 0.6rem; height: 6.6rem; margin-top: 0.5rem; }}
  .gg-kpi {{ background: {WALL.panel}; border: 1px solid {WALL.panel_border}; border-radius: 0.5rem; padding: 0.35rem 0.8rem;
             overflow: hidden; border-top: 0.3rem solid var(--gg-c, {WALL.panel_border}); }}
  .gg-kpi-label {{ font-size: 1.1rem; line-height: 1.5rem; color: {WALL.label} !important; white-space: nowrap; }}
  .gg-kpi-value {{ font-size: 3.2rem; line-height: 4.2rem; font-weight: 700; color: {WALL.title} !important;
                   font-variant-numeric: tabular-nums; white-space: nowrap; }}
  .gg-ticker {{ display: flex; align-items: center; white-space: nowrap; background: {WALL.panel}; border: 1px solid {WALL.panel_border};
               border-radius: 0.4rem; height: 2.6rem; font-size: 1.3rem; margin-top: 0.5rem; overflow: hidden; }}
  .gg-ticker > b {{ flex: none; padding: 0 1em; color: {WALL.label}; }}
  .gg-ticker-window {{ flex: 1; overflow: hidden; }}
  .gg-track {{ display: inline-block; animation-name: gg-scroll; animation-timing-function: linear;
               animation-iteration-count: infinite; }}
  .gg-item {{ padding-right: 2.5em; }}
  .gg-item.gg-new {{ animation: gg-new 0.8s ease-in-out infinite alternate; font-weight: 700; }}
  @keyframes gg-new {{ from {{ color: {WALL.title}; }} to {{ color: {WALL.new_case}; }} }}
  @keyframes gg-scroll {{ from {{ transform: translateX(0); }} to {{ transform: translateX(-50%); }} }}
  .gg-lv {{ display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 0.35em; }}
  .st-key-gg_map iframe {{ height: {MAP_FRAME_HEIGHT} !important; display: block; }}
  .st-key-gg_side {{ height: {MAP_FRAME_HEIGHT} !important; max-height: {MAP_FRAME_HEIGHT}; overflow: hidden; }}
  .gg-side h3 {{ font-size: 1.5rem; margin: 0 0 0.4rem 0; padding: 0; color: {WALL.title}; }}
  .gg-bar {{ display: flex; align-items: center; font-size: 1.25rem; margin: 0.45rem 0; gap: 0.5em; }}
  .gg-bar-name {{ width: 5em; flex: none; }}
  .gg-bar-track {{ flex: 1; height: 1.1rem; }}
  .gg-bar-fill {{ display: block; height: 100%; background: {WALL.bar}; border-radius: 3px; }}
  .gg-bar-rest {{ font-size: 1rem; opacity: 0.75; margin: 0.2rem 0 0.45rem; }}
  .gg-bar-n {{ width: 3.2em; text-align: right; flex: none; font-variant-numeric: tabular-nums; }}
  .gg-alerts {{ margin-top: 1rem; font-size: 1.1rem; }}
  .gg-alerts div {{ margin: 0.25rem 0; }}
  .gg-hall {{ display: flex; align-items: center; font-size: 1.15rem; margin: 0.3rem 0; gap: 0.45em; }}
  .gg-hall-head {{ color: {WALL.label} !important; font-size: 1rem; }}
  .gg-hall-head span {{ color: {WALL.label} !important; }}
  .gg-hall-dot {{ width: 0.8em; height: 0.8em; border-radius: 50%; flex: none; }}
  .gg-hall-head .gg-hall-name {{ padding-left: 1.25em; }}
  .gg-hall-name {{ flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
  .gg-hall-n {{ width: 2.6em; text-align: right; flex: none; font-variant-numeric: tabular-nums; }}
  .gg-halls {{ margin-top: 0.9rem; }}
  .gg-note {{ font-size: 1rem; line-height: 1.35; color: {WALL.note} !important; margin-top: 1rem; }}
  .gg-note span {{ color: {WALL.note} !important; }}
</style>
""", unsafe_allow_html=True)


@dataclass
class WallState:
    """What one wall session remembers between refreshes."""

    highlights: wallview.Highlights
    last: tuple[pd.DataFrame, pd.DataFrame] | None = None  # the last good (last 24 h, open cases)
    failing_since: datetime | None = None
    seed_note_shown: bool = False


if "wall_state" not in st.session_state:
    st.session_state["wall_state"] = WallState(wallview.Highlights(SETTINGS.wall_highlight_s))
if "wall_view" not in st.session_state:
    b = fit_area(layers_all).total_bounds
    st.session_state["wall_view"] = {"center": ((b[1] + b[3]) / 2, (b[0] + b[2]) / 2), "zoom": None}
GRID_TABLE = pd.DataFrame(layers_all["grids"][["code", "households"]])  # the grids without geometry
PLACE = territory_name(layers_all)  # "新坡头社区 · 指挥大屏" for a community's account
TITLE = t("wall_title_territory", L).format(place=PLACE) if PLACE else t("wall_title", L)
PAGE_VERSION = data.store().current_version(max_age=5.0)  # the grid set this page was drawn with
TILES = common.tile_source()  # a big atlas: grids from the service's vector tiles, coloured in the browser


def _base_map():
    """The wall's base map: every grid as GeoJSON, or the city's vector tiles (tile mode)."""
    if TILES is None:
        return wall_base_map(layers_all, L)
    return wall_tile_base_map(layers_all, L, TILES, SETTINGS.wall_refresh_s, wallview.OPEN_LOOKBACK_WINDOW)


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_base(key: tuple, _build):
    """One base map for every wall of a language and grid set: the pushed layers rendered on it
    (keyed by what they show) are rendered once for all walls."""
    del key  # the cache key
    return _build()


if "wall_base" not in st.session_state or st.session_state["wall_base"][0] != (L, id(layers_all), TILES):
    st.session_state["wall_base"] = ((L, id(layers_all), TILES), _shared_base((L, id(layers_all), TILES), _base_map))


def _read(at) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wall's two reads: the last 24 hours, and the open cases of OPEN_LOOKBACK."""
    return (common.events(at - timedelta(hours=24), at, fresh=True),
            common.open_events(at - wallview.OPEN_LOOKBACK, at))


@dataclass(frozen=True)
class WallView:
    """What every wall shows of one read of the store (the same for all walls pushed by one change)."""

    wd: wallview.WallData
    fills: pd.Series  # grid code -> risk colour, the grids with open cases
    fills_key: int  # a fingerprint of ``fills``: the pushed risk layer is rendered once per content
    red: frozenset  # grids at level I
    kpis: dict
    open_figures: dict
    bars_level: str  # the side bars' areas: one level below the territory (street, community, grid)
    bar_counts: pd.Series


def _view(recent: pd.DataFrame, open_cases: pd.DataFrame, at) -> WallView:
    """Everything the walls derive from one read (no per-wall state)."""
    wd = wallview.wall_data(recent, open_cases, at, WINDOW, data.TZ)
    frame = area_frame({"grids": GRID_TABLE}, "grid", wd.open_cases, None, L)  # (no geometry needed)
    fills = frame.loc[frame["risk_level"] > 0].set_index("code")["color"]
    level, areas, column = areas_below(layers_all)
    return WallView(wd, fills, hash(tuple(fills.items())),
                    frozenset(frame.loc[frame["risk_level"] == 1, "code"].astype(str)),
                    data.kpis(wd.period, at), wallview.open_figures(wd.open_cases),
                    level, wallview.area_counts(wd.open_cases, areas, column))


@st.cache_resource(ttl=120, max_entries=16, show_spinner=False)
def _shared_view(key: tuple, _build) -> WallView:
    """The wall's view, shared by every wall that reruns for the same change (``key``: the
    stream's last message, the refresh period, the figures' window, the language): ten walls
    pushed by one new case read the store and derive their figures and colours once."""
    del key  # the cache key
    return _build()


def _change_key(at, feed: dict | None) -> tuple | None:
    """What identifies this rerun's change for sharing (None: not pushed, read for this wall alone)."""
    if not (feed and feed.get("live") and feed.get("last")):
        return None
    from gridgeo.store import default_url

    change = json.dumps(feed["last"], sort_keys=True, default=str)
    # walls of one territory and role (cache_key) share; others never see its figures
    return (default_url(), change, int(at.timestamp() // SETTINGS.wall_refresh_s), WINDOW, L, id(layers_all),
            cache_key())


def _load(state: WallState, at, feed: dict | None = None) -> tuple[WallView, str | None]:
    """The wall's view of the last 24 hours of events and the open cases (of OPEN_LOOKBACK);
    on a store failure, of the last good frames, and the error."""
    error = None
    key = _change_key(at, feed)
    try:
        view = _shared_view(key, lambda: _view(*_read(at), at)) if key else _view(*_read(at), at)
        state.failing_since, state.last = None, (view.wd.recent, view.wd.open_cases)
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        state.failing_since = state.failing_since or at
        empty = pd.DataFrame(columns=list(EVENT_COLUMNS))
        view = _view(*(state.last if state.last is not None else (empty, empty)), at)
        error = type(exc).__name__
    return view, error


def _switch(wd: wallview.WallData) -> str:
    """The figures' window, said and one click from the other (links keep the other parameters)."""
    links = []
    for window in wallview.FIGURE_WINDOWS:
        params = {**st.query_params.to_dict(), "figures": window}
        text = (wallview.window_label(window, wd.period_start, L, data.TZ) if window == wd.window
                else t(f"wall_switch_{window}", L))
        cls = " class='gg-on'" if window == wd.window else ""
        links.append(f"<a{cls} data-window='{window}' href='?{html.escape(urlencode(params))}' target='_self'>"
                     f"{html.escape(text)}</a>")
    return f"<div class='gg-win' title='{html.escape(t('wall_window_label', L))}'>{''.join(links)}</div>"


def _live_mark(feed: dict | None) -> str:
    """Whether the wall is pushed to (the stream is connected) or polls on its timer."""
    on = bool(feed and feed.get("live"))
    text = t("wall_live_on", L) if on else t("wall_live_off", L).format(s=int(SETTINGS.wall_refresh_s))
    return f"<div class='gg-live{' gg-on' if on else ''}' data-live='{int(on)}'>{html.escape(text)}</div>"


def _follow_grid_set(feed: dict | None) -> None:
    """A grid set published since the page was drawn: draw the page again (its base map holds
    the geometry), in the same browser page."""
    last = (feed or {}).get("last") or {}
    fresh = last.get("type") == "grid_set"
    if data.store().current_version(max_age=0.0 if fresh else 5.0) != PAGE_VERSION:
        st.rerun()


def _header(fresh: wallview.Freshness, view: WallView, ticker: str, at, live_mark: str = "") -> str:
    """Title, figures' window switch, freshness, clock; the period's figures, then the open cases'."""
    wd, k, o = view.wd, view.kpis, view.open_figures
    tiles = [("received", t("kpi_received", L), k["received"], None, ""),
             ("accepted", t("kpi_accepted", L), k["accepted"], None, ""),
             ("resolved", t("kpi_resolved", L), k["resolved"], None, ""),
             ("rate", t("kpi_rate", L), f"{k['resolution_rate'] * 100:.1f}%", None, ""),
             ("open", t("wall_open_now", L), o["open"], None, " gg-open"),
             ("overdue", t("wall_open_overdue", L), o["overdue"], None, " gg-open")]
    tiles += [(f"level{lv}", t("wall_open_level", L).format(level=level_name(lv, L)), o["by_level"][lv],
               RISK_COLORS[lv], " gg-open") for lv in (1, 2, 3, 4)]
    kpis = "".join(
        f"<div class='gg-kpi{cls}' data-key='{key}' style='--gg-c:{c or WALL.panel_border}'>"
        f"<div class='gg-kpi-label'>{html.escape(label)}</div><div class='gg-kpi-value'>{value}</div></div>"
        for key, label, value, c, cls in tiles)
    state_cls = "gg-ok" if fresh.ok else "gg-stale"
    return (f"<div class='gg-head'><h1>{html.escape(TITLE)}</h1>{_switch(wd)}"
            f"{live_mark}<div class='gg-fresh {state_cls}' data-latest='{fresh.latest_iso}'>● {html.escape(fresh.text)}</div>"
            f"<div class='gg-clock'>{at.strftime('%H:%M')}</div></div>"
            f"<div class='gg-kpis'>{kpis}</div>{ticker}")


def _side(view: WallView, state: WallState, names: dict, halls: str = "") -> str:
    """Open cases one level below the territory (by street; a street's by community, a
    community's by grid), the most loaded halls (``halls``: their HTML), the new alerts, and
    where the data come from."""
    recent, level, counts = view.wd.recent, view.bars_level, view.bar_counts
    alerts = sorted(state.highlights.since.items(), key=lambda kv: -kv[1][0])[:4]
    alert_html = "".join(
        f"<div>⚠ {html.escape(names.get(code, code))} · "
        f"{t('wall_new_level1' if why == 'event' else 'wall_new_red', L)} "
        f"{datetime.fromtimestamp(since, data.TZ).strftime('%H:%M')}</div>" for code, (since, why) in alerts)
    notes = []
    if seeded and not state.seed_note_shown and data.source_is_simulated(recent):
        notes.append(t("seeded", L).format(n=seeded))  # once per session, and only in the demo
        state.seed_note_shown = True
    notes.append(t("wall_open_note", L).format(days=wallview.OPEN_LOOKBACK.days))
    notes.append(t("simulated_source" if data.source_is_simulated(recent) else "store_source", L))
    if not SETTINGS.is_real_store:
        notes.append(t("synthetic_note", L))
    return (f"<div class='gg-side'><h3>{t(wallview.BAR_HEADINGS[level], L)} · {t('wall_by_street_open', L)}</h3>"
            f"{wallview.bars_rest_html(counts, L)}{halls}"
            + (f"<div class='gg-alerts'><h3>{t('wall_highlights', L)}</h3>{alert_html}</div>" if alerts else "")
            + f"<p class='gg-note'>{'<br>'.join(html.escape(n) for n in notes)}</p></div>")


@st.cache_resource(max_entries=4, show_spinner=False)
def _names(layers_id: int) -> tuple[dict, dict]:
    """Grid and community names by code (once per grid set)."""
    del layers_id  # the cache key
    grids, comms = layers_all["grids"], layers_all["communities"]
    return (dict(zip(grids["code"].astype(str), grids["name"], strict=True)),
            dict(zip(comms["code"].astype(str), comms["name"], strict=True)))


@st.cache_resource(max_entries=4, show_spinner=False)
def _playback(bucket: int, lang: str, layers_id: int, _layers, _events):
    del bucket, layers_id  # cache key: rebuilt every 15 minutes
    end = data.now()
    return playback_map(_layers, _events, lang, end - timedelta(hours=24), end, dark=True, autoplay=True)


def _scoped(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases of the viewer's territory (all of them for an identity without scope)."""
    if not WHO.scopes or not len(cases):
        return cases
    return cases[[WHO.covers(None if pd.isna(c) else str(c)) for c in cases["grid_code"]]]


def _halls(wd: wallview.WallData, at) -> tuple[tuple | None, str]:
    """The halls layer (a (key, build) pair: rendered again once per HALL_LAYER_S) and the side
    column's list of the most loaded halls, for the viewer's territory."""
    if POINTS is None:
        return None, ""
    week = _scoped(common.events(at - wallview.HALL_WEEK, at, extra=True))
    workload = wallview.halls_workload(_scoped(wd.open_cases), week, at, data.TZ)
    ranking = wallview.hall_ranking(workload, POINTS)
    listing = (f"<div class='gg-halls'><h3>{html.escape(t('wall_halls_title', L).format(n=wallview.HALLS_TOP_N))}"
               f"</h3>{wallview.halls_html(ranking, L)}</div>")
    # the layer (229 markers with their cards: ~0.3-0.8 s to render) is drawn again at most once
    # per HALL_LAYER_S; the list beside it follows every refresh
    key = ("wall_halls", L, WHO.scopes, int(at.timestamp() // wallview.HALL_LAYER_S))
    return (key, lambda: halls_layer(POINTS, workload, L, dark=True, font_css=WALL_FONT)), listing


@st.fragment(run_every=common.refresh_seconds())
def live() -> None:
    """Everything that changes: freshness, KPIs, ticker, pushed map layers, counts by street."""
    state: WallState = st.session_state["wall_state"]
    feed = (live_feed(SETTINGS.tiles_url, st.query_params.get("key") or SETTINGS.wall_key,
                      paint={"colors": {str(lv): RISK_COLORS[lv] for lv in (1, 2, 3, 4)}})
            if SETTINGS.tiles_url else None)
    _follow_grid_set(feed)
    at = data.now()
    now_s = time.time()
    view, error = _load(state, at, feed)
    wd = view.wd
    events = wd.recent
    latest = pd.to_datetime(events["reported_at"], utc=True).max() if len(events) else None
    fresh = wallview.freshness(None if latest is None or pd.isna(latest) else latest.to_pydatetime(), at,
                               SETTINGS.wall_stale_s, L, data.TZ, error, state.failing_since)
    gnames, cnames = _names(id(layers_all))
    # the map, alerts and bars show the open cases; the day's figures their window; the ticker
    # and freshness the last 24 hours
    state.highlights.update(wd.open_cases, set(view.red), now_s)
    flash, steady = state.highlights.grids(now_s)
    ticker = wallview.ticker_html(events, gnames, cnames, L, data.TZ, now_s, set(state.highlights.flashing_events))
    st.markdown(_header(fresh, view, ticker, at, _live_mark(feed)), unsafe_allow_html=True)
    halls_spec, halls_list = _halls(wd, at) if not PLAYBACK else (None, "")

    col_map, col_side = st.columns([3.3, 1])
    with col_map, st.container(key="gg_map"):
        where = st.session_state["wall_view"]
        if PLAYBACK:
            m = _playback(int(now_s // 900), L, id(layers_all), layers_all, _playback_events(at))
            st_folium_cached(m, key="wall_playback", height=700, returned_objects=[])
        else:
            st_folium_cached(st.session_state["wall_base"][1], key="wall_map", height=700,
                             center=where["center"], zoom=where["zoom"], returned_objects=[],
                             feature_group_to_add=[*wall_live_layers(layers_all, wd.open_cases, L, flash=flash,
                                                                     steady=steady, tiles=TILES is not None,
                                                                     pushed_changes=(feed or {}).get("n"),
                                                                     fills=(view.fills_key, view.fills)),
                                                   *([halls_spec] if halls_spec else [])])
    with col_side, st.container(key="gg_side"):
        st.markdown(_side(view, state, gnames, halls_list), unsafe_allow_html=True)


def _playback_events(at) -> pd.DataFrame:
    """Events of the last 8 days: the 24 hours replayed and the cases still open from before."""
    return common.events(at - timedelta(days=8), at)


live()
