"""The store a process works on: opened, migrated, and seeded only when it is the demo store.

:func:`open_store` is what commands, the service and the app call. It opens the store with
:func:`gridgeo.store.connect` (persistence only) and then, when the store has no grid set yet,
publishes the synthetic default atlas grids as version 1 if it is the demo store
(:func:`gridgeo.services.active_atlas.is_demo_store`) or if the caller asks for it. A store
opened for real work is never seeded: its grids come from ``gridgeo atlas use NAME``.
"""

from __future__ import annotations

import sqlalchemy as sa

from gridgeo.config import Settings
from gridgeo.services.active_atlas import is_demo_store
from gridgeo.store import Store, connect


def open_store(url: str | None = None, *, seed_default: bool | None = None,
               settings: Settings | None = None) -> Store:
    """Open (and migrate) the store. When it has no grid set yet, publish the synthetic default
    atlas grids as version 1 if ``seed_default`` is True, or, by default (None), only if it is
    the demo store; never if False."""
    store = connect(url, settings=settings)
    empty = seed_default is not False and store.current_version() is None
    if empty and (seed_default or is_demo_store(store, settings)):
        publish_demo_grids(store)
    return store


def publish_demo_grids(store: Store) -> None:
    """Publish the default atlas grids as version 1 unless another process just did."""
    from gridgeo.atlas.load import load_default_atlas
    from gridgeo.store import schema as S

    grids = load_default_atlas().grids
    with store._write_lock, store.write_engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite
        store.lock_schema(conn)
        if conn.execute(sa.select(sa.func.count()).select_from(S.grid_sets)).scalar():
            return
        store.publish_grid_set(grids, author="gridgeo", comment="default atlas grids (synthetic demo data)",
                               conn=conn)
