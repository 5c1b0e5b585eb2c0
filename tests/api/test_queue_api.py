"""``/api/v1/queue``: the hotline cases waiting for a person, scope-filtered and masked like other
reads, placed by a point or a building code as the caller (issue 22)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hotline_district import COMMUNITIES, make_district, work_orders

from gridgeo.api.app import create_app
from gridgeo.config import Settings
from gridgeo.events.hotline import Tables, work_order_events
from gridgeo.services.hotline import place_work_orders
from gridgeo.services.workspace import open_store
from gridgeo.store import identities
from gridgeo.store.atlases import save_atlas, use_atlas

ATLAS, TOKEN, LOCAL = "jincheng-api", "test-token", ("127.0.0.1", 50000)
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def world(store_url):
    district = make_district(n_compounds=60)
    settings = Settings(api_token=TOKEN, atlas=ATLAS)
    store = open_store(store_url, seed_default=False)
    save_atlas(store, district.atlas, ATLAS)
    use_atlas(store, ATLAS)
    start = (datetime.now() - timedelta(days=1)).replace(microsecond=0)
    export = work_orders(district, n=96, start=start)
    orders, _ = work_order_events(export, settings.tz, Tables())
    outcomes = place_work_orders(store, orders, settings=settings)
    with TestClient(create_app(store, settings), client=LOCAL) as client:
        yield client, store, district, outcomes
    store.close()


def test_the_queue_lists_cases_with_reason_and_candidates_masked_for_viewers(world):
    client, _store, _district, outcomes = world
    queued = {o.id for o in outcomes if o.placement == "queued"}
    r = client.get("/api/v1/queue")  # anonymous loopback reader: a viewer
    assert r.status_code == 200, r.text
    cases = r.json()["cases"]
    assert {c["id"] for c in cases} == queued
    assert all("*" in c["reporter_phone"] for c in cases if c["reporter_phone"])
    assert all(c["reason"] and c["address"] is not None for c in cases)
    split = [c for c in cases if c["method"] == "compound" and len(c["candidates"]) > 1]
    assert all({"grid_code", "lon", "lat", "unit_code"} <= set(split[0]["candidates"][0]) for _ in split[:1])
    admin = client.get("/api/v1/queue", headers=ADMIN, params={"lang": "en"}).json()["cases"]
    assert any(c["reporter_phone"] and "*" not in c["reporter_phone"] for c in admin)
    assert any("not in this district" in c["reason"] for c in admin)


def test_a_scoped_caller_sees_and_places_only_in_its_territory(world):
    client, store, district, _ = world
    community = "510199001001"
    key = identities.create_key(store, "k-comm", "community", [community])
    mine = {"Authorization": f"Bearer {key}"}
    everything = client.get("/api/v1/queue", headers=ADMIN).json()["cases"]
    cases = client.get("/api/v1/queue", headers=mine).json()["cases"]
    assert 0 < len(cases) < len(everything)
    for c in cases:
        codes = [x["grid_code"] for x in c["candidates"]] + [c["community_code"] or ""]
        assert any(code.startswith(community) for code in codes)
    other = next(c for c in everything if c["community_code"] and not c["community_code"].startswith(community)
                 and c["method"] == "community")
    assert client.post(f"/api/v1/queue/{other['id']}/place", json={"lon": 104.06, "lat": 30.59},
                       headers=mine).status_code == 404  # not in its territory: not there for it
    inside = next(c for c in cases if c["method"] == "community")
    elsewhere = next(b for comp in district.compounds for b in comp.buildings if not b[1].startswith(community))
    r = client.post(f"/api/v1/queue/{inside['id']}/place", json={"lon": elsewhere[2], "lat": elsewhere[3]}, headers=mine)
    assert r.status_code == 403, r.text  # may not put a case into another community's grid


def test_placing_by_point_and_by_building_goes_through_intake_as_the_caller(world):
    client, _store, district, _ = world
    cases = client.get("/api/v1/queue", headers=ADMIN).json()["cases"]
    community_cases = [c for c in cases if c["method"] == "community"]
    first, second = community_cases[0], community_cases[1]
    _, grid, lon, lat = district.compounds[3].buildings[0]
    r = client.post(f"/api/v1/queue/{first['id']}/place", json={"lon": lon, "lat": lat}, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert r.json()["grid_code"] == grid and r.json()["dispatch_target"] and r.json()["due_at"]
    ev = client.get(f"/api/v1/events/{first['id']}", headers=ADMIN).json()
    assert ev["grid_code"] == grid and ev["history"][0]["actor"] != "ingest" and "人工" in ev["history"][0]["note"]
    assert client.post(f"/api/v1/queue/{first['id']}/place", json={"lon": lon, "lat": lat},
                       headers=ADMIN).status_code == 404  # placed already
    placed = client.get("/api/v1/queue", headers=ADMIN, params={"status": "placed"}).json()["cases"]
    assert [c["id"] for c in placed] == [first["id"]] and placed[0]["placed_by"]
    unit = f"510199B{0:04d}{1:02d}"  # compound 0, building 1
    r = client.post(f"/api/v1/queue/{second['id']}/place", json={"unit_code": unit}, headers=ADMIN)
    assert r.status_code == 201 and r.json()["grid_code"] == district.compounds[0].buildings[0][1]
    third = community_cases[2]["id"]
    assert client.post(f"/api/v1/queue/{third}/place", json={"lon": 10, "lat": 10}, headers=ADMIN).status_code == 422
    assert client.post(f"/api/v1/queue/{third}/place", json={}, headers=ADMIN).status_code == 422
    assert client.post(f"/api/v1/queue/{third}/place", json={"unit_code": "x"}, headers=ADMIN).status_code == 422
    assert client.post(f"/api/v1/queue/{third}/place", json={"lon": lon, "lat": lat}).status_code == 401
    assert COMMUNITIES  # the generated district's names are what the addresses use


def test_posting_work_orders_with_an_address(world):
    client, store, district, _ = world
    comp = district.compounds[5]
    no, grid, _, _ = comp.buildings[0]
    one = {"id": "API-1", "called_at": "2026-01-05 09:30", "address": f"锦城区{comp.name}{no}栋2单元",
           "category": "噪音扰民", "urgency": "较急", "reporter_phone": "13800001111"}
    r = client.post("/api/v1/hotline", json=one, headers=ADMIN)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["placement"], body["grid_code"], body["method"]) == ("placed", grid, "building")
    ev = store.get_event("API-1")
    assert ev["reported_at"].isoformat().startswith("2026-01-05T01:30") and ev["level"] == 2
    assert ev["category"] == "environment" and ev["reporter_phone"] == "13800001111"
    batch = [{"工单编号": "API-2", "来电时间": "2026-01-05 10:00", "事发地址": "地址不详"}, {**one}]
    r = client.post("/api/v1/hotline", json=batch, headers=ADMIN)
    assert r.status_code == 201 and [x["placement"] for x in r.json()["results"]] == ["queued", "placed"]
    bad = client.post("/api/v1/hotline", json=[{"id": "API-3", "called_at": "昨天", "address": "x"}], headers=ADMIN)
    assert bad.status_code == 422 and "API-3" not in {c["id"] for c in client.get("/api/v1/queue").json()["cases"]}
    assert client.post("/api/v1/hotline", json=one).status_code == 401
