"""研判 Review: a period against the previous one (when that has data), by place/category/level,
trends, Gi* hot spots in confidence bins with a ranked list, and exports for the meeting.

Layout for the meeting's screen: title, dates and the key figures in one row, then tabs whose
first is the hot-spot map, as tall as the screen leaves (gridgeo_app.screen). The default period
is the last complete days (gridgeo.analysis.review.default_days); today is shown apart, marked
partial. Typed dates apply on Enter and Tab (gridgeo_app.date_keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from gridgeo.analysis.halls import hall_review_table
from gridgeo.analysis.hotspots import BIN_ORDER, GI_BINS, grid_weights, hotspots, ranked_hotspots
from gridgeo.analysis.review import (
    DEFAULT_DAYS,
    compare_periods,
    comparison_basis,
    daily_trend,
    default_days,
    labelled_comparison,
    period_window,
    previous_period,
)
from gridgeo.analysis.risk import describe_rule
from gridgeo.i18n import level_name, t
from gridgeo.palette import LEVEL_COLORS
from gridgeo.printing.review_export import (
    BaseLayers,
    Hotspots,
    Sheet,
    bin_legend,
    hotspot_map,
    review_workbook,
)
from gridgeo_app import context as common
from gridgeo_app import event_source as data
from gridgeo_app.date_keys import dates_apply_on_enter
from gridgeo_app.layers import Legend, area_layer, base_map, district_outline, label_layer
from gridgeo_app.map_render import st_folium_cached
from gridgeo_app.maps import fit_area
from gridgeo_app.scope import territory_name
from gridgeo_app.screen import frame_css, use_screen

GROUPS = ("street", "community", "grid", "category", "level")
# the earliest day the period picker offers: under two years back, the span below which Streamlit
# leaves out its English-only quick-select row (its calendar itself follows the browser's language)
EARLIEST_DAYS = 729


def trend_chart(trend: pd.DataFrame, lang: str) -> alt.Chart:
    """Daily counts by level as lines in the four warning colours, with numeric dates (no
    English month names) and axis titles in the page language."""
    long = trend.rename_axis("day").reset_index().melt("day", var_name="level", value_name="n")
    long["day"] = pd.to_datetime(long["day"]).dt.strftime("%m-%d")
    return alt.Chart(long, height=260).mark_line(point=True).encode(
        x=alt.X("day:O", title=t("date", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=t("events", lang)),
        color=alt.Color("level:N", title=t("level", lang), sort=list(trend.columns),
                        scale=alt.Scale(domain=list(trend.columns), range=list(LEVEL_COLORS))),
        tooltip=["day:O", "level:N", "n:Q"],
    )


def pick_period(lang: str, box=st) -> tuple:
    """The date range picker (default: the last complete days): (first day, last day, start,
    end, partial) with end capped at now and partial when the period reaches into today."""
    now = data.now()
    today = now.date()
    picked = box.date_input(t("date_range", lang), value=default_days(today), max_value=today,
                            min_value=today - timedelta(days=EARLIEST_DAYS),
                            key="review_range", help=t("review_date_hint", lang))
    if isinstance(picked, tuple | list):  # a range while being picked may have one end only
        first, last = (picked[0], picked[-1]) if picked else default_days(today)
    else:
        first = last = picked
    start, end, partial = period_window(first, last, now)
    return first, last, start, end, partial


def today_apart(lang: str) -> str:
    """Today, shown apart from the period and marked partial: since midnight, how many received."""
    start, end = data.today_window()
    return t("review_partial_today", lang).format(start=start.strftime("%H:%M"), n=len(common.events(start, end)))


def fmt_time(ts: datetime) -> str:
    """A time in the app's zone, to the minute."""
    return pd.Timestamp(ts).tz_convert(data.TZ).strftime("%Y-%m-%d %H:%M")


def comparison_notice(basis: str, first_prev, prev_start: datetime, prev_end: datetime, lang: str) -> str:
    """The sentence saying why there is no comparison ("" when there is one)."""
    if basis == "ok":
        return ""
    key = "no_comparison_empty" if basis == "empty" else "no_comparison_partial"
    return t(key, lang).format(start=fmt_time(prev_start), end=fmt_time(prev_end),
                               first=fmt_time(first_prev) if first_prev is not None else "")


