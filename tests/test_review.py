"""Review analysis: period comparison, daily trend, Gi* hot spots, Excel and static map exports."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
from shapely.geometry import box

from gridgeo.review import (
    HOTSPOT_COLORS,
    OUT_OF_AREA,
    compare_periods,
    daily_trend,
    excel_bytes,
    hotspots,
    previous_period,
    static_map,
)

TZ = ZoneInfo("Asia/Shanghai")


def _ev(codes, levels, times, categories=None):
    return pd.DataFrame({"grid_code": codes, "street_code": [c[:9] for c in codes],
                         "community_code": [c[:12] for c in codes], "level": levels,
                         "category": categories or ["other"] * len(codes), "reported_at": pd.to_datetime(times)})


def test_previous_period_has_the_same_length_and_ends_where_the_period_starts():
    start, end = datetime(2026, 11, 10, tzinfo=TZ), datetime(2026, 11, 17, 12, tzinfo=TZ)
    p_start, p_end = previous_period(start, end)
    assert p_end == start and end - start == p_end - p_start


def test_compare_periods_counts_changes_and_percentages():
    t = [datetime(2026, 11, 20, 9, tzinfo=TZ)]
    cur = _ev(["440311001001001"] * 3 + ["440311002001001"], [1, 2, 3, 4], t * 4)
    prev = _ev(["440311001001001", "440311003001001"], [3, 3], t * 2)
    out = compare_periods(cur, prev, "street").set_index("key")
    assert out.loc["440311001", ["current", "previous", "change"]].tolist() == [3, 1, 2]
    assert out.loc["440311001", "change_pct"] == 200.0
    assert out.loc["440311002", "previous"] == 0 and np.isnan(out.loc["440311002", "change_pct"])
    assert out.loc["440311003", "current"] == 0 and out.loc["440311003", "change"] == -1
    assert list(out.index[:1]) == ["440311001"]
    outside = pd.concat([cur, _ev(["440311001001001"], [2], t).assign(street_code=[None])])
    assert compare_periods(outside, prev, "street").set_index("key").loc[OUT_OF_AREA, "current"] == 1
    levels = compare_periods(cur, prev, "level").set_index("key")
    assert levels.loc[3, "current"] == 1 and levels.loc[3, "previous"] == 2


def test_daily_trend_covers_every_local_day_by_level():
    start, end = datetime(2026, 11, 20, tzinfo=TZ), datetime(2026, 11, 23, tzinfo=TZ)
    times = [datetime(2026, 11, 20, 23, 30, tzinfo=TZ), datetime(2026, 11, 22, 0, 10, tzinfo=TZ),
             datetime(2026, 11, 22, 8, tzinfo=TZ)]
    trend = daily_trend(_ev(["440311001001001"] * 3, [1, 4, 4], times), start, end)
    assert len(trend) == 3 and list(trend.columns) == [1, 2, 3, 4]
    assert trend.iloc[0].tolist() == [1, 0, 0, 0]
    assert trend.iloc[1].sum() == 0
    assert trend.iloc[2].tolist() == [0, 0, 0, 2]


def _lattice(n: int = 7) -> gpd.GeoDataFrame:
    geoms = [box(round(113.9 + 0.005 * i, 6), round(22.7 + 0.005 * j, 6),
                 round(113.905 + 0.005 * i, 6), round(22.705 + 0.005 * j, 6))
             for j in range(n) for i in range(n)]
    return gpd.GeoDataFrame({"code": [f"G{k:03d}" for k in range(n * n)]}, geometry=geoms, crs="EPSG:4326")


def test_gi_star_finds_a_planted_cluster_and_nothing_in_uniform_counts():
    grids = _lattice(9)
    rng = np.random.default_rng(3)
    counts = pd.Series(rng.poisson(2, len(grids)), index=grids["code"])
    cluster = [f"G{j * 9 + i:03d}" for j in range(3, 6) for i in range(3, 6)]   # a 3x3 block in the middle
    counts[cluster] += 25
    hs = hotspots(grids, counts, permutations=199).set_index("code")
    assert (hs.loc[cluster[4], "cls"]) == "hot"          # the block's centre
    assert (hs.loc[cluster, "cls"] == "hot").sum() >= 5
    assert (hs.drop(index=cluster)["cls"] == "hot").sum() <= 8   # ring around the block at most
    assert (hs.loc["G000", "cls"]) != "hot"
    flat = hotspots(grids, pd.Series(5, index=grids["code"]))
    assert (flat["cls"] == "not_significant").all()


def test_excel_export_has_one_sheet_per_table_with_the_values():
    table = pd.DataFrame({"名称": ["光明街道"], "本期": [12]})
    events = pd.DataFrame({"reported_at": pd.to_datetime([datetime(2026, 11, 20, 9, tzinfo=TZ)])})
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes({"街道": table, "事件": events})))
    assert book.sheetnames == ["街道", "事件"]
    assert [c.value for c in book["街道"][2]] == ["光明街道", 12]


def test_static_map_exports_png_and_pdf():
    grids = _lattice(3)
    colors = pd.Series([HOTSPOT_COLORS["hot"]] * 9)
    png = static_map(grids, colors, "热点分析", [(HOTSPOT_COLORS["hot"], "热点")], fmt="png", dpi=40)
    pdf = static_map(grids, colors, "热点分析", [(HOTSPOT_COLORS["hot"], "热点")], fmt="pdf")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert pdf[:5] == b"%PDF-"
