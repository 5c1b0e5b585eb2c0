"""Dependencies of every router: settings, store, access checks and request guards.

``require_read``, ``require_write``, ``check_params`` and ``plan_id_in_range`` are *guards*:
routers list them as router-level dependencies (so no handler can forget them) and
:class:`gridgeo.api.routing.GuardedRoute` runs them from the request line and headers alone,
before any byte of the body is read (an unauthenticated 300 MB upload gets its 401 at once).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from gridgeo.api.errors import ApiError
from gridgeo.config import Settings
from gridgeo.safe_text import MAX_DB_INT, text_problem

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
    return request.app.state.settings


async def get_store(request: Request) -> Any:
    """The app's store (opened at startup, or on first use outside the lifespan). ``async``: no
    thread-pool hop; the store is open once the lifespan has run (a first open blocks the loop once)."""
    return request.app.state.stores.get()


def _token_ok(request: Request, settings: Settings) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return bool(settings.api_token) and scheme.lower() == "bearer" and \
        hmac.compare_digest(token.strip().encode(), settings.api_token.encode())


@guard
def require_write(request: Request) -> None:
    """Writes need ``Authorization: Bearer <GRIDGEO_API_TOKEN>`` (503 when no token is set)."""
    settings = get_settings(request)
    if not settings.api_token:
        raise ApiError(503, "writes are disabled: set GRIDGEO_API_TOKEN on the server")
    if not _token_ok(request, settings):
        raise ApiError(401, "writes need the header Authorization: Bearer <GRIDGEO_API_TOKEN>",
                       headers={"WWW-Authenticate": "Bearer"})


@guard
def require_read(request: Request) -> None:
    """Reads follow GRIDGEO_READ_ACCESS: open, localhost (loopback free, others the token) or token."""
    settings = get_settings(request)
    if settings.read_access == "open":
        return
    host = request.client.host if request.client else ""
    if settings.read_access == "localhost" and host in LOOPBACK:
        return
    if not _token_ok(request, settings):
        raise ApiError(401, "reads from this address need Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": "Bearer"})


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
    if isinstance(raw, str) and raw.lstrip("+-").isdigit() and abs(int(raw)) > MAX_DB_INT:
        raise ApiError(404, f"plan {raw} does not exist")


StoreDep = Annotated[Any, Depends(get_store)]
"""``store: StoreDep`` in a handler: the app's store."""
