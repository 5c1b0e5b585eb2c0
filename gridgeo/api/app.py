"""The app factory: ``create_app(store=None, settings=None, plan_atoms_provider=None, warm_up=False)``.

``store``: a :class:`gridgeo.store.Store` (default: ``open_store(settings.store_url)`` at startup,
closed at shutdown). ``warm_up``: once the store is open, warm the tiles and colours of the
current grid set in the background (:mod:`gridgeo.api.warmup`; ``gridgeo serve`` does, tests
need not). ``settings``: :class:`gridgeo.config.Settings` (default ``get_settings()``).
``plan_atoms_provider(start, store)``: how the plan endpoints build a starting plan (default:
atoms of the default atlas). ``uvicorn gridgeo.api.app:create_app --factory`` builds it from the
environment; ``create_served_app`` is that with the warm-up (what ``gridgeo serve --workers N``
runs in each worker).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import install_error_handlers
from gridgeo.api.group_commit import GroupCommit
from gridgeo.api.routers import ROUTERS
from gridgeo.api.shared_results import SharedResults
from gridgeo.api.state import ServiceState, StoreHolder
from gridgeo.config import Settings, get_settings
from gridgeo.services.grid_index import grid_index
from gridgeo.tiles import TileService


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store and build the grid index before traffic, then start the warm-up when the
    service has one; close an owned store after."""
    service: ServiceState = app.state.service
    store = await run_in_threadpool(service.stores.get)
    version = await run_in_threadpool(store.current_version)
    if version is not None:
        await run_in_threadpool(grid_index, store, version)
    if service.warm_up is not None:
        service.tiles = TileService(store)  # the one the tile router serves from
        service.warm_up.start(store, service.tiles)
    yield
    if service.stores.owned:
        store.close()


def create_app(store: Any = None, settings: Settings | None = None,
               plan_atoms_provider: Callable[[str, Any], Any] | None = None, warm_up: bool = False) -> FastAPI:
    """The event and plan service over ``store`` (see the module docstring)."""
    from gridgeo.api.routers.plans import default_atoms_provider

    settings = settings or get_settings()
    holder = StoreHolder(store, settings)
    app = FastAPI(title="gridgeo events", version="1", lifespan=lifespan, default_response_class=JSONOut,
                  docs_url=None, redoc_url=None, openapi_url=None,  # served by routers.docs, behind read access
                  description="网格化治理 · 群众诉求事件服务 (petition/event intake, lifecycle, risk and grid plans)")
    service = ServiceState(settings=settings, stores=holder, committer=GroupCommit(holder.get),
                           shared_results=SharedResults(settings.result_cache_s),
                           plan_atoms_provider=plan_atoms_provider or default_atoms_provider)
    if warm_up:
        from gridgeo.api.warmup import WarmUp

        service.warm_up = WarmUp()
    app.state.service = service  # typed: routers reach it through gridgeo.api.state.ServiceDep
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    if settings.cors_origins:
        from gridgeo.api.cors import TileCors

        app.add_middleware(TileCors, origins=settings.cors_origins)
    return app


def create_served_app() -> FastAPI:
    """``create_app`` from the environment with the start-up warm-up (``gridgeo serve --workers N``)."""
    return create_app(warm_up=True)
