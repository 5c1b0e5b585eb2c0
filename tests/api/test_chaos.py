"""Chaos tests of issue 9 against a real ``gridgeo serve`` process under load: kill -9 of the
server, PostgreSQL stopped and started again, a full disk. In every case no acknowledged event
is lost or stored twice, and while the database is away the answers are 503/507 JSON, never a
500 or a reset connection. (kill -9 of ``gridgeo ingest`` mid-load:
``tests/test_ingest_cli.py::test_kill_mid_ingest_loses_no_acknowledged_event``.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from test_api_hardening import _pg_ctl, own_pg  # noqa: F401  (own_pg: a fixture, used by name)

from gridgeo.services.workspace import open_store

pytestmark = pytest.mark.slow
TOKEN = "chaos-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPO = Path(__file__).resolve().parents[2]


def event(event_id: str) -> dict:
    t = datetime.now(UTC) - timedelta(minutes=30)
    return {"id": event_id, "reported_at": t.isoformat(), "lon": 113.905, "lat": 22.705,
            "category": "labour", "level": 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(url: str, port: int | None = None, env: dict | None = None):
    """``gridgeo serve`` as a child process on ``url``; yields (process, base URL) once healthy."""
    port = port or free_port()
    environ = {**os.environ, "PYTHONPATH": str(REPO), "GRIDGEO_API_TOKEN": TOKEN, **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--port", str(port), "--database", url],
                            env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Loader:
    """``threads`` clients POSTing single events with fresh ids as fast as answers come."""

    def __init__(self, base: str, prefix: str, threads: int = 4):
        self.base, self.prefix = base, prefix
        self.sent: list[str] = []
        self.acked: set[str] = set()
        self.codes: Counter = Counter()
        self.not_json: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(t,), daemon=True) for t in range(threads)]

    def __enter__(self) -> Loader:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)

    def _run(self, t: int) -> None:
        with httpx.Client(base_url=self.base, headers=AUTH, timeout=10) as client:
            i = 0
            while not self._stop.is_set():
                event_id = f"{self.prefix}-{t}-{i}"
                i += 1
                self.sent.append(event_id)
                try:
                    resp = client.post("/api/v1/events", json=event(event_id))
                except httpx.TransportError:
                    self.codes["no answer"] += 1
                    time.sleep(0.05)
                    continue
                self.codes[resp.status_code] += 1
                if resp.status_code in (200, 201):
                    self.acked.add(event_id)
                elif not resp.headers.get("content-type", "").startswith("application/json"):
                    self.not_json.append(resp.text[:80])
                if resp.status_code >= 500:
                    time.sleep(0.05)

    def wait_for(self, predicate, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert predicate(), self.codes


def stored_ids(url: str) -> list[str]:
    """Every stored event id (with repeats, if a duplicate had slipped in) and checks the aggregates."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ids = conn.exec_driver_sql("SELECT id FROM events").scalars().all()
            counted = conn.exec_driver_sql("SELECT COALESCE(SUM(n), 0) FROM event_counts").scalar()
    finally:
        engine.dispose()
    assert counted == len(ids), "the aggregates do not match the events"
    return list(ids)


@pytest.fixture
def chaos_url(store_url, small_grids):
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="chaos")
    st.close()
    return store_url


def test_kill_9_of_the_server_mid_load_loses_no_acknowledged_event(chaos_url):
    with server(chaos_url, env={"GRIDGEO_HEADER_TIMEOUT_S": "1"}) as (proc, base), Loader(base, "k") as load:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:  # gridgeo serve's own guard
            idle.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            assert idle.recv(1024).startswith(b"HTTP/1.1 408 ")
        load.wait_for(lambda: len(load.acked) >= 200)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(0.3)
    ids = stored_ids(chaos_url)
    assert len(ids) == len(set(ids))
    assert load.acked <= set(ids), f"{len(load.acked - set(ids))} acknowledged events lost"
    with server(chaos_url) as (_proc, base), httpx.Client(base_url=base, headers=AUTH, timeout=10) as client:
        results = Counter()
        for i in range(0, len(load.sent), 500):  # the clients send again all they sent, acknowledged or not
            resp = client.post("/api/v1/events", json=[event(e) for e in load.sent[i:i + 500]])
            assert resp.status_code in (200, 201), resp.text
            results.update(item["result"] for item in resp.json()["results"])
        assert results["duplicate"] >= len(load.acked)
    ids = stored_ids(chaos_url)
    assert sorted(ids) == sorted(set(load.sent))  # every one once


@pytest.mark.postgis
def test_postgres_stopped_mid_load_gives_503_json_then_recovers(own_pg, small_grids):  # noqa: F811
    url, data_dir = own_pg
    st = open_store(url, seed_default=False)
    st.publish_grid_set(small_grids, author="chaos")
    st.close()
    pg_port = url.rsplit(":", 1)[1].split("/")[0]
    with server(url) as (_proc, base), Loader(base, "pg") as load:
        load.wait_for(lambda: len(load.acked) >= 100)
        _pg_ctl(data_dir, "-m", "fast", "stop")
        load.wait_for(lambda: load.codes[503] >= 50)
        health = httpx.get(f"{base}/api/v1/health", timeout=10)
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        during = dict(load.codes)
        _pg_ctl(data_dir, "-o", f"-p {pg_port} -k {data_dir.parent} -c listen_addresses=127.0.0.1",
                "-l", str(data_dir.parent / "server2.log"), "start")
        acked_before = len(load.acked)
        load.wait_for(lambda: len(load.acked) >= acked_before + 100)  # recovered without a restart
    assert not load.not_json, load.not_json[:3]
    assert set(load.codes) <= {200, 201, 503}, load.codes  # no 500, no reset connection
    assert during[503] >= 50
    ids = stored_ids(url)
    assert len(ids) == len(set(ids)) and load.acked <= set(ids)


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs for the SQLite data dir (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(path: Path) -> None:
    """Fill the file system of ``path`` to the last byte."""
    with open(path, "wb", buffering=0) as out:
        for size in (1 << 20, 4096, 1):
            try:
                while out.write(b"\0" * size):
                    pass
            except OSError:
                pass


def test_full_disk_gives_507_json_then_recovers_and_startup_says_so(small_disk, small_grids):
    url = f"sqlite:///{small_disk / 'gridgeo.sqlite'}"
    st = open_store(url, seed_default=False)
    st.publish_grid_set(small_grids, author="chaos")
    st.close()
    filler = small_disk / "filler.bin"
    with server(url) as (_proc, base), Loader(base, "full") as load:
        load.wait_for(lambda: len(load.acked) >= 100)
        _fill(filler)
        load.wait_for(lambda: load.codes[507] + load.codes[503] >= 30)
        during = dict(load.codes)
        filler.unlink()
        acked_before = len(load.acked)
        load.wait_for(lambda: len(load.acked) >= acked_before + 100)
    assert during.get(507, 0) >= 1, during
    assert not load.not_json and set(load.codes) <= {200, 201, 503, 507}, load.codes
    ids = stored_ids(url)
    assert len(ids) == len(set(ids)) and load.acked <= set(ids)
    for leftover in small_disk.glob("gridgeo.sqlite-*"):
        leftover.unlink()  # a stopped server leaves no journal behind; start with a full disk
    _fill(filler)
    proc = subprocess.run([sys.executable, "-m", "gridgeo", "serve", "--port", str(free_port()), "--database", url],
                          env={**os.environ, "PYTHONPATH": str(REPO), "GRIDGEO_API_TOKEN": TOKEN},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "is full" in lines[0] and str(small_disk) in lines[0], proc.stderr
