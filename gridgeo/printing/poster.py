"""一格一图: one community's grids on an A3 landscape poster, as community offices pin on the wall.

The map shows each grid's boundary filled by its households against the 300-500 band, labelled
with its serial, grid worker and households (serial only where the grid is small on paper);
the table beside it lists every grid with name, worker and households. Title, legend, scale
bar, printed ratio, north arrow and a source note (synthetic data said so) complete the sheet.
"""

from __future__ import annotations

import math
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.model import DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS, Atlas
from gridgeo.errors import InputError
from gridgeo.geo.metric import metric_crs_of
from gridgeo.i18n import t
from gridgeo.printing import cartography as carto

# households classes of the fill (upper bounds), light greens so labels stay readable
HOUSEHOLD_CLASSES: tuple[tuple[float, str], ...] = (
    (DEFAULT_MIN_HOUSEHOLDS, "#f7fcf5"), (400, "#d9f0d3"), (DEFAULT_MAX_HOUSEHOLDS, "#a6dba0"),
    (math.inf, "#5aae61"),
)
ROWS_PER_BLOCK = 50


def community_codes(atlas: Atlas) -> pd.DataFrame:
    """Code, name and street name of every community, in code order."""
    streets = dict(zip(atlas.streets["code"].astype(str), atlas.streets["name"], strict=True))
    out = pd.DataFrame({"code": atlas.communities["code"].astype(str), "name": atlas.communities["name"],
                        "street": atlas.communities["street_code"].astype(str).map(streets).fillna("")})
    return out.sort_values("code").reset_index(drop=True)