def kpi_row(current: pd.DataFrame, previous: pd.DataFrame, end: datetime, prev_end: datetime,
            comparable: bool, lang: str, cols=None) -> None:
    """Received, resolved and resolution rate (in ``cols``, three columns); deltas only against
    a comparable previous period."""
    cur_k, prev_k = data.kpis(current, end), data.kpis(previous, prev_end)
    c1, c2, c3 = cols if cols is not None else st.columns(3)
    if not comparable:
        c1.metric(t("kpi_received", lang), len(current))
        c2.metric(t("kpi_resolved", lang), cur_k["resolved"])
        c3.metric(t("kpi_rate", lang), f"{cur_k['resolution_rate'] * 100:.1f}%")
        return
    c1.metric(t("kpi_received", lang), len(current), len(current) - len(previous), delta_color="inverse")
    c2.metric(t("kpi_resolved", lang), cur_k["resolved"], cur_k["resolved"] - prev_k["resolved"])
    c3.metric(t("kpi_rate", lang), f"{cur_k['resolution_rate'] * 100:.1f}%",
              f"{(cur_k['resolution_rate'] - prev_k['resolution_rate']) * 100:+.1f}%")


def group_tables(current: pd.DataFrame, previous: pd.DataFrame, comparable: bool, lang: str) -> dict:
    """One labelled table per grouping (street ... level), keyed by its name in ``lang``."""
    atlas, grids = common.atlas(), common.display_layers()["grids"]
    names = {
        "street": dict(zip(atlas.streets["code"], atlas.streets["name"], strict=True)),
        "community": dict(zip(atlas.communities["code"], atlas.communities["name"], strict=True)),
        "grid": dict(zip(grids["code"].astype(str), grids["name"], strict=True)),
    }
    return {t(by, lang): labelled_comparison(compare_periods(current, previous, by), by, names.get(by), lang,
                                             comparable) for by in GROUPS}


@st.cache_resource(show_spinner=False, max_entries=4)
def _weights(grid_codes: tuple[str, ...]):
    del grid_codes  # cache key: the grid set shown
    return grid_weights(common.display_layers()["grids"])


@st.cache_data(show_spinner=False, max_entries=16)
def _hotspots(grid_codes: tuple[str, ...], counts: tuple[tuple[str, int], ...], fdr: bool) -> pd.DataFrame:
    return hotspots(common.display_layers()["grids"], pd.Series(dict(counts), dtype=float), fdr=fdr,
                    w=_weights(grid_codes))


def hotspot_frame(current: pd.DataFrame, fdr: bool) -> pd.DataFrame:
    """Gi* of the current period's counts per grid (cached by grid set, counts and FDR)."""
    grids = common.display_layers()["grids"]
    counts = current["grid_code"].dropna().astype(str).value_counts() if len(current) else pd.Series(dtype=int)
    return _hotspots(tuple(grids["code"].astype(str)), tuple(sorted((k, int(v)) for k, v in counts.items())), fdr)


def method_note(fdr: bool, lang: str) -> str:
    """The hot-spot method in one sentence."""
    return t("hotspot_method", lang).format(fdr=t("fdr_applied", lang) if fdr else "")


def hotspot_map_widget(hs: pd.DataFrame, fdr: bool, lang: str):
    """The folium hot-spot map: grids in the seven Gi_Bin colours, street/community names, legend."""
    layers_all = common.display_layers()
    grids = layers_all["grids"].merge(hs, on="code", how="left")
    grids["gi_bin"] = grids["gi_bin"].fillna(0).astype(int)
    grids["color"] = grids["gi_bin"].map(lambda b: GI_BINS[b][1])
    grids["bin_label"] = grids["gi_bin"].map(lambda b: t(f"gi_bin_{b}", lang))
    grids["z"], grids["p"] = grids["z"].round(2), grids["p"].map(lambda v: f"{v:.3g}")
    m = base_map(tuple(fit_area(layers_all).total_bounds))  # the session's territory
    district_outline(layers_all["district"]).add_to(m)
    area_layer(grids, "grids", t("layer_hotspots", lang),
               ["name", "community_name", "count", "z", "p", "bin_label"],
               [t("name", lang), t("community", lang), t("count", lang), t("z_score", lang), t("p_value", lang),
                t("hotspot_class", lang)],
               style={"fillOpacityColored": 0.8, "weight": 0.3}, fill_column="color").add_to(m)
    area_layer(layers_all["streets"], "streets", t("layer_streets", lang), [], [], interactive=False).add_to(m)
    label_layer(layers_all["streets"], "streets", t("layer_streets", lang), min_zoom=0).add_to(m)
    label_layer(layers_all["communities"], "communities", t("layer_communities", lang), min_zoom=13).add_to(m)
    Legend(t("hotspot_class", lang), bin_legend(hs, lang), font_px=11).add_to(m)
    return m


