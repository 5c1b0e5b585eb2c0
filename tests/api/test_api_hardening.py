"""Regression tests for issue 9's cases on the HTTP layer: each hostile input or failure gets a
4xx or a 503/507 JSON answer naming the field or condition, never a 500, on both backends."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from plan_helpers import lattice_plan

from gridgeo.api import create_app
from gridgeo.api.group_commit import GroupCommit
from gridgeo.api.outage import classify
from gridgeo.config import Settings
from gridgeo.events.schema import EventIn, validate_events
from gridgeo.services.workspace import open_store

TOKEN = "hard-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOCAL = ("127.0.0.1", 50000)
INT32 = 2**31
REPO = Path(__file__).resolve().parents[2]


def ev(i, **kw):
    t = datetime.now(UTC) - timedelta(hours=1, minutes=i % 600)
    return {"id": f"e{i}", "reported_at": t.isoformat(), "lon": 113.905, "lat": 22.705,
            "category": "labour", "level": 3, **kw}


@pytest.fixture
def store(store_url, small_grids):
    if store_url.startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(store_url)
        with engine.begin() as conn:
            for table in ("plan_audit", "plan_versions", "plans", "plan_atom_sets", "plan_schema_migrations"):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        engine.dispose()
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester")
    yield st
    st.close()


def make_app(store, **settings):
    return create_app(store, Settings(**{"api_token": TOKEN, "max_body_bytes": 100_000, **settings}),
                      plan_atoms_provider=lambda _s, _st: lattice_plan())


@pytest.fixture
def client(store):
    with TestClient(make_app(store), client=LOCAL) as c:
        yield c


def assert_names(resp, status, field):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert field in body["message"], body


# --- case 1: NUL bytes never reach the database, one bad item never fails another ---------------

@pytest.mark.parametrize("raw", [{"text": "a\u0000b"}, {"id": "x\u0000"}, {"category": "\u0000"},
                                 {"channel": "app\u0000"}])
def test_nul_in_any_event_field_is_a_422_naming_it(client, store, raw):
    field = next(iter(raw))
    resp = client.post("/api/v1/events", json=ev(1, **raw), headers=AUTH)
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["field"] == field
    assert store.count_events() == 0


@pytest.mark.parametrize("url, field", [("/api/v1/events?grid_code=%00", "grid_code"),
                                        ("/api/v1/events?category=a%00", "category"),
                                        ("/api/v1/events/a%00b", "event_id")])
def test_nul_in_query_and_path_is_a_422(client, url, field):
    assert_names(client.get(url), 422, field)
    if "events/" in url:
        assert_names(client.patch(url, json={"status": "accepted", "actor": "a"}, headers=AUTH), 422, field)


def test_nul_in_patch_and_plan_bodies_is_a_422(client):
    client.post("/api/v1/events", json=ev(1), headers=AUTH)
    assert_names(client.patch("/api/v1/events/e1", json={"status": "accepted", "actor": "a\u0000"}, headers=AUTH),
                 422, "actor")
    assert_names(client.post("/api/v1/plans", json={"name": "n\u0000", "author": "a", "start": "current"},
                             headers=AUTH), 422, "name")
    pid = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"}, headers=AUTH).json()["id"]
    resp = client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={
        "base_version": 1, "author": "a", "edits": [{"op": "rename_grid", "params": {"grid": "g", "name": "x\u0000"}}]})
    assert_names(resp, 422, "edits.0.params")


def test_nul_posts_among_concurrent_valid_posts_fail_only_themselves(store):
    app = make_app(store)

    async def fire():
        transport = httpx.ASGITransport(app=app, client=LOCAL)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as c:
            bodies = [ev(i, text="bad\u0000" if i % 10 == 0 else "ok") for i in range(200)]
            return await asyncio.gather(*(c.post("/api/v1/events", json=b) for b in bodies))

    responses = asyncio.run(fire())
    codes = [r.status_code for r in responses]
    assert codes.count(422) == 20 and codes.count(201) == 180, codes
    assert store.count_events() == 180


def test_a_group_commit_that_fails_answers_each_member_on_its_own(store):
    """Events that slip past validation (built without it) and that the database refuses fail
    only their own request: the shared transaction is retried member by member."""
    good, _ = validate_events([ev(i) for i in range(6)])
    # on PostgreSQL a NUL byte is refused by the database; on SQLite a duplicate primary key in
    # history cannot happen, so use a value neither backend can bind
    bad = EventIn.model_construct(**{**good[0].model_dump(), "id": "bad", "text": "x\u0000y"}) \
        if store.backend == "postgresql" else EventIn.model_construct(**{**good[0].model_dump(), "id": "bad",
                                                                        "text": object()})
    committer = GroupCommit(lambda: store)

    async def run():
        return await asyncio.gather(*(committer.submit([e]) for e in [good[0], bad, *good[1:]]),
                                    return_exceptions=True)

    results = asyncio.run(run())
    assert isinstance(results[1], Exception)
    assert [r[0]["result"] for i, r in enumerate(results) if i != 1] == ["accepted"] * 6
    assert store.count_events() == 6


# --- case 2: auth before the body, a body limit everywhere ------------------------------------

@contextmanager
def live_server(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _send_huge(port, head: str, send_bytes: int = 1 << 20) -> tuple[str, int, float]:
    """Send ``head`` and up to ``send_bytes`` of body, then read the answer: (status line, bytes sent, s)."""
    t0 = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        chunk = b"x" * 65536
        try:
            while sent < send_bytes:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    return answer.split(b"\r\n", 1)[0].decode(), sent, time.monotonic() - t0


@pytest.mark.parametrize("path", ["/api/v1/events/e1", "/api/v1/plans", "/api/v1/plans/1/versions",
                                  "/api/v1/events"])
def test_unauthenticated_300mb_body_gets_401_without_being_read(tmp_path, small_grids, path):
    st = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}", seed_default=False)
    st.publish_grid_set(small_grids, author="t")
    method = "PATCH" if path.startswith("/api/v1/events/") else "POST"
    try:
        with live_server(make_app(st)) as port:
            declared = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {300_000_000}\r\n\r\n")
            status, sent, took = _send_huge(port, declared)
            assert " 401 " in status + " ", status
            assert sent <= 1 << 20 and took < 5  # answered after at most 1 MB of the 300 MB
            chunked = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n10000\r\n")
            status, _, _ = _send_huge(port, chunked, send_bytes=65536)
            assert " 401 " in status + " ", status
            auth = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Authorization: Bearer {TOKEN}\r\nContent-Length: 300000000\r\n\r\n")
            status, sent, took = _send_huge(port, auth)
            assert " 413 " in status + " ", status
            assert took < 5
    finally:
        st.close()


@pytest.mark.parametrize("method, path", [("patch", "/api/v1/events/e1"), ("post", "/api/v1/plans"),
                                          ("post", "/api/v1/plans/1/versions"), ("post", "/api/v1/plans/1/publish"),
                                          ("post", "/api/v1/plans/1/preview"), ("post", "/api/v1/events")])
def test_every_body_has_the_limit_declared_and_streamed(client, method, path):
    big = json.dumps({"name": "x" * 150_000}).encode()
    resp = getattr(client, method)(path, content=big, headers={**AUTH, "Content-Type": "application/json"})
    assert_names(resp, 413, "body")

    def stream():  # no Content-Length: chunked, counted while it arrives
        for _ in range(20):
            yield b" " * 10_000

    resp = client.request(method.upper(), path, content=stream(), headers={**AUTH, "Content-Type": "application/json"})
    assert_names(resp, 413, "body")


# --- case 4: database down, disk full --------------------------------------------------------

def test_outage_classification_on_real_errors(tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "full.sqlite")
    conn.execute("PRAGMA max_page_count=2")
    with pytest.raises(sqlite3.OperationalError) as full:
        conn.execute("CREATE TABLE t(x)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 50)
    conn.close()
    assert classify(full.value).status == 507
    with pytest.raises(Exception) as refused:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=1 user=x dbname=x connect_timeout=2")
    outage = classify(refused.value)
    assert outage.status == 503 and outage.headers == {"Retry-After": "5"}
    assert classify(ValueError("bug")) is None


def test_sqlite_disk_full_is_a_507_and_nothing_half_written(tmp_path, small_grids):
    import sqlalchemy as sa

    st = open_store(f"sqlite:///{tmp_path / 'f.sqlite'}", seed_default=False)
    st.publish_grid_set(small_grids, author="t")
    with st.write_engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    st.write_engine.dispose()
    sa.event.listen(st.write_engine, "connect",
                    lambda dbapi, _r: dbapi.execute(f"PRAGMA max_page_count={pages + 2}"))
    try:
        with TestClient(make_app(st), client=LOCAL) as c:
            answers = [c.post("/api/v1/events", json=[ev(i * 50 + k, text="长" * 300) for k in range(50)],
                              headers=AUTH) for i in range(20)]
            codes = [a.status_code for a in answers]
            assert 507 in codes, codes
            full = answers[codes.index(507)]
            assert "disk is full" in full.json()["message"]
            stored = st.count_events()
            assert stored == 50 * codes.count(201)  # whole batches or nothing
    finally:
        st.close()


def _pg_ctl(data_dir: Path, *args: str) -> None:
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    cmd = [str(pgbin / "pg_ctl"), "-D", str(data_dir), "-w", "-t", "60", *args]
    if hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture
def own_pg():
    """A PostGIS server of this test alone (it is stopped and started again)."""
    if not Path("/usr/lib/postgresql").exists():
        pytest.skip("no PostgreSQL binaries")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = Path(f"/tmp/gridgeo-own-pg-{port}")  # the postgres user must reach it (not under pytest's 0700 dirs)
    script = REPO / "scripts" / "pg_test_server.sh"
    url = subprocess.run(["bash", str(script), "start", str(base), str(port)], check=True, capture_output=True,
                         text=True).stdout.strip()
    yield url, base / "data"
    subprocess.run(["bash", str(script), "stop", str(base)], capture_output=True)


@pytest.mark.postgis
def test_postgres_stopped_mid_run_gives_503_json_then_recovers(own_pg, small_grids):
    url, data_dir = own_pg
    st = open_store(url, seed_default=False)
    st.publish_grid_set(small_grids, author="t")
    try:
        with live_server(make_app(st)) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}",
                                                            headers=AUTH, timeout=30) as c:
            assert c.post("/api/v1/events", json=ev(1)).status_code == 201
            _pg_ctl(data_dir, "-m", "fast", "stop")
            for request in (lambda: c.post("/api/v1/events", json=ev(2)), lambda: c.get("/api/v1/events"),
                            lambda: c.patch("/api/v1/events/e1", json={"status": "accepted", "actor": "a"}),
                            lambda: c.get("/api/v1/risk"), lambda: c.get("/api/v1/plans")):
                resp = request()
                assert resp.status_code == 503, resp.text
                assert resp.headers["retry-after"] == "5" and "database is unavailable" in resp.json()["message"]
            health = c.get("/api/v1/health")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            _pg_ctl(data_dir, "-o", f"-p {url.rsplit(':', 1)[1].split('/')[0]} -k {data_dir.parent} "
                    "-c listen_addresses=127.0.0.1", "-l", str(data_dir.parent / "server2.log"), "start")
            assert c.get("/api/v1/health").json()["status"] == "ok"
            assert c.post("/api/v1/events", json=ev(2)).status_code == 201  # same process, no restart
            assert c.get("/api/v1/events").json()["count"] == 2
    finally:
        st.close()


# --- case 5: dates at the edges -------------------------------------------------------------

EDGES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("when", EDGES)
def test_edge_dates_are_422_in_post_and_get(client, when):
    resp = client.post("/api/v1/events", json=ev(1, reported_at=when), headers=AUTH)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "reported_at", resp.text
    for name in ("start", "end"):
        assert_names(client.get("/api/v1/events", params={name: when}), 422, name)


@pytest.mark.parametrize("value", [1714521600, "1714521600", 1714521600.5])
def test_unix_time_is_refused(client, value):
    resp = client.post("/api/v1/events", json=ev(1, reported_at=value), headers=AUTH)
    assert resp.status_code == 422 and "ISO 8601" in resp.json()["errors"][0]["message"]


def test_ingest_rejects_edge_dates_and_stores_the_good_rows(tmp_path):
    rows = [ev(1), ev(2, reported_at=EDGES[0]), ev(3), ev(4, reported_at=EDGES[1]), ev(5, id="a/b")]
    lines = ["id,reported_at,lon,lat,category,level"] + [
        f"{r['id']},{r['reported_at']},113.93,22.78,{r['category']},{r['level']}" for r in rows]
    (tmp_path / "edges.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'e.sqlite'}"
    proc = subprocess.run([sys.executable, "-m", "gridgeo", "ingest", "edges.csv", "--quiet", "--database", db],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "2 accepted" in proc.stdout and "3 rejected" in proc.stdout, proc.stdout
    rejects = (tmp_path / "edges.csv.rejected.csv").read_text(encoding="utf-8")
    assert "representable dates" in rejects and '"/"' in rejects.replace('""', '"')
    st = open_store(db, seed_default=False)
    assert set(st.events_frame()["id"]) == {"e1", "e3"}
    st.close()


# --- case 8: integers beyond the columns -----------------------------------------------------

def test_large_integers_are_404_or_422(client):
    pid = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"}, headers=AUTH).json()["id"]
    assert client.get(f"/api/v1/plans/{INT32}").status_code == 404
    assert client.post(f"/api/v1/plans/{INT32}/publish", json={"author": "a"}, headers=AUTH).status_code == 404
    assert_names(client.get(f"/api/v1/plans/{pid}", params={"version": INT32}), 422, "version")
    assert_names(client.get(f"/api/v1/plans/{pid}/diff", params={"a": 1, "b": INT32}), 422, "b")
    assert_names(client.post(f"/api/v1/plans/{pid}/versions", headers=AUTH, json={
        "base_version": INT32, "author": "a", "edits": [{"op": "rename_grid", "params": {}}]}), 422, "base_version")
    assert_names(client.post("/api/v1/plans", headers=AUTH, json={
        "name": "c", "author": "a", "from": {"plan_id": INT32}}), 422, "from.plan_id")
    assert_names(client.post(f"/api/v1/plans/{pid}/publish", headers=AUTH, json={
        "author": "a", "version": INT32}), 422, "version")
    assert_names(client.post(f"/api/v1/plans/{pid}/publish", headers=AUTH, json={
        "author": "a", "base_version": 2**63}), 422, "base_version")
    assert client.get(f"/api/v1/plans/{INT32 - 1}").status_code == 404  # in range, just not there


# --- case 9 and 10: ids with "/" and lone surrogates -------------------------------------------

def test_ids_with_a_slash_are_refused_and_the_rule_is_said(client, store):
    resp = client.post("/api/v1/events", json=ev(1, id="a/b"), headers=AUTH)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "id"
    assert '"/"' in resp.json()["errors"][0]["message"] and "1-128" in resp.json()["errors"][0]["message"]
    assert store.count_events() == 0


@pytest.mark.parametrize("field", ["id", "text", "category"])
def test_lone_surrogate_is_a_422_whose_body_can_be_read(client, store, field):
    raw = json.dumps(ev(1)).replace('"' + str(ev(1)[field]) + '"', '"x\\ud800y"', 1) if field != "text" else \
        json.dumps({**ev(1), "text": "PLACEHOLDER"}).replace("PLACEHOLDER", "x\\ud800y")
    resp = client.post("/api/v1/events", content=raw.encode(), headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["field"] == field
    resp = client.post("/api/v1/plans", content=b'{"name": "\\udc00", "author": "a", "start": "current"}',
                       headers={**AUTH, "Content-Type": "application/json"})
    assert_names(resp, 422, "name")
    assert store.count_events() == 0


# --- case 11 and minor ones --------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/api/v1/health"])
def test_token_read_access_covers_docs_schema_and_health(store, path):
    with TestClient(make_app(store, read_access="token"), client=LOCAL) as c:
        assert c.get(path).status_code == 401
        assert c.get(path, headers=AUTH).status_code == 200
    with TestClient(make_app(store, read_access="localhost"), client=LOCAL) as c:
        assert c.get(path).status_code == 200  # loopback reads freely in localhost mode
    with TestClient(make_app(store, read_access="localhost"), client=("10.0.0.9", 4000)) as c:
        assert c.get(path).status_code == 401


def test_version_zero_is_a_422_and_published_version_an_int(client):
    pid = client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"}, headers=AUTH).json()["id"]
    assert_names(client.get(f"/api/v1/plans/{pid}", params={"version": 0}), 422, "version")
    assert client.post(f"/api/v1/plans/{pid}/publish", json={"author": "a"}, headers=AUTH).status_code == 200
    client.post("/api/v1/plans", json={"name": "q", "author": "a", "start": "current"}, headers=AUTH)
    raw = client.get("/api/v1/plans").text
    plans = json.loads(raw)["plans"]
    assert plans[0]["published_version"] == 1 and isinstance(plans[0]["published_version"], int)
    assert '"published_version":1,' in raw and plans[1]["published_version"] is None
    versions = client.get(f"/api/v1/plans/{pid}").json()["versions"]
    assert versions[0]["grid_set_version"] == 2 and isinstance(versions[0]["grid_set_version"], int)


def test_serve_warns_when_binding_every_interface(capsys):
    from gridgeo.commands.serve import _warn_if_public

    for host in ("0.0.0.0", "::"):
        _warn_if_public(host, "open")
        assert "every network interface" in capsys.readouterr().err
    _warn_if_public("127.0.0.1", "open")
    assert capsys.readouterr().err == ""