def poster_grids(atlas: Atlas, community: str, grids: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The grids of ``community`` with serial, worker and households; InputError if unknown or empty."""
    code = str(community).strip()
    if code not in set(atlas.communities["code"].astype(str)):
        raise InputError(f"community {code}: unknown community code; list the codes with "
                         "`gridgeo poster --list`")
    grids = atlas.grids if grids is None else grids
    mine = grids[grids["community_code"].astype(str) == code].copy()
    if mine.empty:
        raise InputError(f"community {code}: the community has no grids in this grid set")
    mine["code"] = mine["code"].astype(str)
    mine = mine.sort_values("code").reset_index(drop=True)
    mine["serial"] = mine["code"].str[-3:]
    mine["households"] = pd.to_numeric(mine.get("households", 0), errors="coerce").fillna(0).astype(int)
    worker = mine["grid_worker"] if "grid_worker" in mine else pd.Series("", index=mine.index)
    mine["grid_worker"] = worker.fillna("").astype(str).replace({"nan": "", "None": ""})
    return mine


def household_color(n: int) -> str:
    """Fill colour of a grid with ``n`` households (HOUSEHOLD_CLASSES)."""
    return next(color for upper, color in HOUSEHOLD_CLASSES if n < upper or upper == math.inf)


def household_legend(lang: str) -> list[tuple[str, str]]:
    """Legend items of the households fill."""
    unit = t("households", lang)
    bounds = [0] + [u for u, _ in HOUSEHOLD_CLASSES[:-1]]
    items = []
    for (upper, color), lower in zip(HOUSEHOLD_CLASSES, bounds, strict=True):
        label = f"{unit} ≥ {lower:g}" if upper == math.inf else f"{unit} {lower:g}–{upper - 1:g}"
        items.append((color, label))
    return items


def _grid_labels(ax, grids_m: gpd.GeoDataFrame, lang: str) -> None:
    """Serial / worker / households in each grid, sized to the grid's size on paper."""
    mm_per_m = carto.axis_width_mm(ax) / (ax.get_xlim()[1] - ax.get_xlim()[0])
    centres, room = carto.label_points(grids_m.geometry)
    for row, pt, room_m in zip(grids_m.itertuples(), centres, room, strict=True):
        room_mm = float(room_m) * mm_per_m
        full = room_mm >= 10.5 and row.grid_worker
        size = float(np.clip(room_mm / 1.5, 5.5, 9.0) if full else np.clip(room_mm * 0.8, 3.5, 8.0))
        text = (f"{row.serial}\n{row.grid_worker}\n{t('households_unit', lang).format(n=row.households)}"
                if full else row.serial)
        carto.haloed_text(ax, pt.x, pt.y, text, halo_width=2.0, zorder=6, fontsize=size, linespacing=1.15)


def _table(ax, grids: gpd.GeoDataFrame, lang: str) -> None:
    """The grid list in one or more column blocks, with a total row."""
    ax.set_axis_off()
    header = [t("serial", lang), t("name", lang), t("grid_worker", lang), t("households", lang)]
    rows = [[r.serial, r.name, r.grid_worker or "—", f"{r.households:,}"] for r in grids.itertuples()]
    rows.append(["", t("total", lang), f"{(grids['grid_worker'] != '').sum()}",
                 f"{int(grids['households'].sum()):,}"])
    blocks = max(1, math.ceil(len(rows) / ROWS_PER_BLOCK))
    per_block = math.ceil(len(rows) / blocks)
    font = 10.0 if per_block <= 30 else 7.5
    row_height = min(1 / (per_block + 1), 0.045)
    gap = 0.03
    width = (1 - gap * (blocks - 1)) / blocks
    for b in range(blocks):
        chunk = rows[b * per_block:(b + 1) * per_block]
        height = min(1.0, (len(chunk) + 1) * row_height)
        tab = ax.table(cellText=chunk, colLabels=header, colWidths=[0.14, 0.44, 0.24, 0.18],
                       bbox=(b * (width + gap), 1 - height, width, height), cellLoc="center")
        tab.auto_set_font_size(False)
        tab.set_fontsize(font)
        for (r, _c), cell in tab.get_celld().items():
            cell.set_edgecolor("#999999")
            cell.set_linewidth(0.4)
            if r == 0:
                cell.set_facecolor("#e8e8e8")
                cell.get_text().set_fontweight("bold")


def _draw_map(ax, grids: gpd.GeoDataFrame, atlas: Atlas, community: str, crs: str, lang: str) -> None:
    grids_m = grids.to_crs(crs)
    comm = atlas.communities[atlas.communities["code"].astype(str) == community].to_crs(crs)
    carto.fit_extent(ax, tuple(comm.total_bounds), margin=0.05)
    others = atlas.communities[atlas.communities["code"].astype(str) != community].to_crs(crs)
    others.plot(ax=ax, color="#f2f2f2", edgecolor="#bbbbbb", linewidth=0.6)
    carto.place_labels(ax, others.cx[slice(*ax.get_xlim()), slice(*ax.get_ylim())], fontsize=9, color="#999999")
    grids_m.plot(ax=ax, color=[household_color(n) for n in grids_m["households"]], edgecolor="#333333",
                 linewidth=0.6)
    comm.boundary.plot(ax=ax, color="#b2182b", linewidth=2.2)
    _grid_labels(ax, grids_m, lang)


def community_poster(atlas: Atlas, community: str, lang: str = "zh", grids: gpd.GeoDataFrame | None = None,
                     note: str | None = None, fmt: str = "pdf", dpi: int = 200,
                     printed: date | None = None) -> bytes:
    """The 一格一图 poster of ``community`` (a 12-digit code) as A3 landscape PDF (or PNG) bytes.

    ``grids`` overrides the atlas grids (e.g. the store's published grid set). ``note`` is the
    source line (default: the atlas's synthetic note when it is synthetic). Raises InputError
    for an unknown community or one without grids.
    """
    mine = poster_grids(atlas, community, grids)
    info = community_codes(atlas).set_index("code").loc[str(community).strip()]
    crs = metric_crs_of(mine)
    if note is None:
        note = t("synthetic_note", lang) if atlas.meta.get("synthetic") else t("store_source", lang)
    with carto.print_style():
        fig = carto.page_figure("A3")
        fig.text(0.02, 0.965, t("poster_title", lang).format(community=info["name"]), fontsize=28,
                 fontweight="bold", va="top")
        fig.text(0.02, 0.915, t("poster_subtitle", lang).format(
            street=info["street"], n=len(mine), households=f"{int(mine['households'].sum()):,}",
            workers=int((mine["grid_worker"] != "").sum())), fontsize=13, va="top", color="#333333")
        ax = fig.add_axes((0.015, 0.06, 0.60, 0.83))
        _draw_map(ax, mine, atlas, str(community).strip(), crs, lang)
        carto.add_scale_bar(ax, fontsize=11)
        carto.add_north_arrow(ax, t("north", lang))
        legend_ax = fig.add_axes((0.635, 0.76, 0.35, 0.16))
        items = [("#ffffff", t("grid_boundary", lang)), ("#ffffff", t("community_boundary", lang)),
                 ("#f2f2f2", t("neighbour_area", lang)), *household_legend(lang)]
        carto.legend_panel(legend_ax, t("legend_title", lang), items, fontsize=9)
        _style_boundary_handles(legend_ax)
        fig.text(0.635, 0.745, t("poster_table", lang), fontsize=13, fontweight="bold", va="top")
        _table(fig.add_axes((0.635, 0.06, 0.35, 0.655)), mine, lang)
        stamp = t("printed_at", lang).format(date=(printed or date.today()).isoformat())
        ratio = t("scale_ratio", lang).format(n=f"{carto.scale_ratio(ax):,}")
        fig.text(0.02, 0.02, f"{note} · {ratio} · {t('map_crs', lang).format(crs=crs)} · {stamp}",
                 fontsize=8, color="#555555", va="bottom")
        return carto.save(fig, fmt, dpi=dpi)


def _style_boundary_handles(legend_ax) -> None:
    """Draw the first two legend boxes as the grid (thin dark) and community (thick red) lines."""
    legend = legend_ax.get_legend()
    patches = legend.get_patches()
    patches[0].set_edgecolor("#333333")
    patches[0].set_linewidth(0.8)
    patches[1].set_edgecolor("#b2182b")
    patches[1].set_linewidth(2.2)