def ranking_table(ranked: pd.DataFrame, lang: str, compact: bool = False) -> pd.DataFrame:
    """The ranked hot-spot grids with headers in ``lang`` (``compact``: without street and p-value)."""
    table = pd.DataFrame({
        t("rank", lang): ranked["rank"], t("name", lang): ranked["name"],
        t("community", lang): ranked["community_name"], t("street", lang): ranked["street_name"],
        t("count", lang): ranked["count"], t("z_score", lang): ranked["z"].round(2),
        t("p_value", lang): ranked["p"].map(lambda v: float(f"{v:.3g}")),
        t("hotspot_class", lang): ranked["gi_bin"].map(lambda b: t(f"gi_bin_{b}", lang)),
    })
    return table.drop(columns=[t("street", lang), t("p_value", lang)]) if compact else table


def atlas_text(lang: str) -> str:
    """The atlas on the cover: district name and code, and whether the data inside are synthetic."""
    atlas = common.atlas()
    name = f"{atlas.district['name'].iloc[0]}（{atlas.district_code}）"
    return f"{name} · {t('synthetic_note', lang)}" if atlas.meta.get("synthetic") else name


def cover_rows(period: str, previous: str, n_events: int, hs: pd.DataFrame, fdr: bool, source: str,
               lang: str) -> list[tuple[str, str]]:
    """The Excel cover sheet: period, previous period, atlas, risk rule, method, classes, source."""
    counts = hs["gi_bin"].value_counts()
    classes = "；".join(f"{t(f'gi_bin_{b}', lang)} {int(counts.get(b, 0))}" for b in BIN_ORDER)
    return [(t("period", lang), period), (t("previous_period", lang), previous),
            (t("events_total", lang), f"{n_events:,}"),
            (t("atlas", lang), atlas_text(lang)),
            (t("risk_rule", lang), describe_rule(lang=lang)), (t("hotspots", lang), method_note(fdr, lang)),
            (t("hotspot_summary", lang), classes), (t("source", lang), source),
            *([(t("territory_label", lang), place)] if (place := territory_name(common.display_layers())) else []),
            (t("generated_at", lang), fmt_time(data.now()))]


def exports(tables: dict, hs: pd.DataFrame, ranked: pd.DataFrame, ctx: dict, lang: str) -> None:
    """Excel workbook and PNG/PDF map downloads, generated when clicked."""
    layers_all, atlas = common.display_layers(), common.atlas()
    title = f"{t('review_title', lang)} · {t('hotspots', lang)}"
    page = st.radio(t("page_size", lang), ["A4", "A3"], horizontal=True, key="review_page")

    def workbook() -> bytes:
        sheets = {**tables, t("hot_ranking", lang): ranking_table(ranked, lang)}
        cover = cover_rows(ctx["period"], ctx["previous"], ctx["n"], hs, ctx["fdr"], ctx["source"], lang)
        return review_workbook(f"{t('report_title', lang)} {ctx['period']}", cover, sheets, lang)

    def picture(fmt: str) -> bytes:
        return hotspot_map(layers_all["grids"], Hotspots(hs, ranked, fdr=ctx["fdr"]),
                           BaseLayers(layers_all["streets"], layers_all["communities"], atlas.district),
                           Sheet(title, f"{t('period', lang)} {ctx['period']}", ctx["source"], lang=lang, page=page,
                                 fmt=fmt))

    e1, e2, e3 = st.columns(3)
    e1.download_button(t("export_excel", lang), data=workbook, file_name=f"gridgeo-review-{ctx['stamp']}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx",
                       on_click="ignore")
    e2.download_button(t("export_png", lang), data=lambda: picture("png"), mime="image/png", key="dl_png",
                       file_name=f"gridgeo-hotspots-{ctx['stamp']}-{page}.png", on_click="ignore")
    e3.download_button(t("export_pdf", lang), data=lambda: picture("pdf"), mime="application/pdf", key="dl_pdf",
                       file_name=f"gridgeo-hotspots-{ctx['stamp']}-{page}.pdf", on_click="ignore")


