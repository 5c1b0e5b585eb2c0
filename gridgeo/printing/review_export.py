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

import geopandas as gpd
import pandas as pd

from gridgeo.analysis.hotspots import BIN_ORDER, GI_BINS, bin_counts
from gridgeo.geo.metric import metric_crs_of
from gridgeo.i18n import t
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


def _draw_hotspot_layers(ax, grids: gpd.GeoDataFrame, hs: pd.DataFrame, streets: gpd.GeoDataFrame,
                         communities: gpd.GeoDataFrame, district: gpd.GeoDataFrame | None, crs: str,
                         k: float = 1.0) -> list:
    bins = grids[["code"]].astype(str).merge(hs[["code", "gi_bin"]], on="code", how="left")["gi_bin"]
    colors = bins.fillna(0).astype(int).map(lambda b: GI_BINS[b][1])
    grids.to_crs(crs).plot(ax=ax, color=list(colors), edgecolor="#9a9a9a", linewidth=0.12)
    communities.to_crs(crs).boundary.plot(ax=ax, color="#555555", linewidth=0.4)
    streets_m = streets.to_crs(crs)
    streets_m.boundary.plot(ax=ax, color="#111111", linewidth=1.1)
    if district is not None:
        district.to_crs(crs).boundary.plot(ax=ax, color="#000000", linewidth=1.6)
    carto.fit_extent(ax, tuple((district if district is not None else streets).to_crs(crs).total_bounds))
    street_labels = carto.place_labels(ax, streets_m, fontsize=12 * k, weight="bold")
    community_labels = carto.place_labels(ax, communities.to_crs(crs), fontsize=7 * k, color="#333333")
    carto.drop_overlapping(community_labels, keep=street_labels)
    return street_labels + community_labels


def _side_panel(panel, hs: pd.DataFrame, ranked: pd.DataFrame, lang: str, fdr: bool, top: int,
                scale_text: str, k: float = 1.0) -> None:
    carto.legend_panel(panel, t("hotspot_class", lang), bin_legend(hs, lang), fontsize=9 * k,
                       lines=[("#111111", 1.1, t("street_boundary", lang)),
                              ("#555555", 0.5, t("community_boundary", lang))])
    method = t("hotspot_method", lang).format(fdr=t("fdr_applied", lang) if fdr else "")
    panel.text(0.0, 0.56, carto.wrap_text(method, 60), transform=panel.transAxes, fontsize=7 * k, va="top",
               color="#333333", linespacing=1.4)
    panel.text(0.0, 0.47, t("top_hotspots", lang).format(n=top), transform=panel.transAxes, fontsize=10 * k,
               fontweight="bold", va="top")
    rows = ranked.head(top)
    lines = [f"{r['rank']:>2}. {r['name']}  z={r['z']:.2f}" for _, r in rows.iterrows()] if len(rows) else \
        [t("no_hotspots", lang)]
    panel.text(0.0, 0.43, "\n".join(lines), transform=panel.transAxes, fontsize=8 * k, va="top", linespacing=1.5)
    panel.text(0.0, 0.0, scale_text, transform=panel.transAxes, fontsize=8 * k, va="bottom", color="#333333")


def hotspot_map(grids: gpd.GeoDataFrame, hs: pd.DataFrame, ranked: pd.DataFrame, *, streets: gpd.GeoDataFrame,
                communities: gpd.GeoDataFrame, district: gpd.GeoDataFrame | None, title: str, period: str,
                note: str, lang: str = "zh", fdr: bool = False, page: str = "A4", fmt: str = "pdf",
                top: int = 10, dpi: int = 200) -> bytes:
    """The hot-spot map of a review period as one landscape ``page`` (A4/A3) in ``fmt`` (pdf/png).

    ``grids``, ``streets``, ``communities``, ``district`` are WGS84 frames; ``hs`` comes from
    gridgeo.analysis.hotspots.hotspots and ``ranked`` from ranked_hotspots (named hot-spot grids).
    """
    crs = metric_crs_of(grids)
    k = carto.PAGE_SIZES_MM.get(page, (297.0,))[0] / 297.0  # type scales with the page (A3: x1.41)
    with carto.print_style():
        fig = carto.page_figure(page)
        fig.text(0.025, 0.955, title, fontsize=18 * k, fontweight="bold", va="top")
        fig.text(0.025, 0.905, period, fontsize=11 * k, va="top", color="#333333")
        ax = fig.add_axes((0.015, 0.075, 0.66, 0.82))
        _draw_hotspot_layers(ax, grids, hs, streets, communities, district, crs, k)
        carto.add_scale_bar(ax, fontsize=9 * k)
        carto.add_north_arrow(ax, t("north", lang), fontsize=12 * k)
        scale_text = f"{t('scale_ratio', lang).format(n=f'{carto.scale_ratio(ax):,}')} · " \
                     f"{t('map_crs', lang).format(crs=crs)}"
        _side_panel(fig.add_axes((0.70, 0.075, 0.28, 0.82)), hs, ranked, lang, fdr, top, scale_text, k)
        fig.text(0.025, 0.02, note, fontsize=7 * k, color="#555555", va="bottom")
        return carto.save(fig, fmt, dpi=dpi)
