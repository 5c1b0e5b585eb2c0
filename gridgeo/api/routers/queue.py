"""Hotline work orders placed by address, and the queue of those a person must place (issue 22).

* ``POST /api/v1/hotline`` — one work order (JSON object) or a batch (list) with an address and no
  position: ``id`` (工单编号), ``called_at`` (来电时间, local time in the configured zone, or with a
  zone), ``address`` (事发地址), ``category`` and ``urgency`` words, ``text``, ``reporter_name``,
  ``reporter_phone`` (the export's Chinese, pinyin or English column names are accepted as keys).
  All-or-nothing for validation (422 naming each bad item); each item is placed by its address
  through the normal intake or queued, and answered with ``placement``, ``grid_code``, ``method``,
  ``confidence``, ``reason``. Idempotent on the id.

* ``GET /api/v1/queue`` — the queued cases of the caller's territory (a case is in it when one of
  its candidate grids, the community or street its address names, or the district is), oldest
  first, each with its address, why it was queued (``reason`` in ``lang``), the method and
  confidence reached and its candidate places (grid code, point, building). Personal data is
  masked as for events. ``status=placed`` lists the placed ones (who placed them, how, when).
* ``POST /api/v1/queue/{id}/place`` — ``{"lon", "lat"}`` (a point clicked on the map, WGS84) or
  ``{"unit_code"}`` (a building or compound of the register): the case goes through the normal
  intake attributed to the caller (who must be allowed to move events in the target grid); 404
  when it is not queued, 422 for a point outside every grid or an unknown unit.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import pandas as pd
from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from gridgeo.access import Action
from gridgeo.api import schemas as R
from gridgeo.api.auth import IdentityDep, check_place, require_event_write, require_read
from gridgeo.api.deps import StoreDep, check_params, get_settings
from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import ApiError
from gridgeo.api.routing import guarded_router
from gridgeo.api.territory import shown_rows
from gridgeo.errors import InputError
from gridgeo.events.hotline import load_tables, recognise_columns, work_order_events
from gridgeo.events.safe_text import SafeStr
from gridgeo.i18n import render
from gridgeo.services.hotline import (
    NotQueued,
    judged_grid,
    place_queued,
    place_work_orders,
    queued_case,
    resolve_target,
    visible,
)
from gridgeo.store.hotline_queue import list_queue

API = "/api/v1"
read = guarded_router(require_read, check_params, prefix=API, tags=["queue"])
write = guarded_router(require_event_write, check_params, prefix=API, tags=["queue"], responses=R.BAD_JSON)
_SHOWN = ("id", "status", "reported_at", "queued_at", "address", "reporter_name", "reporter_phone", "method",
          "confidence", "candidates", "district_code", "street_code", "community_code", "placed_at", "placed_by",
          "placed_how", "grid_code")


class PlaceBody(BaseModel):
    """Where a person puts a queued case: a point (lon, lat in WGS84) or a unit code of the register."""

    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    unit_code: SafeStr | None = Field(default=None, max_length=64, description="a building or compound code")


def _public(row: dict, lang: str) -> dict:
    out = {k: row.get(k) for k in _SHOWN}
    out["reason"] = row["reason_en"] if lang == "en" else row["reason"]
    out["category"], out["level"], out["text"] = (row["event"].get(k) for k in ("category", "level", "text"))
    # territory of the record for masking: its single candidate grid, else the named community/street
    out["grid_code"] = judged_grid(row)
    return out


@read.get("/queue", summary="Hotline cases waiting to be placed (the caller's territory)")
def get_queue(store: StoreDep, who: IdentityDep,
              status: Annotated[Literal["queued", "placed"], Query()] = "queued",
              lang: Annotated[Literal["zh", "en"], Query()] = "zh",
              limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> JSONOut:
    """The queued (or placed) cases the caller may see, personal data masked unless its role may see it."""
    rows = [_public(r, lang) for r in list_queue(store, status, limit=100_000) if visible(who, r)][:limit]
    return JSONOut({"count": len(rows), "cases": shown_rows(store, who, rows)})


@write.post("/queue/{case_id}/place", summary="Place a queued hotline case by a point or a building/compound")
def post_place(case_id: str, body: PlaceBody, request: Request, store: StoreDep, who: IdentityDep,
               lang: Annotated[Literal["zh", "en"], Query()] = "zh") -> JSONOut:
    """Place the case as the caller; it goes through intake (grid, dispatch, due time)."""
    try:
        row = queued_case(store, case_id)
        if not visible(who, row):
            raise ApiError(404, f"no queued case {case_id!r} in your territory")
        target = resolve_target(store, lon=body.lon, lat=body.lat, unit_code=body.unit_code,
                                settings=get_settings(request))
        check_place(who, Action.MOVE_EVENTS, target.grid_code)
        result = place_queued(store, case_id, who.actor, target)
    except NotQueued as exc:
        raise ApiError(404, str(exc)) from None
    except InputError as exc:
        raise ApiError(422, render(exc, lang)) from None
    return JSONOut({k: v for k, v in result.items() if k not in ("reporter_name", "reporter_phone")}, status_code=201)


MAX_ORDERS = 5000


class WorkOrderIn(BaseModel):
    """One work order with an address (the export's Chinese or pinyin column names are accepted too)."""

    model_config = {"extra": "allow"}

    id: str = Field(description="工单编号, the idempotency key")
    called_at: str = Field(description="来电时间: local time in the configured zone (2026-11-02 08:30) or with a zone")
    address: str = Field(description="事发地址 as typed")
    category: str | None = Field(default=None, description="诉求类别 word (mapped by the category table)")
    urgency: str | None = Field(default=None, description="紧急程度: 紧急/较急/一般 or I-IV")
    text: str | None = Field(default=None, description="诉求内容")
    reporter_name: str | None = Field(default=None, description="诉求人 (personal data, masked by role)")
    reporter_phone: str | None = Field(default=None, description="联系电话 (personal data, masked by role)")


_ORDER_SCHEMA = WorkOrderIn.model_json_schema()
_HOTLINE_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [_ORDER_SCHEMA, {"type": "array", "items": _ORDER_SCHEMA, "minItems": 1, "maxItems": MAX_ORDERS}]}}}}}


