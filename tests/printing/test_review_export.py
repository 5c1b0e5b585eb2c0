"""The review meeting's printed hot-spot map, read back: page size, title, legend, place names, furniture."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from gridgeo.analysis.hotspots import hotspots, ranked_hotspots
from gridgeo.atlas.load import load_default_atlas
from gridgeo.printing.cartography import PAGE_SIZES_MM
from gridgeo.printing.review_export import BaseLayers, Hotspots, Sheet, hotspot_map

PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def review_case():
    atlas = load_default_atlas()
    grids = atlas.grids.copy()
    grids["community_name"] = grids["community_code"].map(dict(zip(atlas.communities["code"],
                                                                    atlas.communities["name"], strict=True)))
    counts = pd.Series(np.random.default_rng(5).poisson(1.5, len(grids)), index=grids["code"])
    hot = grids[grids["community_code"] == grids["community_code"].iloc[0]]["code"]
    counts[hot] += 15  # one community's grids form a hot cluster
    hs = hotspots(grids, counts)
    return atlas, grids, hs, ranked_hotspots(hs, grids)


def _render(case, page: str, fmt: str = "pdf") -> bytes:
    atlas, grids, hs, ranked = case
    return hotspot_map(grids, Hotspots(hs, ranked), BaseLayers(atlas.streets, atlas.communities, atlas.district),
                       Sheet("风险研判 · 热点分析", "时段 2026-11-24 – 2026-11-30", "来源：模拟数据（演示）", page=page,
                             fmt=fmt, dpi=60))


@pytest.mark.parametrize("page", ["A4", "A3"])
def test_hotspot_pdf_is_a_landscape_page_with_title_legend_names_and_furniture(review_case, page):
    reader = PdfReader(io.BytesIO(_render(review_case, page)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    w_mm, h_mm = PAGE_SIZES_MM[page]
    assert float(box.width) == pytest.approx(w_mm * PT_PER_MM, abs=1)
    assert float(box.height) == pytest.approx(h_mm * PT_PER_MM, abs=1)
    text = reader.pages[0].extract_text()
    atlas, _, hs, ranked = review_case
    assert "风险研判 · 热点分析" in text and "时段 2026-11-24" in text
    for label in ("热点分级", "热点 99% 置信度", "热点 90% 置信度", "不显著", "冷点 99% 置信度"):
        assert label in text, label
    n99 = int((hs["gi_bin"] == 3).sum())
    assert f"热点 99% 置信度（{n99}）" in text   # the legend counts the grids of each class
    for street in atlas.streets["name"]:
        assert street in text, street         # place names
    assert ranked.iloc[0]["name"] in text     # the ranked list names the top hot-spot grid
    assert "北" in text and "比例尺 1:" in text and " km" in text   # north arrow, ratio, scale bar
    assert "来源：模拟数据（演示）" in text


def test_hotspot_png_has_the_a4_landscape_proportions(review_case):
    from PIL import Image

    png = _render(review_case, "A4", "png")
    image = Image.open(io.BytesIO(png))
    assert image.width / image.height == pytest.approx(297 / 210, rel=0.01)


def test_unknown_page_size_is_refused(review_case):
    with pytest.raises(ValueError, match="A4, A3"):
        _render(review_case, "Letter")


def test_scale_ratio_measures_the_map_as_printed():
    from gridgeo.printing import cartography as carto

    with carto.print_style():
        fig = carto.page_figure("A4")
        ax = fig.add_axes((0.0, 0.0, 0.5, 0.5))   # 148.5 x 105 mm before the aspect is applied
        carto.fit_extent(ax, (0, 0, 5000, 5000), margin=0)   # a square: shrinks to 105 mm wide
        assert carto.axis_width_mm(ax) == pytest.approx(105, rel=0.01)
        assert carto.scale_ratio(ax) == 48000               # 5 km on 105 mm = 1:47,619 -> 1:48,000
        fig.clf()
