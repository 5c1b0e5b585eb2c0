"""网格划分 Partition planner: choose layers and bounds, run, compare with legacy grids, export.

A page script (app.py picks it up from gridgeo_app/). Nothing runs until 运行 is pressed; the run
shows a progress bar (stage names from the catalogue) and keeps its result, with the scope it
covered, in the session; the page says what the result covers and when the selector has moved
since. Scope: one street (a few seconds) or the whole district (about 15 s on the default
dataset). The proposal (coloured by households on a sequential palette, the size band marked
in the legend, or by size status or change) and a legacy layer are drawn side by side on two
maps that pan and zoom together (folium DualMap with the vendored Leaflet.Sync). Every string
comes from the one catalogue (gridgeo.i18n, section ``_PARTITION``).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from gridgeo import i18n
from gridgeo.i18n import name_of, t, translator
from gridgeo.palette import (
    CHANGE_COLORS,
    CHANGE_FALLBACK,
    COMMUNITY_OUTLINE,
    INK,
    LEGACY_OUTLINE,
    LIGHT_BACKGROUND,
    PROPOSAL_LINE,
    STATUS_COLORS,
)
from gridgeo.partition import PartitionInputs, PartitionOptions, run_partition
from gridgeo.partition.summary import summary_markdown
from gridgeo_app import context as common
from gridgeo_app.scope import communities_for

L = common.lang()
tr = translator(L)

SIZE_COLORS = {k: STATUS_COLORS[k] for k in ("ok", "under_min", "over_max")}  # a proposal has no empty grid


def status_word(status: str) -> str:
    """A grid's size or population status (``ok``, ``under_min``, ...) in the page's language."""
    return name_of("pp_status_", status, L)


def change_word(change: str) -> str:
    """What became of a legacy grid (``kept``, ``merged``, ``split``, ``reshaped``) in words."""
    return name_of("pp_change_", change, L)


def layer_name(layer: str) -> str:
    """A legacy layer's display name in the page's language."""
    return i18n.layer_name(layer, L)


def _cell(value) -> str:
    """A cell as text: blank when missing, whole numbers without decimals, shares to 3 places."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return tr("pp_yes") if value else tr("pp_no")
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def headed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as text cells with catalogue headers (``pp_col_<column>``; ``share_<layer>`` by
    layer name)."""
    frame = frame.map(_cell)
    names = {}
    for c in frame.columns:
        if str(c).startswith("share_"):
            names[c] = tr("pp_col_share").format(layer=layer_name(str(c)[len("share_"):]))
        else:
            names[c] = name_of("pp_col_", c, L)
    return frame.rename(columns=names)


def reason_text(row, bounds: dict) -> str:
    """Why a grid stays outside the band, in words (by its reason code)."""
    code = row.get("reason_code") or ""
    if code not in i18n.FAMILIES["pp_reason_"]:
        return str(row.get("reason") or "")
    encloses = ""
    if code == "encloses_grid":
        encloses = "、".join(str(x) for x in row.get("encloses", []) or [])
    return t(f"pp_reason_{code}", L).format(households=float(row.get("households") or 0),
                                            lo=bounds["min_households"], hi=bounds["max_households"],
                                            encloses=encloses)


def _scope_frames(atlas, mine, street: str | None):
    """Communities, legacy grids and units of the run: the street's (or all) communities of the
    territory ``mine``, the legacy grids that touch them, their units."""
    comms = mine if street is None else mine[mine["street_code"] == street]
    if len(comms) == len(atlas.communities):
        return atlas.communities, atlas.legacy, atlas.units
    hull = comms.geometry.union_all()
    legacy = atlas.legacy[atlas.legacy.intersects(hull)]  # whole grids: the refinement cuts them
    if "community_code" in atlas.units.columns:
        units = atlas.units[atlas.units["community_code"].isin(comms["code"])]
    else:
        units = atlas.units[atlas.units.intersects(hull)]
    return comms, legacy, units


def scope_labels(atlas, mine) -> dict[str, str]:
    """The runs a planner may choose, by value: the whole district (only when its territory holds
    every community), else each street with communities in it, named by the street and, when the
    territory holds only some of its communities, by those."""
    labels = {"__district__": tr("pp_district")} if len(mine) == len(atlas.communities) else {}
    for code, name in atlas.streets.sort_values("code")[["code", "name"]].itertuples(index=False):
        inside = mine[mine["street_code"] == code]
        if not len(inside):
            continue
        whole = len(inside) == int((atlas.communities["street_code"] == code).sum())
        labels[code] = name if whole else f"{name} · {'、'.join(inside['name'].astype(str))}"
    return labels


def _proposal_colors(grids, color_by: str, bounds: dict):
    """Fill colours of the proposal and the legend items for them."""
    from gridgeo_app.layers.legend import HouseholdScale

    if color_by == "households":
        scale = HouseholdScale(bounds["min_households"], bounds["max_households"])
        items = scale.items(t("what_households", L) if L == "zh" else "", f"（{tr('pp_band_mark')}）" if L == "zh"
                            else f"({tr('pp_band_mark')})")
        title = tr("pp_households_legend").format(lo=scale.lo, hi=scale.hi)
        return pd.Series(scale.color(grids["households"]), index=grids.index), title, items
    palette, words = (SIZE_COLORS, status_word) if color_by == "size_status" else (CHANGE_COLORS, change_word)
    title = tr("pp_color_status") if color_by == "size_status" else tr("pp_color_change")
    return grids[color_by].map(palette).fillna(CHANGE_FALLBACK), title, [(c, words(k)) for k, c in palette.items()]


def _dual_map(grids, fill, legend_title: str, legend_items, old, communities, shown_layer: str):
    """Proposal (left) and legacy layer (right) on two maps that pan and zoom together."""
    import folium.plugins as plugins

    from gridgeo_app.layers.base import MetricScale, _Background
    from gridgeo_app.layers.legend import Legend
    from gridgeo_app.layers.polygons import area_layer

    minx, miny, maxx, maxy = grids.total_bounds
    dual = plugins.DualMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, zoom_start=12,
                           control_scale=False, prefer_canvas=False)
    for m in (dual.m1, dual.m2):
        m.options.update({"max_zoom": 18, "min_zoom": 9})
        m.add_child(MetricScale())  # metres only
        m.add_child(_Background(LIGHT_BACKGROUND, INK))
    frame = grids.assign(_color=fill.to_numpy(), status_name=grids["size_status"].map(status_word),
                         change_name=grids["change"].map(change_word), households=grids["households"].round(0))
    fields = ["code", "households", "population", "status_name", "change_name"]
    aliases = [tr("pp_col_code"), tr("pp_col_households"), tr("pp_col_population"), tr("pp_col_size_status"),
               tr("pp_col_change")]
    area_layer(frame, "grids", tr("pp_proposal"), fields, aliases, fill_column="_color",
               style={"weight": 1.0, "color": PROPOSAL_LINE}).add_to(dual.m1)
    legacy_frame = old.assign(layer_name=old["layer"].astype(str).map(layer_name))
    area_layer(legacy_frame, "grids", tr("pp_legacy"), ["code", "name", "layer_name"],
               [tr("pp_col_code"), tr("pp_col_name"), tr("pp_col_layer")],
               style={"weight": 1.2, "color": LEGACY_OUTLINE, "fillOpacity": 0.04}).add_to(dual.m2)
    for m in (dual.m1, dual.m2):
        area_layer(communities, "communities", t("layer_communities", L), ["name"], [t("community", L)],
                   highlight=False, interactive=False, style={"weight": 2.5}).add_to(m)
    Legend(legend_title, [*legend_items, (COMMUNITY_OUTLINE, t("layer_communities", L), "outline")],
           position="bottomleft").add_to(dual.m1)
    Legend(tr("pp_legacy"), [(LEGACY_OUTLINE, layer_name(shown_layer), "outline"),
                          (COMMUNITY_OUTLINE, t("layer_communities", L), "outline")],
           position="bottomleft").add_to(dual.m2)
    dual.m1.fit_bounds([[miny, minx], [maxy, maxx]])
    return dual


def _run(atlas, mine, scope: str, options: PartitionOptions, comm_names: dict) -> None:
    bar = st.progress(0.0, text=tr("pp_run"))

    def progress(stage: str, frac: float) -> None:
        bar.progress(min(max(frac, 0.0), 1.0), text=i18n.stage_name(stage, L, comm_names))

    comms, legacy, units = _scope_frames(atlas, mine, None if scope == "__district__" else scope)
    result = run_partition(PartitionInputs(comms, legacy, units), options, progress=progress)
    st.session_state["pp_result"] = result
    st.session_state["pp_legacy"] = legacy
    st.session_state["pp_ran"] = {"scope": scope, "communities": len(comms), "units": len(units),
                                  "households": float(pd.to_numeric(units["households"], errors="coerce").sum())}
    bar.empty()


def _tables(grids, crosswalk, metrics, comm_names: dict) -> None:
    """Preservation, one grid's row and its legacy grids, and the grids outside the band."""
    st.subheader(tr("pp_preservation"))
    pres = pd.DataFrame(metrics["preservation"]).T
    if "already_in_band" in pres.columns:
        pres["already_in_band"] = [
            "" if not isinstance(v, dict) else
            tr("pp_already_in_band_cell").format(n=v.get("legacy_grids", 0), kept=v.get("kept", 0),
                                              merged=v.get("merged", 0), split=v.get("split", 0))
            for v in pres["already_in_band"]]
    pres.index = [layer_name(x) for x in pres.index]
    st.dataframe(headed(pres), width="stretch")

    st.subheader(tr("pp_inspect"))
    code = st.selectbox(tr("pp_inspect"), grids["code"], key="pp_inspect", label_visibility="collapsed")
    row = grids[grids["code"] == code].drop(columns="geometry").iloc[0].copy().astype(object)
    row["community"] = comm_names.get(str(row["community"]), row["community"])
    row["reason"] = reason_text(row, metrics["bounds"]) if row.get("reason_code") else ""
    row["change"] = change_word(str(row["change"]))
    for col in ("size_status",) + (("population_status",) if "population_status" in row else ()):
        row[col] = status_word(str(row[col]))
    shown = headed(row.drop(labels=["reason_code"]).to_frame().T)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(tr("pp_went_into"))
    cw = crosswalk[crosswalk["grid_code"] == code].assign(
        layer=lambda f: f["layer"].astype(str).map(layer_name), outcome=lambda f: f["outcome"].map(change_word))
    st.dataframe(headed(cw), hide_index=True, width="stretch")

    st.subheader(tr("pp_infeasible"))
    if metrics["infeasible"]:
        encl = {e["code"]: e["encloses"] for e in metrics.get("enclaves", [])}
        inf = pd.DataFrame(metrics["infeasible"])
        inf["reason"] = [reason_text({**r, "encloses": encl.get(r["code"], [])}, metrics["bounds"])
                         for r in inf.to_dict("records")]
        inf["status"] = inf["status"].map(status_word)
        st.dataframe(headed(inf.drop(columns=["reason_code"])), hide_index=True, width="stretch")
    else:
        st.write(tr("pp_none"))


