"""Read results shared by concurrent and closely following identical calls (/risk, /stats).

A map polling /risk, a wall display and a few dashboards ask the same question many times a
second; each answer costs grouped SQL plus a pandas step, run in the thread pool, competing
with intake for the one interpreter. :class:`SharedResults` computes a key (e.g.
``("risk", "grid", "24h")``) once for all calls arriving while it is being computed
(single flight: 8 concurrent calls cost one computation and one result's memory) and hands the
same result to calls in the next ``ttl_s`` seconds (``GRIDGEO_RESULT_CACHE_S``, default 1 s;
0 = single flight only). An answer's ``at`` is the time it was computed, at most ``ttl_s``
before the request. Failures are never kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Any

from fastapi.concurrency import run_in_threadpool


class SharedResults:
    """Single-flight plus a short time-to-live over ``compute()`` results, per key."""

    def __init__(self, ttl_s: float = 1.0, max_keys: int = 256):
        self.ttl_s, self.max_keys = ttl_s, max_keys
        self._done: dict[Hashable, tuple[float, Any]] = {}
        self._pending: dict[Hashable, asyncio.Future] = {}

    async def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result of ``compute()`` (run in the thread pool) for ``key``, shared (see module)."""
        hit = self._done.get(key)
        if hit is not None and time.monotonic() - hit[0] <= self.ttl_s:
            return hit[1]
        pending = self._pending.get(key)
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            pending = asyncio.ensure_future(run_in_threadpool(compute))
            self._pending[key] = pending
            pending.add_done_callback(lambda fut: self._finish(key, fut))
        return await asyncio.shield(pending)  # a caller that goes away does not cancel the others

    def _finish(self, key: Hashable, fut: asyncio.Future) -> None:
        if self._pending.get(key) is fut:
            del self._pending[key]
        if fut.cancelled() or fut.exception() is not None or self.ttl_s <= 0:
            return
        if len(self._done) >= self.max_keys:
            self._done.clear()
        self._done[key] = (time.monotonic(), fut.result())
