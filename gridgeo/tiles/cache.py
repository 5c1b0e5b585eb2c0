"""A bounded LRU of encoded tiles for ONE grid set version.

:meth:`TileCache.for_version` is called with the current version before every lookup; when the
version changed (a grid set was published) every cached tile is dropped at once. Bounded both by
tile count and by bytes; thread-safe (the API serves tiles from a thread pool).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class TileCache:
    """LRU of ``key -> bytes`` for the current grid set version (see the module docstring)."""

    def __init__(self, max_tiles: int = 20_000, max_bytes: int = 128 * 2 ** 20):
        self.max_tiles, self.max_bytes = max_tiles, max_bytes
        self.version: int | None = None
        self.extra: dict[str, Any] = {}  # per-version companions (e.g. in-memory layer data)
        self.hits = self.misses = self.bytes = 0
        self._tiles: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._tiles)

    def for_version(self, version: int | None) -> None:
        """Make ``version`` the cached one, dropping everything cached for another version."""
        with self._lock:
            if version != self.version:
                self._tiles.clear()
                self.extra.clear()
                self.bytes = 0
                self.version = version

    def get_or_build(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The cached tile of ``key``, or ``build()`` stored (evicting the least recently used)."""
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
                self.hits += 1
                return tile
            self.misses += 1
        tile = build()  # outside the lock: other tiles are served meanwhile
        with self._lock:
            if key not in self._tiles:
                self._tiles[key] = tile
                self.bytes += len(tile)
            while self._tiles and (len(self._tiles) > self.max_tiles or self.bytes > self.max_bytes):
                _, old = self._tiles.popitem(last=False)
                self.bytes -= len(old)
        return tile
