"""Vector tiles (GET /tiles/{layer}/{z}/{x}/{y}.pbf) on both backends: they decode, hold the
features the geometry says are in the tile, carry stable ids and codes, and the per-version
cache is dropped when a grid set is published."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pyproj import Transformer

from gridgeo.api.app import create_app
from gridgeo.config import Settings
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store
from gridgeo.tiles import feature_id
from gridgeo.tiles.mvt import BUFFER, EXTENT, tile_bounds

TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The slippy-map tile holding a WGS84 point (the standard formula)."""
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def expected_codes(frame, z: int, x: int, y: int) -> set[str]:
    """Codes of the features whose Web Mercator geometry meets the tile and its buffer."""
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    pad = (maxx - minx) * BUFFER / EXTENT
    area = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    merc = frame.to_crs(3857)
    return {str(c) for c, g in zip(merc["code"], merc.geometry, strict=True) if g.intersects(area)}


@pytest.fixture
def served(store_url, small_grids):
    """(client, store) over a store holding only the four small grids."""
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="test")
    with TestClient(create_app(store, Settings(read_access="open"))) as client:
        yield client, store
    store.close()


def decode(resp) -> dict:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(resp.content)


def test_grid_tile_holds_the_grids_in_it(served, small_grids):
    client, _ = served
    z = 15
    x, y = tile_of(113.905, 22.705, z)  # inside grid A1
    want = expected_codes(small_grids, z, x, y)
    assert "440311001001001" in want and len(want) < len(small_grids)  # the tile cuts the set
    layer = decode(client.get(f"/tiles/grids/{z}/{x}/{y}.pbf"))["grids"]
    got = {f["properties"]["code"]: f for f in layer["features"]}
    assert set(got) == want
    for code, feature in got.items():
        assert feature["id"] == feature_id(code) == int(code)
        assert feature["properties"]["name"] == small_grids.set_index("code").loc[code, "name"]
        assert feature["type"] == "Feature" and feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_areas_are_dissolved_from_the_grids(served, small_grids):
    client, _ = served
    z = 12
    x, y = tile_of(113.915, 22.71, z)
    assert len(expected_codes(small_grids, z, x, y)) == 4  # the whole set in one tile
    tiles = {layer: decode(client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf"))[layer]["features"]
             for layer in ("communities", "streets", "districts")}
    assert {f["properties"]["code"] for f in tiles["communities"]} == set(small_grids["community_code"])
    assert {f["properties"]["code"] for f in tiles["streets"]} == set(small_grids["street_code"])
    assert [f["properties"]["code"] for f in tiles["districts"]] == ["440311"]
    assert {f["id"] for f in tiles["streets"]} == {440311001, 440311002}
    # community 440311001001 is grids A1 + A2: one polygon with their combined area (tile units,
    # as far as it lies in the tile and its buffer)
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    pad = (maxx - minx) * BUFFER / EXTENT
    union = shapely.transform(shapely.box(113.90, 22.70, 113.92, 22.71),
                              lambda c: np.column_stack(TO_3857.transform(c[:, 0], c[:, 1])))
    want_area = shapely.clip_by_rect(union, minx - pad, miny - pad, maxx + pad, maxy + pad).area
    want_area *= (EXTENT / (maxx - minx)) ** 2
    a = next(f for f in tiles["communities"] if f["properties"]["code"] == "440311001001")
    assert a["geometry"]["type"] == "Polygon"
    got_area = shapely.geometry.shape(a["geometry"]).area
    assert got_area == pytest.approx(want_area, rel=0.03)


def test_tiles_are_sent_gzipped_to_clients_that_accept_it(served):
    client, _ = served
    x, y = tile_of(113.915, 22.71, 13)
    url = f"/tiles/grids/13/{x}/{y}.pbf"
    packed, plain = client.get(url), client.get(url, headers={"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert packed.content == plain.content and decode(plain)["grids"]["features"]  # httpx unpacks gzip
    assert int(packed.headers["content-length"]) < len(plain.content)
    assert packed.headers["etag"] != plain.headers["etag"]


def test_empty_and_bad_tiles(served):
    client, _ = served
    assert client.get("/tiles/grids/10/0/0.pbf").status_code == 204  # far from Shenzhen
    for url, status, field in [("/tiles/roads/10/0/0.pbf", 404, "layer"), ("/tiles/grids/23/0/0.pbf", 404, "z="),
                               ("/tiles/grids/3/8/0.pbf", 404, "x=8"), ("/tiles/grids/3/0/-1.pbf", 404, "y=-1"),
                               ("/tiles/grids/3/zero/0.pbf", 422, "x")]:
        resp = client.get(url)
        assert resp.status_code == status, url
        assert resp.json()["message"].startswith(field), resp.json()


def test_cache_is_dropped_on_publish(served, small_grids):
    client, store = served
    z = 13
    x, y = tile_of(113.915, 22.71, z)
    url = f"/tiles/grids/{z}/{x}/{y}.pbf"
    first = client.get(url)
    v1 = int(first.headers["x-grid-set-version"])
    cache = client.app.state.service.tiles.cache
    assert cache.version == v1 and len(cache) == 1
    again = client.get(url)
    assert again.content == first.content and cache.hits == 1
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304

    v2 = store.publish_grid_set(small_grids[small_grids["code"] != "440311002001001"], author="test")
    assert v2 == v1 + 1
    resp = client.get(url)
    assert int(resp.headers["x-grid-set-version"]) == v2 and resp.headers["etag"] != first.headers["etag"]
    assert cache.version == v2 and len(cache) == 1 and (v1, "grids", z, x, y) not in cache._tiles
    codes = {f["properties"]["code"] for f in decode(resp)["grids"]["features"]}
    assert codes == set(small_grids["code"]) - {"440311002001001"}
    streets = {f["properties"]["code"] for f in decode(client.get(f"/tiles/streets/{z}/{x}/{y}.pbf"))["streets"]
               ["features"]}
    assert streets == {"440311001"}  # the areas of the new version are derived from its grids
    v3 = store.publish_grid_set(small_grids, author="test")
    client.get(url)
    with store.engine.connect() as conn:  # the derived features of v1 are gone, the grid set stays
        kept = conn.execute(sa.text("SELECT DISTINCT version FROM tile_features ORDER BY 1")).scalars().all()
    assert kept == [v2, v3] and len(store.grid_set(v1)) == len(small_grids)


def test_colours_are_the_coloured_areas_of_risk(served, small_grids):
    client, store = served
    now = datetime.now(UTC)
    add_events(store, [{"id": f"c{i}", "reported_at": (now - timedelta(hours=1)).isoformat(), "lon": lon, "lat": 22.705,
                       "category": "neighbour_dispute", "level": level, "channel": "grid_worker"}
                      for i, (lon, level) in enumerate([(113.905, 1), (113.915, 3), (113.915, 4)])])
    for by in ("grid", "community", "street"):
        risk = client.get(f"/api/v1/risk?by={by}").json()["areas"]
        want = {a["code"]: a["color"] for a in risk if a["risk_level"] > 0}
        answer = client.get(f"/tiles/colours?by={by}").json()
        assert answer["colours"] == want and answer["by"] == by
    assert len(client.get("/tiles/colours?by=grid").json()["colours"]) == 2
    assert client.get("/tiles/colours?by=district").status_code == 422
    assert client.get("/tiles/colours?window=3x").status_code == 422


def test_colours_since_a_stamp_are_only_the_changes(served, small_grids):
    client, store = served
    now = datetime.now(UTC)

    def event(eid: str, lon: float, level: int) -> dict:
        return {"id": eid, "reported_at": (now - timedelta(minutes=1)).isoformat(), "lon": lon, "lat": 22.705,
                "category": "neighbour_dispute", "level": level, "channel": "grid_worker"}

    add_events(store, [event("s0", 113.905, 3)])
    first = client.get("/tiles/colours?window=today").json()
    assert first["full"] is True and len(first["colours"]) == 1 and first["stamp"]
    same = client.get(f"/tiles/colours?window=today&since={first['stamp']}").json()
    assert same["full"] is False and same["colours"] == {} and same["cleared"] == []
    add_events(store, [event("s1", 113.915, 1)])
    grown = client.get(f"/tiles/colours?window=today&since={same['stamp']}").json()
    risk = {a["code"]: a["color"] for a in client.get("/api/v1/risk?by=grid&window=24h").json()["areas"]
            if a["risk_level"] > 0}
    assert grown["full"] is False and grown["cleared"] == []
    assert grown["colours"] == {c: v for c, v in risk.items() if c not in first["colours"]}
    store.transition("s0", "rejected", actor="test")
    shrunk = client.get(f"/tiles/colours?window=today&since={grown['stamp']}").json()
    assert shrunk["colours"] == {} and shrunk["cleared"] == list(first["colours"])
    unknown = client.get("/tiles/colours?window=today&since=nope").json()
    assert unknown["full"] is True and unknown["colours"] == grown["colours"]
    other = client.get(f"/tiles/colours?window=24h&since={shrunk['stamp']}").json()
    assert other["full"] is True  # a stamp of another window is not a base for changes


def test_tiles_answer_cors_for_the_configured_origins_only(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="test")
    app_origin = "http://127.0.0.1:8501"
    with TestClient(create_app(store, Settings(read_access="open", cors_origins=(app_origin,)))) as client:
        pre = client.options("/tiles/grids/12/0/0.pbf", headers={
            "Origin": app_origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == app_origin
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
        got = client.get("/tiles/colours", headers={"Origin": app_origin})
        assert got.status_code == 200 and got.headers["access-control-allow-origin"] == app_origin
        assert "access-control-allow-origin" not in client.get("/tiles/colours", headers={
            "Origin": "http://evil.example"}).headers
        assert "access-control-allow-origin" not in client.get("/api/v1/risk", headers={
            "Origin": app_origin}).headers  # CORS on the tile routes only
    store.close()


def test_feature_ids_are_stable_integers():
    assert feature_id("440311001001001") == 440311001001001
    assert feature_id("007") == feature_id("007") != 7  # a leading zero would collide with "7"
    hashed = feature_id("网格-A")
    assert hashed == feature_id("网格-A") and 2 ** 50 <= hashed < 2 ** 51 and hashed != feature_id("网格-B")


def test_tiles_are_behind_read_access(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="test")
    settings = Settings(read_access="token", api_token="secret")
    with TestClient(create_app(store, settings)) as client:
        assert client.get("/tiles/grids/12/0/0.pbf").status_code == 401
        assert client.get("/tiles/colours").status_code == 401
        ok = client.get("/tiles/grids/12/0/0.pbf", headers={"Authorization": "Bearer secret"})
        assert ok.status_code == 204
    store.close()


def test_the_layer_builder_loads_only_vendored_scripts():
    from gridgeo_app.layers.assets import missing_assets, remote_resources, use_local_assets
    from gridgeo_app.layers.base import base_map
    from gridgeo_app.layers.vector_tiles import city_tile_layers, tile_layer

    use_local_assets()
    m = base_map((113.90, 22.70, 113.93, 22.72))
    layers = city_tile_layers(m, {"grids": "网格", "districts": "区界"}, api_base="http://127.0.0.1:8000/")
    html = m.get_root().render()
    assert remote_resources(m) == [] and "vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" in html
    assert "vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" not in missing_assets()
    assert "'http://127.0.0.1:8000/tiles/grids/{z}/{x}/{y}.pbf'" in html
    assert "http://127.0.0.1:8000/tiles/colours?by=grid" in html
    assert set(layers) == {"grids", "districts"}
    with pytest.raises(ValueError, match="tile_size"):
        tile_layer("grids", "g", tile_size=300)
