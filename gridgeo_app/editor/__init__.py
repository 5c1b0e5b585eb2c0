"""The in-browser plan editor: a custom Streamlit component (plain JS + the vendored Leaflet, no
build step, no CDN) where planners paint atoms into grids as in Districtr.

The browser holds the community's atom -> grid assignment, paints every click or stroke at once
and sends each finished stroke (and undo/redo, a selection, a drawn split line) to Python with
a sequence number. The page calls :func:`consume` before it reads the plan (so this run already
shows the stroke's figures and checks) and :func:`editor_map` where the map goes.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from gridgeo.i18n import layer_name, render, t
from gridgeo.palette import PALETTE, SEVERITY_COLORS, STATUS_COLORS
from gridgeo.plan.editor_data import community_atoms_geojson, community_grids, editor_state, grid_palette
from gridgeo.plan.history import EditHistory
from gridgeo.plan.model import Plan
from gridgeo.plan.strokes import BrowserBatch, apply_browser_ops

FRONTEND = Path(__file__).resolve().parent / "frontend"
KEY = "pe_map"  # the component's widget key (its value is the browser's op queue)
_component = components.declare_component("plan_editor", path=str(FRONTEND))

# catalogue keys of the browser's strings (the browser names them without the ``pe_``)
LABEL_KEYS = (
    "pe_tool_brush", "pe_tool_legacy", "pe_tool_erase", "pe_tool_select", "pe_tool_lasso", "pe_tool_line",
    "pe_tool_pan", "pe_tip_brush", "pe_tip_legacy", "pe_tip_erase", "pe_tip_select", "pe_tip_lasso", "pe_tip_line",
    "pe_tip_pan", "pe_size",
    "pe_legacy_layer", "pe_active", "pe_color_by", "pe_color_grid", "pe_color_status", "pe_undo", "pe_redo",
    "pe_clear_selection", "pe_latency", "pe_syncing", "pe_synced", "pe_pick_active", "pe_community_balance",
    "pe_households", "pe_grids", "pe_in_band", "pe_range", "pe_unassigned", "pe_band", "pe_hh_unit",
    "pe_touched", "pe_touched_none", "pe_all_grids", "pe_st_under_min", "pe_st_ok", "pe_st_over_max",
    "pe_st_empty", "pe_legend", "pe_lg_fill_grid", "pe_lg_fill_under_min", "pe_lg_fill_ok",
    "pe_lg_fill_over_max", "pe_lg_unassigned", "pe_lg_outline", "pe_lg_outline_pending", "pe_lg_selected",
    "pe_lg_issue_error", "pe_lg_issue_warning", "pe_lg_bar", "pe_lg_brush", "pe_line_sent", "pe_refused",
    "pe_atom",
)


def labels(lang: str) -> dict[str, str]:
    """The browser's UI strings in ``lang`` from the one catalogue."""
    return {k.removeprefix("pe_"): t(k, lang) for k in LABEL_KEYS}


def _plan_ref(history: EditHistory) -> tuple[int, int]:
    return id(history), id(history.current)


def consume(history: EditHistory, lang: str) -> BrowserBatch | None:
    """Apply what the map sent since the last run to ``history`` (call it before reading the plan).

    Keeps the browser's selection and drawn line in ``pl_atoms`` / ``pl_line``, refusals for the
    browser to show, and notes when the plan changed outside the map (buttons, save, reload)
    so the browser drops its own undo stack.
    """
    ss = st.session_state
    if ss.get("pe_ref") is not None and ss["pe_ref"] != _plan_ref(history):
        ss["pe_ext_rev"] = ss.get("pe_ext_rev", 0) + 1
    value = ss.get(KEY)
    seen = ss.setdefault("pe_seen", {})
    batch = None
    if isinstance(value, dict):
        sid = str(value.get("sid", ""))
        batch = apply_browser_ops(history, value, seen.get(sid, 0))
        if batch is not None:
            seen[sid] = batch.last_seq
            ss["pe_ack"] = {"sid": sid, "seq": batch.last_seq}
            if batch.rejected:
                shown = [{"sid": r["sid"], "seq": r["seq"], "message": t("pe_refused", lang) + render(r["error"], lang)}
                         for r in batch.rejected]
                ss["pe_rejected"] = [*ss.get("pe_rejected", []), *shown][-20:]
            if batch.selection is not None:
                ss["pl_atoms"] = batch.selection
            if batch.line is not None:
                ss["pl_line"] = batch.line
            if batch.server_ms is not None:
                ss["pe_server_ms"] = batch.server_ms
                ss["pe_server_times"] = [*ss.get("pe_server_times", []),
                                         {"wall": round(batch.server_ms, 1), "cpu": round(batch.cpu_ms, 1)}][-50:]
    ss["pe_ref"] = _plan_ref(history)
    return batch


def _colors(plan: Plan, plan_id: int, community: str) -> dict[str, str]:
    """Grid colours of the community, stable over the session (new grids get a free colour)."""
    store = st.session_state.setdefault("pe_colors", {})
    key = (plan_id, community)
    codes = community_grids(plan, community)
    previous = store.get(key, {})
    if not set(codes) <= set(previous):
        previous = grid_palette(plan, codes, previous)
        store[key] = previous
    return previous


def editor_map(plan: Plan, plan_id: int, community: str, community_name: str, history: EditHistory,
               issues: list, focus: str | None, lang: str, view: tuple | None = None, height: int = 720) -> None:
    """Draw the editor for ``community`` of ``plan`` (the page's map)."""
    ss = st.session_state
    state = editor_state(plan, community, _colors(plan, plan_id, community), base=history.base, issues=issues)
    state.update({
        "community_name": community_name, "status_colors": STATUS_COLORS, "severity_colors": SEVERITY_COLORS,
        "fill_sample": [PALETTE[i] for i in (0, 3, 4, 5)], "active": focus,
        "legacy_layers": [{"key": k, "name": layer_name(k, lang)} for k in plan.atoms.legacy_layers],
        "ack": ss.get("pe_ack"), "rejected": ss.get("pe_rejected", []),
        "ext_rev": ss.get("pe_ext_rev", 0), "can_undo": history.can_undo, "can_redo": history.can_redo,
        "server_ms": ss.get("pe_server_ms"), "server_times": ss.get("pe_server_times", []),
        "selection": list(ss.get("pl_atoms", [])),
        "view": {"lat": view[0], "lon": view[1], "zoom": view[2], "nonce": repr(view)} if view else None,
    })
    _component(static=community_atoms_geojson(plan.atoms, community), state=state, labels=labels(lang),
               height=height, key=KEY, default=None)
