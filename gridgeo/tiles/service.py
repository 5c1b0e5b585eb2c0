"""Serving tiles of the current grid set: :class:`TileService` ties the features, the two
builders and the per-version cache together (the API holds one per app)."""

from __future__ import annotations

import gzip
import threading
from typing import Any

from gridgeo.tiles.cache import TileCache
from gridgeo.tiles.features import LAYERS, ensure_features, load_layer
from gridgeo.tiles.mvt import LayerData, build_postgis, build_python, check_tile


class UnknownLayer(LookupError):
    """A tile layer name that is not one of LAYERS."""


class NoGridSet(LookupError):
    """No grid set has been published yet."""


class TileService:
    """Tiles of the current grid set of ``store``, cached per version (dropped on publish)."""

    def __init__(self, store: Any, cache: TileCache | None = None, version_max_age: float = 1.0):
        self.store = store
        self.cache = cache or TileCache()
        self.version_max_age = version_max_age  # another process's publish shows within this many s
        self._build_lock = threading.Lock()

    def current_version(self) -> int:
        """The current grid set version, its features derived and stored (NoGridSet before any)."""
        version = self.store.current_version(max_age=self.version_max_age)
        if version is None:
            raise NoGridSet("no grid set published yet: publish one, then ask for tiles")
        self.cache.for_version(version)
        if "ready" not in self.cache.extra:
            with self._build_lock:  # one derivation per process and version
                if "ready" not in self.cache.extra:
                    ensure_features(self.store, version)
                    self.cache.extra["ready"] = True
        return version

    def tile(self, layer: str, z: int, x: int, y: int, gzipped: bool = False,
             scopes: tuple[str, ...] = ()) -> tuple[int, bytes]:
        """(version, MVT bytes) of one tile, gzip-compressed with ``gzipped``; ``b""`` when it is
        empty. Raises UnknownLayer, TileOutOfRange (:mod:`gridgeo.tiles.mvt`) or NoGridSet.
        ``scopes``: a caller's territory codes; only its features (and the areas around it).

        The cache keeps tiles compressed (MVT compresses about 3.5x), so it holds more of them
        and a browser's request is answered with the cached bytes as they are."""
        if layer not in LAYERS:
            raise UnknownLayer(f"layer {layer!r}: use one of {', '.join(LAYERS)}")
        check_tile(z, x, y)
        version = self.current_version()
        key = (version, layer, z, x, y, *((scopes,) if scopes else ()))
        packed = self.cache.get_or_build(key, lambda: _gzip(self._build(version, layer, z, x, y, scopes)))
        return version, packed if gzipped or not packed else gzip.decompress(packed)

    def _build(self, version: int, layer: str, z: int, x: int, y: int, scopes: tuple[str, ...] = ()) -> bytes:
        if self.store.backend == "postgresql":
            with self.store.engine.connect() as conn:
                return build_postgis(conn, version, layer, z, x, y, scopes)
        return build_python(self._layer_data(version, layer), layer, z, x, y, scopes)

    def _layer_data(self, version: int, layer: str) -> LayerData:
        key = f"layer:{layer}"
        data = self.cache.extra.get(key)
        if data is None:
            with self._build_lock:
                data = self.cache.extra.get(key)
                if data is None:
                    data = LayerData.from_frame(load_layer(self.store, version, layer))
                    if self.cache.version == version:
                        self.cache.extra[key] = data
        return data


def _gzip(data: bytes) -> bytes:
    """``data`` gzip-compressed (reproducibly: no timestamp); empty stays empty."""
    return gzip.compress(data, compresslevel=6, mtime=0) if data else b""
