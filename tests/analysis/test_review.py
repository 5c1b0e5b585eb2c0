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

from gridgeo.analysis.hotspots import GI_BINS, gi_bins, hotspots, ranked_hotspots
from gridgeo.analysis.review import (
    OUT_OF_AREA,
    compare_periods,
    comparison_basis,
    daily_trend,
    labelled_comparison,
    previous_period,
)
from gridgeo.printing.review_export import review_workbook

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


def test_gi_star_finds_a_planted_cluster_in_the_99_bin_and_nothing_in_uniform_counts():
    grids = _lattice(9)
    rng = np.random.default_rng(3)
    counts = pd.Series(rng.poisson(2, len(grids)), index=grids["code"])
    cluster = [f"G{j * 9 + i:03d}" for j in range(3, 6) for i in range(3, 6)]   # a 3x3 block in the middle
    counts[cluster] += 25
    for fdr in (False, True):
        hs = hotspots(grids, counts, fdr=fdr).set_index("code")
        assert hs.loc[cluster[4], "gi_bin"] == 3 and hs.loc[cluster[4], "confidence"] == 0.99  # the centre
        assert (hs.loc[cluster, "gi_bin"] > 0).sum() >= 5
        assert (hs.drop(index=cluster)["gi_bin"] > 0).sum() <= 16   # the ring around the block at most
        assert hs.loc["G000", "gi_bin"] <= 0                          # a far corner is never hot
        assert set(hs["gi_bin"]) <= set(GI_BINS)
        assert ((hs["gi_bin"] > 0) == (hs["cls"] == "hot")).all()
    plain = hotspots(grids, counts).set_index("code")
    corrected = hotspots(grids, counts, fdr=True).set_index("code")
    assert (corrected["gi_bin"].abs() <= plain["gi_bin"].abs()).all()   # FDR only ever demotes
    perm = hotspots(grids, counts, inference="permutation", permutations=199).set_index("code")
    assert perm.loc[cluster[4], "gi_bin"] > 0
    flat = hotspots(grids, pd.Series(5, index=grids["code"]))
    assert (flat["gi_bin"] == 0).all() and (flat["cls"] == "not_significant").all()


def test_gi_bins_follow_the_arcgis_confidence_levels():
    z = np.array([3.0, 2.0, 1.7, 0.5, -1.7, -2.0, -3.0])
    from scipy.stats import norm

    p = 2 * norm.sf(np.abs(z))
    assert gi_bins(z, p).tolist() == [3, 2, 1, 0, -1, -2, -3]
    # with many tests, FDR raises the bar: the weakest (90 %) hot spot is no longer one
    many_p = np.concatenate([p, np.full(200, 0.8)])
    many_z = np.concatenate([z, np.zeros(200)])
    assert gi_bins(many_z, many_p, fdr=True)[:7].tolist()[2] == 0


def test_ranked_hotspots_lists_hot_grids_by_bin_then_z_with_names():
    grids = _lattice(9).assign(name=lambda g: g["code"] + "网格", community_name="甲社区", street_name="乙街道")
    counts = pd.Series(1, index=grids["code"])
    counts[[f"G{j * 9 + i:03d}" for j in range(3, 6) for i in range(3, 6)]] += 30
    hs = hotspots(grids, counts)
    ranked = ranked_hotspots(hs, grids)
    assert len(ranked) == (hs["gi_bin"] > 0).sum() > 0
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["gi_bin"].is_monotonic_decreasing
    assert ranked.iloc[0]["code"] == "G040" and ranked.iloc[0]["name"] == "G040网格"
    assert (ranked["community_name"] == "甲社区").all()


def test_comparison_basis_refuses_an_empty_or_half_covered_previous_period():
    start, end = datetime(2026, 11, 17, tzinfo=TZ), datetime(2026, 11, 24, tzinfo=TZ)
    empty = _ev([], [], [])
    assert comparison_basis(empty, start, end) == ("empty", None)
    late = _ev(["440311001001001"] * 2, [3, 3], [datetime(2026, 11, 23, 20, tzinfo=TZ)] * 2)
    basis, first = comparison_basis(late, start, end)
    assert basis == "partial" and first == datetime(2026, 11, 23, 20, tzinfo=TZ)
    assert comparison_basis(late, start, end, has_earlier=True)[0] == "ok"   # a quiet week, not missing data
    early = _ev(["440311001001001"], [3], [datetime(2026, 11, 17, 2, tzinfo=TZ)])
    assert comparison_basis(early, start, end)[0] == "ok"


def test_labelled_comparison_names_places_categories_and_out_of_area_in_chinese():
    t0 = [datetime(2026, 11, 20, 9, tzinfo=TZ)]
    cur = _ev(["440311001001001", "440311001001001"], [1, 2], t0 * 2, categories=["neighbour_dispute", "other"])
    cur = pd.concat([cur, _ev(["440311001001001"], [2], t0).assign(street_code=[None])], ignore_index=True)
    names = {"440311001": "光明街道"}
    street = labelled_comparison(compare_periods(cur, cur.iloc[:0], "street"), "street", names, "zh", False)
    assert list(street.columns) == ["编码", "名称", "本期"]
    assert street.set_index("名称").loc["光明街道", "本期"] == 2
    assert street.set_index("名称").loc["区域外（未落入任何网格）", "编码"] == ""
    assert "None" not in street.to_string() and OUT_OF_AREA not in street.to_string()
    cats = labelled_comparison(compare_periods(cur, cur, "category"), "category", None, "zh", True)
    assert list(cats.columns) == ["名称", "本期", "上期", "变化", "变化 %"]
    assert not cats["名称"].str.contains("_").any() and "邻里纠纷" in set(cats["名称"])


def test_review_workbook_has_a_cover_and_chinese_headers():
    table = pd.DataFrame({"名称": ["光明街道"], "本期": [12]})
    events = pd.DataFrame({"reported_at": pd.to_datetime([datetime(2026, 11, 20, 9, tzinfo=TZ)])})
    cover = [("时段", "2026-11-24 00:00 – 2026-11-30 12:00"), ("风险规则", "风险等级 = ……")]
    book = openpyxl.load_workbook(io.BytesIO(review_workbook("风险研判报告", cover, {"街道": table, "事件": events,
                                                                                   "热点网格/排名": table})))
    assert book.sheetnames == ["封面", "街道", "事件", "热点网格-排名"]
    assert book["封面"]["A1"].value == "风险研判报告"
    assert [c.value for c in book["封面"][3]] == ["项目", "内容"]
    assert book["封面"]["B4"].value.startswith("2026-11-24")
    assert [c.value for c in book["街道"][1]] == ["名称", "本期"]
    assert [c.value for c in book["街道"][2]] == ["光明街道", 12]
