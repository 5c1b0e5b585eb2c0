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


def _confirmed_case(default_atlas, case_id: str) -> str:
    """A case reported an hour ago in a grid, accepted, resolved and confirmed now; its grid code."""
    from datetime import UTC, datetime, timedelta

    from gridgeo.services.intake import add_events
    from gridgeo.services.workspace import open_store

    grid = default_atlas.grids.iloc[7]
    pt = grid.geometry.representative_point()
    store = open_store()  # the app's store (GRIDGEO_DATA_DIR)
    now = datetime.now(UTC)
    add_events(store, [{"id": case_id, "reported_at": (now - timedelta(hours=1)).isoformat(), "lon": pt.x,
                        "lat": pt.y, "category": "labour", "level": 3, "channel": "hotline"}])
    for status in ("accepted", "resolved", "confirmed"):
        store.transition(case_id, status, "user:tester")
    return str(grid["code"])


def test_the_card_shows_ratings_and_takes_the_feedback_rating(default_atlas):
    from gridgeo.services.workspace import open_store

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()  # seeds the store
    code = _confirmed_case(default_atlas, "rate-card-1")
    at.session_state["map_selected"] = code
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    history = next(d.value for d in at.main.dataframe if "评价" in d.value.columns)
    assert set(history["评价"]) <= {"满意", "基本满意", "不满意", "未评价"} and "未评价" in set(history["评价"])
    form = at.main.selectbox(key=f"rate_case_{code}")
    assert any(o.startswith("rate-card-1 · 办结") and o.endswith("前评价") for o in form.options), form.options
    form.set_value("rate-card-1")
    at.main.radio(key=f"rate_value_{code}").set_value("fair")
    next(b for b in at.main.button if b.label == "记录评价").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("基本满意" in s.value for s in at.main.success), [s.value for s in at.main.success]
    record = open_store().get_event("rate-card-1")
    assert record["status"] == "feedback" and record["rating"] == "fair"
    assert record["history"][-1]["actor"] == "open:local" and record["history"][-1]["note"] == "rating: fair"


def test_ratable_cases_are_confirmed_unrated_and_within_the_working_days():
    from datetime import UTC, datetime, timedelta

    import pandas as pd

    from gridgeo_app.rating_form import ratable, rating_words

    now = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # a Wednesday
    cases = pd.DataFrame({"id": ["a", "b", "c", "d", "e"],
                          "status": ["confirmed", "confirmed", "feedback", "resolved", "confirmed"],
                          "rating": [None, None, "fair", None, None],
                          "resolved_at": [now - timedelta(days=1), now - timedelta(days=10), now, now, None]})
    assert list(ratable(cases, now, 5, "Asia/Shanghai")["id"]) == ["a"]
    assert list(ratable(cases, now, 30, "Asia/Shanghai")["id"]) == ["b", "a"]  # the oldest deadline first
    assert list(rating_words(cases["rating"], "zh")) == ["未评价", "未评价", "基本满意", "未评价", "未评价"]


def test_the_wall_shows_the_halls_of_the_viewers_territory(default_atlas):
    import re

    from gridgeo.access import Identity

    community = "440311001001"
    points = default_atlas.service_points
    mine = points[points["territory_code"].isin([community, community[:9], community[:6]])]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["identity"] = Identity(name="sq", role="community", kind="user", scopes=(community,))
    at.run()
    at.switch_page("gridgeo_app/pages/wall.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    pushed = _map_args(at)["feature_group"]
    assert pushed.count("gridgeo-hall-card") == len(mine) >= 4  # its hall, stations, street and district centres
    assert "gg-halls-legend" in pushed
    side = next(m.value for m in at.main.markdown if "gg-halls" in m.value)
    assert set(re.findall(r"data-code='([^']+)'", side)) <= set(mine["code"])