def _downloads(grids, crosswalk, metrics) -> None:
    """The proposal's files, with column names and values in the chosen language (Chinese by
    default: gridgeo.partition.localize); metrics.json stays the machine's record."""
    from gridgeo.partition.localize import localized

    st.subheader(tr("pp_downloads"))
    lang = st.radio(tr("pp_dl_lang"), ["zh", "en"], horizontal=True, key="pp_dl_lang",
                    index=0 if L == "zh" else 1, format_func=lambda k: tr(f"pp_dl_lang_{k}"))
    grids_out = localized(grids, lang, metrics["bounds"])
    d1, d2, d3, d4, d5 = st.columns(5)
    d1.download_button("grids.geojson", grids_out.to_json(ensure_ascii=False), "grids.geojson", "application/geo+json",
                       key="pp_dl_geojson")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grids.gpkg"
        grids_out.to_file(path, driver="GPKG", engine="pyogrio", layer="grids")
        d2.download_button("grids.gpkg", path.read_bytes(), "grids.gpkg", "application/geopackage+sqlite3",
                           key="pp_dl_gpkg")
    buf = io.StringIO()
    localized(crosswalk, lang).to_csv(buf, index=False)
    d3.download_button("crosswalk.csv", buf.getvalue().encode("utf-8-sig"), "crosswalk.csv", "text/csv",
                       key="pp_dl_csv")
    d4.download_button("metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2, default=str),
                       "metrics.json", "application/json", key="pp_dl_json")
    d5.download_button("summary.md", summary_markdown(metrics, lang=lang), "summary.md", "text/markdown",
                       key="pp_dl_md")
    with st.expander(tr("pp_summary_md")):
        st.markdown(summary_markdown(metrics, lang=L))


