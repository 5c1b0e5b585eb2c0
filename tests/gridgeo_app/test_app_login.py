"""The app's login gate (AppTest): open while the store has no accounts; once a user exists, a
login form first (wrong password refused, right one lets in); the wall runs on a viewer key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gridgeo.store import identities  # noqa: E402
from gridgeo_app import event_source as data  # noqa: E402

APP = str(ROOT / "app.py")
PASSWORD = "Grid-office-2026"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGEO_SEED_DAYS", "0.2")
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    data._STORES.clear()
    yield tmp_path
    data._STORES.clear()


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.title, *at.caption, *at.error, *at.markdown])


def test_login_needed_once_a_user_exists(data_dir):
    identities.add_user(data.store(), "wangli", PASSWORD, "community", ["440311001001"])
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert "登录" in _texts(at) and len(at.text_input) == 2
    at.text_input[0].input("wangli")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert "用户名或密码不正确" in _texts(at)
    at.text_input[0].input("wangli")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("当前用户：wangli（社区）" in str(c.value) for c in at.sidebar.caption)


def test_wall_runs_on_a_viewer_key_and_refuses_a_revoked_one(data_dir):
    key = identities.create_key(data.store(), "wall-1", "viewer")
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["key"] = key
    at.run()
    assert not at.exception and not [w for w in at.text_input if w.label == "用户名"]  # no login form
    assert any("wall-1" in str(c.value) for c in at.sidebar.caption)
    identities.revoke_key(data.store(), "wall-1")
    again = AppTest.from_file(APP, default_timeout=180)
    again.query_params["key"] = key
    again.run()
    assert "大屏密钥无效或已吊销" in _texts(again)


def test_the_grid_editor_is_not_offered_to_a_viewer(data_dir):
    key = identities.create_key(data.store(), "wall-2", "viewer")
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["key"] = key
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # a typed URL: the browser test
        at.switch_page("gridgeo_app/pages/planner.py")


def _page_text(at: AppTest) -> str:
    out = []

    def walk(node):
        out.append(str(getattr(node, "proto", "")))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "".join(out)


def test_reporter_data_never_reaches_the_wall_or_the_review(data_dir):
    from datetime import UTC, datetime, timedelta

    from gridgeo.services import intake

    store = data.store()
    atlas_grid = store.current_grid_set()[1].iloc[0]
    point = atlas_grid.geometry.representative_point()
    intake.add_events(store, [{"id": "personal-1", "reported_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                               "lon": point.x, "lat": point.y, "category": "labour", "level": 1,
                               "reporter_name": "欧阳修文", "reporter_phone": "13987654321"}])
    for page in ("gridgeo_app/pages/wall.py", "gridgeo_app/pages/review.py", "gridgeo_app/pages/map.py"):
        at = AppTest.from_file(APP, default_timeout=180).run()
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        text = _page_text(at)
        assert "13987654321" not in text and "欧阳修文" not in text, page
