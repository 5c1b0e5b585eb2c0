"""The petition/event HTTP service (FastAPI): ``create_app(store=None, settings=None)``.

Endpoints (OpenAPI docs at ``/docs``):

* ``POST /api/v1/events`` — one event (JSON object) or a batch (JSON list). A batch is
  **all-or-nothing for validation**: if any item is invalid the answer is 422 listing every bad
  item (index, id, field, message) and nothing is stored. A valid batch is stored in one
  transaction; items whose id is already stored (or repeated in the batch) are reported as
  ``duplicate`` with the stored codes and not stored again. 201 when something new was stored,
  200 when everything was a duplicate.
* ``PATCH /api/v1/events/{id}`` — ``{"status", "actor", "note"}``: a lifecycle move (409 when
  the lifecycle forbids it, 404 for an unknown id).
* ``GET /api/v1/events`` — filters start/end or window, bbox, grid/community/street code, level,
  category, status; ``GET /api/v1/events/{id}`` with its history.
* ``GET /api/v1/risk?by=grid|community|street&window=24h`` — :func:`gridgeo.risk.risk_by_area`.
* ``GET /api/v1/stats?by=...&window=...`` — :func:`gridgeo.stats.summarize`.
* ``GET /api/v1/categories``, ``GET /api/v1/grid-sets``, ``GET /api/v1/health``.

Access: writes need ``Authorization: Bearer <GRIDGEO_API_TOKEN>`` (without a configured token
writes are refused with 503). Reads follow ``GRIDGEO_READ_ACCESS``: ``localhost`` (default:
loopback clients read freely, others need the token), ``open`` or ``token`` (always).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import re
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridgeo import intake
from gridgeo.config import Settings, get_settings
from gridgeo.events import (
    CHANNELS,
    DEFAULT_SKEW,
    LIST_TYPES,
    EventIn,
    categories,
    to_open311,
    validate_events,
)
from gridgeo.lifecycle import STATUSES, TransitionError

API = "/api/v1"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


MAX_BATCH = 5000  # events in one POST
MAX_LIMIT = 50_000  # rows in one GET /events answer


class Move(BaseModel):
    """A lifecycle move for PATCH /api/v1/events/{id}."""

    status: str = Field(description=f"one of {', '.join(STATUSES)}")
    actor: str = Field(min_length=1, description="who makes the move (name or role)")
    note: str | None = Field(default=None, max_length=4000, description="status notes (Open311 status_notes)")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _flat(record: dict) -> dict:
    """Fast JSON-ready copy of a flat result record (datetimes to ISO strings, open311 nested)."""
    out = {}
    for k, v in record.items():
        if isinstance(v, datetime):
            v = v.isoformat()
        elif isinstance(v, dict):
            v = _flat(v)
        elif isinstance(v, float) and not math.isfinite(v):
            v = None
        out[k] = v
    return out


class GroupCommit:
    """Opportunistic group commit: validated events of concurrent POSTs are written together.

    One writer at a time; while its transaction runs, new requests queue up, and the next
    transaction takes everything queued (up to ``max_events``). Nothing waits when traffic is
    light; under load many single-event requests share one transaction. Every request is
    answered only after the transaction holding its events has committed; if it fails, every
    request in it gets the error (nothing of theirs is stored).
    """

    def __init__(self, store_getter, max_events: int = 2000):
        self._store = store_getter
        self.max_events = max_events
        self._queue: list[tuple[list[EventIn], asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def submit(self, events: list[EventIn]) -> list[dict]:
        """Store ``events`` (in one transaction with whatever else is queued); their results."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._queue.append((events, future))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._writer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            group, size = [], 0
            while self._queue and (not group or size + len(self._queue[0][0]) <= self.max_events):
                item = self._queue.pop(0)
                group.append(item)
                size += len(item[0])
            flat = [ev for events, _ in group for ev in events]
            try:
                results = await run_in_threadpool(intake.add_valid, self._store(), flat)
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            start = 0
            for events, future in group:
                part = [{**r, "index": r["index"] - start} for r in results[start:start + len(events)]]
                start += len(events)
                if not future.done():
                    future.set_result(part)


