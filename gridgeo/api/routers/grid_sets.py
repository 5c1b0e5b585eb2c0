"""``GET /api/v1/grid-sets``: the published grid set versions (the current one is the highest)."""

from __future__ import annotations

from gridgeo.api import schemas as R
from gridgeo.api.auth import require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut, records
from gridgeo.api.routing import guarded_router

router = guarded_router(require_read, check_params, prefix="/api/v1", tags=["grid sets"])


@router.get("/grid-sets", responses={200: {"model": R.GridSets}}, summary="Published grid set versions")
def list_grid_sets(store: StoreDep) -> JSONOut:
    """Every published version with author, time, comment and grid count."""
    return JSONOut({"grid_sets": records(store.grid_sets())})
