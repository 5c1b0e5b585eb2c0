"""The app by role and territory (AppTest): which pages each role may open (the rule of
gridgeo.access, through gridgeo_app.scope), and a community's account seeing only its
community on the map, the wall (titled by it) and the review."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gridgeo.access import Identity  # noqa: E402
from gridgeo_app import event_source as data  # noqa: E402
from gridgeo_app.scope import page_allowed  # noqa: E402

APP = str(ROOT / "app.py")
COMMUNITY = Identity("cadre", "community", scopes=("440311001001",))


def test_pages_by_role():
    opens = {role: [u for u in ("map", "wall", "review", "partition", "planner", "import", "queue")
                    if page_allowed(Identity("x", role, scopes=("440311",) if role == "district" else ()), u)]
             for role in ("admin", "planner", "district", "street", "community", "viewer")}
    assert opens["admin"] == ["map", "wall", "review", "partition", "planner", "import", "queue"]
    assert opens["planner"] == ["map", "wall", "review", "partition", "planner", "queue"]
    assert opens["district"] == ["map", "wall", "review", "import", "queue"]
    assert opens["street"] == opens["community"] == ["map", "wall", "review", "queue"]
    assert opens["viewer"] == ["map", "wall", "review", "queue"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGEO_SEED_DAYS", "0.5")
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    data._STORES.clear()
    yield tmp_path
    data._STORES.clear()


def _markdown(at: AppTest) -> str:
    return " ".join(str(m.value) for m in at.markdown)


def test_a_community_sees_its_community_only(data_dir):
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["identity"] = COMMUNITY
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    street = at.sidebar.selectbox(key="map_street")
    community = at.sidebar.selectbox(key="map_community")
    assert street.options[1:] == ["光明街道"]  # "全部" then its street
    assert community.options[1:] == ["新坡头社区"]
    for page in ("importer", "partition", "planner"):  # not in its navigation (a typed URL: the browser test)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"gridgeo_app/pages/{page}.py")
    at.switch_page("gridgeo_app/pages/wall.py").run()
    assert not at.exception, [e.message for e in at.exception]
    text = _markdown(at)
    assert "新坡头社区 · 指挥大屏" in text
    assert "公明街道" not in text and "新湖街道" not in text  # no other street's bars or cases
    assert "各网格事件数 · 在办" in text and "001网格" in text  # its bars: one level below, by grid
