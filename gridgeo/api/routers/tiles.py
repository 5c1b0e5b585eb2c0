"""``GET /tiles/{layer}/{z}/{x}/{y}.pbf``: Mapbox Vector Tiles of the current grid set.

Layers ``districts``, ``streets``, ``communities`` and ``grids``; every feature carries a
stable integer id and the properties ``code`` and ``name`` (no colours: the browser colours
features by id/code from ``/api/v1/risk``). 200 with the tile, 204 when the tile is empty,
404 JSON for an unknown layer or a z/x/y that names no tile, 422 JSON for a non-integer one.
``ETag`` is the grid set version and layer (tiles change only on publish), so a browser
revalidates with ``If-None-Match`` and gets 304 until the next publish. A client that accepts
gzip gets the tile gzip-compressed (``Content-Encoding: gzip``, as cached).

``GET /tiles/colours?by=grid&window=24h`` (or ``window=today``): the risk colours for the tile layers in compact form,
``{"version", "by", "window", "at", "colours": {code: colour}}`` with only the areas that have a
risk colour (any other area is grey): the rule and the colours of ``/api/v1/risk``, about 3 % of
its bytes on a whole city (76 KB vs 2.8 MB for Shenzhen). Each answer has a ``stamp``; with
``since=<stamp of the last answer>`` only the changes come (``full: false``, ``colours`` changed,
``cleared`` back to grey; see gridgeo.tiles.colours), which is what a wall fetches on every refresh.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from gridgeo.api.auth import IdentityDep, require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import ApiError
from gridgeo.api.params import window_param
from gridgeo.api.routing import guarded_router
from gridgeo.api.state import service_state
from gridgeo.config import Settings
from gridgeo.tiles import NoGridSet, TileOutOfRange, TileService, UnknownLayer
from gridgeo.tiles.colours import ColourHistory

MVT_TYPE = "application/vnd.mapbox-vector-tile"
router = guarded_router(require_read, check_params, prefix="/tiles", tags=["tiles"])


def tile_service(request: Request, store: Any) -> TileService:
    """The app's tile service (made on first use, over the app's store)."""
    return service_state(request).tile_service(store)


def colour_span(window: str, now: datetime, settings: Settings) -> timedelta:
    """The window of ``/tiles/colours``: a duration (30m/24h/7d) or ``today`` (since local midnight
    in GRIDGEO_TIMEZONE, what the wall's figures count)."""
    if window != "today":
        return window_param(window)
    local = now.astimezone(settings.tz)
    return now - local.replace(hour=0, minute=0, second=0, microsecond=0)


@router.get("/colours", summary="Risk colours of the areas that have one (compact, for tile layers)")
def colours(request: Request, store: StoreDep, who: IdentityDep,
            by: Annotated[str, Query(pattern="^(grid|community|street)$")] = "grid",
            window: Annotated[str, Query(description="events reported in the last 30m/24h/7d, or today")] = "24h",
            since: Annotated[str | None, Query(max_length=64, description="stamp of the caller's last answer: "
                                               "then only the changes")] = None) -> JSONOut:
    """``{code: colour}`` of every area of ``by`` with a risk level (see the module docstring);
    a caller scoped to a territory gets its territory's areas only, as from /api/v1/risk."""
    from gridgeo.analysis.risk import area_table, risk_table
    from gridgeo.api.territory import check_by

    check_by(who, by)
    now = datetime.now(UTC)
    span = colour_span(window, now, service_state(request).settings)
    try:
        version, grids = store.current_grid_set()
    except LookupError as exc:
        raise ApiError(404, str(exc)) from None
    table = risk_table(store, by, span, now, areas=area_table(grids, by))
    coloured = table[table["risk_level"] > 0]
    pairs = zip(coloured["code"].astype(str), coloured["color"], strict=True)
    mine = {code: colour for code, colour in pairs if who.covers(code)}
    key = (who.actor, who.scopes, by, window, version)
    return JSONOut({"version": version, "by": by, "window": window, "at": now,
                    **colour_history(request).answer(key, mine, since)})


def colour_history(request: Request) -> ColourHistory:
    """The app's memory of recent colour answers (made on first use)."""
    return service_state(request).colour_history


@router.get("/{layer}/{z}/{x}/{y}.pbf", summary="A Mapbox Vector Tile of one layer of the current grid set",
            response_class=Response,
            responses={200: {"content": {MVT_TYPE: {}}, "description": "the tile"},
                       204: {"description": "no feature in this tile"}})
async def tile(request: Request, store: StoreDep, layer: str, z: int, x: int, y: int) -> Response:
    """One tile (see the module docstring)."""
    service = tile_service(request, store)
    gzipped = "gzip" in request.headers.get("accept-encoding", "")
    try:
        version, data = await run_in_threadpool(service.tile, layer, z, x, y, gzipped)
    except (UnknownLayer, TileOutOfRange, NoGridSet) as exc:
        raise ApiError(404, str(exc)) from None
    etag = f'"gs{version}-{layer}' + ('-gz"' if gzipped else '"')
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Grid-Set-Version": str(version),
               "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if not data:
        return Response(status_code=204, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(data, media_type=MVT_TYPE, headers=headers)
