"""The city wall in tile mode, end to end in real headless Chromium: a small generated city
(two districts, a few hundred grids) is the active atlas; the real API serves its tiles and
colours (CORS for the app's origin, reads only with the wall's viewer key) and a real Streamlit
server runs /wall with GRIDGEO_TILES_URL set, both with their start-up warm-ups (the API's
gridgeo.api.warmup, the app's app_server.py). Every grid is drawn from tiles, each of them cut
at start-up (the first viewer builds none); an event posted through the API turns its grid red
at the next browser refresh, with no tile fetched again, no reload of the page, and no request
leaving localhost."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "demo"))  # test_demo_outline._outline_wgs84
from api_server import api_server  # noqa: E402
from streamlit_server import TILE_COLOURS_JS, free_port, refuse_external, streamlit_server  # noqa: E402

from gridgeo.analysis.risk import RISK_COLORS  # noqa: E402
from gridgeo.services.intake import add_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/shots-tilewall")
ADMIN = "wall-test-admin"
REFRESH_S = 2

def _city():
    """A generated city of two districts (about 370 grids) around Chengdu."""
    from test_demo_outline import _outline_wgs84

    from gridgeo.demo.outline import OutlineSpec, generate_for_outline

    spec = OutlineSpec(code="510100", name="示例市", population=420_000, seed=3)
    return generate_for_outline(_outline_wgs84(0.09, 0.06), spec, outline_source="test")


def _event(eid: str, point, level: int) -> dict:
    at = datetime.now(UTC) - timedelta(minutes=5)
    return {"id": eid, "reported_at": at.isoformat(), "lon": point.x, "lat": point.y,
            "category": "neighbour_dispute", "level": level, "channel": "grid_worker"}


@pytest.fixture(scope="module")
def wall_city(tmp_path_factory):
    """(wall URL, API base, store, grids, API app, data dir with streamlit.log): the city active in a SQLite store, the API on
    loopback (token reads, CORS for the app), Streamlit in tile mode on the wall's viewer key; both
    ready and warmed up."""
    from gridgeo.api.app import create_app
    from gridgeo.config import Settings
    from gridgeo.services.workspace import open_store
    from gridgeo.store import identities
    from gridgeo.store.atlases import save_atlas, use_atlas

    tmp = tmp_path_factory.mktemp("wall-tiles")
    store = open_store(f"sqlite:///{tmp / 'gridgeo.sqlite'}", seed_default=False)
    save_atlas(store, _city(), "示例市")
    use_atlas(store, "示例市")
    grids = store.current_grid_set()[1]
    points = grids.geometry.representative_point()
    add_events(store, [_event(f"o{i}", points.iloc[i], 2) for i in range(3)])
    key = identities.create_key(store, "wall-1", "viewer", ())
    api_port, app_port = free_port(), free_port()
    settings = Settings(api_token=ADMIN, read_access="token", cors_origins=(f"http://127.0.0.1:{app_port}",))
    env = {"GRIDGEO_DATA_DIR": str(tmp), "GRIDGEO_TILES_URL": f"http://127.0.0.1:{api_port}",
           "GRIDGEO_TILES_MIN_GRIDS": "100", "GRIDGEO_WALL_KEY": key, "GRIDGEO_WALL_REFRESH_S": str(REFRESH_S)}
    api_app = create_app(store, settings, warm_up=True)
    with api_server(api_app, port=api_port) as api, \
            streamlit_server(ROOT / "app_server.py", tmp, env, port=app_port) as app:
        assert api_app.state.service.warm_up.finished.wait(120)
        yield f"{app}/wall", api, store, grids, api_app, tmp
    store.close()


def _tile_frame(page, timeout_s: float = 60):
    """The map's frame once its grid tiles are drawn and coloured."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("() => { const s = window.gridgeoTiles && window.gridgeoTiles.grids; "
                                  "return !!(s && s.refreshes >= 1 && s.idle >= 1); }"):
                    return frame
            except Exception:  # noqa: BLE001 - frames detach while the page loads
                continue
        page.wait_for_timeout(250)
    raise AssertionError("the wall drew no grid tile")


