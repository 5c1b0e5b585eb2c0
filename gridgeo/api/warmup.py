"""The service's start-up warm-up: what a city's first viewer would otherwise wait for.

Started by the app's lifespan (``create_app(..., warm_up=True)``, what ``gridgeo serve`` runs) in
a thread of its own once the store is open, so the port opens at once and ``/api/v1/health``
says how far it got (``warm_up``: ``running``, ``done`` or ``failed``, with the grid set version,
the tiles built and the seconds taken). For the current grid set version it:

1. derives and stores the areas (streets, communities, districts) the tiles draw
   (:func:`gridgeo.tiles.features.ensure_features`; nothing to do when another process did);
2. cuts the tiles of every tile layer that a map fitted to the whole grid set asks for first
   (:func:`gridgeo.tiles.view.first_view_tiles`: 1080p to 4K screens and the wall's map frame)
   into the app's tile cache, the one the tile router serves from;
3. answers the risk colours once (the aggregates query behind ``/tiles/colours`` and
   ``/api/v1/risk``), so its code and the store's pages are loaded.

The tiles are cached per grid set version as any other: a publish while or after the warm-up
drops them (the warm-up stops when the version moves on), and the next viewer of the new version
gets them built on demand.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from gridgeo.services.grid_index import grid_index
from gridgeo.tiles import LAYERS, TileService
from gridgeo.tiles.view import first_view_tiles


class WarmUp:
    """The warm-up's progress, as ``/api/v1/health`` reports it (see the module docstring)."""

    def __init__(self) -> None:
        self.state = "pending"
        self.version: int | None = None
        self.tiles = 0
        self.seconds: float | None = None
        self.error: str | None = None
        self.finished = threading.Event()

    def as_dict(self) -> dict[str, Any]:
        """``{"state", "version", "tiles", "seconds"[, "error"]}``."""
        out = {"state": self.state, "version": self.version, "tiles": self.tiles, "seconds": self.seconds}
        if self.error:
            out["error"] = self.error
        return out

    def start(self, store: Any, service: TileService) -> threading.Thread:
        """Run :meth:`run` in a daemon thread (it never blocks the app's start)."""
        self.state = "running"
        thread = threading.Thread(target=self.run, args=(store, service), name="gridgeo-warm-up", daemon=True)
        thread.start()
        return thread

    def run(self, store: Any, service: TileService) -> None:
        """Warm ``service`` (and the store) for the current grid set version; never raises."""
        t0 = time.perf_counter()
        self.state = "running"
        try:
            self._warm(store, service)
            self.state = "done"
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only means a slower first viewer
            self.state, self.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            self.seconds = round(time.perf_counter() - t0, 3)
            self.finished.set()

    def _warm(self, store: Any, service: TileService) -> None:
        from gridgeo.analysis.risk import risk_table
        from gridgeo.geo.crs import WGS84
        from gridgeo.tiles import NoGridSet

        try:
            version = self.version = service.current_version()  # derives the areas when needed
        except NoGridSet:
            return  # nothing to warm before the first publish
        grid_index(store, version)
        grids = store.grid_set(version)
        bounds = (grids.to_crs(WGS84) if grids.crs is not None else grids).total_bounds
        for z, x, y in first_view_tiles(tuple(float(v) for v in bounds)):
            for layer in LAYERS:
                if service.cache.version != version:
                    return  # a grid set was published meanwhile: its tiles are built on demand
                service.tile(layer, z, x, y, gzipped=True)
                self.tiles += 1
        risk_table(store, "grid", timedelta(hours=24))
