"""The features the vector tiles draw, per grid set version and tile layer.

``grids`` are the grid set's own polygons; ``communities``, ``streets`` and ``districts`` are
dissolved from them (by ``community_code``, ``street_code`` and the first 6 digits of the grid
code). They are derived ONCE per grid set version and kept in the store's ``tile_features``
table (written in one transaction together with a ``tile_feature_sets`` marker row), so every
process and both backends read the same features and PostGIS can cut tiles with ``ST_AsMVT``.

Every feature has a stable integer id (:func:`feature_id`, the same for the same code in every
version) and the properties ``code`` and ``name``; the browser applies risk colours by id/code.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from gridgeo.geo.crs import WGS84
from gridgeo.store import schema as S

LAYERS: tuple[str, ...] = ("districts", "streets", "communities", "grids")
# tile layer -> (grid column grouping it, attribute of the grids naming it)
AREA_KEYS: dict[str, tuple[str, str]] = {
    "communities": ("community_code", "community_name"),
    "streets": ("street_code", "street_name"),
    "districts": ("district_code", "district_name"),
}
HASHED_BASE = 2 ** 50  # ids of codes that are not plain numbers: [2**50, 2**51), safe in JavaScript


def feature_id(code: str) -> int:
    """A stable integer id for a feature code: the number itself for a plain code of at most
    15 digits without a leading zero (every GB/T-style area code), else a 50-bit hash above them."""
    code = str(code)
    if code.isascii() and code.isdigit() and len(code) <= 15 and (code == "0" or code[0] != "0"):
        return int(code)
    digest = hashlib.blake2b(code.encode("utf-8"), digest_size=8).digest()
    return HASHED_BASE + int.from_bytes(digest, "big") % HASHED_BASE


def _names(grids: pd.DataFrame, key: str, name_col: str, codes: pd.Index) -> pd.Series:
    """An area's name: the grids' ``name_col`` attribute when they carry one, else its code."""
    if name_col in grids:
        named = grids[[key, name_col]].dropna().drop_duplicates(key).set_index(key)[name_col].astype(str)
        return pd.Series(codes, index=codes).map(named).fillna(pd.Series(codes, index=codes))
    return pd.Series(codes, index=codes)


def derive_features(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every tile layer's features of one grid set: layer, code, name, fid and WGS84 geometry.

    The areas are unions of grid pieces: grids are first dissolved per (district, street,
    community), and each area is the union of its pieces, so no union ever sees a whole
    district's grids at once.
    """
    grids = grids.to_crs(WGS84) if grids.crs is not None and grids.crs != WGS84 else grids
    grids = grids.assign(code=grids["code"].astype(str), community_code=grids["community_code"].astype(str),
                         street_code=grids["street_code"].astype(str),
                         district_code=grids["code"].astype(str).str[:6])
    keys = ["district_code", "street_code", "community_code"]
    geoms = grids.geometry.values
    pieces = grids[keys].copy()
    pieces["geometry"] = list(geoms)
    pieces = pieces.groupby(keys, sort=True)["geometry"].agg(lambda g: shapely.union_all(list(g))).reset_index()
    out = [pd.DataFrame({"layer": "grids", "code": grids["code"].to_numpy(),
                         "name": grids["name"].fillna(grids["code"]).astype(str).to_numpy()
                         if "name" in grids else grids["code"].to_numpy(),
                         "geometry": list(geoms)})]
    for layer, (key, name_col) in AREA_KEYS.items():
        merged = pieces.groupby(key, sort=True)["geometry"].agg(lambda g: shapely.union_all(list(g)))
        names = _names(grids, key, name_col, merged.index)
        out.append(pd.DataFrame({"layer": layer, "code": merged.index.to_numpy(),
                                 "name": names.to_numpy(), "geometry": merged.to_numpy()}))
    frame = pd.concat(out, ignore_index=True)
    frame["fid"] = np.array([feature_id(c) for c in frame["code"]], dtype=np.int64)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def features_ready(conn: sa.Connection, version: int) -> bool:
    """True once the features of ``version`` are all stored."""
    query = sa.select(S.tile_feature_sets.c.version).where(S.tile_feature_sets.c.version == version)
    return conn.execute(query).first() is not None


def ensure_features(store: Any, version: int) -> bool:
    """Derive and store the tile features of grid set ``version`` unless they already are;
    True when this call wrote them. Features of versions before the previous one are deleted
    (they are a derived copy; the grid sets themselves stay). Safe when several processes race (the check is repeated
    inside the write transaction: SQLite's is exclusive, PostgreSQL takes an advisory lock)."""
    with store.engine.connect() as conn:
        if features_ready(conn, version):
            return False
    frame = derive_features(store.grid_set(version))
    rows = [{"version": version, "layer": r.layer, "code": r.code, "name": r.name, "fid": int(r.fid), "wkb": w}
            for r, w in zip(frame.itertuples(index=False), shapely.to_wkb(frame.geometry.values), strict=True)]
    with store._write_lock, store.write_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k1, :k2)"), {"k1": 0x7469, "k2": int(version)})
        if features_ready(conn, version):
            return False
        conn.execute(S.tile_features.insert(), rows)
        conn.execute(S.tile_feature_sets.insert().values(version=version, built_at=datetime.now(UTC),
                                                         n_features=len(rows)))
        for table in (S.tile_features, S.tile_feature_sets):  # a derived copy: keep this and the previous
            conn.execute(table.delete().where(table.c.version < version - 1))
    return True


def load_layer(store: Any, version: int, layer: str) -> gpd.GeoDataFrame:
    """The stored features of one layer of ``version`` (code, name, fid, WGS84 geometry)."""
    t = S.tile_features
    query = (sa.select(t.c.code, t.c.name, t.c.fid, t.c.wkb)
             .where(t.c.version == version, t.c.layer == layer).order_by(t.c.code))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows],
                             "fid": np.array([int(r[2]) for r in rows], dtype=np.int64)},
                            geometry=shapely.from_wkb([bytes(r[3]) for r in rows]), crs=WGS84)
