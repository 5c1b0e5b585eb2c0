"""``PUT /api/v1/events/{id}/rating``: the reporter's rating (满意/基本满意/不满意) at the feedback
step, within N working days of the resolution (``GRIDGEO_RATING_WORKING_DAYS``, default 5).

A confirmed case moves to feedback with the rating; a case already at feedback gets its rating.
Guarded like the other case moves (roles that may move events, in their territory); 409 when the
case is not at that step, already rated or past the time; 422 for an unknown rating.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from pydantic import BaseModel, Field

from gridgeo.access import Action
from gridgeo.api import schemas as R
from gridgeo.api.auth import IdentityDep, check_place, require_event_write
from gridgeo.api.deps import StoreDep, check_params, get_settings
from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import ApiError
from gridgeo.api.routing import guarded_router
from gridgeo.api.territory import place_code, shown
from gridgeo.events.rating import RATINGS, parse_rating
from gridgeo.events.safe_text import SafeStr
from gridgeo.store.ratings import rate_case

router = guarded_router(require_event_write, check_params, prefix="/api/v1", tags=["events"],
                        responses=R.BAD_JSON)


class Rating(BaseModel):
    """The reporter's rating of the feedback step."""

    rating: SafeStr = Field(description=f"one of {', '.join(RATINGS)} (or {'/'.join(RATINGS.values())})")


@router.put("/events/{event_id}/rating", responses={200: {"model": R.EventRecord}, **R.CONFLICT},
            summary="The reporter's rating at the feedback step")
def put_rating(event_id: str, body: Rating, store: StoreDep, who: IdentityDep, request: Request) -> JSONOut:
    """Record the rating as the caller; answer the case's record with its history."""
    try:
        rating = parse_rating(body.rating)
    except ValueError as exc:
        raise ApiError(422, f"rating: {exc}", [{"field": "rating", "message": str(exc)}]) from None
    check_place(who, Action.MOVE_EVENTS, place_code(store.get_event(event_id, history=False)))
    settings = get_settings(request)
    rate_case(store, event_id, rating, who.actor, datetime.now(UTC), settings.rating_working_days,
              settings.timezone)
    return JSONOut(shown(store, who, store.get_event(event_id)))
