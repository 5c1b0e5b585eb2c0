"""指挥大屏 Wall display: dark, large type, no interaction; refreshes itself every N seconds.

The base map (all grids in grey, streets, legend) is built once per session and kept in
session state; each refresh runs only the fragment below, which pushes the changing layers
(grids at risk, heat) with streamlit-folium's feature_group_to_add. The map component keeps
its key, so it is not re-mounted and the view (centre and zoom, also kept in session state)
stays where it is. Interval: env GRIDGEO_WALL_REFRESH_S (default 30 s).
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from app_pages import common, data
from app_pages.fastmap import st_folium_cached
from app_pages.mapview import wall_base_map, wall_live_layers
from gridgeo.i18n import category_name, level_name, status_name, t
from gridgeo.risk import RISK_COLORS

L = common.lang()
seeded = common.seed_once()
layers_all = common.display_layers()
common.assets_warning()

st.markdown("""
<style>
  .stApp, [data-testid="stHeader"] { background: #07111f; color: #e8eef7; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stStatusWidget"],
  [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
  /* no fading of the old figures while a refresh runs: the wall never flickers */
  [data-stale="true"] { opacity: 1 !important; transition: none !important; filter: none !important; }
  .block-container { padding-top: 1rem; max-width: 100%; }
  h1, h2, h3, p, span, label, div { color: #e8eef7; }
  [data-testid="stMetric"] { background: #0f2038; border: 1px solid #1f3b63; border-radius: 8px;
                              padding: 10px 16px; }
  [data-testid="stMetricLabel"] p { font-size: 1.3rem !important; color: #9fc3ff !important; }
  [data-testid="stMetricValue"] { font-size: 3rem !important; font-weight: 700; color: #ffffff; }
  .gg-ticker { display: flex; white-space: nowrap; background: #0f2038; border: 1px solid #1f3b63;
               border-radius: 6px; padding: 8px 0; font-size: 1.25rem; }
  .gg-ticker > b { flex: none; padding: 0 1em; }
  .gg-ticker-window { flex: 1; overflow: hidden; }
  .gg-ticker span.gg-track { display: inline-block; padding-left: 100%; animation: gg-scroll var(--gg-cycle, 40s) linear infinite; }
  @keyframes gg-scroll { from { transform: translateX(0); } to { transform: translateX(-100%); } }
  .gg-bar { display: flex; align-items: center; font-size: 1.35rem; margin: 0.45rem 0; }
  .gg-bar-name { width: 5.5em; flex: none; }
  .gg-bar-fill { display: inline-block; height: 1.1rem; background: #4f9dff; margin-right: 0.5em; border-radius: 3px; }
  .gg-note { font-size: 0.95rem; color: #8aa4c8 !important; }
  .gg-lv { display:inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; margin: 0 0.3em 0 1.2em; }
</style>
""", unsafe_allow_html=True)

st.markdown(f"<h1 style='font-size:2.6rem;margin:0'>{t('wall_title', L)}</h1>", unsafe_allow_html=True)

if "wall_view" not in st.session_state:
    b = layers_all["district"].total_bounds
    st.session_state["wall_view"] = {"center": ((b[1] + b[3]) / 2, (b[0] + b[2]) / 2), "zoom": 12}
if "wall_base" not in st.session_state or st.session_state["wall_base"][0] != (L, id(layers_all)):
    st.session_state["wall_base"] = ((L, id(layers_all)), wall_base_map(layers_all, L))


@st.fragment(run_every=common.refresh_seconds())
def live() -> None:
    """Everything that changes: KPIs, ticker, pushed map layers, counts by street."""
    at = data.now()
    start, end = data.today_window(at)
    events = common.events(start, end, fresh=True)
    k = data.kpis(events, at)
    cols = st.columns(5)
    cols[0].metric(t("kpi_received", L), k["received"])
    cols[1].metric(t("kpi_accepted", L), k["accepted"])
    cols[2].metric(t("kpi_resolved", L), k["resolved"])
    cols[3].metric(t("kpi_rate", L), f"{k['resolution_rate'] * 100:.1f}%")
    cols[4].metric(t("kpi_overdue", L), k["overdue"])
    lv_cols = st.columns(4)
    for i, lvl in enumerate((1, 2, 3, 4)):
        lv_cols[i].metric(level_name(lvl, L), k["by_level"][lvl])

    latest = events.sort_values("reported_at", ascending=False).head(12) if len(events) else events
    items = "".join(
        f"<span class='gg-lv' style='background:{RISK_COLORS[int(r.level)]}'></span>"
        f"{pd.Timestamp(r.reported_at).tz_convert(data.TZ).strftime('%H:%M')} {html.escape(category_name(str(r.category), L))} "
        f"· {html.escape(status_name(r.status, L))} · {html.escape(str(r.grid_code))}"
        for r in latest.itertuples()
    )
    cycle = max(common.refresh_seconds(), 20.0)  # one pass of the ticker per refresh (at least 20 s)
    st.markdown(f"<div class='gg-ticker'><b>{t('latest_events', L)}</b><div class='gg-ticker-window'>"
                f"<span class='gg-track' style='--gg-cycle:{cycle:.0f}s'>{items}</span></div></div>",
                unsafe_allow_html=True)

    col_map, col_side = st.columns([3, 1])
    with col_map:
        view = st.session_state["wall_view"]
        st_folium_cached(st.session_state["wall_base"][1], key="wall_map", height=720,
                         center=view["center"], zoom=view["zoom"],
                         feature_group_to_add=wall_live_layers(layers_all, events, L), returned_objects=[])
    with col_side:
        st.markdown(f"### {t('by_street', L)}")
        names = dict(zip(layers_all["streets"]["code"], layers_all["streets"]["name"], strict=True))
        counts = (events["street_code"].map(names).value_counts() if len(events) else pd.Series(dtype=int))
        counts = counts.reindex(list(names.values()), fill_value=0)
        top = max(int(counts.max()) if len(counts) else 0, 1)
        bars = "".join(
            f"<div class='gg-bar'><span class='gg-bar-name'>{html.escape(name)}</span>"
            f"<span class='gg-bar-fill' style='width:{70 * n / top:.1f}%'></span><b>{n}</b></div>"
            for name, n in counts.items()
        )
        st.markdown(f"<div class='gg-bars'>{bars}</div>", unsafe_allow_html=True)
        st.markdown(f"<p class='gg-note'>{t('updated_at', L)} {at.strftime('%H:%M:%S')}<br>"
                    f"{html.escape(common.source_text(seeded, events))}</p>", unsafe_allow_html=True)


live()