def _error(status: int, message: str, errors: list[dict] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(status_code=status, content=body)


MAX_WINDOW_DAYS = 36500


def parse_window(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d`` → timedelta (ValueError otherwise)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhd])\s*", text or "")
    if not m:
        raise ValueError(f"window {text!r}: use a number with m, h or d, e.g. 24h or 7d")
    n, unit = float(m.group(1)), m.group(2)
    days = n / 1440 if unit == "m" else n / 24 if unit == "h" else n
    if days > MAX_WINDOW_DAYS:  # also keeps now - window inside datetime's range
        raise ValueError(f"window {text!r}: at most {MAX_WINDOW_DAYS}d (100 years); use a shorter window")
    return timedelta(days=days)


def _parse_time(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"{name}: {text!r} is not an ISO 8601 timestamp") from None
    if t.tzinfo is None:
        raise HTTPException(422, f"{name}: give a time zone, e.g. 2024-05-01T00:00:00+08:00")
    return t


def create_app(store=None, settings: Settings | None = None, plan_atoms_provider=None) -> FastAPI:
    """The FastAPI app over ``store`` (default: ``open_store()`` at startup, closed at shutdown).

    ``plan_atoms_provider(start, store)`` overrides how the plan endpoints build a starting plan
    (default: atoms of the default atlas, see gridgeo.plan.api.default_atoms_provider).
    """
    settings = settings or get_settings()
    owns_store = store is None
    state: dict[str, Any] = {"store": store}

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if state["store"] is None:
            from gridgeo.store import open_store

            state["store"] = await run_in_threadpool(open_store, settings.store_url)
        st = state["store"]
        version = await run_in_threadpool(st.current_version)
        if version is not None:
            await run_in_threadpool(st.grid_index, version)  # build the index before traffic
        yield
        if owns_store:
            st.close()

    app = FastAPI(title="gridgeo events", version="1", lifespan=lifespan,
                  description="网格化治理 · 群众诉求事件服务 (petition/event intake, lifecycle and risk)")

    def get_store():
        if state["store"] is None:  # used without lifespan (e.g. TestClient outside a with-block)
            from gridgeo.store import open_store

            state["store"] = open_store(settings.store_url)
        return state["store"]

    def _token_ok(request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        return bool(settings.api_token) and scheme.lower() == "bearer" and \
            hmac.compare_digest(token.strip().encode(), settings.api_token.encode())

    def require_write(request: Request) -> None:
        if not settings.api_token:
            raise HTTPException(503, "writes are disabled: set GRIDGEO_API_TOKEN on the server")
        if not _token_ok(request):
            raise HTTPException(401, "writes need the header Authorization: Bearer <GRIDGEO_API_TOKEN>",
                                headers={"WWW-Authenticate": "Bearer"})

    def require_read(request: Request) -> None:
        if settings.read_access == "open":
            return
        host = request.client.host if request.client else ""
        if settings.read_access == "localhost" and host in LOOPBACK:
            return
        if not _token_ok(request):
            raise HTTPException(401, "reads from this address need Authorization: Bearer <token>",
                                headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException):
        return JSONResponse(status_code=exc.status_code, content={"message": exc.detail},
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        errors = [{"field": "body", "message": "malformed JSON; send a JSON object with Content-Type: application/json"}
                  if e.get("type") == "json_invalid" else
                  {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "message": e.get("msg", "")}
                  for e in exc.errors()]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        return JSONResponse(status_code=422, content={"message": f"{first['field']}: {first['message']}",
                                                      "errors": errors})

    committer = GroupCommit(get_store)
    event_schema = EventIn.model_json_schema()

    @app.post(f"{API}/events", status_code=201, openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"oneOf": [event_schema, {"type": "array", "items": event_schema}]}}}}},
        summary="Report one event or a batch (idempotent by id)")
    async def post_events(request: Request):
        require_write(request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return _error(413, f"body: {int(length)} bytes is over the limit of {settings.max_body_bytes}")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > settings.max_body_bytes:
                return _error(413, f"body: over the limit of {settings.max_body_bytes} bytes")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, f"body: malformed JSON ({exc})")
        except RecursionError:
            return _error(400, "body: JSON nested too deeply; send one event object or a flat list of them")
        single = isinstance(payload, dict)
        items = [payload] if single else payload
        if not isinstance(items, list):
            return _error(422, "body: send one event (a JSON object) or a batch (a JSON list of objects)")
        if not items:
            return _error(422, "body: the batch is empty")
        if len(items) > MAX_BATCH:
            return _error(413, f"body: {len(items)} events is over the batch limit of {MAX_BATCH}")
        validated, errors = validate_events(items, skew=DEFAULT_SKEW)
        if errors:
            first = errors[0]
            return _error(422, f"{len(errors)} problem(s), nothing stored; first: {first}",
                          [e.as_dict() for e in errors])
        results = await committer.submit(validated)
        results = [_flat({**r, "open311": to_open311(r)}) for r in results]
        created = any(r["result"] == "accepted" for r in results)
        if single:
            content: Any = results[0]
        else:
            content = {"accepted": sum(r["result"] == "accepted" for r in results),
                       "duplicate": sum(r["result"] == "duplicate" for r in results),
                       "results": results}
        return JSONResponse(status_code=201 if created else 200, content=content)

    @app.patch(f"{API}/events/{{event_id}}", summary="Move an event along its lifecycle")
    def patch_event(event_id: str, move: Move, request: Request):
        require_write(request)
        from gridgeo.store import EventNotFound

        try:
            rec = get_store().transition(event_id, move.status, move.actor, move.note)
        except EventNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except TransitionError as exc:
            raise HTTPException(409, f"status: {exc}") from None
        rec["open311"] = to_open311(rec)
        return JSONResponse(_jsonable(rec))

    @app.get(f"{API}/events/{{event_id}}", summary="One event with its status history")
    def get_event(event_id: str, request: Request):
        require_read(request)
        from gridgeo.store import EventNotFound

        try:
            rec = get_store().get_event(event_id)
        except EventNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        rec["open311"] = to_open311(rec)
        return JSONResponse(_jsonable(rec))

    @app.get(f"{API}/events", summary="Events by time window, bbox, area codes, level, category, status")
    def list_events(
        request: Request,
        start: Annotated[str | None, Query(description="ISO 8601 with zone; inclusive")] = None,
        end: Annotated[str | None, Query(description="ISO 8601 with zone; exclusive")] = None,
        window: Annotated[str | None, Query(description="instead of start: the last 30m/24h/7d")] = None,
        bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat (WGS84)")] = None,
        grid_code: Annotated[list[str] | None, Query()] = None,
        community_code: Annotated[list[str] | None, Query()] = None,
        street_code: Annotated[list[str] | None, Query()] = None,
        level: Annotated[list[int] | None, Query(description="1-4; repeat for several")] = None,
        category: Annotated[list[str] | None, Query()] = None,
        status: Annotated[list[str] | None, Query()] = None,
        limit: Annotated[int, Query(ge=1)] = 1000,
        order: Annotated[str, Query(pattern="^(asc|desc)$", description="by report time")] = "asc",
    ):
        require_read(request)
        t0 = _parse_time("start", start)
        t1 = _parse_time("end", end)
        if window:
            try:
                t0 = (t1 or datetime.now(UTC)) - parse_window(window)
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from None
        if t0 is not None and t1 is not None and t0 > t1:
            raise HTTPException(422, f"start {start or window!r} is after end {end!r}; swap them")
        box = None
        if bbox:
            try:
                box = tuple(float(v) for v in bbox.split(","))
                if len(box) != 4 or not all(math.isfinite(v) for v in box):
                    raise ValueError
            except ValueError:
                raise HTTPException(422, f"bbox: {bbox!r} must be min_lon,min_lat,max_lon,max_lat") from None
            if box[0] > box[2] or box[1] > box[3]:
                raise HTTPException(422, f"bbox: {bbox!r} has min above max; give min_lon,min_lat,max_lon,max_lat")
        if level and any(v not in (1, 2, 3, 4) for v in level):
            raise HTTPException(422, f"level: {level} must be 1, 2, 3 or 4")
        for name, values, allowed in (("status", status, STATUSES),
                                      ("category", category, [c.code for c in categories()])):
            bad = [v for v in values or [] if v not in allowed]
            if bad:
                raise HTTPException(422, f"{name}: unknown value {bad[0]!r}; use one of {', '.join(allowed)}")
        limit = min(limit, MAX_LIMIT)
        frame = get_store().events_frame(t0, t1, bbox=box, limit=limit, newest_first=order == "desc",
                                         grid_code=grid_code,
                                         community_code=community_code, street_code=street_code,
                                         level=level, category=category, status=status)
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return JSONResponse(_jsonable({"count": len(records), "limit": limit, "events": records}))

    def _areas(by: str) -> pd.DataFrame:
        _version, grids = get_store().current_grid_set()
        hh = pd.to_numeric(grids["households"], errors="coerce").fillna(0)
        if by == "grid":
            return pd.DataFrame({"code": grids["code"].astype(str), "name": grids["name"], "households": hh})
        col = {"community": "community_code", "street": "street_code"}[by]
        return (pd.DataFrame({"code": grids[col].astype(str), "households": hh})
                .groupby("code", as_index=False)["households"].sum())

    @app.get(f"{API}/risk", summary="Risk level per grid, community or street (the map's colours)")
    def risk(request: Request,
             by: Annotated[str, Query(pattern="^(grid|community|street)$")] = "grid",
             window: Annotated[str, Query(description="events reported in the last 30m/24h/7d")] = "24h"):
        require_read(request)
        try:
            span = parse_window(window)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        from gridgeo.risk import risk_by_area  # the map engineer's rule; imported lazily

        now = datetime.now(UTC)
        events = get_store().events_frame(now - span, None, now=now)
        areas = _areas(by)
        result = risk_by_area(events, areas, by)
        if "name" in areas:
            result = result.merge(areas[["code", "name"]], on="code", how="left")
        records = result.astype(object).where(result.notna(), None).to_dict("records")
        return JSONResponse(_jsonable({"by": by, "window": window, "at": now, "areas": records}))

    @app.get(f"{API}/stats", summary="Received, accepted, resolved, resolution rate, overdue, median handling")
    def stats(request: Request, by: str | None = None,
              window: Annotated[str, Query(description="events reported in the last 30m/24h/7d")] = "24h"):
        require_read(request)
        from gridgeo.stats import summarize

        try:
            span = parse_window(window)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        now = datetime.now(UTC)
        events = get_store().events_frame(now - span, None, now=now)
        try:
            table = summarize(events, by, now=now)
        except ValueError as exc:
            raise HTTPException(422, f"by: {exc}") from None
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        return JSONResponse(_jsonable({"by": by, "window": window, "rows": records}))

    @app.get(f"{API}/categories", summary="Event categories, channels, list types and statuses")
    def list_categories(request: Request):
        require_read(request)
        return {"categories": [{"code": c.code, "zh": c.zh, "en": c.en} for c in categories()],
                "channels": CHANNELS, "list_types": LIST_TYPES, "statuses": STATUSES}

    @app.get(f"{API}/grid-sets", summary="Published grid set versions")
    def list_grid_sets(request: Request):
        require_read(request)
        frame = get_store().grid_sets()
        return JSONResponse(_jsonable({"grid_sets": frame.to_dict("records")}))

    @app.get(f"{API}/health", summary="Liveness and store backend")
    def health():
        st = get_store()
        return {"ok": True, "backend": st.backend, "grid_set_version": st.current_version()}

    from gridgeo.plan.api import create_plan_router  # plans: versions, publish, diff (issue 6)

    app.include_router(create_plan_router(get_store, require_read, require_write, plan_atoms_provider))
    return app
