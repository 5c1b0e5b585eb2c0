"""The review page in a real headless Chromium at 1920x1080: it says there is no comparison on a
store seeded one day ago, and its Excel and PDF downloads, read back, carry the cover, the
hot-spot sheet, Chinese headers, the title, the legend and place names on an A4 landscape page."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from streamlit_server import LOCAL_PREFIXES, chromium_browser, streamlit_server

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("review-app")
    env = {"GRIDGEO_DATA_DIR": str(tmp_path / "data"), "GRIDGEO_SEED_DAYS": "1"}
    with streamlit_server(ROOT / "app.py", tmp_path, env) as url:
        yield url


def _download(page, label: str) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_bytes()


def test_review_page_says_no_comparison_and_exports_read_back(review_server, chromium_path, default_atlas):
    external: list[str] = []
    with chromium_browser(chromium_path) as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
        page.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES) else external.append(r.url))
        page.goto(f"{review_server}/review", timeout=180_000)
        page.get_by_text("热点网格排名").wait_for(timeout=240_000)
        assert page.get_by_text("本期不作比较").count() >= 1
        book = openpyxl.load_workbook(io.BytesIO(_download(page, "导出 Excel")))
        pdf = PdfReader(io.BytesIO(_download(page, "导出地图 PDF")))
    assert book.sheetnames[0] == "封面" and "热点网格排名" in book.sheetnames
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=4, values_only=True)}
    assert cover["上期"] == "无可比上期" and cover["风险规则"].startswith("风险等级")
    assert [c.value for c in book["类别"][1]] == ["名称", "本期"]
    assert not any("_" in str(c.value) for c in book["类别"]["A"])       # category names, no slugs
    assert [c.value for c in book["热点网格排名"][1]][:2] == ["排名", "名称"]
    halls = [[c.value for c in row] for row in book["服务网点"].iter_rows()]  # the per-hall figures (issue 23)
    assert halls[0][:4] == ["编码", "名称", "层级", "本期案件"] and "社区及以下办结率 %" in halls[0]
    assert len(halls) > 30 and all(str(r[0]).startswith("FW440311") for r in halls[1:])
    assert (float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)) == pytest.approx(
        (841.89, 595.28), abs=1)
    text = pdf.pages[0].extract_text()
    assert "风险研判" in text and "热点 99% 置信度" in text and "比例尺 1:" in text and "北" in text
    assert all(name in text for name in default_atlas.streets["name"])
    assert not external, external
