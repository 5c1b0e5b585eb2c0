"""``GET /api/v1/service-points``: the service network of the active atlas as GeoJSON (district
and street centres, community halls, stations), for the map and the wall.

Reads are guarded like the other read routes (:func:`gridgeo.api.auth.require_read`). A caller
scoped to a territory sees the points serving inside it and the halls above it (its street
centre and the district centre), the ones its cases climb to.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from gridgeo.access import Identity
from gridgeo.api.auth import IdentityDep, require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import ApiError
from gridgeo.api.routing import guarded_router
from gridgeo.atlas.model import SERVICE_TIERS
from gridgeo.services.network import service_network

router = guarded_router(require_read, check_params, prefix="/api/v1", tags=["service network"])
PROPERTIES = ("code", "name", "tier", "territory_code")


def _visible(who: Identity, territory: str) -> bool:
    """Inside the caller's territory, or a hall above it (the one rule: ``Identity.sees_area``,
    which the wall's halls layer uses too)."""
    return who.sees_area(territory)


@router.get("/service-points", summary="Service network (halls and stations) as GeoJSON")
def service_points(store: StoreDep, who: IdentityDep,
                   tier: Annotated[list[str] | None, Query(description="only these tiers")] = None) -> JSONOut:
    """A FeatureCollection of the active atlas's service points (WGS84 Points) with properties
    ``code``, ``name``, ``tier`` (station, community, street, district) and ``territory_code``."""
    bad = [t for t in tier or [] if t not in SERVICE_TIERS]
    if bad:
        raise ApiError(422, f"tier={bad[0]}: use one of {', '.join(SERVICE_TIERS)}",
                       [{"field": "tier", "message": f"unknown tier {bad[0]!r}"}])
    points = service_network(store).points
    features = []
    for row, geom in zip(points[list(PROPERTIES)].itertuples(index=False), points.geometry, strict=True):
        props = dict(zip(PROPERTIES, map(str, row), strict=True))
        if (tier and props["tier"] not in tier) or not _visible(who, props["territory_code"]):
            continue
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [geom.x, geom.y]},
                         "properties": props})
    return JSONOut({"type": "FeatureCollection", "features": features})
