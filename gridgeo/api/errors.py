"""The JSON error shape and the exception handlers of the app.

Every error answer is ``{"message": "<field or condition>: <what to do>", "errors": [...]}``
(``errors`` lists ``{"field", "message"}`` items, or ``{"index", "id", "field", "message"}`` for
event batches; a stale plan save adds ``head_version`` and ``base_version``, a publish over a
grid set that is no longer current ``base_grid_set``, ``current_grid_set`` and ``published_since``). Database outages
are answered 503 (with ``Retry-After``) or 507 by :mod:`gridgeo.api.outage`; anything
unexpected is a JSON 500 (and the traceback goes to the server log).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridgeo.api.encoding import JSONOut
from gridgeo.api.outage import classify

log = logging.getLogger("gridgeo.api")


class ApiError(StarletteHTTPException):
    """An HTTP error answered as ``{"message", "errors"?, **extra}``."""

    def __init__(self, status: int, message: str, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(status, message, headers=headers)
        self.message, self.errors, self.extra = message, errors, extra


def error_response(status: int, message: str, errors: list[dict] | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONOut:
    """The JSON error answer."""
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JSONOut(body, status_code=status, headers=headers)


def _field(error: dict) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[1:]
    return ".".join(loc) or "body"


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONOut:
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.message, exc.errors, exc.headers, **exc.extra)
    return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONOut:
    errors = []
    for e in exc.errors():
        if e.get("type") == "json_invalid":
            errors.append({"field": "body", "message": "malformed JSON; send a JSON object with "
                                                       "Content-Type: application/json"})
        else:
            errors.append({"field": _field(e), "message": str(e.get("msg", "invalid")).removeprefix("Value error, ")})
    first = errors[0] if errors else {"field": "request", "message": "invalid"}
    return error_response(422, f"{first['field']}: {first['message']}", errors)


async def _store_error(request: Request, exc: Exception) -> JSONOut:
    outage = classify(exc)
    if outage is None:
        return await _unexpected(request, exc)
    log.warning("%s %s: %s", request.method, request.url.path, outage.message)
    return error_response(outage.status, outage.message, headers=outage.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONOut:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error; the server log has the details")


def _domain_handlers() -> dict[type[Exception], Any]:
    from gridgeo.events.lifecycle import TransitionError
    from gridgeo.plan.errors import (
        IntegrityError,
        PlanEditError,
        PlanNotFoundError,
        StaleGridSetError,
        StaleVersionError,
    )
    from gridgeo.store import EventNotFound

    async def not_found(_r: Request, exc: Exception) -> JSONOut:
        return error_response(404, str(exc))

    async def transition(_r: Request, exc: Exception) -> JSONOut:
        return error_response(409, f"status: {exc}")

    async def stale(_r: Request, exc: StaleVersionError) -> JSONOut:
        return error_response(409, str(exc), head_version=exc.head_version, base_version=exc.base_version)

    async def stale_grid_set(_r: Request, exc: StaleGridSetError) -> JSONOut:
        return error_response(409, str(exc), base_grid_set=exc.base_grid_set, current_grid_set=exc.current_grid_set,
                              published_since=exc.changes)

    async def refused(_r: Request, exc: Exception) -> JSONOut:
        return error_response(422, str(exc))

    return {EventNotFound: not_found, PlanNotFoundError: not_found, TransitionError: transition,
            StaleVersionError: stale, StaleGridSetError: stale_grid_set, IntegrityError: refused, PlanEditError: refused}


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: HTTP errors, validation (422 naming the field), domain errors,
    database outages (503/507) and the JSON 500."""
    import sqlite3

    import sqlalchemy.exc as sa_exc

    try:
        import psycopg
        database_errors: tuple[type[BaseException], ...] = (sa_exc.SQLAlchemyError, sqlite3.Error, psycopg.Error)
    except ImportError:  # installed without the postgis extra: SQLite only
        database_errors = (sa_exc.SQLAlchemyError, sqlite3.Error)

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for cls, handler in _domain_handlers().items():
        app.add_exception_handler(cls, handler)
    for cls in (*database_errors, OSError):
        app.add_exception_handler(cls, _store_error)
    app.add_exception_handler(Exception, _unexpected)
