"""``PUT /api/v1/events/{id}/hall``: re-dispatch an open case to another service point (a hall,
a centre or a station), recorded in its history with the caller as actor.

Guarded like the other case moves (roles that may move events, in the case's territory). 404
for an unknown case, 422 for a code that is not a service point of the active atlas, 409 when
the case is closed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from gridgeo.access import Action
from gridgeo.api import schemas as R
from gridgeo.api.auth import IdentityDep, check_place, require_event_write
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import ApiError
from gridgeo.api.routing import guarded_router
from gridgeo.api.territory import place_code, shown
from gridgeo.events.lifecycle import OPEN_STATUSES
from gridgeo.events.safe_text import SafeStr
from gridgeo.services.network import service_network
from gridgeo.store.reassign import HallMove, move_cases

router = guarded_router(require_event_write, check_params, prefix="/api/v1", tags=["events"],
                        responses=R.BAD_JSON)


class Redispatch(BaseModel):
    """Where the case goes and why."""

    hall_code: SafeStr = Field(description="code of a service point of the active atlas")
    note: SafeStr | None = Field(default=None, max_length=4000, description="why (kept in the history)")


@router.put("/events/{event_id}/hall", responses={200: {"model": R.EventRecord}, **R.CONFLICT},
            summary="Re-dispatch a case to another hall or station")
def put_hall(event_id: str, body: Redispatch, store: StoreDep, who: IdentityDep) -> JSONOut:
    """Move the case to ``hall_code`` as the caller; answer its record with its history."""
    rec = store.get_event(event_id, history=False)
    check_place(who, Action.MOVE_EVENTS, place_code(rec))
    network = service_network(store)
    tier = network.tier_of.get(body.hall_code)
    if tier is None:
        raise ApiError(422, f"hall_code: {body.hall_code!r} is not a service point of the active atlas "
                            "(see GET /api/v1/service-points)", [{"field": "hall_code", "message": "unknown"}])
    if rec["status"] not in OPEN_STATUSES:
        raise ApiError(409, f"status: the case is {rec['status']!r}; only open cases are re-dispatched")
    territory = network.territory_of[body.hall_code]
    hall = network.halls.get(("community", territory)) if tier == "station" else body.hall_code
    note = f"{rec.get('hall_code') or '-'} → {body.hall_code}" + (f": {body.note}" if body.note else "")
    target = f"{'community' if tier == 'station' else tier}:{territory}"
    move = HallMove(event_id, hall or body.hall_code, tier, target, who.actor, note, datetime.now(UTC),
                    int(rec.get("escalations") or 0), escalate=False,
                    station_code=body.hall_code if tier == "station" else None)
    if not move_cases(store, [move]):
        raise ApiError(409, "the case changed meanwhile (closed or escalated); read it and try again")
    return JSONOut(shown(store, who, store.get_event(event_id)))
