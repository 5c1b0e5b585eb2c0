"""GET /api/v1/stream over real HTTP (uvicorn on loopback): a new case, a status change and a
published grid set arrive as Server-Sent Events within about a second; a territory-scoped key
gets only its territory's cases; a bad credential is refused like any read; CORS lets the app's
origin subscribe."""

from __future__ import annotations

import json
import queue
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from api_server import api_server

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store

TOKEN = "stream-token"
ORIGIN = "http://127.0.0.1:8501"


@pytest.fixture
def served(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    app = create_app(store, Settings(api_token=TOKEN, read_access="token", cors_origins=(ORIGIN,)))
    with api_server(app) as base:
        yield base, store, small_grids
    store.close()


def _listen(base: str, key: str, out: queue.Queue, stop: threading.Event) -> None:
    """Read the stream into ``out`` as (event name, data) until ``stop``."""
    with httpx.Client(timeout=httpx.Timeout(30, read=60)) as client, client.stream(
            "GET", f"{base}/api/v1/stream", headers={"Authorization": f"Bearer {key}"}) as resp:
        out.put(("status", resp.status_code))
        name = None
        for line in resp.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                out.put((name, json.loads(line[6:])))


def _subscribe(base: str, key: str) -> tuple[queue.Queue, threading.Event]:
    out: queue.Queue = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=_listen, args=(base, key, out, stop), daemon=True).start()
    assert out.get(timeout=30) == ("status", 200)
    assert out.get(timeout=30)[0] == "hello"
    return out, stop


def _next(out: queue.Queue, name: str, timeout_s: float = 5.0) -> tuple[dict, float]:
    """The next message called ``name`` and when it arrived (monotonic)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            got, data = out.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if got == name:
            return data, time.monotonic()
    raise AssertionError(f"no {name!r} message within {timeout_s} s")


def _case(i: int, x: float, y: float, level: int = 1) -> dict:
    return {"id": f"s{i}", "reported_at": datetime.now(UTC).isoformat(), "lon": x, "lat": y,
            "category": "labour", "level": level, "channel": "hotline", "text": "推送测试"}


@pytest.mark.parametrize("store_url", ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_new_case_status_change_and_grid_set_arrive_as_events(served):
    base, store, grids = served
    out, stop = _subscribe(base, TOKEN)
    time.sleep(1.0)  # the feed learns where the store is
    sent = time.monotonic()
    add_events(store, [_case(1, 113.905, 22.705)])
    case, arrived = _next(out, "case")
    assert case["id"] == "s1" and case["grid_code"] == "440311001001001" and case["level"] == 1
    assert arrived - sent < 2.0
    store.transition("s1", "accepted", "tester")
    moved, _ = _next(out, "status")
    assert (moved["id"], moved["from_status"], moved["status"]) == ("s1", "reported", "accepted")
    store.publish_grid_set(grids, author="tester")
    published, _ = _next(out, "grid_set")
    assert published["version"] == store.current_version()
    stop.set()


@pytest.mark.parametrize("store_url", ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_a_scoped_key_hears_only_its_territory_and_a_bad_key_is_refused(served):
    from gridgeo.store.identities import create_key

    base, store, _ = served
    key = create_key(store, "street 2 viewer", "viewer", scopes=["440311002"])
    out, stop = _subscribe(base, key)
    time.sleep(1.0)
    add_events(store, [_case(2, 113.905, 22.705), _case(3, 113.905, 22.715)])  # street 1, then street 2
    case, _ = _next(out, "case")
    assert case["id"] == "s3" and case["street_code"] == "440311002"
    stop.set()
    resp = httpx.get(f"{base}/api/v1/stream", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert resp.status_code == 401
    preflight = httpx.options(f"{base}/api/v1/stream", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"}, timeout=10)
    assert preflight.headers.get("access-control-allow-origin") == ORIGIN
