"""Opportunistic group commit for event intake: validated events of concurrent POSTs are
written in one transaction.

One writer at a time; while its transaction runs, new requests queue up, and the next
transaction takes everything queued (up to ``max_events``). Nothing waits when traffic is light;
under load many single-event requests share one transaction. Every request is answered only
after the transaction holding its events has committed.

When a shared transaction fails, no request pays for another's item: unless the failure is an
outage (database down, disk full: then every member gets it), the members are written again one
by one, so each request gets its own answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi.concurrency import run_in_threadpool

from gridgeo.api.outage import classify
from gridgeo.events.schema import EventIn
from gridgeo.services import intake

Member = tuple[list[EventIn], asyncio.Future, str]


class GroupCommit:
    """Queue of validated event lists; :meth:`submit` returns one result per event, in order."""

    def __init__(self, store_getter: Callable[[], Any], max_events: int = 2000):
        self._store = store_getter
        self.max_events = max_events
        self._queue: list[Member] = []
        self._writer: asyncio.Task | None = None

    async def submit(self, events: list[EventIn], actor: str = "intake") -> list[dict]:
        """Store ``events`` reported by ``actor`` (in one transaction with whatever else the same
        actor has queued); their results."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._queue.append((events, future, actor))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._writer = loop.create_task(self._drain())
        return await future

    def _take(self) -> list[Member]:
        group: list[Member] = []
        size = 0
        while self._queue and (not group or (size + len(self._queue[0][0]) <= self.max_events
                                             and self._queue[0][2] == group[0][2])):
            item = self._queue.pop(0)
            group.append(item)
            size += len(item[0])
        return group

    async def _drain(self) -> None:
        while self._queue:
            group = self._take()
            flat = [ev for events, _, _ in group for ev in events]
            try:
                results = await run_in_threadpool(intake.add_valid, self._store(), flat, group[0][2])
            except Exception as exc:  # noqa: BLE001 - answered per member below
                await self._one_by_one(group, exc)
                continue
            start = 0
            for events, future, _ in group:
                part = [{**r, "index": r["index"] - start} for r in results[start:start + len(events)]]
                start += len(events)
                _answer(future, part)

    async def _one_by_one(self, group: list[Member], exc: Exception) -> None:
        """After a failed shared transaction: every member alone (or all get ``exc`` in an outage)."""
        if len(group) == 1 or classify(exc) is not None and classify(exc).status != 422:
            for _, future, _ in group:
                _fail(future, exc)
            return
        for events, future, actor in group:
            try:
                _answer(future, await run_in_threadpool(intake.add_valid, self._store(), events, actor))
            except Exception as own:  # noqa: BLE001 - this member's own answer
                _fail(future, own)


def _answer(future: asyncio.Future, value: list[dict]) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
