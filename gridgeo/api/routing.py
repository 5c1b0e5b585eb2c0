"""The route class of every router: guards first, then the body under its size limit.

FastAPI reads and parses a request's body before it solves the dependencies, so a token check
written as a plain dependency would come after a 300 MB upload. :class:`GuardedRoute` runs the
route's guard dependencies (see :func:`gridgeo.api.deps.guard`) from the headers, then reads
the body itself with the limit ``Settings.max_body_bytes`` — the declared ``Content-Length``
and the bytes actually streamed — answering 413 when it is over, and only then hands over to
FastAPI (which finds the body already read). Starlette's own ``RequestBodyLimitMiddleware`` is
not used: it would replace a 401 by a plain-text 413.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from gridgeo.api.errors import ApiError
from gridgeo.api.schemas import ERROR_RESPONSES

BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 once it (declared or streamed) is over ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"body: {int(declared):,} bytes is over the limit of {limit:,} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"body: over the limit of {limit:,} bytes")
            chunks.append(chunk)
    except ClientDisconnect:  # gone, or cut by the body timeout (gridgeo.api.connections): not a bug
        raise ApiError(408, "body: the connection closed before the whole body arrived") from None
    body = b"".join(chunks)
    request._body = body  # Starlette's cache: request.body()/json() return it without reading again
    return body


def _check_utf8(body: bytes) -> None:
    """FastAPI answers a body that is not UTF-8 with a bare 400; name the body and say what to send."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, f"body: malformed JSON (not UTF-8 text at byte {exc.start}); send UTF-8 JSON",
                       [{"field": "body", "message": "malformed JSON: not UTF-8 text"}]) from None


class GuardedRoute(APIRoute):
    """An APIRoute that runs its guards, then reads the body within the limit (see the module)."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        """FastAPI's handler behind the guards and the body limit."""
        handler = super().get_route_handler()
        typed = self.body_field is not None  # FastAPI parses the body into a model
        guards = [d.dependency.__gridgeo_guard__ for d in self.dependencies
                  if getattr(d.dependency, "__gridgeo_guard__", None)]

        async def guarded(request: Request) -> Response:
            for check in guards:
                check(request)
            if request.method not in BODYLESS:
                body = await read_body(request, request.app.state.service.settings.max_body_bytes)
                if typed:
                    _check_utf8(body)
            return await handler(request)

        return guarded


def guarded_router(*guards: Callable[[Request], None], prefix: str = "", tags: Sequence[str] = (),
                   responses: dict | None = None) -> APIRouter:
    """An APIRouter whose routes all run ``guards`` first (router-level dependencies)."""
    return APIRouter(prefix=prefix, tags=list(tags), route_class=GuardedRoute,
                     dependencies=[Depends(g) for g in guards],
                     responses={**ERROR_RESPONSES, **(responses or {})})
