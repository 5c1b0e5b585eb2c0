"""The 网格划分 Partition planner page through streamlit.testing's AppTest (via app.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "app.py")
PAGE = "app_pages/partition.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _data_dir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GRIDGEO_DATA_DIR", str(tmp_path_factory.mktemp("gridgeo-data")))
    mp.setenv("GRIDGEO_SEED_DAYS", "1")
    mp.delenv("GRIDGEO_DATABASE_URL", raising=False)
    yield
    mp.undo()


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_page_waits_for_run_then_shows_proposal_legacy_and_downloads():
    at = _page()
    assert at.title[0].value == "网格划分"
    assert any("运行" in i.value for i in at.info)
    assert at.sidebar.selectbox(key="pp_scope").value != "__district__"  # one street by default
    at.sidebar.slider(key="pp_band").set_value((300, 500))
    at.sidebar.button(key="pp_run").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["网格数"]) > 10
    assert labels["户数达标"].endswith("%")
    maps = [n for n in _walk(at.main) if getattr(n, "type", "") == "component_instance"]
    assert len(maps) == 2  # proposal and legacy side by side
    downloads = [b.proto.label for b in _walk(at.main) if getattr(b, "type", "") == "download_button"]
    assert downloads == ["grids.geojson", "grids.gpkg", "crosswalk.csv", "metrics.json", "summary.md"]
    # colour by change and inspect another grid: reruns keep the result, no new run
    at.radio(key="pp_color").set_value("change")
    codes = at.selectbox(key="pp_inspect").options
    at.selectbox(key="pp_inspect").set_value(codes[-1])
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.metric) == 4
    # the proposal map is coloured by the change classes
    maps = [n for n in _walk(at.main) if getattr(n, "type", "") == "component_instance"]
    args = json.dumps(json.loads(maps[0].proto.json_args))
    assert any(color in args for color in ("#1565c0", "#6a1b9a", "#ef6c00", "#757575"))
    assert "#f9a825" not in args and "#c62828" not in args  # size-status colours are gone
