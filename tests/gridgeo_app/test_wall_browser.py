"""The wall display and the map page in a real headless Chromium: the wall fits 1920×1080 and
3840×2160 without scrolling with the map taking most of the height and type readable from
across a room; its freshness indicator and highlights follow a new event; /map opens the map;
a control change on the map page swaps layers without re-creating the map; the halls layer
(issue 23) with its legend and cards on /wall and /map, and the wall's most loaded halls;
nothing is loaded from outside localhost."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from streamlit_server import chromium_browser, demo_app_server, map_frame, refuse_external

REFRESH_S = 3

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, default_atlas):
    """`streamlit run app.py` with a temp data dir (seeded with one simulated day), short refresh."""
    HALL_NAMES.update(default_atlas.service_points["name"])
    with demo_app_server(tmp_path_factory.mktemp("wall"), REFRESH_S) as served:
        yield served


@pytest.fixture(scope="module")
def chromium(chromium_path):
    with chromium_browser(chromium_path) as browser:
        yield browser


def _page(browser, width: int, height: int):
    """A page of the given viewport whose requests outside localhost are recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": height})
    external: list[str] = []

    refuse_external(context, external)
    return context, context.new_page(), external




HALL_NAMES: set[str] = set()  # the demo's service points (filled by the app_server fixture)

# marks the largest marker that has a card (the busiest centre) for a click
MARK_HALL_JS = """() => {
  const markers = Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker && l.getPopup());
  markers.sort((a, b) => b.getRadius() - a.getRadius());
  markers[0]._path.setAttribute('data-gg-hall', '1');
  return markers.length;
}"""


def _hall_card(frame) -> str:
    """Click the busiest service point's marker (halls layer, issue 23); the text of its card."""
    assert frame.evaluate(MARK_HALL_JS) >= 30
    frame.locator("[data-gg-hall]").click(force=True)
    card = frame.locator(".leaflet-popup .gridgeo-hall-card")
    card.wait_for(timeout=10_000)
    return card.inner_text()


LAYOUT_JS = """() => {
  const px = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : 0;
  const scrollers = [document.scrollingElement, ...document.querySelectorAll('[data-testid="stMain"], .stMain')];
  const frame = document.querySelector('.st-key-gg_map iframe').getBoundingClientRect();
  return {
    inner: innerHeight,
    overflow: Math.max(...scrollers.map(e => e.scrollHeight - e.clientHeight)),
    docScroll: document.scrollingElement.scrollHeight,
    mapTop: frame.top, mapBottom: frame.bottom, mapHeight: frame.height,
    kpiValue: px(document.querySelector('.gg-kpi-value')), kpiLabel: px(document.querySelector('.gg-kpi-label')),
    ticker: px(document.querySelector('.gg-ticker')), bar: px(document.querySelector('.gg-bar-name')),
    tickerText: document.querySelector('.gg-ticker').innerText,
    sideText: document.querySelector('.gg-side').innerText,
  };
}"""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_wall_fits_the_screen_with_a_large_map_and_large_type(app_server, chromium, tmp_path, width, height):
    base_url, _ = app_server
    context, page, external = _page(chromium, width, height)
    try:
        page.goto(f"{base_url}/wall", wait_until="domcontentloaded")
        frame = map_frame(page)
        page.locator(".gg-kpi-value").first.wait_for(timeout=60_000)
        frame.locator(".gg-legend").first.wait_for(timeout=30_000)
        frame.locator(".gg-halls-legend").wait_for(timeout=30_000)  # the halls layer is on the wall
        page.wait_for_timeout(1500)
        lay = page.evaluate(LAYOUT_JS)
        page.screenshot(path=str(tmp_path / f"wall-{width}.png"))
        # nothing scrolls: not the document, not Streamlit's main container
        assert lay["docScroll"] <= lay["inner"] and lay["overflow"] <= 1, lay
        # the map takes the height that is left: at least 60 % of the screen, and ends on it
        assert lay["mapHeight"] >= 0.6 * lay["inner"] and lay["mapBottom"] <= lay["inner"], lay
        scale = width / 1920  # type grows with the screen: on 4K figures >= 96 px, labels >= 32 px
        assert lay["kpiValue"] >= 48 * scale and lay["kpiLabel"] >= 16 * scale, lay
        assert lay["ticker"] >= 16 * scale and lay["bar"] >= 16 * scale, lay
        in_map = frame.evaluate("""() => ({
            legend: parseFloat(getComputedStyle(document.querySelector('.gg-legend > div')).fontSize),
            label: parseFloat(getComputedStyle(document.querySelector('.gg-label div')).fontSize)})""")
        assert in_map["legend"] >= 15 * scale and in_map["label"] >= 15 * scale, in_map
        # the ticker names places and never prints nan/None or raw 15-digit codes
        assert "nan" not in lay["tickerText"].lower() and "None" not in lay["tickerText"]
        assert not re.search(r"\d{15}", lay["tickerText"]), lay["tickerText"]
        # the side column lists the most loaded halls, in Chinese, never nan/None
        assert "服务网点负荷" in lay["sideText"] and "nan" not in lay["sideText"].lower(), lay["sideText"]
        assert "None" not in lay["sideText"] and not re.search(r"\d{12}", lay["sideText"]), lay["sideText"]
        assert 1 <= page.locator(".gg-halls .gg-hall[data-code]").count() <= 5
        halls = frame.locator(".gg-halls-legend").inner_text()
        assert "超期占比" in halls and "在办案件数" in halls
        # a click on the busiest centre opens its card, type as large as the legend's
        card = _hall_card(frame)
        assert card.split("\n")[0] in HALL_NAMES and "今日受理" in card and "办理时长中位数" in card, card
        assert "nan" not in card.lower() and "None" not in card
        size = frame.evaluate("parseFloat(getComputedStyle(document.querySelector('.gridgeo-hall-card')).fontSize)")
        assert size >= 15 * scale, size
        assert external == [], f"requests left localhost: {external[:5]}"
    finally:
        context.close()


