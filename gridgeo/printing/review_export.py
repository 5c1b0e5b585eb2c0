"""Exports of the review meeting: an Excel workbook and a printed hot-spot map (PNG/PDF, A4/A3).

The workbook (openpyxl) opens on a cover sheet (period, atlas, risk rule, method), then one
sheet per table with headers in the chosen language. The map is a landscape page with title,
period, legend with counts, street and community names, scale bar, printed ratio, north arrow,
the ranked hot-spot grids and a source note (gridgeo.printing.cartography).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from gridgeo.analysis.hotspots import BIN_ORDER, GI_BINS, bin_counts
from gridgeo.geo.metric import metric_crs_of
from gridgeo.i18n import t
from gridgeo.palette import PRINT
from gridgeo.printing import cartography as carto

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(name: str) -> str:
    """An Excel-safe sheet name: no []:*?/\\ and at most 31 characters."""
    return _BAD_SHEET_CHARS.sub("-", str(name))[:31] or "Sheet"


def review_workbook(cover_title: str, cover: list[tuple[str, str]], tables: dict[str, pd.DataFrame],
                    lang: str = "zh") -> bytes:
    """An .xlsx workbook: a cover sheet (``cover_title`` then item/value rows) and one sheet per table.

    Headers are bold and frozen, columns sized to their content; time zones are dropped from
    datetimes (Excel has none).
    """
    from openpyxl.styles import Alignment, Font

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        cover_frame = pd.DataFrame(cover, columns=[t("item", lang), t("value", lang)])
        cover_frame.to_excel(writer, sheet_name=sheet_name(t("cover", lang)), index=False, startrow=2)
        for name, table in tables.items():
            frame = table.copy()
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            frame.to_excel(writer, sheet_name=sheet_name(name), index=False)
        book = writer.book
        first = book[sheet_name(t("cover", lang))]
        first["A1"] = cover_title
        first["A1"].font = Font(size=16, bold=True)
        for ws in book.worksheets:
            header_row = 3 if ws is first else 1
            for cell in ws[header_row]:
                cell.font = Font(bold=True)
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
            for col in ws.columns:
                width = max((_display_width(c.value) for c in col[header_row - 1:]), default=8)
                ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 90)
        for row in first.iter_rows(min_row=4, min_col=2, max_col=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return buf.getvalue()


def bin_legend(hs: pd.DataFrame, lang: str = "zh") -> list[tuple[str, str]]:
    """Legend items (colour, label with grid count) for the seven Gi_Bin classes, hot 99 % first."""
    counts = bin_counts(hs)
    return [(GI_BINS[b][1], f"{t(f'gi_bin_{b}', lang)}（{counts[b]}）" if lang == "zh"
             else f"{t(f'gi_bin_{b}', lang)} ({counts[b]})") for b in BIN_ORDER]


def _draw_hotspot_layers(ax, grids: gpd.GeoDataFrame, hs: pd.DataFrame, layers: BaseLayers, crs: str,
                         k: float = 1.0) -> list:
    streets, communities, district = layers.streets, layers.communities, layers.district
    bins = grids[["code"]].astype(str).merge(hs[["code", "gi_bin"]], on="code", how="left")["gi_bin"]
    colors = bins.fillna(0).astype(int).map(lambda b: GI_BINS[b][1])
    grids.to_crs(crs).plot(ax=ax, color=list(colors), edgecolor=PRINT.grid_edge, linewidth=0.12)
    communities.to_crs(crs).boundary.plot(ax=ax, color=PRINT.muted, linewidth=0.4)
    streets_m = streets.to_crs(crs)
    streets_m.boundary.plot(ax=ax, color=PRINT.label, linewidth=1.1)
    if district is not None:
        district.to_crs(crs).boundary.plot(ax=ax, color=PRINT.district, linewidth=1.6)
    carto.fit_extent(ax, tuple((district if district is not None else streets).to_crs(crs).total_bounds))
    street_labels = carto.place_labels(ax, streets_m, fontsize=12 * k, weight="bold")
    community_labels = carto.place_labels(ax, communities.to_crs(crs), fontsize=7 * k, color=PRINT.text)
    carto.drop_overlapping(community_labels, keep=street_labels)
    return street_labels + community_labels


def _side_panel(panel, spots: Hotspots, lang: str, scale_text: str, k: float = 1.0) -> None:
    top = spots.top
    carto.legend_panel(panel, t("hotspot_class", lang), bin_legend(spots.table, lang), fontsize=9 * k,
                       lines=[(PRINT.label, 1.1, t("street_boundary", lang)),
                              (PRINT.muted, 0.5, t("community_boundary", lang))])
    method = t("hotspot_method", lang).format(fdr=t("fdr_applied", lang) if spots.fdr else "")
    panel.text(0.0, 0.56, carto.wrap_text(method, 60), transform=panel.transAxes, fontsize=7 * k, va="top",
               color=PRINT.text, linespacing=1.4)
    panel.text(0.0, 0.47, t("top_hotspots", lang).format(n=top), transform=panel.transAxes, fontsize=10 * k,
               fontweight="bold", va="top")
    rows = spots.ranked.head(top)
    lines = [f"{r['rank']:>2}. {r['name']}  z={r['z']:.2f}" for _, r in rows.iterrows()] if len(rows) else \
        [t("no_hotspots", lang)]
    panel.text(0.0, 0.43, "\n".join(lines), transform=panel.transAxes, fontsize=8 * k, va="top", linespacing=1.5)
    panel.text(0.0, 0.0, scale_text, transform=panel.transAxes, fontsize=8 * k, va="bottom", color=PRINT.text)


@dataclass(frozen=True)
class Hotspots:
    """A review period's hot-spot analysis as printed: ``table`` from
    gridgeo.analysis.hotspots.hotspots, ``ranked`` from ranked_hotspots (named hot-spot grids),
    whether the FDR correction was applied and how many ranked grids the side panel lists."""

    table: pd.DataFrame
    ranked: pd.DataFrame
    fdr: bool = False
    top: int = 10


@dataclass(frozen=True)
class BaseLayers:
    """The reference layers drawn under and over the grids (WGS84; ``district`` optional)."""

    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    district: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class Sheet:
    """A printed sheet: its title, period line and source note, language, page size (A4/A3),
    file format (pdf/png) and resolution."""

    title: str
    period: str
    note: str
    lang: str = "zh"
    page: str = "A4"
    fmt: str = "pdf"
    dpi: int = 200


def hotspot_map(grids: gpd.GeoDataFrame, spots: Hotspots, layers: BaseLayers, sheet: Sheet) -> bytes:
    """The hot-spot map of a review period as one landscape ``sheet`` (``grids`` in WGS84)."""
    crs = metric_crs_of(grids)
    lang = sheet.lang
    k = carto.PAGE_SIZES_MM.get(sheet.page, (297.0,))[0] / 297.0  # type scales with the page (A3: x1.41)
    with carto.print_style():
        fig = carto.page_figure(sheet.page)
        fig.text(0.025, 0.955, sheet.title, fontsize=18 * k, fontweight="bold", va="top")
        fig.text(0.025, 0.905, sheet.period, fontsize=11 * k, va="top", color=PRINT.text)
        ax = fig.add_axes((0.015, 0.075, 0.66, 0.82))
        _draw_hotspot_layers(ax, grids, spots.table, layers, crs, k)
        carto.add_scale_bar(ax, fontsize=9 * k)
        carto.add_north_arrow(ax, t("north", lang), fontsize=12 * k)
        scale_text = f"{t('scale_ratio', lang).format(n=f'{carto.scale_ratio(ax):,}')} · " \
                     f"{t('map_crs', lang).format(crs=crs)}"
        _side_panel(fig.add_axes((0.70, 0.075, 0.28, 0.82)), spots, lang, scale_text, k)
        fig.text(0.025, 0.02, sheet.note, fontsize=7 * k, color=PRINT.muted, va="bottom")
        return carto.save(fig, sheet.fmt, dpi=sheet.dpi)
