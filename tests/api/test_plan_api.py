"""The plan endpoints on the event service app: create, get, save with 409 on a stale base,
preview, publish (then events go to the new grid set), diff, export, audit, access."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from plan_helpers import X0, Y0, A, B, atom_id, g, lattice_plan

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_API_TOKEN", TOKEN)
    monkeypatch.setenv("GRIDGEO_READ_ACCESS", "open")  # TestClient's host is not loopback
    store = open_store(f"sqlite:///{tmp_path / 'api.sqlite'}", seed_default=False)
    app = create_app(store, Settings(api_token=TOKEN, read_access="open"), plan_atoms_provider=lambda start, _store: lattice_plan())
    with TestClient(app) as c:
        yield c
    store.close()


def move(atom: str, grid: str) -> dict:
    return {"op": "move_atoms", "params": {"atom_ids": [atom], "to_grid": grid}}


def test_create_get_save_and_stale_409(client):
    r = client.post("/api/v1/plans", json={"name": "试点", "author": "alice", "start": "current"}, headers=AUTH)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert [p["id"] for p in client.get("/api/v1/plans").json()["plans"]] == [pid]
    body = client.get(f"/api/v1/plans/{pid}").json()
    assert body["version"] == 1 and body["summary"]["households"] == 1600 and body["issues"] == []
    assert {row["code"]: row["households"] for row in body["grids"]}[g(A, 1)] == 400
    r = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={
        "base_version": 1, "author": "alice", "comment": "move one", "edits": [move(atom_id(1, 0), g(A, 2))]})
    assert r.status_code == 201 and r.json()["version"] == 2
    # bob still works on version 1: refused with 409 and told the head
    r = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={
        "base_version": 1, "author": "bob", "edits": [{"op": "rename_grid", "params": {"grid": g(B, 1), "name": "x"}}]})
    assert r.status_code == 409 and r.json()["head_version"] == 2 and "reload version 2" in r.json()["message"]
    # he reloads version 2 and re-applies
    r = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={
        "base_version": 2, "author": "bob", "edits": [{"op": "rename_grid", "params": {"grid": g(B, 1), "name": "x"}}]})
    assert r.status_code == 201 and r.json()["version"] == 3
    v3 = client.get(f"/api/v1/plans/{pid}", params={"assignment": "true"}).json()
    assert v3["assignment"][atom_id(1, 0)] == g(A, 2)
    assert {row["code"]: row["name"] for row in v3["grids"]}[g(B, 1)] == "x"
    assert [v["version"] for v in v3["versions"]] == [1, 2, 3]
    v1 = client.get(f"/api/v1/plans/{pid}", params={"version": 1}).json()
    assert {row["code"]: row["households"] for row in v1["grids"]}[g(A, 2)] == 400
    audit = client.get(f"/api/v1/plans/{pid}/audit").json()["audit"]
    assert [a["action"] for a in audit] == ["create", "save", "save_refused", "save"]


def test_refused_edits_unknown_plans_and_bad_bodies(client):
    pid = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"}, headers=AUTH).json()["id"]
    r = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH,
                    json={"base_version": 1, "author": "a", "edits": [move("nope", g(A, 1))]})
    assert r.status_code == 422 and "not part of" in r.json()["message"]
    assert client.get("/api/v1/plans/99").status_code == 404
    assert client.get(f"/api/v1/plans/{pid}", params={"version": 7}).status_code == 404
    r = client.post("/api/v1/plans", json={"name": "p", "author": "a"}, headers=AUTH)
    assert r.status_code == 422 and "start" in r.json()["message"]
    r = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={"base_version": 1, "author": "a", "edits": []})
    assert r.status_code == 422


def test_reads_from_elsewhere_need_the_token_unless_open(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'locked.sqlite'}", seed_default=False)
    app = create_app(store, Settings(api_token=TOKEN, read_access="localhost"),
                     plan_atoms_provider=lambda start, _store: lattice_plan())
    with TestClient(app) as locked:
        assert locked.get("/api/v1/plans").status_code == 401  # the test client is not a loopback host
        assert locked.get("/api/v1/plans", headers=AUTH).status_code == 200
    store.close()


def test_writes_need_the_token(client):
    r = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"})
    assert r.status_code == 401
    r = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"},
                    headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_preview_publish_and_events_follow_the_new_set(client):
    pid = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"}, headers=AUTH).json()["id"]
    r = client.post(f"/api/v1/plans/{pid}/preview", json={"edits": [move(atom_id(3, 0), g(A, 1))]})
    assert r.status_code == 200 and r.json()["ok"] is False
    assert {i["rule"] for i in r.json()["new_issues"]} >= {"non_contiguous"}
    assert client.get(f"/api/v1/plans/{pid}").json()["version"] == 1  # nothing saved
    r = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={
        "base_version": 1, "author": "a", "edits": [move(atom_id(3, 0), g(A, 1))]})
    assert r.status_code == 201 and any(i["rule"] == "non_contiguous" for i in r.json()["issues"])
    r = client.post(f"/api/v1/plans/{pid}/publish", headers=AUTH, json={"author": "chief"})
    assert r.status_code == 422 and "integrity" in r.json()["message"]  # the head (v2) is broken
    r = client.post(f"/api/v1/plans/{pid}/publish", headers=AUTH, json={"author": "chief", "version": 1,
                                                                         "base_version": 1})
    assert r.status_code == 409 and r.json()["head_version"] == 2
    r = client.post(f"/api/v1/plans/{pid}/publish", headers=AUTH, json={"author": "chief", "version": 1})
    assert r.status_code == 200, r.text
    gs = r.json()["grid_set_version"]
    assert client.get("/api/v1/health").json()["grid_set_version"] == gs
    ev = {"id": "ev-1", "reported_at": "2026-01-01T08:00:00+08:00", "lon": X0 + 0.0005, "lat": Y0 - 0.0015,
          "category": "property", "level": 3, "channel": "app", "text": "t"}
    r = client.post("/api/v1/events", json=ev, headers=AUTH)
    assert r.status_code == 201 and r.json()["grid_code"] == g(A, 1)
    d = client.get(f"/api/v1/plans/{pid}/diff", params={"a": 1, "b": 2}).json()
    assert d["summary"]["atoms_moved"] == 1 and d["moves"][0]["atom_id"] == atom_id(3, 0)
    assert d["moved_areas"]["type"] == "FeatureCollection" and len(d["moved_areas"]["features"]) == 1
    geo = client.get(f"/api/v1/plans/{pid}/grids.geojson", params={"version": 1})
    assert geo.status_code == 200 and len(geo.json()["features"]) == 4
    assert "attachment" in geo.headers["content-disposition"]
    cw = client.get(f"/api/v1/plans/{pid}/crosswalk.csv")
    assert cw.status_code == 200 and cw.text.startswith("layer,legacy_code,grid_code")
    plans = client.get("/api/v1/plans").json()["plans"]
    assert plans[0]["published_version"] == 1 and plans[0]["published_grid_set"] == gs
