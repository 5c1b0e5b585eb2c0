"""The service's one reader of the store's changes, fanned out to the stream's subscribers.

A :class:`ChangeFeed` reads the store's ``event_history`` after the last row it saw (every intake
and every status change writes one) and the current grid-set version, every POLL_S seconds while
someone listens, and hands each change to every subscriber queue. It sees writes of every
process (API workers, the app, the CLI), as the store is the one place they all write to. The
app's feed lives in :class:`gridgeo.api.state.ServiceState`; ``GET /api/v1/stream`` serves it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import sqlalchemy as sa
from fastapi.concurrency import run_in_threadpool

POLL_S = 0.2  # how often the feed looks for changes while someone listens
QUEUE_SIZE = 1_000  # a subscriber this far behind gets a "resync" instead of the backlog
BATCH = 2_000  # history rows read per poll at most
REREAD = 200  # rows below the last seen id read again: a transaction that committed late is not missed


class ChangeFeed:
    """The app's one reader of the store's changes, fanned out to subscriber queues."""

    def __init__(self, store: Any):
        self.store = store
        self.queues: set[asyncio.Queue] = set()
        self.last_hid: int | None = None
        self.seen: deque[int] = deque(maxlen=4 * REREAD)
        self.version: int | None = None
        self.task: asyncio.Task | None = None

    def subscribe(self) -> asyncio.Queue:
        """A queue of this feed's messages from now on (the feed runs while it has subscribers)."""
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.queues.add(queue)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        """Stop feeding ``queue``."""
        self.queues.discard(queue)

    async def _run(self) -> None:
        while self.queues:
            try:
                messages = await run_in_threadpool(self.poll)
            except sa.exc.SQLAlchemyError:  # the store is away: try again, the pages poll meanwhile
                messages = []
            for queue in list(self.queues):
                for message in messages:
                    try:
                        queue.put_nowait(message)
                    except asyncio.QueueFull:
                        break
            await asyncio.sleep(POLL_S)

    def poll(self) -> list[dict]:
        """The changes since the last poll (the first poll only learns where the store is)."""
        from gridgeo.store import schema as S

        version = self.store.current_version()
        out: list[dict] = []
        if self.version is not None and version != self.version:
            out.append({"type": "grid_set", "version": version})
        self.version = version
        h, ev = S.event_history, S.events
        with self.store.engine.connect() as conn:
            if self.last_hid is None:
                self.last_hid = int(conn.execute(sa.select(sa.func.max(h.c.hid))).scalar() or 0)
                return out
            rows = conn.execute(
                sa.select(h.c.hid, h.c.event_id, h.c.from_status, h.c.to_status, h.c.at, ev.c.level, ev.c.grid_code,
                          ev.c.community_code, ev.c.street_code)
                .join(ev, ev.c.id == h.c.event_id)
                .where(h.c.hid > self.last_hid - REREAD).order_by(h.c.hid).limit(BATCH)).all()
        for r in rows:
            if r.hid in self.seen or r.hid <= self.last_hid - REREAD:
                continue
            self.seen.append(r.hid)
            out.append({"type": "case" if r.from_status is None else "status", "id": r.event_id,
                        "level": int(r.level), "status": r.to_status, "from_status": r.from_status,
                        "grid_code": r.grid_code, "community_code": r.community_code,
                        "street_code": r.street_code, "at": r.at.isoformat() if r.at else None})
        if rows:
            self.last_hid = max(self.last_hid, max(r.hid for r in rows))
        return out
