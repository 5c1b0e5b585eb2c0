"""The HTTP service: intake (single, batch, idempotent), bad input, auth, lifecycle, queries, risk,
and a real ``gridgeo serve`` on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from gridgeo.analysis.risk import risk_by_area
from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOCAL = ("127.0.0.1", 50000)


def ev(i, **kw):
    t = datetime.now(UTC) - timedelta(hours=1, minutes=i)
    return {"id": f"e{i}", "reported_at": t.isoformat(), "lon": 113.905, "lat": 22.705,
            "category": "labour", "level": 3, **kw}


@pytest.fixture
def store(store_url, small_grids):
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester")
    yield st
    st.close()


@pytest.fixture
def client(store):
    with TestClient(create_app(store, Settings(api_token=TOKEN, max_body_bytes=20_000)), client=LOCAL) as c:
        yield c


def test_post_one_event_returns_codes_dispatch_and_open311(client):
    r = client.post("/api/v1/events", json=ev(1, lon=113.915, category="petition"), headers=AUTH)
    assert r.status_code == 201
    body = r.json()
    assert body["result"] == "accepted"
    assert (body["grid_code"], body["community_code"], body["street_code"]) == \
        ("440311001001002", "440311001001", "440311001")
    assert body["dispatch_target"] == "street:440311001"
    assert body["open311"]["agency_responsible"] == "street:440311001"
    assert body["open311"]["status"] == "open" and body["open311"]["expected_datetime"] == body["due_at"]


def test_resending_an_id_does_not_duplicate(client, store):
    assert client.post("/api/v1/events", json=ev(1), headers=AUTH).status_code == 201
    r = client.post("/api/v1/events", json=ev(1), headers=AUTH)
    assert r.status_code == 200 and r.json()["result"] == "duplicate"
    assert r.json()["grid_code"] == "440311001001001"
    r = client.post("/api/v1/events", json=[ev(1), ev(2), ev(2)], headers=AUTH)
    assert r.status_code == 201
    assert (r.json()["accepted"], r.json()["duplicate"]) == (1, 2)
    assert [x["result"] for x in r.json()["results"]] == ["duplicate", "accepted", "duplicate"]
    assert store.count_events() == 2


def test_batch_is_all_or_nothing_for_validation(client, store):
    r = client.post("/api/v1/events", json=[ev(1), ev(2, level=9), ev(3, category="zzz")], headers=AUTH)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["index"], e["id"], e["field"]) for e in errors] == [(1, "e2", "level"), (2, "e3", "category")]
    assert "nothing stored" in r.json()["message"]
    assert store.count_events() == 0


@pytest.mark.parametrize("body, field", [
    ({"lon": "NaN"}, "lon"),
    ({"lat": 95}, "lat"),
    ({"level": "urgent"}, "level"),
    ({"crs": "EPSG:3857"}, "crs"),
    ({"category": "aliens"}, "category"),
    ({"reported_at": "2024-05-01T10:00:00"}, "reported_at"),
])
def test_bad_fields_get_4xx_naming_the_field(client, store, body, field):
    raw = json.dumps({**ev(1), **body}).replace('"NaN"', "NaN")
    r = client.post("/api/v1/events", content=raw, headers={**AUTH, "content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field and field in r.json()["message"]
    assert store.count_events() == 0


def test_missing_field_future_time_malformed_json_and_oversize(client, store):
    r = client.post("/api/v1/events", json={k: v for k, v in ev(1).items() if k != "lat"}, headers=AUTH)
    assert r.status_code == 422 and r.json()["errors"][0] == {"index": 0, "id": "e1", "field": "lat",
                                                             "message": "is required"}
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    r = client.post("/api/v1/events", json=ev(1, reported_at=future), headers=AUTH)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reported_at"
    r = client.post("/api/v1/events", content=b'{"id": "x", ', headers=AUTH)
    assert r.status_code == 400 and r.json()["message"].startswith("body: malformed JSON")
    r = client.post("/api/v1/events", json=[ev(i, text="长" * 300) for i in range(40)], headers=AUTH)
    assert r.status_code == 413 and "body" in r.json()["message"]
    r = client.post("/api/v1/events", json=[], headers=AUTH)
    assert r.status_code == 422
    r = client.post("/api/v1/events", json="hello", headers=AUTH)
    assert r.status_code == 422
    assert store.count_events() == 0


def test_writes_need_the_bearer_token(store):
    with TestClient(create_app(store, Settings(api_token=TOKEN)), client=LOCAL) as c:
        assert c.post("/api/v1/events", json=ev(1)).status_code == 401
        assert c.post("/api/v1/events", json=ev(1), headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.patch("/api/v1/events/e1", json={"status": "accepted", "actor": "a"}).status_code == 401
    with TestClient(create_app(store, Settings(api_token=None)), client=LOCAL) as c:
        # no legacy token on the server: the old token is just a wrong credential (API keys still work)
        r = c.post("/api/v1/events", json=ev(1), headers=AUTH)
        assert r.status_code == 401 and "GRIDGEO_API_TOKEN" in r.json()["message"]
    assert store.count_events() == 0


def test_reads_open_on_localhost_and_lockable(store):
    with TestClient(create_app(store, Settings(api_token=TOKEN)), client=LOCAL) as c:
        assert c.get("/api/v1/events").status_code == 200
    with TestClient(create_app(store, Settings(api_token=TOKEN)), client=("10.1.2.3", 5000)) as c:
        assert c.get("/api/v1/events").status_code == 401
        assert c.get("/api/v1/events", headers=AUTH).status_code == 200
    with TestClient(create_app(store, Settings(api_token=TOKEN, read_access="token")), client=LOCAL) as c:
        assert c.get("/api/v1/risk").status_code == 401
        assert c.get("/api/v1/risk", headers=AUTH).status_code == 200
    with TestClient(create_app(store, Settings(api_token=TOKEN, read_access="open")), client=("10.1.2.3", 1)) as c:
        assert c.get("/api/v1/events").status_code == 200


def test_patch_moves_status_and_refuses_invalid_moves(client):
    client.post("/api/v1/events", json=ev(1), headers=AUTH)
    r = client.patch("/api/v1/events/e1", json={"status": "accepted", "actor": "受理员", "note": "已受理"},
                     headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["open311"]["status_notes"] == "已受理"
    r = client.patch("/api/v1/events/e1", json={"status": "feedback", "actor": "x"}, headers=AUTH)
    assert r.status_code == 409 and "allowed next" in r.json()["message"]
    assert client.patch("/api/v1/events/zz", json={"status": "accepted", "actor": "x"}, headers=AUTH).status_code == 404
    r = client.patch("/api/v1/events/e1", json={"status": "resolved"}, headers=AUTH)  # actor: optional, ignored
    assert r.status_code == 200
    hist = client.get("/api/v1/events/e1").json()["history"]
    # every move is attributed to the authenticated caller (the legacy token is the admin), never the body
    admin = "token:GRIDGEO_API_TOKEN"
    assert [(h["to_status"], h["actor"]) for h in hist] == [("reported", admin), ("accepted", admin), ("resolved", admin)]


def test_get_events_filters(client):
    client.post("/api/v1/events", json=[ev(1), ev(2, lon=113.915, level=1), ev(3, lat=22.715, category="land"),
                                        ev(4, lon=113.99)], headers=AUTH)
    client.patch("/api/v1/events/e2", json={"status": "accepted", "actor": "a"}, headers=AUTH)

    def ids(**params):
        r = client.get("/api/v1/events", params=params)
        assert r.status_code == 200, r.text
        return sorted(e["id"] for e in r.json()["events"])

    assert ids() == ["e1", "e2", "e3", "e4"]
    assert ids(level=1) == ["e2"]
    assert ids(status="accepted") == ["e2"]
    assert ids(category="land") == ["e3"]
    assert ids(street_code="440311002") == ["e3"]
    assert ids(grid_code=["440311001001001", "440311001001002"]) == ["e1", "e2"]
    assert ids(bbox="113.90,22.70,113.93,22.71") == ["e1", "e2"]
    assert ids(window="62m") == ["e1"]
    assert ids(start=(datetime.now(UTC) - timedelta(minutes=62, seconds=30)).isoformat()) == ["e1", "e2"]
    latest = client.get("/api/v1/events", params={"order": "desc", "limit": 2}).json()["events"]
    assert [e["id"] for e in latest] == ["e1", "e2"]
    assert client.get("/api/v1/events", params={"bbox": "1,2,3"}).status_code == 422
    assert client.get("/api/v1/events", params={"status": "done"}).status_code == 422
    assert client.get("/api/v1/events", params={"level": 7}).status_code == 422
    assert client.get("/api/v1/events", params={"start": "2024-05-01"}).status_code == 422
    out = {e["id"]: e for e in client.get("/api/v1/events", params={"level": 3}).json()["events"]}
    assert out["e1"]["out_of_area"] is False and out["e1"]["reported_at"].endswith("+00:00")
    assert out["e4"]["out_of_area"] is True and out["e4"]["grid_code"] is None


def test_risk_endpoint_equals_the_risk_rule_on_the_store(client, store):
    client.post("/api/v1/events", json=[ev(i, level=2 if i == 0 else 4) for i in range(5)] +
                [ev(10, lat=22.715)], headers=AUTH)
    for by in ("grid", "community", "street"):
        r = client.get("/api/v1/risk", params={"by": by, "window": "24h"})
        assert r.status_code == 200
        got = {a["code"]: (a["open_cases"], a["risk_level"], a["color"]) for a in r.json()["areas"]}
        _v, grids = store.current_grid_set()
        col = {"grid": "code", "community": "community_code", "street": "street_code"}[by]
        areas = grids.groupby(col, as_index=False)["households"].sum().rename(columns={col: "code"})
        expect = risk_by_area(store.events_frame(), areas, by)
        assert got == {c: (o, r_, col_) for c, o, r_, col_ in expect[["code", "open_cases", "risk_level", "color"]]
                       .itertuples(index=False)}
    grid = {a["code"]: a for a in client.get("/api/v1/risk").json()["areas"]}
    assert grid["440311001001001"]["open_cases"] == 5 and grid["440311001001001"]["max_severity"] == 2
    assert client.get("/api/v1/risk", params={"by": "county"}).status_code == 422
    assert client.get("/api/v1/risk", params={"window": "soon"}).status_code == 422


def test_stats_categories_grid_sets_and_docs(client):
    client.post("/api/v1/events", json=[ev(1), ev(2, lat=22.715)], headers=AUTH)
    rows = client.get("/api/v1/stats", params={"by": "street"}).json()["rows"]
    assert {r["street_code"]: r["received"] for r in rows} == {"440311001": 1, "440311002": 1}
    assert client.get("/api/v1/stats", params={"by": "colour"}).status_code == 422
    assert client.get("/api/v1/nothing").json() == {"message": "Not Found"}
    cats = client.get("/api/v1/categories").json()
    assert cats["categories"][0] == {"code": "neighbour_dispute", "zh": "邻里纠纷", "en": "Disputes between neighbours"}
    assert client.get("/api/v1/grid-sets").json()["grid_sets"][0]["version"] == 1
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/events", "/api/v1/events/{event_id}", "/api/v1/risk"} <= set(paths)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_on_loopback(tmp_path):
    port = _free_port()
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(tmp_path), "GRIDGEO_API_TOKEN": TOKEN}
    env.pop("GRIDGEO_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start: " + proc.stderr.read1().decode())
        event = {**ev(1), "lon": 113.93, "lat": 22.78}  # inside the default atlas
        r = httpx.post(f"{base}/api/v1/events", json=event, headers=AUTH)
        assert r.status_code == 201 and r.json()["grid_code"].startswith("440311")
        assert httpx.post(f"{base}/api/v1/events", json=event).status_code == 401
        assert httpx.get(f"{base}/api/v1/events").json()["count"] == 1
        assert httpx.get(f"{base}/docs").status_code == 200
        # gridgeo simulate --to-api streams into the running service and advances lifecycles
        from gridgeo.cli import main

        assert main(["simulate", "--to-api", base, "--token", TOKEN, "--rate", "100", "--duration", "2",
                     "--seed", "9", "--pace", "5000", "--advance-every", "0.5"]) == 0
        events = httpx.get(f"{base}/api/v1/events", params={"limit": 10000}).json()["events"]
        simulated = [e for e in events if e["id"].startswith("sim9-")]
        assert len(simulated) >= 3 and any(e["status"] != "reported" for e in simulated)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (tmp_path / "gridgeo.sqlite").exists()


def test_two_workers_share_one_store(tmp_path):
    port = _free_port()
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(tmp_path), "GRIDGEO_API_TOKEN": TOKEN}
    env.pop("GRIDGEO_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start")
        with httpx.Client(base_url=base, headers=AUTH) as client:  # new connections spread over workers
            for i in range(20):
                r = httpx.post(f"{base}/api/v1/events", json={**ev(i), "lon": 113.93, "lat": 22.78}, headers=AUTH)
                assert r.status_code == 201
            assert client.get("/api/v1/events").json()["count"] == 20
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_concurrent_posts_share_transactions_without_losing_or_duplicating(store):
    import asyncio

    app = create_app(store, Settings(api_token=TOKEN))

    async def fire():
        transport = httpx.ASGITransport(app=app, client=LOCAL)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=AUTH) as client:
            bodies = [ev(i) for i in range(40)] + [ev(99, text=f"copy {k}") for k in range(10)]
            bodies.append([ev(200), ev(201)])
            return await asyncio.gather(*(client.post("/api/v1/events", json=b) for b in bodies))

    responses = asyncio.run(fire())
    assert all(r.status_code in (200, 201) for r in responses)
    singles = [r.json() for r in responses[:-1]]
    assert sum(r["result"] == "accepted" for r in singles) == 41  # 40 distinct + the first copy of e99
    assert [r["result"] for r in singles[40:]].count("accepted") == 1
    batch = responses[-1].json()
    assert [x["index"] for x in batch["results"]] == [0, 1] and batch["accepted"] == 2
    assert store.count_events() == 43
    transactions = store.events_frame(extra=True)["received_at"].nunique()  # one `now` per transaction
    assert transactions < len(responses) / 2, transactions
