"""The service's shared state, typed: what every router reaches through a dependency.

:func:`gridgeo.api.app.create_app` makes one :class:`ServiceState` (``app.state.service``);
routers take it, or a part of it, as a FastAPI dependency (:data:`ServiceDep`,
:func:`gridgeo.api.deps.get_settings`, :func:`gridgeo.api.deps.get_store`) instead of reading
attributes of ``app.state`` that nothing declares.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from gridgeo.config import Settings
from gridgeo.tiles.colours import ColourHistory

if TYPE_CHECKING:
    from gridgeo.api.change_feed import ChangeFeed
    from gridgeo.api.group_commit import GroupCommit
    from gridgeo.api.shared_results import SharedResults
    from gridgeo.api.warmup import WarmUp
    from gridgeo.plan.repository import PlanRepository
    from gridgeo.tiles import TileService


class StoreHolder:
    """The app's store: given, or opened at startup (or on first use without a lifespan)."""

    def __init__(self, store: Any, settings: Settings):
        self.store, self.settings, self.owned = store, settings, store is None
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The store, opened on first use when the app was made without one."""
        if self.store is None:
            with self._lock:
                if self.store is None:
                    from gridgeo.services.workspace import open_store

                    self.store = open_store(self.settings.store_url)
        return self.store


@dataclass
class ServiceState:
    """Settings, store, intake committer, caches and lazily made services of one app."""

    settings: Settings
    stores: StoreHolder
    committer: GroupCommit
    shared_results: SharedResults
    plan_atoms_provider: Callable[[str, Any], Any]
    warm_up: WarmUp | None = None
    tiles: TileService | None = None
    colour_history: ColourHistory = field(default_factory=ColourHistory)
    plan_repos: dict[int, PlanRepository] = field(default_factory=dict)
    signin: Any = None  # gridgeo.api.signin.SignInState: the sign-in throttle, made on first use
    feed: ChangeFeed | None = None  # the stream's reader of the store's changes, made on first use

    def change_feed(self, store: Any) -> ChangeFeed:
        """The app's change feed over ``store`` (made on first use, or again for another store)."""
        if self.feed is None or self.feed.store is not store:
            from gridgeo.api.change_feed import ChangeFeed

            self.feed = ChangeFeed(store)
        return self.feed

    def tile_service(self, store: Any) -> TileService:
        """The tile service over ``store`` (made on first use, or again for another store)."""
        if self.tiles is None or self.tiles.store is not store:
            from gridgeo.tiles import TileService

            self.tiles = TileService(store)
        return self.tiles

    def plan_repository(self, store: Any) -> PlanRepository:
        """The plan repository over ``store`` (one per store)."""
        if id(store) not in self.plan_repos:
            from gridgeo.plan.repository import PlanRepository

            self.plan_repos[id(store)] = PlanRepository(store)
        return self.plan_repos[id(store)]


def service_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState`."""
    return request.app.state.service


ServiceDep = Annotated[ServiceState, Depends(service_state)]
