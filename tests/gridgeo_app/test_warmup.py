"""The start-up warm-ups: the API's (gridgeo.api.warmup: areas, first-view tiles, colours of the
current grid set, reported by /api/v1/health) on both backends, with the per-version tile cache
still dropped on publish; and the app's (gridgeo_app.warmup: the active atlas's display layers
in Streamlit's process-wide cache)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from gridgeo.api.app import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store
from gridgeo.tiles import LAYERS
from gridgeo.tiles.features import features_ready
from gridgeo.tiles.view import first_view_tiles, view_tiles

# speed and timing measures: run alone, after the parallel part (scripts/run_tests.sh)
pytestmark = pytest.mark.serial


def _warmed(client: TestClient) -> dict:
    """The warm-up's health entry once it finished."""
    assert client.app.state.service.warm_up.finished.wait(120), "the warm-up did not finish"
    return client.get("/api/v1/health").json()["warm_up"]


def test_warm_up_fills_the_tile_cache_of_the_current_version_and_publish_drops_it(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    v1 = store.publish_grid_set(small_grids, author="test")
    with store.engine.connect() as conn:
        assert not features_ready(conn, v1)  # nothing derived before the service starts
    with TestClient(create_app(store, Settings(read_access="open"), warm_up=True)) as client:
        state = _warmed(client)
        first_view = first_view_tiles(tuple(small_grids.total_bounds))
        assert state["state"] == "done" and state["version"] == v1, state
        assert state["tiles"] == len(first_view) * len(LAYERS) and state["seconds"] >= 0
        with store.engine.connect() as conn:
            assert features_ready(conn, v1)  # the areas were derived at start-up
        cache = client.app.state.service.tiles.cache
        assert cache.version == v1
        assert set(cache._tiles) == {(v1, layer, *zxy) for zxy in first_view for layer in LAYERS}

        # a viewer of the first view is served from the cache: no tile is built
        z, tiles = view_tiles(tuple(small_grids.total_bounds), (1920, 1080))
        misses, hits = cache.misses, cache.hits
        for x, y in tiles:
            assert client.get(f"/tiles/grids/{z}/{x}/{y}.pbf").status_code in (200, 204)
        assert cache.misses == misses and cache.hits == hits + len(tiles)
        assert client.get("/tiles/colours?by=grid").status_code == 200

        # a publish drops every warmed tile; the new version's tiles are built on demand
        v2 = store.publish_grid_set(small_grids[small_grids["code"] != "440311002001001"], author="test")
        x, y = tiles[0]
        resp = client.get(f"/tiles/grids/{z}/{x}/{y}.pbf")
        assert int(resp.headers["x-grid-set-version"]) == v2
        assert cache.version == v2 and set(cache._tiles) == {(v2, "grids", z, x, y)}
        assert cache.misses == misses + 1
    store.close()


def test_health_says_nothing_of_a_warm_up_the_app_does_not_run(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="test")
    with TestClient(create_app(store, Settings(read_access="open"))) as client:
        body = client.get("/api/v1/health").json()
        assert body["status"] == "ok" and "warm_up" not in body
        assert getattr(client.app.state, "tiles", None) is None  # nothing built before a request
    store.close()


def test_warm_up_before_any_grid_set_is_done_with_nothing(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}", seed_default=False)
    with TestClient(create_app(store, Settings(read_access="open"), warm_up=True)) as client:
        state = _warmed(client)
        assert state == {"state": "done", "version": None, "tiles": 0, "seconds": state["seconds"]}
        assert len(client.app.state.service.tiles.cache) == 0
    store.close()


def test_a_failed_warm_up_is_reported_and_the_service_still_answers(tmp_path, small_grids, monkeypatch):
    from gridgeo.tiles import features

    store = open_store(f"sqlite:///{tmp_path / 'events.sqlite'}", seed_default=False)
    store.publish_grid_set(small_grids, author="test")
    real = features.derive_features

    def broken(_grids):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(features, "derive_features", broken)  # the areas cannot be derived
    with TestClient(create_app(store, Settings(read_access="open"), warm_up=True)) as client:
        state = _warmed(client)
        assert state["state"] == "failed" and "RuntimeError: disk gone" in state["error"]
        assert client.get("/api/v1/health").status_code == 200
        monkeypatch.setattr(features, "derive_features", real)  # the next viewer gets the tiles built
        assert client.get("/tiles/grids/12/3344/1781.pbf").status_code in (200, 204)
        assert client.get("/tiles/colours?by=grid").status_code == 200
    store.close()


@pytest.fixture
def demo_env(tmp_path, monkeypatch):
    """The app's settings on the embedded demo in a data dir of its own."""
    from gridgeo.config import get_settings

    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    for name in ("GRIDGEO_DATABASE_URL", "GRIDGEO_ATLAS", "GRIDGEO_TILES_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_app_warm_up_leaves_the_display_layers_cached(demo_env):
    from gridgeo_app import context as common
    from gridgeo_app.warmup import warm_up

    common._display_layers.clear()
    common._atlas.clear()
    result = warm_up()
    assert "error" not in result, result
    assert result["tiles"] is False and result["grids"] == len(common.atlas().grids) > 0
    t = time.perf_counter()
    layers = common.all_display_layers()  # (a page gets it scoped to its account)
    assert time.perf_counter() - t < 0.5  # from the cache, not loaded and simplified again
    assert layers is common.all_display_layers() and len(layers["grids"]) == result["grids"]
