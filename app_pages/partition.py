"""网格划分 Partition planner: choose layers and bounds, run, compare with legacy grids, export.

A page script (app.py picks it up from app_pages/). Nothing runs until 运行 is pressed; the run
shows a progress bar and keeps its result in the session. Scope: one street (a few seconds) or
the whole district (about 15 s on the default dataset).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import common
from gridgeo.i18n import t
from gridgeo.partition import run_partition
from gridgeo.partition.summary import summary_markdown

L = common.lang()

TEXT = {
    "intro": ("按社区边界，把多套交叠的旧网格（党建、综治、城管……）合并为一套全要素网格：社区内连续、紧凑、"
              "户数在区间内，能保留的旧网格尽量整体保留。", "Merge overlapping legacy grids into one set of "
              "all-element grids: inside community borders, contiguous, compact, within the household band, "
              "keeping legacy grids whole where they fit."),
    "scope": ("范围", "Scope"), "district": ("全区", "Whole district"),
    "band": ("每格户数区间", "Households per grid"), "layers": ("参与合并的旧网格图层", "Legacy layers to merge"),
    "primary": ("主图层（尽量整体保留）", "Primary layer (kept whole where it fits)"), "auto": ("自动", "auto"),
    "seed": ("随机种子", "Seed"), "sliver": ("碎片面积阈值 (m²)", "Sliver tolerance (m²)"),
    "run": ("运行", "Run"), "press_run": ("设置参数后点击“运行”。", "Set the parameters and press Run."),
    "grids": ("网格数", "Grids"), "within": ("户数达标", "Within band"), "pp": ("紧凑度中位数", "Compactness (median)"),
    "time": ("用时", "Run time"), "color_by": ("着色依据", "Colour by"), "status": ("户数状态", "Size status"),
    "change": ("相对主图层的变化", "Change vs primary layer"), "proposal": ("方案", "Proposal"),
    "legacy": ("旧网格", "Legacy grids"), "legacy_layer": ("对照图层", "Legacy layer shown"),
    "inspect": ("查看网格", "Inspect a grid"), "went_into": ("由哪些旧网格构成", "Legacy grids in this grid"),
    "infeasible": ("未达标网格及原因", "Grids outside the band, with reasons"), "none": ("无", "none"),
    "downloads": ("下载", "Downloads"), "preservation": ("旧网格保留情况", "Legacy preservation"),
    "ok": ("达标", "within band"), "under_min": ("户数不足", "below min"), "over_max": ("户数超限", "above max"),
    "kept": ("整体保留", "kept whole"), "merged": ("整体合并", "merged whole"), "split": ("拆分", "split"),
    "reshaped": ("重组", "reshaped"), "households": ("户数", "households"), "population": ("人口", "population"),
    "code": ("编码", "code"),
}
STATUS_COLORS = {"ok": "#2e7d32", "under_min": "#f9a825", "over_max": "#c62828"}
CHANGE_COLORS = {"kept": "#1565c0", "merged": "#6a1b9a", "split": "#ef6c00", "reshaped": "#757575"}


def tr(key: str) -> str:
    zh, en = TEXT[key]
    return en if L == "en" else zh


def _scope_frames(atlas, street: str | None):
    if street is None:
        return atlas.communities, atlas.legacy, atlas.units
    comms = atlas.communities[atlas.communities["street_code"] == street]
    hull = comms.geometry.union_all()
    legacy = atlas.legacy[atlas.legacy.intersects(hull)]  # whole grids: the refinement cuts them
    if "community_code" in atlas.units.columns:
        units = atlas.units[atlas.units["community_code"].isin(comms["code"])]
    else:
        units = atlas.units[atlas.units.intersects(hull)]
    return comms, legacy, units


def _map(gdf, fill: pd.Series | None, tooltip: list[str], key: str, communities,
         legend: dict[str, str] | None = None):
    from layers.base import base_map
    from layers.polygons import area_layer

    bounds = tuple(gdf.total_bounds)
    m = base_map(bounds, basemap="offline")
    frame = gdf.copy()
    if fill is not None:
        frame["_color"] = fill.to_numpy()
    area_layer(frame, "grids", key, tooltip, tooltip, fill_column="_color" if fill is not None else None,
               style={"weight": 1.0, "color": "#37474f"}).add_to(m)
    area_layer(communities, "communities", f"{key}_communities", ["name"], ["name"], highlight=False,
               style={"weight": 2.5}).add_to(m)
    st_folium(m, key=key, height=480, use_container_width=True, returned_objects=[])
    if legend:
        st.caption(" · ".join(f"<span style='color:{c}'>■</span> {name}" for name, c in legend.items()),
                   unsafe_allow_html=True)


atlas = common.atlas()
common.assets_warning()
st.title(t("page_partition", L))
st.caption(tr("intro"))

streets = atlas.streets.sort_values("code")
all_layers = sorted(atlas.legacy["layer"].astype(str).unique())
with st.sidebar:
    scope = st.selectbox(tr("scope"), ["__district__", *streets["code"]], index=1, key="pp_scope",
                         format_func=lambda c: tr("district") if c == "__district__" else
                         streets.set_index("code").at[c, "name"])
    lo, hi = st.slider(tr("band"), 50, 1500, (300, 500), step=10, key="pp_band")
    chosen = st.multiselect(tr("layers"), all_layers, default=all_layers, key="pp_layers")
    primary = st.selectbox(tr("primary"), ["__auto__", *chosen], key="pp_primary",
                           format_func=lambda x: tr("auto") if x == "__auto__" else x)
    seed = int(st.number_input(tr("seed"), 0, 10_000, 0, key="pp_seed"))
    sliver = float(st.slider(tr("sliver"), 0, 1000, 100, step=10, key="pp_sliver"))
    run = st.button(tr("run"), type="primary", key="pp_run", disabled=not chosen)

if run:
    bar = st.progress(0.0, text=tr("run"))

    def progress(stage: str, frac: float) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=stage)

    comms, legacy, units = _scope_frames(atlas, None if scope == "__district__" else scope)
    result = run_partition(comms, legacy, units, lo, hi, None if primary == "__auto__" else primary, seed,
                           sliver_m2=sliver, layers=chosen, progress=progress)
    st.session_state["pp_result"] = result
    st.session_state["pp_legacy"] = legacy
    bar.empty()

result = st.session_state.get("pp_result")
if result is None:
    st.info(tr("press_run"))
    st.stop()

grids, crosswalk, metrics = result.grids, result.crosswalk, result.metrics
scope_comms = atlas.communities[atlas.communities["code"].isin(grids["community"])]
c1, c2, c3, c4 = st.columns(4)
c1.metric(tr("grids"), metrics["grids"])
c2.metric(tr("within"), f"{metrics['share_within_bounds']:.1%}")
c3.metric(tr("pp"), f"{metrics['polsby_popper'].get('median', 0):.3f}")
c4.metric(tr("time"), f"{metrics['timings']['total_s']:.1f} s")

color_by = st.radio(tr("color_by"), ["size_status", "change"], horizontal=True, key="pp_color",
                    format_func=lambda k: tr("status") if k == "size_status" else tr("change"))
palette = STATUS_COLORS if color_by == "size_status" else CHANGE_COLORS
left, right = st.columns(2)
with left:
    st.subheader(tr("proposal"))
    _map(grids, grids[color_by].map(palette).fillna("#9e9e9e"),
         ["code", "households", "population", "size_status", "change"], "pp_map_new", scope_comms,
         {tr(k): c for k, c in palette.items()})
with right:
    st.subheader(tr("legacy"))
    legacy_all = st.session_state.get("pp_legacy", atlas.legacy)
    shown_layer = st.selectbox(tr("legacy_layer"), metrics["layers"], key="pp_legacy_layer",
                               index=metrics["layers"].index(metrics["primary_layer"]))
    old = legacy_all[legacy_all["layer"].astype(str) == shown_layer]
    if scope != "__district__":  # show the street's share of each legacy grid
        old = old.clip(scope_comms.geometry.union_all())
        old = old[old.geom_type.isin(["Polygon", "MultiPolygon"])]
    _map(old, None, ["code", "name", "layer"], "pp_map_old", scope_comms)

st.subheader(tr("preservation"))
pres = pd.DataFrame(metrics["preservation"]).T
st.dataframe(pres, use_container_width=True)

st.subheader(tr("inspect"))
code = st.selectbox(tr("inspect"), grids["code"], key="pp_inspect", label_visibility="collapsed")
row = grids[grids["code"] == code].drop(columns="geometry").iloc[0]
st.dataframe(row.to_frame().T, hide_index=True, use_container_width=True)
st.caption(tr("went_into"))
st.dataframe(crosswalk[crosswalk["grid_code"] == code], hide_index=True, use_container_width=True)

st.subheader(tr("infeasible"))
if metrics["infeasible"]:
    st.dataframe(pd.DataFrame(metrics["infeasible"]), hide_index=True, use_container_width=True)
else:
    st.write(tr("none"))

st.subheader(tr("downloads"))
d1, d2, d3, d4, d5 = st.columns(5)
d1.download_button("grids.geojson", grids.to_json(), "grids.geojson", "application/geo+json", key="pp_dl_geojson")
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "grids.gpkg"
    grids.to_file(path, driver="GPKG", engine="pyogrio", layer="grids")
    d2.download_button("grids.gpkg", path.read_bytes(), "grids.gpkg", "application/geopackage+sqlite3",
                       key="pp_dl_gpkg")
buf = io.StringIO()
crosswalk.to_csv(buf, index=False)
d3.download_button("crosswalk.csv", buf.getvalue().encode("utf-8-sig"), "crosswalk.csv", "text/csv",
                   key="pp_dl_csv")
d4.download_button("metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2, default=str),
                   "metrics.json", "application/json", key="pp_dl_json")
d5.download_button("summary.md", summary_markdown(metrics), "summary.md", "text/markdown", key="pp_dl_md")
with st.expander("summary.md"):
    st.markdown(summary_markdown(metrics))
