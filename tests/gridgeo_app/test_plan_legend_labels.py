"""The grid editor map's legend and its decluttered labels (gridgeo_app.layers.legend, gridgeo_app.layers.labels)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from plan_helpers import A, lattice_plan

from gridgeo.plan import ops
from gridgeo.plan.integrity import validate
from gridgeo_app.layers.labels import EARTH_M_PER_PX_Z0, declutter_zooms, text_width_px
from gridgeo_app.layers.legend import HouseholdScale, plan_legend_items
from gridgeo_app.layers.plan import SEVERITY_COLORS, STATUS_COLORS, edit_map


def _overlap_at(zoom, lon, lat, w, h) -> bool:
    """Whether any two labels shown at ``zoom`` overlap (boxes in pixels around their anchors)."""
    y0 = np.radians(lat.mean())
    mpp = EARTH_M_PER_PX_Z0 * np.cos(y0) / 2**zoom
    x = np.radians(lon) * 6_378_137.0 * np.cos(y0) / mpp
    y = np.radians(lat) * 6_378_137.0 / mpp
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            if abs(x[i] - x[j]) < (w[i] + w[j]) / 2 and abs(y[i] - y[j]) < (h[i] + h[j]) / 2:
                return True
    return False


def test_decluttered_labels_never_overlap_and_appear_by_zoom():
    rng = np.random.default_rng(3)
    lon = 113.90 + rng.random(60) * 0.01
    lat = 22.75 + rng.random(60) * 0.01
    texts = [f"{k:03d} · {rng.integers(300, 500)}" for k in range(60)]
    w, h = text_width_px(texts, 11), np.full(60, 15.0)
    prio = rng.random(60)
    zooms = declutter_zooms(lon, lat, w, h, priority=prio, base_zoom=12, max_zoom=19)
    assert zooms.min() >= 12 and zooms.max() <= 20
    for z in range(12, 20):
        shown = zooms <= z
        assert not _overlap_at(z, lon[shown], lat[shown], w[shown], h[shown]), z
    counts = [(zooms <= z).sum() for z in range(12, 20)]
    assert counts == sorted(counts) and counts[0] < counts[-1]  # more labels as one zooms in
    assert zooms[np.argmax(prio)] == 12  # the most important label is always shown


def test_text_width_counts_chinese_wider():
    narrow, wide = text_width_px(["0000"], 10)[0], text_width_px(["网格网格"], 10)[0]
    assert wide > narrow


def test_plan_legend_names_every_colour_and_symbol_of_the_editing_map():
    items = plan_legend_items("zh")
    colors = {c for c, _label, _kind in items}
    assert {STATUS_COLORS[k] for k in ("ok", "under_min", "over_max")} <= colors
    assert set(SEVERITY_COLORS.values()) <= colors
    kinds = {label: kind for _c, label, kind in items}
    assert kinds["检查：错误（红圈）"] == "circle" and kinds["网格边界：户数偏小"] == "dashed"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for _c, label, _k in items)
    assert all(not re.search(r"[\u4e00-\u9fff]", label) for _c, label, _k in plan_legend_items("en"))


def test_editing_map_carries_the_legend_and_zoom_classed_labels():
    plan = ops.move_atoms(lattice_plan(), ["r3c0"], f"{A}001")  # a detached piece: an error circle
    html = edit_map(plan, A, issues=validate(plan), lang="zh").get_root().render()
    assert "检查：错误（红圈）" in html and "网格边界：户数适中" in html
    assert re.findall(r"gg-label gg-min-(\d+)", html)
    assert "分成 2 块" in html  # the issue tooltip in Chinese


@pytest.mark.parametrize("lo,hi", [(300, 500), (150, 255)])
def test_household_scale_marks_the_band(lo, hi):
    scale = HouseholdScale(lo, hi)
    items = scale.items("户", "（达标）")
    marked = [label for _c, label, kind in items if kind == "marked"]
    assert len(marked) == 2 and all("达标" in m for m in marked)
    colors = scale.color([lo, (lo + hi) / 2, hi, hi + 1, lo - 1])
    band = {c for c, _label, kind in items if kind == "marked"}
    assert colors[0] in band and colors[1] in band and colors[2] in band
    assert colors[3] not in band and colors[4] not in band
    assert len(set(scale.colors)) == len(scale.colors) == 8  # sequential, distinct
