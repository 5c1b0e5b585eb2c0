"""One router per resource; :data:`ROUTERS` is what ``create_app`` includes, in order."""

from gridgeo.api.routers import (
    auth,
    docs,
    events,
    grid_sets,
    health,
    plans,
    ratings,
    redispatch,
    risk,
    service_points,
    tiles,
)

ROUTERS = (events.write, events.read, risk.router, grid_sets.router, health.router,
           plans.read, plans.write, tiles.router, service_points.router, ratings.router, redispatch.router,
           auth.router, auth.me_router, docs.router)

__all__ = ["ROUTERS"]
