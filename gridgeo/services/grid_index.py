"""The point → grid index of each published grid set, built once per store and version.

Intake, the planner's regrid and the service's warm-up all assign points with the same
:class:`gridgeo.events.assign.GridIndex`; building one costs a read of the grid set and a
spatial index, so it is kept here, per store, until the store is garbage-collected.
"""

from __future__ import annotations

import threading
import weakref

from gridgeo.events.assign import GridIndex
from gridgeo.store import Store

_lock = threading.Lock()
_indexes: weakref.WeakKeyDictionary[Store, dict[int, GridIndex]] = weakref.WeakKeyDictionary()


def grid_index(store: Store, version: int) -> GridIndex:
    """The :class:`GridIndex` of grid set ``version`` of ``store`` (built on first use)."""
    with _lock:
        per_store = _indexes.setdefault(store, {})
        if version not in per_store:
            per_store[version] = GridIndex(store.grid_set(version))
        return per_store[version]
