"""Printed maps (PNG/PDF) for meetings and notice boards: page sizes, CJK fonts and map furniture.

Shared by the review export (gridgeo.analysis.review) and the 一格一图 poster (gridgeo.printing.poster). Maps
are drawn with matplotlib (Agg) through geopandas in the settings' metric CRS
(:func:`gridgeo.geo.metric.metric_crs_of`), so one axis unit is one metre: the scale bar
(matplotlib-scalebar) and the printed ratio are true, and grid north is up (the north arrow).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import geopandas as gpd
import numpy as np

MM_PER_INCH = 25.4
# ISO 216 landscape pages (width, height) in millimetres
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")


def cjk_font() -> str | None:
    """The first installed font family that has Chinese glyphs (Noto CJK on Debian), or None."""
    from matplotlib import font_manager

    for name in CJK_FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
            return name
        except ValueError:
            continue
    return None


@contextlib.contextmanager
def print_style() -> Iterator[None]:
    """matplotlib settings for printed maps: Agg, a CJK font, fonts embedded as text in PDFs
    (so the PDF's words can be searched and extracted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    rc = {"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
          "axes.unicode_minus": False, "pdf.fonttype": 42, "ps.fonttype": 42}
    with plt.rc_context(rc):
        yield


def page_figure(page: str = "A4"):
    """A new landscape figure of ``page`` ("A4" or "A3") size; raises ValueError for others."""
    import matplotlib.pyplot as plt

    if page not in PAGE_SIZES_MM:
        raise ValueError(f"page {page!r}: use one of {', '.join(PAGE_SIZES_MM)}")
    w, h = PAGE_SIZES_MM[page]
    return plt.figure(figsize=(w / MM_PER_INCH, h / MM_PER_INCH))


def fit_extent(ax, bounds: tuple[float, float, float, float], margin: float = 0.04) -> None:
    """Show ``bounds`` (metric) with a margin, equal aspect, no axis frame."""
    minx, miny, maxx, maxy = bounds
    pad = max(maxx - minx, maxy - miny) * margin
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()


def axis_width_mm(ax) -> float:
    """The printed width of a map axis in millimetres, after its equal aspect has shrunk it."""
    ax.apply_aspect()
    return ax.get_position().width * ax.figure.get_figwidth() * MM_PER_INCH


def scale_ratio(ax) -> int:
    """The printed scale 1:N of a metric map axis, to two significant figures."""
    width_mm = axis_width_mm(ax)
    x0, x1 = ax.get_xlim()
    raw = (x1 - x0) * 1000 / max(width_mm, 1e-6)
    digits = 2 - int(np.floor(np.log10(raw))) - 1
    return int(round(raw, digits))  # two significant figures: 1:47,619 -> 1:48,000


def add_scale_bar(ax, location: str = "lower left", fontsize: float = 9) -> None:
    """A metric scale bar (matplotlib-scalebar; the axis unit is one metre)."""
    from matplotlib_scalebar.scalebar import ScaleBar

    ax.add_artist(ScaleBar(1, "m", location=location, length_fraction=0.22, box_alpha=0.85,
                           scale_loc="top", font_properties={"size": fontsize}, border_pad=0.8))


def add_north_arrow(ax, label: str = "北", x: float = 0.955, y: float = 0.93, size: float = 0.07,
                    fontsize: float = 12) -> None:
    """A north arrow in the top right of ``ax`` (axes fractions); up is grid north."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - 0.03, y - size - 0.015), 0.06, size + 0.065, transform=ax.transAxes,
                                boxstyle="round,pad=0.004", facecolor="white", edgecolor="#999999",
                                linewidth=0.5, zorder=20, clip_on=False))
    ax.annotate("", xy=(x, y), xytext=(x, y - size), xycoords="axes fraction", zorder=21,
                arrowprops={"arrowstyle": "simple,head_width=0.9,head_length=1.1,tail_width=0.35",
                            "color": "#222222"})
    ax.text(x, y + 0.01, label, transform=ax.transAxes, ha="center", va="bottom", fontsize=fontsize,
            fontweight="bold", color="#222222", zorder=21)


def label_points(geoms: gpd.GeoSeries) -> tuple[list, np.ndarray]:
    """Label anchors and room of polygons (metric): the centre of each one's largest inscribed
    circle (pole of inaccessibility, far from every edge) and that circle's diameter in metres."""
    import shapely

    values = np.asarray(geoms.values)
    sizes = np.sqrt(np.maximum(shapely.area(values), 1e-9))
    lines = shapely.maximum_inscribed_circle(values, tolerance=np.maximum(sizes / 100, 0.5))
    centres = list(shapely.get_point(lines, 0))
    return centres, 2 * shapely.length(lines)


