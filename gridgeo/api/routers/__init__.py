"""One router per resource; :data:`ROUTERS` is what ``create_app`` includes, in order."""

from gridgeo.api.routers import (
    auth,
    docs,
    events,
    grid_sets,
    health,
    plans,
    queue,
    ratings,
    redispatch,
    risk,
    service_points,
    stream,
    tiles,
)

ROUTERS = (events.write, events.read, risk.router, grid_sets.router, health.router,
           plans.read, plans.write, tiles.router, stream.router, service_points.router, ratings.router,
           redispatch.router, auth.router, auth.me_router, queue.read, queue.write, docs.router)

__all__ = ["ROUTERS"]
