"""``GET /api/v1/stream``: Server-Sent Events of what the screens show, so a page redraws when
something changed instead of polling on a timer.

Messages (``event:`` name, ``data:`` one JSON object):

- ``case``: a new case (``id``, ``level``, ``status``, ``grid_code``, ``community_code``,
  ``street_code``, ``at``);
- ``status``: a case changed status (the same fields plus ``from_status``);
- ``grid_set``: a grid set was published (``version``); every subscriber gets it;
- ``hello`` first (the current grid-set version and the feed's position), then a comment line
  every HEARTBEAT_S seconds so proxies and the browser see the stream is alive.

Access: the same guard as every read (a credential whose role may read, or anonymous where reads
are open), and a caller scoped to a territory receives only the cases of its territory.

Where the changes come from: the app's one :class:`gridgeo.api.change_feed.ChangeFeed`, kept in
its :class:`gridgeo.api.state.ServiceState`, reads the store's changes while someone listens.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from gridgeo.api.auth import IdentityDep, require_read
from gridgeo.api.change_feed import POLL_S
from gridgeo.api.deps import StoreDep
from gridgeo.api.routing import guarded_router
from gridgeo.api.state import ServiceDep

router = guarded_router(require_read, prefix="/api/v1", tags=["stream"])

HEARTBEAT_S = 15.0

def visible(message: dict, who) -> bool:
    """Whether ``who`` may see ``message``: grid sets for all, cases inside its territory."""
    if message["type"] == "grid_set":
        return True
    return who.covers(message.get("grid_code") or message.get("community_code") or message.get("street_code"))


def sse(name: str, data: dict) -> str:
    """One Server-Sent Event."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


@router.get("/stream", summary="Server-Sent Events: new cases, status changes, published grid sets",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"type": "object", "properties": {"event": {"type": "string"}, "data": {"type": "string"}}}}},
                             "description": "events `hello`, `case`, `status`, `grid_set` (JSON data) and heartbeats"}})
async def stream(request: Request, store: StoreDep, who: IdentityDep, service: ServiceDep) -> StreamingResponse:
    """The change stream (see the module docstring); it runs until the client leaves."""
    feed = service.change_feed(store)
    queue = feed.subscribe()

    async def events():
        try:
            version = await run_in_threadpool(store.current_version)
            yield sse("hello", {"version": version, "poll_s": POLL_S})
            while not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield ": alive\n\n"
                    continue
                if visible(message, who):
                    yield sse(message["type"], message)
        finally:
            feed.unsubscribe(queue)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
