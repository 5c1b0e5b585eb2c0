"""``GET /api/v1/service-points`` (issue 23): the demo's network as GeoJSON, under the read rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store
from gridgeo.store import identities

LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def world(tmp_path, small_grids):
    store = open_store(f"sqlite:///{tmp_path / 'e.sqlite'}", seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    keys = {role: identities.create_key(store, f"k-{role}", role, scope)
            for role, scope in {"viewer": [], "community": ["440311001001"], "intake": []}.items()}
    with TestClient(create_app(store, Settings(api_token="t", read_access="token")), client=LOCAL) as client:
        yield client, keys
    store.close()


def _get(client, key: str | None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get("/api/v1/service-points", params=params, headers=headers)


def test_viewer_gets_all_229_points_as_geojson(world, default_atlas):
    client, keys = world
    r = _get(client, keys["viewer"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 229
    first = body["features"][0]
    assert set(first["properties"]) == {"code", "name", "tier", "territory_code"}
    expected = default_atlas.service_points.set_index("code")
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        row = expected.loc[f["properties"]["code"]]
        assert f["properties"]["tier"] == row["tier"] and f["properties"]["territory_code"] == row["territory_code"]
        assert abs(lon - row.geometry.x) < 1e-9 and abs(lat - row.geometry.y) < 1e-9
    halls = _get(client, keys["viewer"], tier=["community", "street"]).json()["features"]
    assert len(halls) == 37 and {f["properties"]["tier"] for f in halls} == {"community", "street"}


def test_access_rules_and_territory(world):
    client, keys = world
    assert _get(client, None).status_code == 401  # reads need a credential here
    assert _get(client, keys["intake"]).status_code == 403  # an intake key may not read
    scoped = _get(client, keys["community"]).json()["features"]
    territories = {(f["properties"]["tier"], f["properties"]["territory_code"]) for f in scoped}
    assert ("community", "440311001001") in territories and ("street", "440311001") in territories
    assert ("district", "440311") in territories
    assert all(t == "440311001001" for tier, t in territories if tier in ("station", "community"))
    assert _get(client, keys["viewer"], tier="kiosk").status_code == 422
