"""Mapbox Vector Tiles of the current grid set (``GET /tiles/{layer}/{z}/{x}/{y}.pbf``).

- :mod:`gridgeo.tiles.features`: the features per layer (grids; communities, streets and
  districts dissolved from them), derived once per grid set version into ``tile_features``;
- :mod:`gridgeo.tiles.mvt`: cutting one tile (``ST_AsMVT`` on PostGIS, mapbox_vector_tile
  elsewhere), simplified per zoom;
- :mod:`gridgeo.tiles.cache`: the bounded LRU per grid set version, dropped on publish;
- :mod:`gridgeo.tiles.service`: :class:`TileService`, what the API router calls.
"""

from gridgeo.tiles.features import LAYERS, feature_id
from gridgeo.tiles.mvt import TileOutOfRange
from gridgeo.tiles.service import NoGridSet, TileService, UnknownLayer

__all__ = ["LAYERS", "NoGridSet", "TileOutOfRange", "TileService", "UnknownLayer", "feature_id"]
