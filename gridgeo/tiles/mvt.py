"""Cutting one Mapbox Vector Tile (Web Mercator z/x/y, extent 4096) of one layer.

Two builders, same answer: on PostGIS :func:`build_postgis` runs ``ST_AsMVT`` /
``ST_AsMVTGeom`` / ``ST_TileEnvelope`` over the ``tile_features`` rows in the tile; elsewhere
:func:`build_python` clips the layer's features (kept in memory per version, with an STRtree)
and encodes them with ``mapbox_vector_tile``. Both simplify per zoom: Douglas-Peucker with a
tolerance of :data:`SIMPLIFY_UNITS` tile units (half a screen pixel on a 256 px tile) before
the coordinates are snapped to the tile grid, and keep a :data:`BUFFER`-unit margin so the
polygons of neighbouring tiles join without seams. An empty tile is ``b""``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely
import sqlalchemy as sa
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid

EXTENT = 4096
BUFFER = 64
SIMPLIFY_UNITS = 8.0
MAX_ZOOM = 22
WEB_MERCATOR_HALF = 20037508.342789244


class TileOutOfRange(ValueError):
    """z/x/y that names no tile (zoom over MAX_ZOOM, x or y outside 0 .. 2**z - 1)."""


def check_tile(z: int, x: int, y: int) -> None:
    """Raise TileOutOfRange (naming the coordinate) unless z/x/y is a tile."""
    if not 0 <= z <= MAX_ZOOM:
        raise TileOutOfRange(f"z={z}: zoom must be 0 to {MAX_ZOOM}")
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < 2 ** z:
            raise TileOutOfRange(f"{name}={value}: at zoom {z} it must be 0 to {2 ** z - 1}")


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's (minx, miny, maxx, maxy) in EPSG:3857 (what ``ST_TileEnvelope`` gives)."""
    size = 2 * WEB_MERCATOR_HALF / 2 ** z
    minx = -WEB_MERCATOR_HALF + x * size
    maxy = WEB_MERCATOR_HALF - y * size
    return minx, maxy - size, minx + size, maxy


POSTGIS_SQL = sa.text("""
WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS e),
src AS (
  SELECT f.fid, f.code, f.name,
         ST_AsMVTGeom(ST_Simplify(ST_Transform(f.geom, 3857), :tol, true), env.e, :extent, :buffer, true) AS g
  FROM tile_features f, env
  WHERE f.version = :version AND f.layer = :layer
    AND f.geom && ST_Transform(ST_Expand(env.e, :margin), 4326)
    AND (:everywhere OR f.code LIKE ANY(CAST(:prefixes AS text[])) OR f.code = ANY(CAST(:enclosing AS text[])))
)
SELECT ST_AsMVT(src.*, :layer, :extent, 'g', 'fid') FROM src WHERE g IS NOT NULL
""")


def build_postgis(conn: sa.Connection, version: int, layer: str, z: int, x: int, y: int,
                  scopes: tuple[str, ...] = ()) -> bytes:
    """The tile cut by PostGIS (``ST_AsMVT``), ``b""`` when no feature is in it; with ``scopes``
    only the features inside that territory or containing it (gridgeo.access.roles.sees_area)."""
    from gridgeo.access.roles import enclosing_codes

    span = 2 * WEB_MERCATOR_HALF / 2 ** z
    params = {"z": z, "x": x, "y": y, "version": version, "layer": layer, "extent": EXTENT, "buffer": BUFFER,
              "tol": span / EXTENT * SIMPLIFY_UNITS, "margin": span * BUFFER / EXTENT, "everywhere": not scopes,
              "prefixes": [f"{s}%" for s in scopes], "enclosing": list(enclosing_codes(scopes))}
    data = conn.execute(POSTGIS_SQL, params).scalar()
    return bytes(data or b"")


@dataclass
class LayerData:
    """One layer's features in Web Mercator with an STRtree (what :func:`build_python` cuts)."""

    geoms: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    fids: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def from_frame(cls, frame: gpd.GeoDataFrame) -> LayerData:
        """From :func:`gridgeo.tiles.features.load_layer`'s frame (WGS84)."""
        geoms = frame.to_crs(3857).geometry.values.to_numpy() if len(frame) else np.array([], dtype=object)
        return cls(geoms, frame["code"].to_numpy(), frame["name"].to_numpy(), frame["fid"].to_numpy(),
                   shapely.STRtree(geoms))


def build_python(data: LayerData, layer: str, z: int, x: int, y: int, scopes: tuple[str, ...] = ()) -> bytes:
    """The tile cut in Python (shapely + mapbox_vector_tile), ``b""`` when no feature is in it;
    with ``scopes`` only the features inside that territory or containing it."""
    from gridgeo.access.roles import sees_area

    bounds = tile_bounds(z, x, y)
    margin = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    clip = (bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin)
    idx = np.sort(data.tree.query(shapely.box(*clip)))
    if scopes:
        idx = idx[np.array([sees_area(scopes, str(c)) for c in data.codes[idx]], dtype=bool)]
    if not len(idx):
        return b""
    span = bounds[2] - bounds[0]
    geoms = shapely.simplify(shapely.clip_by_rect(data.geoms[idx], *clip), span / EXTENT * SIMPLIFY_UNITS,
                             preserve_topology=True)
    # to tile units (y down) snapped to the integer grid: GEOS keeps the result valid, so the
    # encoder has nothing to repair
    scale = EXTENT / span
    geoms = shapely.set_precision(
        shapely.transform(geoms, lambda c: (c - [bounds[0], bounds[3]]) * [scale, -scale]), 1.0)
    # exterior rings positive by the surveyor's formula in tile units (the MVT rule), done here
    # for all features at once instead of feature by feature in the encoder
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    keep = ~shapely.is_empty(geoms)
    features = [{"geometry": g, "id": int(f), "properties": {"code": str(c), "name": str(n)}}
                for g, f, c, n in zip(geoms[keep], data.fids[idx][keep], data.codes[idx][keep],
                                      data.names[idx][keep], strict=True)]
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        [{"name": layer, "features": features}],
        default_options={"y_coord_down": True, "extents": EXTENT, "check_winding_order": False,
                         "on_invalid_geometry": on_invalid_geometry_make_valid})
