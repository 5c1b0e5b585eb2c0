"""Sign-in that cannot be used to stall intake or to probe accounts (issue 20), on both stores:
an unknown user answers like a wrong password and takes the same time (medians within 10 %),
and a sign-in flood beside ingest leaves intake at least 80 % of its rate (a real server in a
subprocess on loopback, bounded loops)."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from streamlit_server import free_port

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store
from gridgeo.store import identities

# speed and timing measures: run alone, after the parallel part (scripts/run_tests.sh)
pytestmark = pytest.mark.serial

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Right-password-2024"
ROUNDS = 15
WINDOWS = 21


def _attempt(app, name: str, i: int) -> tuple[float, int]:
    client = TestClient(app, client=(f"10.77.{i % 250}.{1 if name == 'real' else 2}", 40000))
    t0 = time.perf_counter()
    r = client.post("/api/v1/auth/token", data={"username": name, "password": "Wrong-password-99"})
    return time.perf_counter() - t0, r.status_code


def test_unknown_user_takes_as_long_as_a_wrong_password(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    identities.add_user(store, "real", PASSWORD, "viewer")
    app = create_app(store, Settings(api_token="t", read_access="token"))
    times: dict[str, list[float]] = {"real": [], "ghost": []}
    with TestClient(app):
        _attempt(app, "ghost", 999)  # the dummy hash is made once per process
        for i in range(ROUNDS):
            for name in ("real", "ghost") if i % 2 else ("ghost", "real"):  # neither always goes first
                with store.write_engine.begin() as conn:  # no failures carried over: no slow-down
                    conn.execute(identities.login_failures.delete())
                elapsed, status = _attempt(app, name, i)
                assert status == 401
                times[name].append(elapsed)
    store.close()
    real, ghost = statistics.median(times["real"]), statistics.median(times["ghost"])
    ratio = statistics.median(g / r for g, r in zip(times["ghost"], times["real"], strict=True))  # paired in time
    print(f"sign-in medians: wrong password {real * 1000:.1f} ms, unknown user {ghost * 1000:.1f} ms, "
          f"median paired ratio {ratio:.3f}")
    assert abs(ratio - 1) <= 0.10, ({k: [round(x * 1000) for x in v] for k, v in times.items()}, ratio)


def _serve(url: str, port: int, token: str) -> subprocess.Popen:
    env = {**os.environ, "GRIDGEO_API_TOKEN": token, "PYTHONPATH": str(REPO), "GRIDGEO_READ_ACCESS": "token"}
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--database", url, "--port", str(port),
                             "--no-warm-up"], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):  # noqa: S310
                return proc
        except urllib.error.HTTPError:  # answering (reads need a credential here)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gridgeo serve did not start")


def _ingest(port: int, key: str, seconds: float, prefix: str) -> float:
    """Single-event POSTs on one keep-alive connection for ``seconds``: events stored per second."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    stored, i, t0 = 0, 0, time.monotonic()
    while time.monotonic() - t0 < seconds:
        t = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        body = json.dumps({"id": f"{prefix}-{i}", "reported_at": t, "lon": 113.905, "lat": 22.705,
                           "category": "labour", "level": 3})
        conn.request("POST", "/api/v1/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        stored += response.status == 201
        i += 1
    conn.close()
    return stored / (time.monotonic() - t0)


def _flood(port: int, active: threading.Event, done: threading.Event, answers: list[int]) -> None:
    """One client posting wrong passwords for the admin while ``active``, until ``done``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = "username=admin&password=guess-guess-1"
    while not done.is_set():
        if not active.wait(timeout=0.05):
            continue
        conn.request("POST", "/api/v1/auth/token", body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "6.6.6.6"})
        response = conn.getresponse()
        response.read()
        answers.append(response.status)
    conn.close()


def test_signin_flood_leaves_ingest_its_rate(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    key = identities.create_key(store, "gateway", "intake")
    identities.add_user(store, "admin", PASSWORD, "admin")
    store.close()
    port = free_port()
    proc = _serve(store_url, port, "flood-token")
    active, done, answers = threading.Event(), threading.Event(), []
    flooders = [threading.Thread(target=_flood, args=(port, active, done, answers)) for _ in range(8)]
    rates: dict[bool, list[float]] = {False: [], True: []}
    try:
        _ingest(port, key, 1.0, "warm")
        for thread in flooders:
            thread.start()
        for i in range(WINDOWS):  # quiet and flooded windows alternate: the machine's other load hits both
            flooded = i % 2 == 1
            active.set() if flooded else active.clear()
            time.sleep(0.3)
            rates[flooded].append(_ingest(port, key, 1.0, f"w{i}"))
    finally:
        done.set()
        for thread in flooders:
            thread.join(timeout=30)
        proc.terminate()
        proc.wait(timeout=30)
    quiet, flooded = statistics.median(rates[False]), statistics.median(rates[True])
    q = rates[False]  # each flooded window against the quiet windows either side of it (drift cancels)
    ratio = statistics.median(f / ((q[k] + q[k + 1]) / 2) for k, f in enumerate(rates[True]))
    print(f"ingest {quiet:.0f}/s quiet, {flooded:.0f}/s beside a flood of {len(answers)} sign-ins "
          f"({answers.count(429)} answered 429): median paired ratio {ratio:.0%} "
          f"(windows {[round(r) for r in rates[False]]} quiet, {[round(r) for r in rates[True]]} flooded)")
    assert answers and answers.count(429) >= len(answers) - 10  # X-Forwarded-For from a non-proxy is ignored
    assert ratio >= 0.8, rates
