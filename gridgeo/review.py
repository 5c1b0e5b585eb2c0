"""Analysis behind the review page: period comparison, trends, Getis-Ord Gi* hot spots, exports.

Plain functions over DataFrames/GeoDataFrames with no Streamlit in them, so they are tested
directly and reusable from scripts.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.model import to_metric

GROUP_COLUMNS: dict[str, str] = {
    "street": "street_code", "community": "community_code", "grid": "grid_code",
    "category": "category", "level": "level",
}

OUT_OF_AREA = "out_of_area"  # group key of events outside every grid (kept, never dropped)

HOTSPOT_COLORS: dict[str, str] = {"hot": "#d7301f", "cold": "#2b8cbe", "not_significant": "#d9d9d9"}


def previous_period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The window of the same length immediately before [start, end)."""
    return start - (end - start), start


def compare_periods(current: pd.DataFrame, previous: pd.DataFrame, by: str) -> pd.DataFrame:
    """Event counts per group in the current and previous period and the change.

    ``by`` is street, community, grid, category or level. Returns columns key, current,
    previous, change, change_pct (NaN when the previous count is 0), sorted by current desc.
    Events without an area code (outside every grid) are counted under OUT_OF_AREA.
    """
    column = GROUP_COLUMNS[by]

    def _counts(frame: pd.DataFrame) -> pd.Series:
        if not len(frame):
            return pd.Series(dtype="int64")
        keys = frame[column]
        if by in ("street", "community", "grid"):
            keys = keys.astype(object).where(keys.notna() & (keys.astype(str) != ""), OUT_OF_AREA).astype(str)
        return keys.value_counts()

    cur, prev = _counts(current), _counts(previous)
    out = pd.concat([cur.rename("current"), prev.rename("previous")], axis=1).fillna(0).astype(int)
    out.index.name = "key"
    out = out.reset_index()
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = np.where(out["previous"] > 0, out["change"] / out["previous"].where(out["previous"] > 0) * 100,
                                 np.nan)
    return out.sort_values(["current", "key"], ascending=[False, True], kind="stable").reset_index(drop=True)


def daily_trend(events: pd.DataFrame, start: datetime, end: datetime, tz: str | None = None) -> pd.DataFrame:
    """Events per local day and level: index day (every day of the window), columns levels 1-4
    (days in ``tz``, default the settings' time zone)."""
    if tz is None:
        from gridgeo.config import get_settings

        tz = get_settings().timezone
    days = pd.date_range(pd.Timestamp(start).tz_convert(tz).normalize(),
                         pd.Timestamp(end - timedelta(microseconds=1)).tz_convert(tz).normalize(), freq="D")
    if not len(events):
        return pd.DataFrame(0, index=days.date, columns=[1, 2, 3, 4])
    day = pd.to_datetime(events["reported_at"]).dt.tz_convert(tz).dt.normalize()
    table = pd.crosstab(day, events["level"].astype(int)).reindex(index=days, columns=[1, 2, 3, 4], fill_value=0)
    table.index = table.index.date
    return table


def grid_weights(grids: gpd.GeoDataFrame, tolerance_m: float = 0.5):
    """Queen-style contiguity weights of the grids, binary; build once and reuse.

    Grids that touch, even at a corner, are neighbours. Built with libpysal's
    ``fuzzy_contiguity`` on polygons buffered by ``tolerance_m`` metres: real and generated
    borders rarely share exact vertices (T-junctions, sub-metre slivers), which makes vertex-
    based Queen weights miss about half the neighbours on the default dataset.
    """
    import warnings as _warnings

    from libpysal.weights import fuzzy_contiguity

    metric = to_metric(grids).reset_index(drop=True)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # libpysal: disconnected-components notice, pandas deprecations
        w = fuzzy_contiguity(metric, buffering=True, buffer=tolerance_m, predicate="intersects")
    w.transform = "B"
    return w


def hotspots(grids: gpd.GeoDataFrame, counts: pd.Series, alpha: float = 0.05, permutations: int = 199,
             seed: int = 12345, w=None) -> pd.DataFrame:
    """Getis-Ord Gi* of event counts per grid (esda.G_Local, star=True) on contiguity weights.

    ``counts`` is indexed by grid code (missing grids count 0). Significance from conditional
    permutations (pseudo p-values, ``permutations`` draws, fixed ``seed`` so results repeat).
    Returns code, count, z (standardised Gi*), p, and cls in hot/cold/not_significant.
    ``w`` may pass weights from :func:`grid_weights` for the same grids (in the same order).
    """
    import esda

    y = counts.reindex(grids["code"].astype(str)).fillna(0).to_numpy(dtype=float)
    out = pd.DataFrame({"code": grids["code"].astype(str).to_numpy(), "count": y.astype(int)})
    if len(grids) < 3 or y.sum() == 0 or np.all(y == y[0]):
        return out.assign(z=0.0, p=1.0, cls="not_significant")
    w = w if w is not None else grid_weights(grids)
    with warnings.catch_warnings():  # esda announces a future change of its default alternative
        warnings.simplefilter("ignore", DeprecationWarning)
        g = esda.G_Local(y, w, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1,
                         keep_simulations=False)
    z = np.nan_to_num(np.asarray(g.Zs, dtype=float))
    p = np.asarray(g.p_sim, dtype=float)
    cls = np.where(p <= alpha, np.where(z > 0, "hot", "cold"), "not_significant")
    return out.assign(z=z, p=p, cls=cls)


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook (openpyxl) with one sheet per table (sheet names cut to 31 chars)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, table in tables.items():
            frame = table.copy()
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            frame.to_excel(writer, sheet_name=str(name)[:31], index=False)
    return buf.getvalue()


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for name in ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei"):
        try:
            font_manager.findfont(name, fallback_to_default=False)
            return name
        except ValueError:
            continue
    return None


def static_map(areas: gpd.GeoDataFrame, colors: pd.Series, title: str, legend: list[tuple[str, str]],
               outline: gpd.GeoDataFrame | None = None, fmt: str = "png", dpi: int = 150,
               note: str = "") -> bytes:
    """Render areas filled with ``colors`` (aligned with ``areas``) to PNG or PDF bytes for slides.

    Uses matplotlib (Agg) through geopandas; Chinese text uses a Noto CJK font when installed.
    The legend sits outside the map on the right; ``note`` goes underneath (e.g. the source).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    font = _cjk_font()
    rc = {"font.family": "sans-serif", "font.sans-serif": [font] if font else ["DejaVu Sans"],
          "axes.unicode_minus": False, "pdf.fonttype": 42}
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(10, 8))
        metric = to_metric(areas)
        metric.plot(ax=ax, color=list(colors), edgecolor="#666666", linewidth=0.2)
        if outline is not None:
            to_metric(outline, metric.crs).boundary.plot(ax=ax, color="#222222", linewidth=1.2)
        ax.set_axis_off()
        ax.set_title(title, fontsize=16)
        ax.legend(handles=[Patch(facecolor=c, edgecolor="#666", label=label) for c, label in legend],
                  loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=11, frameon=False)
        if note:
            fig.text(0.02, 0.01, note, fontsize=8, color="#555555", ha="left", va="bottom", wrap=True)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
        plt.close(fig)
    return buf.getvalue()