def test_freshness_and_highlight_follow_a_new_level_one_event(app_server, chromium, default_atlas):
    from gridgeo.services.intake import add_events
    from gridgeo.services.workspace import open_store

    base_url, data_dir = app_server
    context, page, external = _page(chromium, 1920, 1080)
    try:
        page.goto(f"{base_url}/wall", wait_until="domcontentloaded")
        frame = map_frame(page)
        fresh = page.locator(".gg-fresh")
        fresh.wait_for(timeout=60_000)
        before = fresh.get_attribute("data-latest")
        assert "gg-ok" in fresh.get_attribute("class")  # the simulated day ends now
        page.wait_for_timeout(REFRESH_S * 1000 + 500)  # one refresh: the wall has learnt what is there

        grid = default_atlas.grids.iloc[len(default_atlas.grids) // 3]
        pt = grid.geometry.representative_point()
        store = open_store(f"sqlite:///{data_dir / 'gridgeo.sqlite'}")
        reported = datetime.now(UTC)
        result = add_events(store, [{
            "id": "wall-e2e-1", "reported_at": reported.isoformat(), "lon": pt.x, "lat": pt.y,
            "category": "public_order", "level": 1, "channel": "hotline", "text": "大屏端到端测试",
        }])
        assert result[0]["result"] == "accepted"
        page.wait_for_function(
            "(before) => { const e = document.querySelector('.gg-fresh');"
            " return e && e.getAttribute('data-latest') !== before; }", arg=before, timeout=REFRESH_S * 8_000)
        after = datetime.fromisoformat(fresh.get_attribute("data-latest"))
        assert abs((after - reported).total_seconds()) < 1.5
        assert reported.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") in fresh.inner_text()
        # the new level-I event flashes in the ticker and its grid is outlined on the map
        page.locator(".gg-item.gg-new").first.wait_for(timeout=REFRESH_S * 4_000)
        assert grid["name"] in page.locator(".gg-alerts").inner_text()
        frame = map_frame(page)
        assert frame.locator('.leaflet-overlay-pane path[stroke="#ffffff"]').count() >= 1
        assert external == [], f"requests left localhost: {external[:5]}"
    finally:
        context.close()


def test_map_url_opens_the_map_page(app_server, chromium):
    base_url, _ = app_server
    context, page, external = _page(chromium, 1920, 1080)
    try:
        for path in ("/map", "/"):
            page.goto(f"{base_url}{path}", wait_until="domcontentloaded")
            map_frame(page)
            page.locator("h1", has_text="地图").first.wait_for(timeout=30_000)
            assert page.url.rstrip("/").endswith("/map"), page.url
            assert "not found" not in page.inner_text("body").lower()
        assert external == []
    finally:
        context.close()


def test_map_control_change_swaps_layers_without_recreating_the_map(app_server, chromium):
    base_url, _ = app_server
    context, page, external = _page(chromium, 1920, 1080)
    try:
        page.goto(f"{base_url}/map", wait_until="domcontentloaded")
        frame = map_frame(page)
        frame.locator(".gg-risk-legend").wait_for(timeout=30_000)
        assert frame.locator(".gg-heat-legend").count() == 0  # heat is off by default
        # labels without collisions: no two visible labels overlap, at the start and zoomed in
        overlaps = """() => {
          const boxes = [...document.querySelectorAll('.gg-label:not(.gg-hidden) > div')]
            .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
          let n = 0;
          for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) n++;
          }
          return [boxes.length, n];
        }"""
        page.wait_for_timeout(500)
        shown, clashes = frame.evaluate(overlaps)
        assert shown >= 6 and clashes == 0, (shown, clashes)
        frame.evaluate("window.map.setZoom(window.map.getZoom() + 1)")
        page.wait_for_timeout(1200)
        shown, clashes = frame.evaluate(overlaps)
        assert shown >= 6 and clashes == 0, (shown, clashes)
        frame.evaluate("window.__gg_probe = 1")
        fills = "() => [...document.querySelectorAll('.leaflet-overlay-pane path')].map(p => p.getAttribute('fill')).join()"
        before = frame.evaluate(fills)
        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').filter(has_text="风险统计单元") \
            .get_by_text("街道", exact=True).click()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and frame.evaluate(fills) == before:
            page.wait_for_timeout(100)
        assert frame.evaluate(fills) != before
        assert frame.evaluate("window.__gg_probe") == 1  # the same map, only its layers changed
        # the risk layer off: its legend goes with it; the map stays
        page.locator('[data-testid="stSidebar"] button[aria-label="Remove 风险等级"]').last.click()
        frame.locator(".gg-risk-legend").wait_for(state="detached", timeout=30_000)
        assert frame.evaluate("window.__gg_probe") == 1
        # the halls layer on: its legend, and a card per marker (issue 23); still the same map
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').click()
        page.keyboard.type("服务网点")
        page.get_by_role("option", name="服务网点").click()
        page.keyboard.press("Escape")
        frame.locator(".gg-halls-legend").wait_for(timeout=30_000)
        card = _hall_card(frame)
        assert card.split("\n")[0] in HALL_NAMES and "今日化解" in card and "None" not in card, card
        assert frame.evaluate("window.__gg_probe") == 1
        assert external == []
    finally:
        context.close()
