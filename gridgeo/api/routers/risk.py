"""``GET /api/v1/risk`` (the map's colours per grid, community or street) and ``GET /api/v1/stats``.

Each handler is one call to a function of ``(store, by, window, now)``: :func:`risk_rows` and
:func:`stats_rows` hold the computation (today: the events of the window through
:func:`gridgeo.analysis.risk.risk_by_area` and :func:`gridgeo.analysis.stats.summarize`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool

from gridgeo.access import Identity
from gridgeo.api import schemas as R
from gridgeo.api.auth import IdentityDep, require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut, records
from gridgeo.api.errors import ApiError
from gridgeo.api.params import window_param
from gridgeo.api.routing import guarded_router
from gridgeo.api.shared_results import SharedResults
from gridgeo.api.state import service_state
from gridgeo.api.territory import check_by, territory_filters

router = guarded_router(require_read, check_params, prefix="/api/v1", tags=["risk"])
WINDOW = Query(description="events reported in the last 30m/24h/7d")


def risk_rows(store: Any, by: str, window: timedelta, now: datetime) -> list[dict]:
    """Risk level per area of ``by`` for the events reported in ``[now - window, now]``, from
    the store's aggregates (gridgeo.analysis.risk.risk_table: never a frame of the raw events)."""
    from gridgeo.analysis.risk import area_table, risk_table

    areas = area_table(store.current_grid_set()[1], by)
    result = risk_table(store, by, window, now, areas=areas)
    if "name" in areas and "name" not in result:  # one row per area, in the order of ``areas``
        result["name"] = areas["name"].to_numpy()
    return records(result)


def stats_rows(store: Any, by: str | None, window: timedelta, now: datetime,
               who: Identity | None = None) -> list[dict]:
    """Received, accepted, resolved, rates, overdue and handling time (ValueError for a bad
    ``by``), computed in the database (gridgeo.analysis.stats.stats_table); for a caller scoped to a
    territory, over that territory's events only."""
    from gridgeo.analysis.stats import stats_table, summarize

    if who is None or not who.scopes:
        return records(stats_table(store, by, window, now))
    areas = territory_filters(store, who, {})
    frame = store.events_frame(now - window, None, now=now, **(areas or {"grid_code": ["-"]}))
    return records(summarize(frame, by, now=now))


def _shared(request: Request) -> SharedResults:
    return service_state(request).shared_results


@router.get("/risk", responses={200: {"model": R.RiskAnswer}},
            summary="Risk level per grid, community or street (the map's colours)")
async def risk(request: Request, store: StoreDep, who: IdentityDep,
               by: Annotated[str, Query(pattern="^(grid|community|street)$")] = "grid",
               window: Annotated[str, WINDOW] = "24h") -> JSONOut:
    """The risk rule on the window's events (a scoped caller: its territory's areas only).
    Identical calls share one computation (gridgeo.api.shared_results)."""
    span = window_param(window)
    check_by(who, by)

    def compute() -> tuple[datetime, list[dict]]:
        now = datetime.now(UTC)
        return now, risk_rows(store, by, span, now)

    now, rows = await _shared(request).get(("risk", by, window), compute)
    if who.scopes:
        rows = [r for r in rows if who.covers(r["code"])]
    return JSONOut({"by": by, "window": window, "at": now, "areas": rows})


@router.get("/stats", responses={200: {"model": R.StatsAnswer}},
            summary="Received, accepted, resolved, resolution rate, overdue, median handling")
async def stats(request: Request, store: StoreDep, who: IdentityDep, by: str | None = None,
                window: Annotated[str, WINDOW] = "24h") -> JSONOut:
    """The handling figures of the window's events, overall or per ``by`` (a scoped caller:
    its territory's events only). Unscoped identical calls share one computation."""
    span = window_param(window)
    check_by(who, by)

    def compute() -> list[dict]:
        return stats_rows(store, by, span, datetime.now(UTC), who)

    try:
        if who.scopes:
            rows = await run_in_threadpool(compute)
        else:
            rows = await _shared(request).get(("stats", by, window), compute)
    except ValueError as exc:
        raise ApiError(422, f"by: {exc}", [{"field": "by", "message": str(exc)}]) from None
    return JSONOut({"by": by, "window": window, "rows": rows})
