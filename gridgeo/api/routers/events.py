"""Event intake, lifecycle moves and queries.

* ``POST /api/v1/events`` — one event (JSON object) or a batch (JSON list). A batch is
  **all-or-nothing for validation**: one bad item → 422 listing every bad item (index, id,
  field, message), nothing stored. Valid events are stored in a transaction shared with
  concurrent requests (:mod:`gridgeo.api.group_commit`); ids already stored come back as
  ``duplicate``. 201 when something new was stored, 200 when all were duplicates.
* ``PATCH /api/v1/events/{id}`` — ``{"status", "note"}`` (409 when the lifecycle forbids the
  move, 404 for an unknown id, 403 outside the caller's territory); the move is attributed to the
  authenticated caller (a body ``actor`` is ignored).
* ``GET /api/v1/events`` (filters) and ``GET /api/v1/events/{id}`` (with its history);
  ``GET /api/v1/categories``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, Field

from gridgeo.access import Action
from gridgeo.api import schemas as R
from gridgeo.api.auth import IdentityDep, check_place, require_event_write, require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut, records
from gridgeo.api.errors import ApiError
from gridgeo.api.params import parse_time, window_param
from gridgeo.api.routing import guarded_router
from gridgeo.api.state import service_state
from gridgeo.api.territory import place_code, shown, shown_rows, territory_filters
from gridgeo.events.lifecycle import STATUSES
from gridgeo.events.safe_text import SafeStr
from gridgeo.events.schema import (
    CHANNELS,
    DEFAULT_SKEW,
    LIST_TYPES,
    EventIn,
    categories,
    to_open311,
    validate_events,
)

API = "/api/v1"
MAX_BATCH = 5000  # events in one POST
MAX_LIMIT = 50_000  # rows in one GET /events answer

write = guarded_router(require_event_write, check_params, prefix=API, tags=["events"], responses=R.BAD_JSON)
read = guarded_router(require_read, check_params, prefix=API, tags=["events"])


class Move(BaseModel):
    """A lifecycle move for PATCH /api/v1/events/{id}."""

    status: SafeStr = Field(description=f"one of {', '.join(STATUSES)}")
    actor: SafeStr | None = Field(default=None, description="ignored: the move is attributed to the "
                                  "authenticated caller (kept so older clients still validate)")
    note: SafeStr | None = Field(default=None, max_length=4000, description="status notes (Open311 status_notes)")


_EVENT_SCHEMA = EventIn.model_json_schema()
_POST_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [_EVENT_SCHEMA, {"type": "array", "items": _EVENT_SCHEMA, "minItems": 1, "maxItems": MAX_BATCH}]}}}}}
_POSTED = {"model": R.EventResult | R.BatchResult}


def _parse_items(body: bytes) -> tuple[list, bool]:
    """The POSTed events and whether a single object was sent (400/413/422 when unusable)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"body: malformed JSON ({exc})") from None
    except RecursionError:
        raise ApiError(400, "body: JSON nested too deeply; send one event object or a flat list of them") from None
    single = isinstance(payload, dict)
    items = [payload] if single else payload
    if not isinstance(items, list):
        raise ApiError(422, "body: send one event (a JSON object) or a batch (a JSON list of objects)")
    if not items:
        raise ApiError(422, "body: the batch is empty")
    if len(items) > MAX_BATCH:
        raise ApiError(413, f"body: {len(items)} events is over the batch limit of {MAX_BATCH}")
    return items, single


@write.post("/events", status_code=201, openapi_extra=_POST_BODY, responses={201: _POSTED, 200: _POSTED},
            summary="Report one event or a batch (idempotent by id)")
async def post_events(request: Request, who: IdentityDep) -> JSONOut:
    """Validate every item (all-or-nothing), then store them in a shared transaction."""
    items, single = _parse_items(await request.body())  # already read, within the limit
    validated, errors = validate_events(items, skew=DEFAULT_SKEW)
    if errors:
        raise ApiError(422, f"{len(errors)} problem(s), nothing stored; first: {errors[0]}",
                       [e.as_dict() for e in errors])
    results = await service_state(request).committer.submit(validated, who.actor)
    results = [{**r, "open311": to_open311(r)} for r in results]  # JSONOut encodes once
    created = any(r["result"] == "accepted" for r in results)
    if single:
        content: Any = results[0]
    else:
        content = {"accepted": sum(r["result"] == "accepted" for r in results),
                   "duplicate": sum(r["result"] == "duplicate" for r in results), "results": results}
    return JSONOut(content, status_code=201 if created else 200)


