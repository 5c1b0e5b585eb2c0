"""The halls layer on the Map page (issue 23), through streamlit.testing's AppTest: chosen in
the layer list, the pushed map carries a marker and a card per service point of the demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDGEO_SEED_DAYS", "1")
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _map_args(at: AppTest) -> dict:
    maps = [json.loads(n.proto.json_args) for n in _walk(at.main)
            if type(n).__name__ == "UnknownElement" and getattr(n, "type", "") == "component_instance"]
    assert len(maps) == 1
    return maps[0]


def test_map_page_halls_layer_has_a_card_per_service_point(default_atlas):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "gridgeo-hall-card" not in _map_args(at)["feature_group"]  # not shown by default
    layers = at.sidebar.multiselect(key="map_layers")
    assert "halls" in layers.options or "服务网点" in layers.options
    layers.select("halls" if "halls" in layers.options else "服务网点").run()
    assert not at.exception, [e.message for e in at.exception]
    pushed = _map_args(at)["feature_group"]
    assert pushed.count("gridgeo-hall-card") == len(default_atlas.service_points)
    assert "光明区综治中心" in pushed and "在办" in pushed and "办理时长中位数" in pushed