def _orders_body(body: bytes) -> tuple[list[dict], bool]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, f"body: malformed JSON ({exc})") from None
    single = isinstance(payload, dict)
    items = [payload] if single else payload
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise ApiError(422, "body: send one work order (a JSON object) or a non-empty list of them")
    if len(items) > MAX_ORDERS:
        raise ApiError(413, f"body: {len(items)} work orders is over the batch limit of {MAX_ORDERS}")
    return items, single


@write.post("/hotline", status_code=201, openapi_extra=_HOTLINE_BODY, summary="Work orders with an address: placed through intake, or queued")
async def post_hotline(request: Request, store: StoreDep, who: IdentityDep,
                       lang: Annotated[Literal["zh", "en"], Query()] = "zh") -> JSONOut:
    """Read, validate (all or nothing), place by address or queue; one result per work order."""
    items, single = _orders_body(await request.body())
    settings = get_settings(request)
    table = pd.DataFrame([{field: None if i[key] is None else str(i[key])  # each item's own key spelling
                           for field, key in recognise_columns(list(i)).items()} for i in items])
    try:
        orders, bad = work_order_events(table, settings.tz, load_tables(settings.hotline_tables), first_row=0)
    except InputError as exc:
        raise ApiError(422, "body" + render(exc, lang)) from None
    if bad:
        details = [{"index": int(where.split()[-1]), "id": wid, "message": msg.render(lang)} for where, wid, msg in bad]
        raise ApiError(422, f"{len(bad)} problem(s), nothing stored; first: {details[0]['message']}", details)
    outcomes = await run_in_threadpool(place_work_orders, store, orders, actor=who.actor, settings=settings, lang=lang)
    results = [{"index": int(o.where.split()[-1]), **o.report_row()} for o in outcomes]
    if any(r["placement"] == "rejected" for r in results):
        raise ApiError(422, "work order(s) refused: " + "; ".join(r["reason"] for r in results
                                                                  if r["placement"] == "rejected"), results)
    return JSONOut(results[0] if single else {"results": results}, status_code=201)
