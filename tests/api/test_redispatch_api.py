"""Re-dispatching a case to another hall or station (issue 23): a recorded move with the actor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store

AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def world(tmp_path, default_atlas):
    store = open_store(f"sqlite:///{tmp_path / 'e.sqlite'}", seed_default=False)
    store.publish_grid_set(default_atlas.grids, author="tester")
    inside = default_atlas.grids.geometry.iloc[3].representative_point()
    now = datetime.now(UTC)
    add_events(store, [{"id": eid, "reported_at": (now - timedelta(hours=1)).isoformat(), "lon": inside.x,
                        "lat": inside.y, "category": "labour", "level": 3} for eid in ("m", "done")], now=now)
    for status in ("accepted", "resolved"):
        store.transition("done", status, "tester")
    with TestClient(create_app(store, Settings(api_token="t")), client=("127.0.0.1", 5000)) as client:
        yield client, store
    store.close()


def test_redispatch_to_another_hall_and_to_a_station(world, default_atlas):
    client, store = world
    before = store.get_event("m")
    points = default_atlas.service_points
    other = points[(points["tier"] == "community") & (points["code"] != before["hall_code"])].iloc[0]
    r = client.put("/api/v1/events/m/hall", json={"hall_code": other["code"], "note": "辖区调整"}, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["hall_code"], body["handling_tier"], body["status"]) == (other["code"], "community", "reported")
    assert body["dispatch_target"] == f"community:{other['territory_code']}" and body["escalations"] == 0
    last = body["history"][-1]
    assert last["actor"] != "escalation" and last["note"] == f"{before['hall_code']} → {other['code']}: 辖区调整"
    station = points[(points["tier"] == "station") & (points["territory_code"] == other["territory_code"])].iloc[0]
    body = client.put("/api/v1/events/m/hall", json={"hall_code": station["code"]}, headers=AUTH).json()
    assert (body["station_code"], body["hall_code"], body["handling_tier"]) == (station["code"], other["code"],
                                                                               "station")


def test_redispatch_refused_for_unknown_points_closed_cases_and_anonymous(world):
    client, _store = world
    bad = client.put("/api/v1/events/m/hall", json={"hall_code": "FW999"}, headers=AUTH)
    assert bad.status_code == 422 and "service point" in bad.json()["message"]
    closed = client.put("/api/v1/events/done/hall", json={"hall_code": "FW440311"}, headers=AUTH)
    assert closed.status_code == 409
    assert client.put("/api/v1/events/zz/hall", json={"hall_code": "FW440311"}, headers=AUTH).status_code == 404
    assert client.put("/api/v1/events/m/hall", json={"hall_code": "FW440311"}).status_code == 401