def hotspot_section(current: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The hot-spot map (as tall as the screen leaves), the method and FDR switch under it,
    then the class counts' ranked list; returns (hs, ranked, fdr)."""
    fdr = bool(st.session_state.get("review_fdr", False))
    hs = hotspot_frame(current, fdr)
    signature = (lang, fdr, id(common.display_layers()), tuple(hs["gi_bin"]), tuple(hs["count"]))
    if st.session_state.get("review_map_cache", (None,))[0] != signature:
        st.session_state["review_map_cache"] = (signature, hotspot_map_widget(hs, fdr, lang))
    with st.container(key="review_map"):
        st_folium_cached(st.session_state["review_map_cache"][1], key="review_map", height=620,
                         returned_objects=[])
    note, switch = st.columns([4, 1])
    note.caption(f"{t('hotspots', lang)} · {method_note(fdr, lang)}")
    switch.toggle(t("fdr", lang), key="review_fdr", help=t("fdr_help", lang))
    ranked = ranked_hotspots(hs, common.display_layers()["grids"])
    st.markdown(f"**{t('hot_ranking', lang)}**")
    if len(ranked):
        st.dataframe(ranking_table(ranked, lang, compact=True), hide_index=True, height=400)
    else:
        st.info(t("no_hotspots", lang))
    return hs, ranked, fdr


@dataclass(frozen=True)
class Shown:
    """What the header settled: the days, the window, both periods' events and their texts."""

    first: date
    last: date
    start: datetime
    end: datetime
    current: pd.DataFrame
    previous: pd.DataFrame
    comparable: bool
    notice: str  # why there is no comparison ("" when there is one)
    period: str
    previous_text: str


def header(lang: str) -> Shown:
    """Title, dates and the key figures in one row, the period's line under it."""
    head = st.columns([1.1, 1.5, 0.8, 0.8, 0.8], vertical_alignment="bottom")
    head[0].title(t("review_title", lang))
    first, last, start, end, partial = pick_period(lang, head[1])
    dates_apply_on_enter()
    prev_start, prev_end = previous_period(start, end)
    current, previous = common.events(start, end), common.events(prev_start, prev_end)
    has_earlier = len(common.events(prev_start - timedelta(days=1), prev_start)) > 0
    basis, first_prev = comparison_basis(previous, prev_start, prev_end, has_earlier)
    comparable = basis == "ok"
    period = f"{fmt_time(start)} – {fmt_time(end)}"
    previous_text = f"{fmt_time(prev_start)} – {fmt_time(prev_end)}" if comparable else t("no_comparison", lang)
    kpi_row(current, previous, end, prev_end, comparable, lang, cols=head[2:])
    notice = comparison_notice(basis, first_prev, prev_start, prev_end, lang)
    st.caption(f"{t('this_period', lang)} {period} · "
               + (f"{t('previous_period', lang)} {previous_text}" if comparable else notice)
               + f" · {today_apart(lang)}" + (f" · {t('review_default_period', lang).format(days=DEFAULT_DAYS)}"
                                              if not partial else ""))
    return Shown(first, last, start, end, current, previous, comparable, notice, period, previous_text)


def main() -> None:
    """The review page: the header row, then tabs (hot-spot map first), then the exports."""
    L = common.lang()
    seeded = common.seed_once()
    common.assets_warning()
    # the map fills what the header (title, dates, figures: 6.5rem), its line and the tab bar leave
    use_screen(frame_css("review_map", "13.5rem"))
    p = header(L)
    tables = group_tables(p.current, p.previous, p.comparable, L)
    tables[t("halls_tab", L)] = hall_review_table(p.current, p.previous, common.display_layers()["service_points"], p.end, L,
                                                  p.comparable)
    tabs = st.tabs([t("review_tab_map", L), *tables, t("trend", L)])
    with tabs[0]:
        hs, ranked, fdr = hotspot_section(p.current, L)
    for tab, table in zip(tabs[1:-1], tables.values(), strict=True):
        with tab:
            if p.notice:
                st.info(p.notice)
            st.dataframe(table, hide_index=True, height=420)
    with tabs[-1]:
        trend = daily_trend(p.current, p.start, p.end)
        trend.columns = [level_name(c, L) for c in trend.columns]
        st.altair_chart(trend_chart(trend, L), width="stretch")
    source = common.source_text(0, p.current)
    exports(tables, hs, ranked, {"period": p.period, "previous": p.previous_text, "n": len(p.current), "fdr": fdr,
                                 "source": source, "stamp": f"{p.first:%Y%m%d}-{p.last:%Y%m%d}"}, L)
    common.source_caption(seeded, p.current)


main()