@write.patch("/events/{event_id}", responses={200: {"model": R.EventRecord}, **R.CONFLICT},
             summary="Move an event along its lifecycle")
def patch_event(event_id: str, move: Move, store: StoreDep, who: IdentityDep) -> JSONOut:
    """Apply the move as the caller (409 when the lifecycle forbids it, 404 for an unknown id,
    403 outside the caller's territory)."""
    check_place(who, Action.MOVE_EVENTS, place_code(store.get_event(event_id, history=False)))
    rec = store.transition(event_id, move.status, who.actor, move.note)
    return JSONOut(shown(store, who, {**rec, "open311": to_open311(rec)}))


@read.get("/events/{event_id}", responses={200: {"model": R.EventRecord}},
          summary="One event with its status history")
def get_event(event_id: str, store: StoreDep, who: IdentityDep) -> JSONOut:
    """The stored event, its history and the Open311 view (403 outside the caller's territory)."""
    rec = store.get_event(event_id)
    check_place(who, Action.READ, place_code(rec))
    return JSONOut(shown(store, who, {**rec, "open311": to_open311(rec)}))


def _time_range(start: str | None, end: str | None, window: str | None) -> tuple[datetime | None, datetime | None]:
    t0, t1 = parse_time("start", start), parse_time("end", end)
    if window:
        span = window_param(window)
        try:
            t0 = (t1 or datetime.now(UTC)) - span
        except OverflowError:
            raise ApiError(422, f"window: {window!r} reaches before the year 1; use a shorter window") from None
    if t0 is not None and t1 is not None and t0 > t1:
        raise ApiError(422, f"start {start or window!r} is after end {end!r}; swap them")
    return t0, t1


def _bbox(bbox: str | None) -> tuple[float, ...] | None:
    if not bbox:
        return None
    try:
        box = tuple(float(v) for v in bbox.split(","))
        if len(box) != 4 or not all(math.isfinite(v) for v in box):
            raise ValueError
    except ValueError:
        raise ApiError(422, f"bbox: {bbox!r} must be min_lon,min_lat,max_lon,max_lat") from None
    if box[0] > box[2] or box[1] > box[3]:
        raise ApiError(422, f"bbox: {bbox!r} has min above max; give min_lon,min_lat,max_lon,max_lat")
    return box


def _check_choices(level: list[int] | None, status: list[str] | None, category: list[str] | None) -> None:
    if level and any(v not in (1, 2, 3, 4) for v in level):
        raise ApiError(422, f"level: {level} must be 1, 2, 3 or 4")
    for name, values, allowed in (("status", status, STATUSES), ("category", category, [c.code for c in categories()])):
        bad = [v for v in values or [] if v not in allowed]
        if bad:
            raise ApiError(422, f"{name}: unknown value {bad[0]!r}; use one of {', '.join(allowed)}")


@read.get("/events", responses={200: {"model": R.EventList}},
          summary="Events by time window, bbox, area codes, level, category, status")
def list_events(
    store: StoreDep,
    who: IdentityDep,
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
) -> JSONOut:
    """The matching events, oldest (or with order=desc newest) first, at most ``limit``."""
    t0, t1 = _time_range(start, end, window)
    box = _bbox(bbox)
    _check_choices(level, status, category)
    limit = min(limit, MAX_LIMIT)
    areas = territory_filters(store, who, {"grid_code": grid_code, "community_code": community_code,
                                           "street_code": street_code})
    if areas is None:  # the asked areas lie outside the caller's territory
        return JSONOut({"count": 0, "limit": limit, "events": []})
    frame = store.events_frame(t0, t1, bbox=box, limit=limit, newest_first=order == "desc", **areas,
                               level=level, category=category, status=status)
    rows = shown_rows(store, who, records(frame))
    return JSONOut({"count": len(rows), "limit": limit, "events": rows})


@read.get("/categories", responses={200: {"model": R.Categories}},
          summary="Event categories, channels, list types and statuses")
def list_categories() -> JSONOut:
    """The configured categories and the fixed vocabularies."""
    return JSONOut({"categories": [{"code": c.code, "zh": c.zh, "en": c.en} for c in categories()],
                    "channels": CHANNELS, "list_types": LIST_TYPES, "statuses": list(STATUSES)})

