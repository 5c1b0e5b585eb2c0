"""Slow, idle and too many connections: uvicorn's HTTP protocol with the timeouts it lacks.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` but has no timeout
for a connection that never completes a request: a fresh connection that sends nothing, or a
client trickling its headers a byte at a time (slowloris), stays open for ever; its
``limit_concurrency`` counts open connections too, so such clients would turn every real
client away with a plain-text 503. :class:`GuardedHttpProtocol` (a subclass of uvicorn's
httptools protocol, the one ``http="auto"`` picks) adds, per connection:

* **head timeout** (``GRIDGEO_HEADER_TIMEOUT_S``): the request line and headers must be complete
  within this many seconds of the connection opening or of the request's first byte; else a
  408 JSON answer and the connection is closed;
* **body timeout** (``GRIDGEO_BODY_TIMEOUT_S``): the body must be complete within this many
  seconds of the headers; else the connection is closed (the handler sees a disconnect);
* **head size** (``GRIDGEO_MAX_HEADER_BYTES``): a head still incomplete after this many bytes
  gets 431 and is closed (httptools itself buffers headers without a bound);
* **connections** (``GRIDGEO_MAX_CONNECTIONS``): over this many open connections the one that
  has waited longest without a request in progress (idle keep-alive or head not complete) is
  closed to make room, so a flood of slow clients cannot lock real clients out;
* **requests in progress** (``GRIDGEO_MAX_INFLIGHT``): a request arriving while this many are
  being handled is answered at once with 503 JSON and ``Retry-After`` (instead of queueing).

``protocol_for(settings)`` gives the class for ``uvicorn.Config(http=...)``; the base class
reads :func:`gridgeo.config.get_settings` (what ``gridgeo serve --workers N`` workers use).
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gridgeo.config import Settings, get_settings

RETRY_AFTER_S = 1


@dataclass(frozen=True)
class ConnectionLimits:
    """The per-connection limits (see the module docstring)."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_header_bytes: int = 65_536
    max_connections: int = 4_096
    max_inflight: int = 256

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        """The limits configured in ``settings``."""
        return cls(settings.header_timeout_s, settings.body_timeout_s, settings.max_header_bytes,
                   settings.max_connections, settings.max_inflight)


def _raw_answer(status: int, reason: str, message: str, headers: dict[str, str] | None = None) -> bytes:
    """A complete ``Connection: close`` HTTP/1.1 answer with the JSON error body."""
    body = json.dumps({"message": message}, ensure_ascii=False).encode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            f"{extra}connection: close\r\n\r\n").encode() + body


BUSY = "server: too many requests in progress; try again shortly"


async def busy_app(_scope: dict, _receive: Any, send: Any) -> None:
    """The ASGI answer for a request over ``max_inflight``: 503 JSON with ``Retry-After``."""
    body = json.dumps({"message": BUSY}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_S).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _waiting(server_state: Any) -> OrderedDict:
    """Connections of this server without a request in progress, oldest first."""
    waiting = getattr(server_state, "gridgeo_waiting", None)
    if waiting is None:
        waiting = server_state.gridgeo_waiting = OrderedDict()
    return waiting


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with head/body timeouts and connection limits (see module)."""

    limits: ClassVar[ConnectionLimits | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = self.limits or ConnectionLimits.from_settings(get_settings())
        self._timer: asyncio.TimerHandle | None = None
        self._awaiting_head = True
        self._head_bytes = 0

    # --- timers ---------------------------------------------------------------------------
    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close_with(self, answer: bytes | None) -> None:
        self._disarm()
        if self.transport is not None and not self.transport.is_closing():
            if answer:
                self.transport.write(answer)
            self.transport.close()

    def _head_timed_out(self) -> None:
        self._timer = None
        self._close_with(_raw_answer(408, "Request Timeout", f"request: the headers did not arrive within "
                                     f"{self._limits.header_timeout_s:g} s; send the whole request at once"))

    def _body_timed_out(self) -> None:
        self._timer = None
        self._close_with(None)  # the handler is reading the body: it sees a disconnect

    # --- connection life ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Count the connection, start its head timer, make room when over ``max_connections``."""
        super().connection_made(transport)
        waiting = _waiting(self.server_state)
        waiting[self] = None
        self._arm(self._limits.header_timeout_s, self._head_timed_out)
        if len(self.connections) > self._limits.max_connections:  # one out for each one in
            oldest = next(iter(waiting))
            waiting.pop(oldest)
            if oldest is self:  # every other connection has a request in progress
                self._close_with(_raw_answer(503, "Service Unavailable", BUSY, {"retry-after": str(RETRY_AFTER_S)}))
            else:
                oldest._close_with(None)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection and its timer."""
        self._disarm()
        _waiting(self.server_state).pop(self, None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; a head still incomplete after ``max_header_bytes`` gets 431."""
        super().data_received(data)
        if self._awaiting_head and self.parser is not None and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self._limits.max_header_bytes:
                self._close_with(_raw_answer(431, "Request Header Fields Too Large", f"request: headers over "
                                             f"{self._limits.max_header_bytes:,} bytes"))

    # --- parser callbacks -----------------------------------------------------------------
    def on_message_begin(self) -> None:
        """A request starts: its head must be complete within the head timeout."""
        super().on_message_begin()
        self._awaiting_head = True
        if self._timer is None:
            self._arm(self._limits.header_timeout_s, self._head_timed_out)

    def on_headers_complete(self) -> None:
        """Head complete: the request is in progress; the body must follow within the body timeout."""
        self._awaiting_head, self._head_bytes = False, 0
        _waiting(self.server_state).pop(self, None)
        self._arm(self._limits.body_timeout_s, self._body_timed_out)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The whole request arrived: no timer until the answer is sent (then keep-alive's)."""
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """Answer sent: the connection waits again (uvicorn's keep-alive timeout runs)."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._awaiting_head = True
            _waiting(self.server_state)[self] = None

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        if app is service_unavailable or len(self.tasks) >= self._limits.max_inflight:
            app = busy_app
        super()._start_asgi_task(cycle, app)


def protocol_for(settings: Settings) -> type[GuardedHttpProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with the limits of ``settings``."""
    return type("GuardedHttpProtocol", (GuardedHttpProtocol,), {"limits": ConnectionLimits.from_settings(settings)})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn keyword options for ``settings``: the protocol, keep-alive timeout, backlog.
    uvicorn's own proxy-header handling is off (it trusts ``X-Forwarded-For`` from loopback by
    default): the app reads it only from GRIDGEO_TRUSTED_PROXIES (gridgeo.api.deps.client_address)."""
    return {"http": protocol_for(settings), "timeout_keep_alive": settings.keepalive_timeout_s,
            "backlog": settings.backlog, "proxy_headers": False}