def test_wall_draws_tiles_and_recolours_a_grid_without_tiles_or_reload(wall_city, chromium_path):
    import httpx
    from playwright.sync_api import sync_playwright

    url, api, _store, grids, api_app, _tmp = wall_city
    red, orange, navy = RISK_COLORS[1], RISK_COLORS[2], "#1b2c44"
    tiles: list[str] = []
    external: list[str] = []
    with sync_playwright() as p:
        page = _page(p, chromium_path, external)
        page.on("request", lambda r: tiles.append(r.url) if ".pbf" in r.url and r.method == "GET" else None)
        cache = api_app.state.service.tiles.cache
        built = cache.misses
        page.goto(url, wait_until="domcontentloaded")
        frame = _tile_frame(page)
        frame.locator(".gg-legend").first.wait_for(timeout=30_000)
        # every tile was cut at start-up: none cut on request (the browser may cancel a tile request
        # when the view settles, or answer it from its cache, so requests and hits need not match)
        assert cache.misses == built and cache.hits > 0 and len(tiles) > 0
        colours = frame.evaluate(TILE_COLOURS_JS)
        assert set(colours) == set(grids["code"])  # every grid drawn from tiles, keyed by code
        codes = list(grids["code"])
        assert {colours[c] for c in codes[:3]} == {orange} and {colours[c] for c in codes[3:]} == {navy}
        frame.evaluate("() => { window.gridgeoMarker = 'still here'; }")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "wall_tiles_test_1920.png"))
        before, restyled = len(tiles), frame.evaluate("() => window.gridgeoTiles.grids.restyled_total")

        point = grids.geometry.representative_point().iloc[10]
        posted = httpx.post(f"{api}/api/v1/events", json=[_event("new-red", point, 1)],
                            headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30)
        assert posted.status_code == 201, posted.text
        frame.wait_for_function("() => window.gridgeoTiles.grids.coloured >= 4", timeout=30_000)
        colours = frame.evaluate(TILE_COLOURS_JS)
        stats = frame.evaluate("() => window.gridgeoTiles.grids")
        marker = frame.evaluate("() => window.gridgeoMarker")
        page.screenshot(path=str(SHOTS / "wall_tiles_test_refreshed_1920.png"))
        page.context.browser.close()
    assert colours[codes[10]] == red and {colours[c] for c in codes[:3]} == {orange}
    assert stats["restyled_total"] - restyled == 1  # the refreshes restyled exactly the grid that changed
    assert stats["failed"] == 0
    assert len(tiles) == before, tiles[before:]  # ... and fetched no tile
    assert marker == "still here"  # the map frame was not reloaded
    assert all(u.startswith(api) for u in tiles)
    assert external == [], external[:5]
    print(f"tile requests {before}, risk refresh {stats['refresh_ms']:.0f} ms (restyle {stats['apply_ms']:.1f} ms)")


CITY_VIEW_WITHOUT_GRIDS_JS = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const shown = Object.values(window.gridgeoTileLayers.grids._tiles || {}).filter(t => t.current);
  return map.getZoom() < 13 && shown.length === 0;
}"""
ZOOM_JS = """([lat, lon]) => {
  Object.values(window).find(v => v instanceof L.Map).setView([lat, lon], 15, {animate: false});
}"""
POINT_JS = """([lat, lon]) => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const p = map.latLngToContainerPoint([lat, lon]);
  return [p.x, p.y];
}"""


def _page(p, chromium_path: str, external: list[str]):
    """A 1920x1080 page of a new headless Chromium that refuses (and records) other hosts."""
    browser = p.chromium.launch(executable_path=chromium_path, headless=True,
                                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    refuse_external(context, external)
    return context.new_page()


def test_map_page_draws_tiles_and_a_click_opens_the_grid_card(wall_city, chromium_path):
    from playwright.sync_api import sync_playwright

    url, _api, _store, grids, _app, _tmp = wall_city
    target = grids.iloc[20]
    point = target.geometry.representative_point()
    external: list[str] = []
    with sync_playwright() as p:
        page = _page(p, chromium_path, external)
        page.goto(url.replace("/wall", "/map"), wait_until="domcontentloaded")
        frame = _tile_frame(page)
        # grids show from street zoom only: at a city view (zoom 12; this test city is small enough
        # that the full-height map fits it at 13) the grid layer shows no tile (its cache may hold
        # tiles of a transient view while the map frame is laid out, so wait for the view)
        frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).setZoom(12, {animate: false})")
        frame.wait_for_function(CITY_VIEW_WITHOUT_GRIDS_JS, timeout=30_000)
        frame.evaluate(ZOOM_JS, [point.y, point.x])  # zoom to street level around the target grid
        frame.wait_for_function(f"(code) => ({TILE_COLOURS_JS})()[code] !== undefined", arg=str(target["code"]),
                                timeout=30_000)
        colours = frame.evaluate(TILE_COLOURS_JS)
        codes = list(grids["code"])
        assert set(colours) < set(codes) and target["code"] in colours
        assert {colours[c] for c in codes[:3] if c in colours} <= {RISK_COLORS[2]}
        x, y = frame.evaluate(POINT_JS, [point.y, point.x])
        box = frame.frame_element().bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.get_by_text(str(target["name"])).first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "map_tiles_test_card_1920.png"))
        page.context.browser.close()
    assert external == [], external[:5]


def test_both_servers_warmed_up_before_the_first_viewer(wall_city):
    import ast

    import httpx

    _url, api, _store, grids, _app, tmp = wall_city
    health = httpx.get(f"{api}/api/v1/health", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30).json()
    assert health["warm_up"]["state"] == "done" and health["warm_up"]["tiles"] > 0, health
    assert health["warm_up"]["version"] == health["grid_set_version"]
    lines = [line for line in (tmp / "streamlit.log").read_text().splitlines() if "gridgeo app warm-up:" in line]
    assert len(lines) == 1, lines
    result = ast.literal_eval(lines[0].split("warm-up:", 1)[1].strip())
    assert result["tiles"] is True and result["grids"] == len(grids) and result["seconds"] > 0
