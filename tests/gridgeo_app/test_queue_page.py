"""The 待定位工单 page (AppTest, issue 22): a viewer sees the queued cases of the district with the
reporter masked and no placing controls; a community user sees only its community's cases and
places one by picking a candidate building."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gridgeo.config import Settings  # noqa: E402
from gridgeo.events.hotline import WorkOrder  # noqa: E402
from gridgeo.services.hotline import place_work_orders  # noqa: E402
from gridgeo.store import identities  # noqa: E402
from gridgeo.store.hotline_queue import list_queue  # noqa: E402
from gridgeo_app import event_source as data  # noqa: E402

APP = str(ROOT / "app.py")
PASSWORD = "Grid-office-2026"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGEO_SEED_DAYS", "0.2")
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    data._STORES.clear()
    store = data.store()
    when = (datetime.now() - timedelta(hours=3)).replace(microsecond=0).isoformat() + "+08:00"
    atlas_units = __import__("gridgeo.atlas.load", fromlist=["x"]).load_default_atlas().units
    a, b = atlas_units.iloc[0], atlas_units[atlas_units["community_code"] != atlas_units.iloc[0]["community_code"]].iloc[0]
    orders = [WorkOrder("row 2", {"id": f"Q{k}", "reported_at": when, "category": "labour", "level": 2,
                                  "channel": "hotline", "text": "t", "reporter_name": "张三丰",
                                  "reporter_phone": "13812345678"}, f"{name}对面")
              for k, name in enumerate((a["name"], b["name"]))]
    outcomes = place_work_orders(store, orders, settings=Settings(data_dir=tmp_path))
    assert [o.placement for o in outcomes] == ["queued", "queued"]
    yield tmp_path, str(a["community_code"])
    data._STORES.clear()


def _login(at: AppTest, user: str) -> AppTest:
    at.run()
    at.text_input[0].input(user)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    return at


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.title, *at.caption, *at.markdown, *at.info, *at.success])


def test_a_viewer_sees_masked_cases_and_no_controls(data_dir):
    identities.add_user(data.store(), "viewer1", PASSWORD, "viewer")
    at = _login(AppTest.from_file(APP, default_timeout=180), "viewer1")
    at.switch_page("gridgeo_app/pages/queue.py").run()
    assert not at.exception, [e.message for e in at.exception]
    text = _texts(at)
    assert "共 2 条待定位" in text and "138****5678" in text and "13812345678" not in text and "张**" in text
    assert not [b for b in at.button if b.label in ("在此定位", "按所选楼栋/小区定位")]
    assert _personal_reads().empty  # nothing unmasked, nothing audited


def test_an_admin_sees_the_reporter_and_the_reading_is_audited_once(data_dir):
    identities.add_user(data.store(), "boss", PASSWORD, "admin")
    at = _login(AppTest.from_file(APP, default_timeout=180), "boss")
    at.switch_page("gridgeo_app/pages/queue.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "13812345678" in _texts(at) and "张三丰" in _texts(at)
    at.run()  # a rerun shows the same case again: still ONE audit entry for it this session
    reads = _personal_reads()
    assert len(reads) == 1 and reads.iloc[0]["actor"] == "user:boss" and "(app:queue)" in reads.iloc[0]["detail"]


def _personal_reads():
    log = identities.audit_log(data.store())
    return log[log["action"] == "read_personal"]


def test_a_community_user_sees_its_cases_and_places_one_by_building(data_dir):
    _, community = data_dir
    identities.add_user(data.store(), "comm1", PASSWORD, "community", [community])
    at = _login(AppTest.from_file(APP, default_timeout=180), "comm1")
    at.switch_page("gridgeo_app/pages/queue.py").run()
    assert not at.exception, [e.message for e in at.exception]
    # its compound spans grids of two streets: the reporter stays masked, as the API's /queue says
    # (one rule, gridgeo.services.personal_data)
    assert "共 1 条待定位" in _texts(at) and "13812345678" not in _texts(at) and "138****5678" in _texts(at)
    [case] = [r for r in list_queue(data.store()) if any(c["grid_code"].startswith(community) for c in r["candidates"])]
    next(b for b in at.button if b.label == "按所选楼栋/小区定位").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "已定位到网格" in _texts(at)
    rec = data.store().get_event(case["id"])
    assert rec["grid_code"].startswith(community) and rec["history"][0]["actor"] == "user:comm1"
