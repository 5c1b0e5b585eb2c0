"""地图 Map: pick a street/community, toggle layers, click or search a grid for its card."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from app_pages import common, data
from app_pages.fastmap import st_folium_cached
from app_pages.mapview import OPEN, area_frame, planner_map
from gridgeo.i18n import category_name, level_name, status_name, t
from gridgeo.risk import risk_label
from layers import selection_layer, shift_for_basemap

L = common.lang()
seeded = common.seed_once()
layers_all = common.display_layers()
common.assets_warning()
st.title(t("page_map", L))

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
layer_keys = {"risk": "layer_risk", "heat": "layer_heat", "markers": "layer_markers",
              "streets": "layer_streets", "communities": "layer_communities", "grids": "layer_grids",
              "labels": "labels"}
shown = st.sidebar.multiselect(t("layers", L), list(layer_keys), key="map_layers",
                               default=["risk", "heat", "streets", "communities", "labels"],
                               format_func=lambda k: t(layer_keys[k], L))
basemap = st.sidebar.selectbox(t("basemap", L), ["offline", "osm", "amap"], key="map_basemap",
                               format_func=lambda k: t(f"basemap_{k}", L))

# ---- events of the window
end = data.now()
start = {"today": data.today_window(end)[0], "last_24h": end - timedelta(hours=24),
         "last_7d": end - timedelta(days=7)}[window_key]
events = common.events(start, end)

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

# ---- search by name or code
query = st.text_input(t("search", L), key="map_search").strip()
if query:
    grids = layers_all["grids"]
    hits = pd.concat([
        grids[grids["name"].str.contains(query, regex=False) | grids["code"].str.startswith(query)][["code", "name"]],
        comms[comms["name"].str.contains(query, regex=False) | comms["code"].str.startswith(query)][["code", "name"]],
    ]).head(50)
    if hits.empty:
        st.warning(t("search_none", L))
    else:
        choice = st.selectbox(t("search", L), hits["code"], key="map_search_hit", label_visibility="collapsed",
                              format_func=lambda c: f"{hits.set_index('code').at[c, 'name']} · {c}")
        if choice != st.session_state.get("map_last_search"):  # a new search result: show it and fly there
            st.session_state["map_last_search"] = choice
            st.session_state["map_selected"] = choice
            kind = "grids" if len(choice) == 15 else "communities"
            found = layers_all[kind][layers_all[kind]["code"] == choice]
            if len(found):
                pt = found.geometry.iloc[0].representative_point()
                st.session_state["map_view"] = ((street, community), (pt.y, pt.x), 16 if kind == "grids" else 14)

# ---- the map: built once per distinct input and shared by every session (the map object also
# carries its rendered component arguments, see app_pages.fastmap)
signature = (id(layers_all), street, community, window_key, by, tuple(shown), basemap, L, len(events),
             tuple(events["status"].value_counts().sort_index().items()) if len(events) else (),
             str(events["reported_at"].max()) if len(events) else "")


@st.cache_resource(max_entries=8, show_spinner=False)
def _shared_map(signature: tuple, _build):
    del signature  # the cache key
    return _build()


m = _shared_map(signature, lambda: planner_map(sel, events, L, by=by, show=frozenset(shown), basemap=basemap,
                                               focus=focus))
view = st.session_state.get("map_view")
center, zoom = (view[1], view[2]) if view and view[0] == (street, community) else (None, None)
highlight = None
selected_code = st.session_state.get("map_selected")
if selected_code:  # the selected area outlined on top, pushed without re-mounting the map
    kind = {15: "grids", 12: "communities", 9: "streets"}.get(len(str(selected_code)))
    chosen = layers_all[kind][layers_all[kind]["code"] == selected_code] if kind else None
    if chosen is not None and len(chosen):
        highlight = [selection_layer(shift_for_basemap(chosen, basemap), t("grid_card", L))]
col_map, col_card = st.columns([3, 1.3])
with col_map:
    out = st_folium_cached(m, key="planner_map", height=640, returned_objects=["last_active_drawing"],
                           center=center, zoom=zoom, feature_group_to_add=highlight)
    clicked = (out or {}).get("last_active_drawing") or {}
    code = (clicked.get("properties") or {}).get("code")
    if code and code != st.session_state.get("map_last_click"):
        st.session_state["map_last_click"] = code
        st.session_state["map_selected"] = code
common.source_caption(seeded, events)


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
    frame = area_frame(layers_all, level_name_, events, None, L)
    risk = frame[frame["code"] == code]
    level = int(risk["risk_level"].iloc[0]) if len(risk) else 0
    st.subheader(f"{t('grid_card' if kind == 'grids' else level_name_, L)} · {rec['name']}")
    attrs = {t("code", L): code}
    if kind == "grids":
        attrs[t("community", L)] = rec.get("community_name", "")
    if kind in ("grids", "communities"):
        attrs[t("street", L)] = rec.get("street_name", "")
    attrs.update({t("households", L): int(rec["households"]), t("population", L): int(rec["population"])})
    if kind == "grids":
        attrs.update({t("enterprises", L): int(rec["enterprises"]), t("grid_worker", L): rec["grid_worker"],
                      t("party_branch", L): rec["party_branch"]})
    attrs[t("risk_level", L)] = risk_label(level, L)
    st.table(pd.DataFrame({"": list(attrs.keys()), " ": [str(v) for v in attrs.values()]}).set_index(""))
    hist = common.events(end - timedelta(days=30), end, fresh=True)
    hist = hist[hist[by_col] == code] if len(hist) else hist
    open_cases = hist[hist["status"].isin(OPEN)] if len(hist) else hist
    st.metric(t("open_cases", L), len(open_cases))
    if len(open_cases):
        st.dataframe(_event_table(open_cases), hide_index=True, height=180)
    st.caption(f"{t('history', L)} (30 d): {len(hist)}")
    if len(hist):
        st.dataframe(_event_table(hist.sort_values("reported_at", ascending=False).head(30)), hide_index=True,
                     height=220)


def _event_table(ev: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("reported_at", L): data.local_time(ev["reported_at"]),
        t("category", L): ev["category"].map(lambda c: category_name(str(c), L)),
        t("level", L): ev["level"].map(lambda v: level_name(int(v), L)),
        t("status", L): ev["status"].map(lambda s: status_name(s, L)),
    })


with col_card:
    selected = st.session_state.get("map_selected")
    if selected:
        card(str(selected))
    else:
        st.info(t("pick_grid", L))

from app_pages.poster_button import poster_download  # noqa: E402  (一格一图 download, kept in its own module)

poster_download()
