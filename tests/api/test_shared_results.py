"""/risk and /stats results shared by identical calls: one computation for concurrent calls,
reuse within GRIDGEO_RESULT_CACHE_S, failures never kept."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from gridgeo.api import create_app
from gridgeo.api.shared_results import SharedResults
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store

TOKEN = "shared-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_concurrent_calls_share_one_computation_then_the_ttl_expires():
    calls = []
    lock = threading.Lock()

    def compute():
        with lock:
            calls.append(1)
        time.sleep(0.2)
        return {"n": len(calls)}

    async def run():
        shared = SharedResults(ttl_s=0.5)
        first = await asyncio.gather(*(shared.get("k", compute) for _ in range(8)))
        again = await shared.get("k", compute)
        await asyncio.sleep(0.6)
        later = await shared.get("k", compute)
        other = await shared.get("other", compute)
        return first, again, later, other

    first, again, later, other = asyncio.run(run())
    assert all(r is first[0] for r in first) and again is first[0]
    assert later == {"n": 2} and other == {"n": 3} and len(calls) == 3


def test_a_failure_is_not_kept():
    attempts = []

    def compute():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database away")
        return "ok"

    async def run():
        shared = SharedResults(ttl_s=10)
        with pytest.raises(RuntimeError):
            await shared.get("k", compute)
        return await shared.get("k", compute)

    assert asyncio.run(run()) == "ok" and len(attempts) == 2


def _event(i: int) -> dict:
    t = datetime.now(UTC) - timedelta(minutes=10)
    return {"id": f"s{i}", "reported_at": t.isoformat(), "lon": 113.905, "lat": 22.705, "category": "labour",
            "level": 1}


@pytest.mark.parametrize("ttl", [0.0, 30.0])
def test_risk_through_the_app_shares_within_the_ttl_only(tmp_path, small_grids, ttl):
    st = open_store(f"sqlite:///{tmp_path / 's.sqlite'}", seed_default=False)
    st.publish_grid_set(small_grids, author="t")
    app = create_app(st, Settings(api_token=TOKEN, result_cache_s=ttl))

    async def run():
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=AUTH) as c:
            before = await asyncio.gather(*(c.get("/api/v1/risk") for _ in range(8)))
            assert (await c.post("/api/v1/events", json=_event(1))).status_code == 201
            after = await c.get("/api/v1/risk")
            return before, after

    try:
        before, after = asyncio.run(run())
    finally:
        st.close()
    assert {r.status_code for r in before} == {200}
    assert len({r.json()["at"] for r in before}) == 1  # one computation for the 8 concurrent calls
    open_after = sum(a["open_cases"] for a in after.json()["areas"])
    assert open_after == (1 if ttl == 0 else 0)  # within the TTL the shared (older) answer is given
    assert (after.json()["at"] == before[0].json()["at"]) == (ttl > 0)
