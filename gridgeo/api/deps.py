"""Dependencies of every router: settings, store, access checks and request guards.

``check_params`` and ``plan_id_in_range`` (and the access guards of :mod:`gridgeo.api.auth`) are *guards*:
routers list them as router-level dependencies (so no handler can forget them) and
:class:`gridgeo.api.routing.GuardedRoute` runs them from the request line and headers alone,
before any byte of the body is read (an unauthenticated 300 MB upload gets its 401 at once).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from gridgeo.api.errors import ApiError
from gridgeo.config import Settings
from gridgeo.events.safe_text import MAX_DB_INT, text_problem

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def guard(check: Callable[[Request], None]) -> Callable[[Request], Any]:
    """``check`` as a guard: GuardedRoute runs ``check`` before the body is read; FastAPI gets an
    ``async`` dependency calling it (a plain function would cost a thread-pool hop per request)."""

    async def dependency(request: Request) -> None:
        check(request)

    dependency.__name__, dependency.__doc__ = check.__name__, check.__doc__
    dependency.__gridgeo_guard__ = check  # type: ignore[attr-defined]
    return dependency


def get_settings(request: Request) -> Settings:
    """The app's settings (``create_app(settings=...)``)."""
    return request.app.state.service.settings


def get_store(request: Request) -> Any:
    """The app's store (opened at startup, or on first use outside the lifespan)."""
    return request.app.state.service.stores.get()


async def store_dependency(request: Request) -> Any:
    """:func:`get_store` as an ``async`` dependency (no thread-pool hop per request; the store is
    open once the lifespan has run)."""
    return get_store(request)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy
    (GRIDGEO_TRUSTED_PROXIES), the nearest ``X-Forwarded-For`` hop that is not a trusted proxy
    (the hops a client wrote itself come before it and are never used)."""
    peer = request.client.host if request.client else ""
    return get_settings(request).client_of(peer, request.headers.getlist("x-forwarded-for"))


@guard
def check_params(request: Request) -> None:
    """Query and path parameters the database could not store or compare (NUL bytes) → 422."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in params:
        problem = text_problem(value) if isinstance(value, str) else None
        if problem:
            raise ApiError(422, f"{name}: {problem}", [{"field": name, "message": problem}])


@guard
def plan_id_in_range(request: Request) -> None:
    """A plan id beyond the id column's range cannot exist: 404, not a database error."""
    raw = request.path_params.get("plan_id")
    # ASCII digits only: "³" is a digit to str.isdigit but no number to int(), so is "+-5"
    if isinstance(raw, str) and re.fullmatch(r"[+-]?[0-9]+", raw) and abs(int(raw)) > MAX_DB_INT:
        raise ApiError(404, f"plan {raw} does not exist")


StoreDep = Annotated[Any, Depends(store_dependency)]
"""``store: StoreDep`` in a handler: the app's store."""
