"""研判 Review: a period against the previous one, by place/category/level, trends, hot spots, exports."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import common, data
from app_pages.fastmap import st_folium_cached
from gridgeo.i18n import category_name, level_name, t
from gridgeo.review import (
    HOTSPOT_COLORS,
    OUT_OF_AREA,
    compare_periods,
    daily_trend,
    excel_bytes,
    grid_weights,
    hotspots,
    previous_period,
    static_map,
)
from layers import Legend, area_layer, base_map, district_outline


def trend_chart(trend: pd.DataFrame, lang: str) -> alt.Chart:
    """Daily counts by level as lines in the four warning colours, with numeric dates (no
    English month names) and axis titles in the page language."""
    long = trend.rename_axis("day").reset_index().melt("day", var_name="level", value_name="n")
    long["day"] = pd.to_datetime(long["day"]).dt.strftime("%m-%d")
    return alt.Chart(long, height=260).mark_line(point=True).encode(
        x=alt.X("day:O", title=t("date", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=t("events", lang)),
        color=alt.Color("level:N", title=t("level", lang), sort=list(trend.columns),
                        scale=alt.Scale(domain=list(trend.columns),
                                        range=["#e02020", "#f58220", "#f5d000", "#2a7fd4"])),
        tooltip=["day:O", "level:N", "n:Q"],
    )


L = common.lang()
seeded = common.seed_once()
layers_all = common.display_layers()
atlas = common.atlas()
common.assets_warning()
st.title(t("review_title", L))

today = data.now().date()
picked = st.date_input(t("date_range", L), value=(today - timedelta(days=6), today), max_value=today,
                       key="review_range")
if isinstance(picked, tuple | list):  # a range while being picked may have one end only
    first, last = (picked[0], picked[-1]) if picked else (today, today)
else:
    first = last = picked
start = datetime.combine(first, time.min, tzinfo=data.TZ)
end = min(datetime.combine(last + timedelta(days=1), time.min, tzinfo=data.TZ), data.now())
prev_start, prev_end = previous_period(start, end)
current = common.events(start, end)
previous = common.events(prev_start, prev_end)
st.caption(f"{t('this_period', L)} {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} · "
           f"{t('previous_period', L)} {prev_start:%Y-%m-%d %H:%M} – {prev_end:%Y-%m-%d %H:%M}")

c1, c2, c3 = st.columns(3)
c1.metric(t("kpi_received", L), len(current), len(current) - len(previous), delta_color="inverse")
cur_k, prev_k = data.kpis(current, end), data.kpis(previous, prev_end)
c2.metric(t("kpi_resolved", L), cur_k["resolved"], cur_k["resolved"] - prev_k["resolved"])
c3.metric(t("kpi_rate", L), f"{cur_k['resolution_rate'] * 100:.1f}%",
          f"{(cur_k['resolution_rate'] - prev_k['resolution_rate']) * 100:+.1f}%")

# ---- tables by street / community / grid / category / level
names = {
    "street": dict(zip(atlas.streets["code"], atlas.streets["name"], strict=True)),
    "community": dict(zip(atlas.communities["code"], atlas.communities["name"], strict=True)),
    "grid": dict(zip(layers_all["grids"]["code"], layers_all["grids"]["name"], strict=True)),
}
tables: dict[str, pd.DataFrame] = {}
for by in ("street", "community", "grid", "category", "level"):
    table = compare_periods(current, previous, by)
    if by in names:
        label = table["key"].map({**names[by], OUT_OF_AREA: t("out_of_area", L)}).fillna(table["key"])
    elif by == "category":
        label = table["key"].map(lambda c: category_name(str(c), L))
    else:
        label = table["key"].map(lambda v: level_name(int(v), L))
    tables[t(by if by != "level" else "level", L)] = pd.DataFrame({
        t("code", L): table["key"].astype(str), t("name", L): label,
        t("this_period", L): table["current"], t("previous_period", L): table["previous"],
        t("change", L): table["change"], f"{t('change', L)} %": table["change_pct"].round(1),
    })
tabs = st.tabs(list(tables))
for tab, table in zip(tabs, tables.values(), strict=True):
    with tab:
        st.dataframe(table, hide_index=True, height=300)

# ---- trend
st.subheader(t("trend", L))
trend = daily_trend(current, start, end)
trend.columns = [level_name(c, L) for c in trend.columns]
st.altair_chart(trend_chart(trend, L), width="stretch")


# ---- hot spots (Getis-Ord Gi*) on grid counts
@st.cache_resource(show_spinner=False, max_entries=4)
def _weights(grid_codes: tuple[str, ...]):
    del grid_codes  # cache key: the grid set shown
    return grid_weights(layers_all["grids"])


@st.cache_data(show_spinner=False, max_entries=16)
def _hotspots(grid_codes: tuple[str, ...], counts: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    return hotspots(layers_all["grids"], pd.Series(dict(counts), dtype=float), w=_weights(grid_codes))


st.subheader(t("hotspots", L))
counts = current["grid_code"].dropna().value_counts() if len(current) else pd.Series(dtype=int)
hs = _hotspots(tuple(layers_all["grids"]["code"]), tuple(sorted((str(k), int(v)) for k, v in counts.items())))
labels = {"hot": t("hot", L), "cold": t("cold", L), "not_significant": t("not_significant", L)}
legend_items = [(HOTSPOT_COLORS[k], labels[k]) for k in ("hot", "cold", "not_significant")]


def _hotspot_map():
    grids = layers_all["grids"].merge(hs, on="code", how="left")
    grids["cls"] = grids["cls"].fillna("not_significant")
    grids["color"] = grids["cls"].map(HOTSPOT_COLORS)
    grids["cls_label"] = grids["cls"].map(labels)
    grids["z"] = grids["z"].round(2)
    m = base_map(tuple(layers_all["district"].total_bounds))
    district_outline(layers_all["district"]).add_to(m)
    area_layer(grids, "grids", t("layer_hotspots", L), ["name", "code", "count", "z", "p", "cls_label"],
               [t("name", L), t("code", L), t("count", L), "Gi* z", "p", t("hotspots", L)],
               style={"fillOpacityColored": 0.75}, fill_column="color").add_to(m)
    note = ("Getis-Ord Gi*（esda.G_Local, star=True），邻接（含角点），199 次条件置换，p ≤ 0.05" if L == "zh" else
            "Getis-Ord Gi* (esda.G_Local, star=True), contiguity (corners included), 199 conditional "
            "permutations, p ≤ 0.05")
    Legend(t("hotspots", L), legend_items, note=note).add_to(m)
    return m


hs_signature = (L, id(layers_all), tuple(hs["cls"]), tuple(hs["count"]))
if st.session_state.get("review_map_cache", (None,))[0] != hs_signature:
    st.session_state["review_map_cache"] = (hs_signature, _hotspot_map())
st_folium_cached(st.session_state["review_map_cache"][1], key="review_map", height=520, returned_objects=[])
hs_summary = hs["cls"].value_counts().reindex(list(labels), fill_value=0)
st.caption(" · ".join(f"{labels[k]} {int(v)}" for k, v in hs_summary.items()))

# ---- exports
stamp = f"{first:%Y%m%d}-{last:%Y%m%d}"
title = f"{t('hotspots', L)} {first:%Y-%m-%d} – {last:%Y-%m-%d}"
full_grids = layers_all["grids"].merge(hs[["code", "cls"]], on="code", how="left")
full_colors = full_grids["cls"].fillna("not_significant").map(HOTSPOT_COLORS)
e1, e2, e3 = st.columns(3)
# generated when clicked (deferred), without a rerun of the page
e1.download_button(t("export_excel", L), data=lambda: excel_bytes(tables), file_name=f"gridgeo-review-{stamp}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx",
                   on_click="ignore")
e2.download_button(t("export_png", L), file_name=f"gridgeo-hotspots-{stamp}.png", mime="image/png", key="dl_png",
                   on_click="ignore",
                   data=lambda: static_map(full_grids, full_colors, title, legend_items, atlas.district, "png",
                                             note=common.source_text(0, current)))
e3.download_button(t("export_pdf", L), file_name=f"gridgeo-hotspots-{stamp}.pdf", mime="application/pdf",
                   key="dl_pdf", on_click="ignore",
                   data=lambda: static_map(full_grids, full_colors, title, legend_items, atlas.district, "pdf",
                                             note=common.source_text(0, current)))
common.source_caption(seeded, current)