def main() -> None:
    atlas = common.atlas()
    common.assets_warning()
    comm_names = dict(zip(atlas.communities["code"].astype(str), atlas.communities["name"], strict=False))
    mine = communities_for(atlas.communities)  # a scoped planner partitions its own communities only
    labels = scope_labels(atlas, mine)
    if not labels:
        st.title(t("page_partition", L))
        st.info(tr("pp_no_territory"))
        st.stop()
    all_layers = sorted(atlas.legacy["layer"].astype(str).unique())
    with st.sidebar:
        scope = st.selectbox(tr("pp_scope"), list(labels), index=1 if "__district__" in labels and len(labels) > 1 else 0,
                             key="pp_scope", format_func=lambda c: labels.get(c, c))
        lo, hi = st.slider(tr("pp_band"), 50, 1500, (300, 500), step=10, key="pp_band")
        chosen = st.multiselect(tr("pp_layers"), all_layers, default=all_layers, key="pp_layers", format_func=layer_name)
        primary = st.selectbox(tr("pp_primary"), ["__auto__", *chosen], key="pp_primary",
                               format_func=lambda x: tr("pp_auto") if x == "__auto__" else layer_name(x))
        seed = int(st.number_input(tr("pp_seed"), 0, 10_000, 0, key="pp_seed"))
        sliver = float(st.slider(tr("pp_sliver"), 0, 1000, 100, step=10, key="pp_sliver"))
    # the primary action beside the title, in view on any screen (the sidebar's end is below a 1080p fold)
    head = st.columns([5, 1], vertical_alignment="center")
    head[0].title(t("page_partition", L))
    run = head[1].button(tr("pp_run"), type="primary", key="pp_run", disabled=not chosen, width="stretch")
    st.caption(tr("pp_intro"))
    if run:
        options = PartitionOptions(lo, hi, primary_layer=None if primary == "__auto__" else primary, seed=seed,
                                   sliver_m2=sliver, layers=tuple(chosen))
        _run(atlas, mine, scope, options, comm_names)
    result, ran = st.session_state.get("pp_result"), st.session_state.get("pp_ran")
    if result is None or ran is None:
        st.info(tr("pp_press_run"))
        st.stop()
    st.info(tr("pp_covers").format(scope=labels.get(ran["scope"], ran["scope"]), communities=ran["communities"],
                                units=ran["units"], households=ran["households"]))
    if ran["scope"] != scope:
        st.warning(tr("pp_scope_changed").format(now=labels.get(scope, scope), ran=labels.get(ran["scope"], ran["scope"])))

    grids, crosswalk, metrics = result.grids, result.crosswalk, result.metrics
    scope_comms = atlas.communities[atlas.communities["code"].isin(grids["community"])]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("pp_grids"), metrics["grids"])
    c2.metric(tr("pp_within"), f"{metrics['share_within_bounds']:.1%}")
    c3.metric(tr("pp_pp"), f"{metrics['polsby_popper'].get('median', 0):.3f}")
    c4.metric(tr("pp_time"), f"{metrics['timings']['total_s']:.1f} s")

    top = st.columns([2, 1])
    color_by = top[0].radio(tr("pp_color_by"), ["households", "size_status", "change"], horizontal=True, key="pp_color",
                            format_func=lambda k: tr({"households": "pp_color_households", "size_status": "pp_color_status",
                                                      "change": "pp_color_change"}[k]))
    shown_layer = top[1].selectbox(tr("pp_legacy_layer"), metrics["layers"], key="pp_legacy_layer",
                                   index=metrics["layers"].index(metrics["primary_layer"]), format_func=layer_name)
    legacy_all = st.session_state.get("pp_legacy", atlas.legacy)
    old = legacy_all[legacy_all["layer"].astype(str) == shown_layer]
    if ran["scope"] != "__district__":  # show the street's share of each legacy grid
        old = old.clip(scope_comms.geometry.union_all())
        old = old[old.geom_type.isin(["Polygon", "MultiPolygon"])]
    fill, title, items = _proposal_colors(grids, color_by, metrics["bounds"])
    left, right = st.columns(2)
    left.subheader(tr("pp_proposal"))
    right.subheader(f"{tr('pp_legacy')} · {layer_name(shown_layer)}")
    st_folium(_dual_map(grids, fill, title, items, old, scope_comms, shown_layer), key="pp_dual", height=520,
              use_container_width=True, returned_objects=[])
    st.caption(tr("pp_synced"))
    _tables(grids, crosswalk, metrics, comm_names)
    _downloads(grids, crosswalk, metrics)


main()
