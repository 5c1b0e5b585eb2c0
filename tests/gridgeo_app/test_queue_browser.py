"""In a real headless Chromium: a hotline case the address could not place waits on the 待定位工单
page; a person clicks the map where it happened and confirms, and the case is in the store in that
grid, placed by that person (issue 22)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from streamlit_server import demo_app_server, loopback_profile, map_frame

from gridgeo.config import Settings
from gridgeo.events.hotline import WorkOrder
from gridgeo.services.hotline import place_work_orders
from gridgeo.services.workspace import open_store
from gridgeo.store.hotline_queue import list_queue

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    with demo_app_server(tmp_path_factory.mktemp("app"), 30) as served:
        yield served


@pytest.fixture()
def browser_page(chromium_path, tmp_path):
    external: list[str] = []
    with loopback_profile(chromium_path, tmp_path / "profile", external) as context:
        yield context.new_page(), external




def test_a_queued_case_is_placed_by_clicking_the_map(app_server, browser_page, tmp_path):
    base_url, data_dir = app_server
    settings = Settings(data_dir=data_dir)
    store = open_store(settings.store_url, settings=settings)  # the demo store: its grids are published
    when = (datetime.now() - timedelta(hours=2)).replace(microsecond=0).isoformat()
    order = WorkOrder("row 2", {"id": "GD-BROWSER-1", "reported_at": f"{when}+08:00", "category": "labour",
                                "level": 2, "channel": "hotline", "text": "拖欠工资", "reporter_name": "张三",
                                "reporter_phone": "13800001111"}, "光明区新坡头社区附近")
    [outcome] = place_work_orders(store, [order], actor="ingest", settings=settings)
    assert outcome.placement == "queued" and outcome.method == "community"
    page, external = browser_page
    page.goto(f"{base_url}/queue", wait_until="domcontentloaded")
    page.get_by_text("光明区新坡头社区附近").first.wait_for(timeout=90_000)
    frame = map_frame(page, 120)
    page.wait_for_timeout(1000)
    box = frame.frame_element().bounding_box()
    target = page.get_by_text("所选位置")
    for fx, fy in ((0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.4, 0.4)):
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        try:
            target.first.wait_for(timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - outside every grid, or the click came too early: try again
            continue
    if not target.count():
        page.screenshot(path=str(tmp_path / "queue-no-target.png"))
    target.first.wait_for(timeout=5_000)
    grid = target.first.inner_text().split("网格")[1].split("（")[0].strip()
    page.get_by_role("button", name="在此定位").click()
    page.get_by_text("已定位到网格").first.wait_for(timeout=60_000)
    rec = store.get_event("GD-BROWSER-1")
    assert rec["grid_code"] == grid and rec["history"][0]["actor"] == "open:local"
    assert "人工点选" in rec["history"][0]["note"]
    placed = [r for r in list_queue(store, "placed") if r["id"] == "GD-BROWSER-1"]
    assert placed and placed[0]["placed_by"] == "open:local" and placed[0]["grid_code"] == grid
    store.close()
    page.screenshot(path=str(tmp_path / "queue.png"))
    assert external == [], f"requests left localhost: {external[:5]}"