def place_labels(ax, gdf: gpd.GeoDataFrame, column: str = "name", fontsize: float = 8, color: str = "#111111",
                 weight: str = "normal") -> list:
    """Write ``gdf[column]`` at each polygon's representative point (metric frame); returns the Texts."""
    texts = []
    for text, pt in zip(gdf[column].astype(str), label_points(gdf.geometry)[0], strict=True):
        if pt is None or pt.is_empty or not text or text in ("nan", "None"):
            continue
        texts.append(haloed_text(ax, pt.x, pt.y, text, fontsize=fontsize, color=color, fontweight=weight))
    return texts


def haloed_text(ax, x: float, y: float, text: str, halo_width: float = 2.5, zorder: float = 5, **kwargs):
    """Text centred at (x, y) over a white outline; returns the text (its halo is ``text.gg_halo``).

    The outline is a separate white copy drawn with a path effect beneath the text: matplotlib
    writes path-effect text into PDFs as outlines, so the label itself carries none and stays
    real, searchable text.
    """
    from matplotlib import patheffects

    style = {"ha": "center", "va": "center", "clip_on": True, **kwargs}
    back = ax.text(x, y, text, zorder=zorder - 0.1, path_effects=[
        patheffects.Stroke(linewidth=halo_width, foreground="white"), patheffects.Normal()],
        **{**style, "color": "white"})
    front = ax.text(x, y, text, zorder=zorder, **style)
    front.gg_halo = back
    return front


def legend_panel(ax, title: str, items: list[tuple[str, str]], fontsize: float = 10,
                 lines: list[tuple[str, float, str]] = ()) -> None:
    """A legend of coloured boxes (colour, label), then ``lines`` (colour, width, label), at the
    top of an empty panel axis."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="#666666", linewidth=0.6, label=label) for c, label in items]
    handles += [Line2D([], [], color=c, linewidth=w, label=label) for c, w, label in lines]
    ax.legend(handles=handles, title=title, loc="upper left", frameon=False, fontsize=fontsize,
              title_fontproperties={"size": fontsize + 1, "weight": "bold"}, alignment="left")


def save(fig, fmt: str = "pdf", dpi: int = 150) -> bytes:
    """The figure as PNG or PDF bytes at its full page size (no cropping), then closed."""
    import matplotlib.pyplot as plt

    if fmt not in ("png", "pdf"):
        raise ValueError(f"format {fmt!r}: use png or pdf")
    buf = io.BytesIO()
    meta = {"Creator": "gridgeo"} if fmt == "pdf" else None
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
    plt.close(fig)
    return buf.getvalue()


def drop_overlapping(texts: list, keep: list | None = None, pad_px: float = 2.0) -> int:
    """Remove labels (matplotlib Text) that overlap a kept label, greedily in the given order.

    ``keep`` are labels placed before that always stay (e.g. street names before community
    names). Returns how many labels were removed.
    """
    if not texts:
        return 0
    renderer = texts[0].figure.canvas.get_renderer()
    placed = [t.get_window_extent(renderer).expanded(1.0, 1.0).padded(pad_px) for t in keep or []]
    removed = 0
    for text in texts:
        box = text.get_window_extent(renderer).padded(pad_px)
        if any(box.overlaps(other) for other in placed):
            text.remove()
            if getattr(text, "gg_halo", None) is not None:
                text.gg_halo.remove()
            removed += 1
        else:
            placed.append(box)
    return removed


def wrap_text(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` display columns (a CJK character counts two)."""
    import textwrap
    import unicodedata

    if all(unicodedata.east_asian_width(ch) not in "WF" for ch in text):
        return textwrap.fill(text, width)  # no CJK: break between words
    lines, line, used = [], "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width and line:
            lines.append(line.rstrip())
            line, used = "", 0
        line += ch
        used += w
    if line:
        lines.append(line.rstrip())
    return "\n".join(lines)
