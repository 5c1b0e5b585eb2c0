"""``GET /api/v1/health``: 200 ``{"ok": true, "status": "ok", "backend", "grid_set_version"}`` (and
``warm_up``: the start-up warm-up's ``state`` running/done/failed, ``version``, ``tiles``, ``seconds``,
when the app runs one: gridgeo.api.warmup), or 503
``{"ok": false, "status": "degraded", "message"}`` with ``Retry-After`` when the store does not
answer (it recovers by itself when the database is back). Same read access as the data."""

from __future__ import annotations

from fastapi import Request

from gridgeo.api import schemas as R
from gridgeo.api.auth import require_read
from gridgeo.api.encoding import JSONOut
from gridgeo.api.outage import RETRY_AFTER_S, classify
from gridgeo.api.routing import guarded_router
from gridgeo.api.state import service_state

router = guarded_router(require_read, prefix="/api/v1", tags=["health"])


@router.get("/health", responses={200: {"model": R.Health}, 503: {"model": R.Health}},
            summary="Liveness and store backend (503 degraded when the store does not answer)")
def health(request: Request) -> JSONOut:
    """Ask the store for its current grid set version."""
    holder = service_state(request).stores
    backend = holder.settings.store_url.split(":", 1)[0].split("+", 1)[0]
    try:
        store = holder.get()
        backend = store.backend
        version = store.current_version()
    except Exception as exc:  # noqa: BLE001 - any failure to answer is "degraded"
        outage = classify(exc)
        message = outage.message if outage else f"the store does not answer ({type(exc).__name__})"
        return JSONOut({"ok": False, "status": "degraded", "backend": backend, "message": message},
                       status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
    out = {"ok": True, "status": "ok", "backend": backend, "grid_set_version": version}
    warm_up = service_state(request).warm_up
    if warm_up is not None:
        out["warm_up"] = warm_up.as_dict()
    return JSONOut(out)
