"""待定位工单 Cases to place: the hotline work orders of the user's territory that their address could
not place (issue 22). Pick one, click the map where it happened (or pick a building/compound of the
register) and confirm: the case goes through the normal intake as the user."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from gridgeo.access import Action
from gridgeo.access.masking import mask_name, mask_phone
from gridgeo.errors import InputError
from gridgeo.i18n import render, t
from gridgeo.palette import QUEUE_CANDIDATE, QUEUE_GRID_LINE
from gridgeo.services.hotline import NotQueued, judged_grid, place_queued, resolve_target, visible
from gridgeo.store.hotline_queue import list_queue
from gridgeo_app import context as common
from gridgeo_app import event_source as data
from gridgeo_app import session
from gridgeo_app.layers import base_map, district_outline
from gridgeo_app.map_render import st_folium_cached
from gridgeo_app.scope import personal_shown


def _who():
    return st.session_state.get("identity") or session.app_identity() or session.OPEN_IDENTITY


def _label(row: dict, lang: str) -> str:
    return f"{row['id']} · {row['address'] or '—'}"


def case_map(row: dict, lang: str) -> folium.Map:
    """The district's grids (outlines, code on hover) and the case's candidate places."""
    layers = common.display_layers()
    grids = layers["grids"]
    cands = row.get("candidates") or []
    comms = layers["communities"]
    if cands:
        focus = grids[grids["code"].isin([c["grid_code"] for c in cands])]
    elif row.get("community_code") in set(comms["code"]):  # only the community is known: zoom to it
        focus = comms[comms["code"] == row["community_code"]]
    else:
        focus = layers["district"]
    m = base_map(tuple(focus.total_bounds))
    district_outline(layers["district"]).add_to(m)
    folium.GeoJson(grids[["code", "name", "geometry"]].__geo_interface__, name="grids",
                   style_function=lambda _f: {"color": QUEUE_GRID_LINE, "weight": 1, "fillOpacity": 0.03},
                   tooltip=folium.GeoJsonTooltip(fields=["code", "name"], aliases=[t("code", lang), t("name", lang)]),
                   ).add_to(m)
    for c in cands:
        folium.CircleMarker((c["lat"], c["lon"]), radius=7, color=QUEUE_CANDIDATE, fill=True, fill_opacity=0.8,
                            tooltip=f"{c.get('label', '')} · {c['grid_code']}").add_to(m)
    return m


def _details(row: dict, lang: str) -> None:
    phone, name = mask_phone(row.get("reporter_phone")), mask_name(row.get("reporter_name"))
    # the API's rule (role and the case's territory), the unmasked reading audited once per session
    shown = personal_shown({**row, "grid_code": judged_grid(row), "text": None}, "queue")
    st.markdown(f"**{t('queue_address', lang)}**：{row['address'] or '—'}")
    st.markdown(f"**{t('queue_reason', lang)}**：{row['reason_en'] if lang == 'en' else row['reason']}")
    who = [row.get("reporter_name"), row.get("reporter_phone")] if shown else [name, phone]
    st.caption(" · ".join([f"{t('queue_method', lang)}：{t('hl_method_' + row['method'], lang)}",
                           f"{row['confidence']:.2f}", *[w for w in who if w]]))
    if row.get("candidates"):
        st.markdown(f"**{t('queue_candidates', lang)}**")
        st.dataframe(pd.DataFrame(row["candidates"])[["grid_code", "label", "unit_code"]], hide_index=True, height=160)


def _place(row: dict, lang: str, **where) -> None:
    """Place the case as the user, or say why not."""
    store, who = data.store(), _who()
    try:
        target = resolve_target(store, **where)
        who.require(Action.MOVE_EVENTS, target.grid_code)
        result = place_queued(store, row["id"], who.actor, target)
    except (InputError, NotQueued, PermissionError) as exc:
        st.error(render(exc, lang))
        return
    st.session_state.pop("queue_point", None)
    st.session_state["queue_done"] = t("queue_placed", lang).format(id=row["id"], grid=result["grid_code"])
    st.rerun()


def _controls(row: dict, lang: str) -> None:
    point = st.session_state.get("queue_point")
    if point and point[0] == row["id"]:
        try:
            target = resolve_target(data.store(), lon=point[1], lat=point[2])
            st.info(t("queue_target", lang).format(grid=target.grid_code, lon=target.lon, lat=target.lat))
            if st.button(t("queue_place_here", lang), type="primary", key="queue_place_here"):
                _place(row, lang, lon=point[1], lat=point[2])
        except InputError as exc:
            st.warning(render(exc, lang))
    else:
        st.caption(t("queue_click_hint", lang))
    units = [c["unit_code"] for c in row.get("candidates") or [] if c.get("unit_code")]
    if units:
        unit = st.selectbox(t("queue_unit", lang), units, key=f"queue_unit_{row['id']}")
        if st.button(t("queue_place_unit", lang), key="queue_place_unit"):
            _place(row, lang, unit_code=unit)


def main() -> None:
    """The queue page."""
    L = common.lang()
    st.title(t("queue_title", L))
    st.caption(t("queue_intro", L))
    if st.session_state.get("queue_done"):
        st.success(st.session_state.pop("queue_done"))
    who = _who()
    rows = [r for r in list_queue(data.store(), limit=5000) if visible(who, r)]
    if not rows:
        st.info(t("queue_empty", L))
        return
    st.caption(t("queue_count", L).format(n=len(rows)))
    by_id = {r["id"]: r for r in rows}
    picked = st.selectbox(t("queue_pick", L), list(by_id), format_func=lambda i: _label(by_id[i], L), key="queue_case")
    row = by_id[picked]
    col_map, col_side = st.columns([3, 1.4])
    with col_side:
        _details(row, L)
        if session.may(Action.MOVE_EVENTS):
            _controls(row, L)
        else:
            st.info(session.not_allowed_text(Action.MOVE_EVENTS, L))
    with col_map:
        signature = (row["id"], L)
        if st.session_state.get("queue_map_cache", (None,))[0] != signature:
            st.session_state["queue_map_cache"] = (signature, case_map(row, L))
        out = st_folium_cached(st.session_state["queue_map_cache"][1], key=f"queue_map_{row['id']}", height=600,
                               returned_objects=["last_clicked"])
        clicked = (out or {}).get("last_clicked")
        if clicked:
            point = (row["id"], float(clicked["lng"]), float(clicked["lat"]))
            if st.session_state.get("queue_point") != point:
                st.session_state["queue_point"] = point
                st.rerun()


main()
