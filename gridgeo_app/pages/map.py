"""地图 Map: pick a street/community, toggle layers, click or search a grid for its card.

The map fills the height of the screen (gridgeo_app.screen); the title, the search and the card
sit in the column beside it, which scrolls by itself, so the page never scrolls.

Tile mode (a city: GRIDGEO_TILES_URL set and more grids than GRIDGEO_TILES_MIN_GRIDS): risk and
outlines come from the service's vector tiles (coloured in the browser), a click is a point whose
area the page looks up, and the card is the same full card; AMap (GCJ-02) is not offered.

Push (GRIDGEO_API_URL set): the page follows the service's change stream
(gridgeo_app.live_feed.follow_changes): a new case or status change reruns it with a fresh read
(the risk layer recoloured), a published grid set redraws the new grids, without a reload; a mark
beside the title says whether the page is live (polling every minute as the fallback)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from gridgeo.analysis.risk import risk_label
from gridgeo.events.schema import category_label
from gridgeo.i18n import level_name, status_name, t
from gridgeo_app import context as common
from gridgeo_app import event_source as data
from gridgeo_app.layers import selection_layer, shift_for_basemap
from gridgeo_app.live_feed import follow_changes
from gridgeo_app.map_render import st_folium_cached
from gridgeo_app.maps import (
    OPEN,
    SLOTS,
    area_at,
    area_frame,
    map_base,
    map_layers,
    map_tile_base,
    playback_map,
)
from gridgeo_app.rating_form import rating_form, rating_words
from gridgeo_app.screen import frame_css, scroll_box, use_screen

L = common.lang()
seeded = common.seed_once()
PUSHED = st.session_state.get("map_feed_change")  # the pushed change this run follows (None: none yet)
if st.session_state.get("map_feed_applied") != PUSHED:
    st.session_state["map_feed_applied"] = PUSHED
    data.store().current_version(max_age=0.0)  # a pushed grid set is drawn at once
layers_all = common.display_layers()
common.assets_warning()
use_screen(frame_css("map_frame", "1rem"), scroll_box("map_side", "1rem"))
col_map, col_card = st.columns([3.6, 1])
side = col_card.container(key="map_side")  # title, search, card and notes: scrolls by itself
side.title(t("page_map", L))
with side:
    follow_changes("map_feed", ("case", "status", "grid_set"), L)

# ---- sidebar: selection, window, layers, basemap
streets = layers_all["streets"]
comms = layers_all["communities"]
ALL = "__all__"
street = st.sidebar.selectbox(t("street", L), [ALL, *streets["code"]], key="map_street",
                              format_func=lambda c: t("all", L) if c == ALL else
                              streets.set_index("code").at[c, "name"])
comm_options = comms if street == ALL else comms[comms["street_code"] == street]
community = st.sidebar.selectbox(t("community", L), [ALL, *comm_options["code"]], key="map_community",
                                 format_func=lambda c: t("all", L) if c == ALL else
                                 comms.set_index("code").at[c, "name"])
window_key = st.sidebar.radio(t("window", L), ["today", "last_24h", "last_7d"], key="map_window",
                              format_func=lambda k: t(k, L), horizontal=True)
by = st.sidebar.radio(t("risk_by", L), ["grid", "community", "street"], key="map_by",
                      format_func=lambda k: t(k, L), horizontal=True)
layer_keys = {"risk": "layer_risk", "heat": "layer_heat", "markers": "layer_markers", "halls": "layer_halls",
              "streets": "layer_streets", "communities": "layer_communities", "grids": "layer_grids",
              "labels": "labels"}
shown = st.sidebar.multiselect(t("layers", L), list(layer_keys), key="map_layers",
                               default=["risk", "streets", "communities", "labels"],
                               format_func=lambda k: t(layer_keys[k], L))
TILES = common.tile_source()  # a big atlas: areas from the service's vector tiles (WGS84: no AMap)
basemap = st.sidebar.selectbox(t("basemap", L), ["offline", "osm"] if TILES else ["offline", "osm", "amap"],
                               key="map_basemap",
                               format_func=lambda k: t(f"basemap_{k}", L))
st.sidebar.markdown(f"**{t('playback', L)}**")
playback = st.sidebar.toggle(t("playback_on", L), key="map_playback")
if playback:
    pb_range = st.sidebar.radio(t("playback", L), ["last24", "day"], key="map_playback_range", horizontal=True,
                                format_func=lambda k: t(f"playback_{k}", L), label_visibility="collapsed")
    pb_day = (st.sidebar.date_input(t("playback_date", L), value=data.now().date() - timedelta(days=1),
                                    max_value=data.now().date(), key="map_playback_day")
              if pb_range == "day" else None)

# ---- events of the window
end = data.now()
start = {"today": data.today_window(end)[0], "last_24h": end - timedelta(hours=24),
         "last_7d": end - timedelta(days=7)}[window_key]
events_all = common.events(start, end, extra="halls" in shown, change=PUSHED)  # the window's events everywhere (cards use these)
events = events_all

# ---- the selection
sel = dict(layers_all)
focus = None
if community != ALL:
    sel["grids"] = layers_all["grids"][layers_all["grids"]["community_code"] == community]
    sel["communities"] = comms[comms["code"] == community]
    sel["streets"] = streets[streets["code"] == sel["communities"]["street_code"].iloc[0]]
    focus = sel["communities"]
elif street != ALL:
    sel["grids"] = layers_all["grids"][layers_all["grids"]["street_code"] == street]
    sel["communities"] = comms[comms["street_code"] == street]
    sel["streets"] = streets[streets["code"] == street]
    focus = sel["streets"]
if focus is not None and len(events):
    events = events[events["grid_code"].isin(sel["grids"]["code"])]

# ---- search by name or code (in the column beside the map, above the card)
query = side.text_input(t("search", L), key="map_search").strip()
if query:
    grids = layers_all["grids"]
    hits = pd.concat([
        grids[grids["name"].str.contains(query, regex=False) | grids["code"].str.startswith(query)][["code", "name"]],
        comms[comms["name"].str.contains(query, regex=False) | comms["code"].str.startswith(query)][["code", "name"]],
    ]).head(50)
    if hits.empty:
        side.warning(t("search_none", L))
    else:
        choice = side.selectbox(t("search", L), hits["code"], key="map_search_hit", label_visibility="collapsed",
                              format_func=lambda c: f"{hits.set_index('code').at[c, 'name']} · {c}")
        if choice != st.session_state.get("map_last_search"):  # a new search result: show it and fly there
            st.session_state["map_last_search"] = choice
            st.session_state["map_selected"] = choice
            kind = "grids" if len(choice) == 15 else "communities"
            found = layers_all[kind][layers_all[kind]["code"] == choice]
            if len(found):
                pt = found.geometry.iloc[0].representative_point()
                st.session_state["map_view"] = ((street, community), (pt.y, pt.x), 16 if kind == "grids" else 14)

def _replay_events(start_at: datetime, end_at: datetime) -> pd.DataFrame:
    """Events for the playback: from a week before ``start_at`` (cases still open then) to its
    end, only those of the selected grids."""
    ev = common.events(start_at - timedelta(days=7), end_at)
    return ev[ev["grid_code"].isin(sel["grids"]["code"])] if focus is not None and len(ev) else ev


# ---- the map: a small base per selection (shared by every session), each layer pushed on top
# and rendered once per key (gridgeo_app.maps.map_layers): a control change rebuilds only the
# layers it touches and the browser swaps them without re-creating the map
selection_key = (id(layers_all), street, community, basemap, L)
events_key = (window_key, len(events), str(events["reported_at"].max()) if len(events) else "",
              tuple(events["status"].value_counts().sort_index().items()) if len(events) else ())


@st.cache_resource(max_entries=16, show_spinner=False)
def _shared_base(key: tuple, _build):
    del key  # the cache key
    return _build()


@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_playback(key: tuple, _build):
    del key  # the cache key
    return _build()


view = st.session_state.get("map_view")
center, zoom = (view[1], view[2]) if view and view[0] == (street, community) else (None, None)
specs = map_layers(sel, events, L, by=by, show=frozenset(shown), basemap=basemap, keys=selection_key,
                   events_key=events_key)
selected_code = st.session_state.get("map_selected")
if selected_code:  # the selected area outlined on top
    kind = {15: "grids", 12: "communities", 9: "streets"}.get(len(str(selected_code)))
    chosen = layers_all[kind][layers_all[kind]["code"] == selected_code] if kind else None
    if chosen is not None and len(chosen):
        specs[SLOTS.index("highlight")] = (("highlight", selected_code, basemap),
                                           lambda: selection_layer(shift_for_basemap(chosen, basemap),
                                                                   t("grid_card", L)))


def _tile_map(specs: list) -> str | None:
    """Tile mode: the areas from vector tiles in the base (keyed by what they show), only heat,
    markers, labels and the selection pushed; a click returns the code of the area under it."""
    drawn = frozenset(shown) & {"risk", "streets", "communities", "grids"}
    base = _shared_base((selection_key, "tiles", TILES, by, window_key, drawn),
                        lambda: map_tile_base(sel, L, TILES, by=by, window=window_key, show=drawn, basemap=basemap,
                                              focus=focus))
    for slot in ("risk", "grids", "communities", "streets"):
        specs[SLOTS.index(slot)] = None
    out = st_folium_cached(base, key="planner_map_tiles", height=640, returned_objects=["last_clicked"],
                           center=center, zoom=zoom, feature_group_to_add=specs)
    point = (out or {}).get("last_clicked")
    if not point:
        return None
    return area_at(layers_all, by if "risk" in shown else "grid", point["lng"], point["lat"])


with col_map, st.container(key="map_frame"):  # the frame fills the screen's height (use_screen above)
    if playback:
        pb_end = end if pb_day is None else datetime.combine(pb_day + timedelta(days=1), time(0), tzinfo=data.TZ)
        pb_start = pb_end - timedelta(hours=24)
        pb_key = (selection_key, str(pb_start), int(end.timestamp() // 900) if pb_day is None else 0)
        pm = _shared_playback(pb_key, lambda: playback_map(sel, _replay_events(pb_start, pb_end), L, pb_start,
                                                           pb_end, focus=focus))
        st_folium_cached(pm, key="playback_map", height=640, returned_objects=[])
        side.caption(t("playback_note", L))
    else:
        if TILES is None:
            m = _shared_base(selection_key, lambda: map_base(sel, basemap, focus))
            out = st_folium_cached(m, key="planner_map", height=640, returned_objects=["last_active_drawing"],
                                   center=center, zoom=zoom, feature_group_to_add=specs)
            code = (((out or {}).get("last_active_drawing") or {}).get("properties") or {}).get("code")
        else:
            code = _tile_map(specs)
        if code and code != st.session_state.get("map_last_click"):
            st.session_state["map_last_click"] = code
            st.session_state["map_selected"] = code


LEVEL_OF_CODE = {15: ("grid", "grids", "grid_code"), 12: ("community", "communities", "community_code"),
                 9: ("street", "streets", "street_code")}


def card(code: str) -> None:
    """The card of a grid (or community / street): attributes, staff, open cases, history."""
    if len(code) not in LEVEL_OF_CODE:
        st.info(t("pick_grid", L))
        return
    level_name_, kind, by_col = LEVEL_OF_CODE[len(code)]
    table = layers_all[kind]
    row = table[table["code"] == code]
    if row.empty:
        st.info(t("pick_grid", L))
        return
    rec = row.iloc[0]
    # risk and open cases from the same events (the window's, whatever the street filter) so the
    # card never says "no open cases" next to an open case
    frame = area_frame(layers_all, level_name_, events_all, None, L)
    risk = frame[frame["code"] == code]
    level = int(risk["risk_level"].iloc[0]) if len(risk) else 0
    st.subheader(f"{t('grid_card' if kind == 'grids' else level_name_, L)} · {rec['name']}")
    if focus is not None and code not in set(sel[kind]["code"]):
        st.caption(t("card_outside_filter", L).format(sel=focus["name"].iloc[0]))
    attrs = {t("code", L): code}
    if kind == "grids":
        attrs[t("community", L)] = rec.get("community_name", "")
    if kind in ("grids", "communities"):
        attrs[t("street", L)] = rec.get("street_name", "")
    attrs.update({t("households", L): int(rec["households"]), t("population", L): int(rec["population"])})
    if kind == "grids":
        attrs.update({t("enterprises", L): int(rec["enterprises"]), t("grid_worker", L): rec["grid_worker"],
                      t("party_branch", L): rec["party_branch"]})
    attrs[t("risk_in_window", L)] = risk_label(level, L)
    st.table(pd.DataFrame({"": list(attrs.keys()), " ": [str(v) for v in attrs.values()]}).set_index(""))
    mine = events_all[events_all[by_col] == code] if len(events_all) else events_all
    open_cases = mine[mine["status"].isin(OPEN)] if len(mine) else mine
    st.metric(f"{t('open_cases', L)} · {t(window_key, L)}", len(open_cases))
    if len(open_cases):
        st.dataframe(_event_table(open_cases), hide_index=True, height=180)
    hist = common.events(end - timedelta(days=30), end, fresh=True)
    hist = hist[hist[by_col] == code] if len(hist) else hist
    st.caption(f"{t('history', L)} (30 d): {len(hist)}")
    if len(hist):
        st.dataframe(_event_table(hist.sort_values("reported_at", ascending=False).head(30), rated=True),
                     hide_index=True, height=220)
    rating_form(hist, code, L)  # the feedback step: the reporter's rating (issue 23)


def _event_table(ev: pd.DataFrame, rated: bool = False) -> pd.DataFrame:
    table = pd.DataFrame({
        t("reported_at", L): data.local_time(ev["reported_at"]),
        t("category", L): ev["category"].map(lambda c: category_label(str(c), L)),
        t("level", L): ev["level"].map(lambda v: level_name(int(v), L)),
        t("status", L): ev["status"].map(lambda s: status_name(s, L)),
    })
    if rated and "rating" in ev.columns:
        table[t("rating_col", L)] = rating_words(ev["rating"], L).to_numpy()
    return table


with side:
    selected = st.session_state.get("map_selected")
    if selected:
        card(str(selected))
    else:
        st.info(t("pick_grid", L))
    common.source_caption(seeded, events)

from gridgeo_app.poster_button import poster_download  # noqa: E402  (一格一图 download, kept in its own module)

poster_download()
