"""The city from vector tiles in real headless Chromium: the API serves tiles and risk on
loopback, Leaflet.VectorGrid (vendored) draws every grid, risk colours come by code from
/api/v1/risk, and a refresh recolours only the changed grids without fetching a tile again."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api_server import api_server  # noqa: E402
from streamlit_server import LOCAL_PREFIXES, TILE_COLOURS_JS  # noqa: E402

from gridgeo.analysis.risk import RISK_COLORS  # noqa: E402
from gridgeo.services.intake import add_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(os.environ.get("GRIDGEO_SHOTS_DIR", "/tmp/shots-f2"))

def _events(grids, level: int, prefix: str, now: datetime) -> list[dict]:
    """One open event of ``level`` at a point inside each grid."""
    points = grids.geometry.representative_point()
    return [{"id": f"{prefix}{i}", "reported_at": (now - timedelta(hours=1)).isoformat(), "lon": p.x, "lat": p.y,
             "category": "neighbour_dispute", "level": level, "channel": "grid_worker"}
            for i, p in enumerate(points)]


@pytest.fixture
def served_city(tmp_path, default_atlas):
    """The API over a SQLite store of the default atlas with five grids at risk level II,
    and the tile demo page at /city; yields (base URL, store)."""
    from gridgeo.api.app import create_app
    from gridgeo.config import Settings
    from gridgeo.services.workspace import open_store
    from gridgeo_app.layers.vector_tiles import tiles_demo_page

    store = open_store(f"sqlite:///{tmp_path / 'city.sqlite'}", seed_default=False)
    store.publish_grid_set(default_atlas.grids, author="test")
    grids = store.current_grid_set()[1]
    add_events(store, _events(grids.iloc[:5], 2, "orange", datetime.now(UTC)))
    page = tiles_demo_page(tuple(grids.total_bounds), grid_min_zoom=0, refresh_s=0)
    with api_server(create_app(store, Settings(read_access="localhost")), {"/city": page}) as base:
        yield base, store
    store.close()


def test_city_tiles_render_and_a_risk_refresh_recolours_without_tiles(served_city, chromium_path):
    from playwright.sync_api import sync_playwright

    base, store = served_city
    grids = store.current_grid_set()[1]
    tile_requests: list[str] = []
    external: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.on("request", lambda r: tile_requests.append(r.url) if ".pbf" in r.url else
                (None if r.url.startswith(LOCAL_PREFIXES) else external.append(r.url)))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/city")
        page.wait_for_function("() => { const s = window.gridgeoTiles && window.gridgeoTiles.grids; "
                               "return s && s.refreshes >= 1 && s.idle >= 1; }",
                               timeout=60_000)
        colours = page.evaluate(TILE_COLOURS_JS)
        assert set(colours) == set(grids["code"])  # every grid drawn, keyed by its code
        orange, red, grey = RISK_COLORS[2], RISK_COLORS[1], RISK_COLORS[0]
        assert {colours[c] for c in grids["code"].iloc[:5]} == {orange}
        assert {colours[c] for c in grids["code"].iloc[5:]} == {grey}
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "tiles_city_1920.png"))
        before = len(tile_requests)
        stats = page.evaluate("() => window.gridgeoTiles.grids")
        assert stats["restyled"] == 5 and stats["coloured"] == 5

        add_events(store, _events(grids.iloc[5:8], 1, "red", datetime.now(UTC)))
        store.transition("orange0", "rejected", actor="test")  # grid 0 has no open case any more
        page.evaluate("() => window.gridgeoTileLayers.grids.gridgeoRefresh()")
        page.wait_for_timeout(500)
        stats = page.evaluate("() => window.gridgeoTiles.grids")
        colours = page.evaluate(TILE_COLOURS_JS)
        page.screenshot(path=str(SHOTS / "tiles_city_refreshed_1920.png"))
        browser.close()
    assert stats["refreshes"] == 2 and stats["restyled"] == 4 and stats["coloured"] == 7
    assert {colours[c] for c in grids["code"].iloc[5:8]} == {red}
    assert {colours[c] for c in grids["code"].iloc[1:5]} == {orange}
    assert colours[grids["code"].iloc[0]] == grey
    assert len(tile_requests) == before, tile_requests[before:]  # the refresh fetched no tile
    assert all("/tiles/grids/" in u or "/tiles/districts/" in u for u in tile_requests)
    assert external == [] and errors == []
    print(f"tile requests {before}, risk refresh {stats['refresh_ms']:.0f} ms (restyle {stats['apply_ms']:.1f} ms)")
