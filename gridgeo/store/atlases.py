"""Atlases in the store (persistence only): save a version, list, load, and choose the active one.

An atlas is stored as one ``atlases`` row per saved version (name + version are unique, like grid
sets) and its features in ``atlas_features``: per layer a sequence number, the code, the other
attributes as JSON and the geometry as WGS84 WKB (plus a generated PostGIS column). Exactly one
stored atlas version is *active*; :func:`use_atlas` makes one active and publishes its grids as
the store's current grid set in the same transaction.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from gridgeo.atlas.model import COUNT_COLUMNS, Atlas
from gridgeo.config import DEMO_ATLAS
from gridgeo.errors import InputError
from gridgeo.geo.crs import WGS84
from gridgeo.store import schema as S

ATLAS_LOCK_KEY = 0x61746C73  # PostgreSQL advisory lock held while an atlas version is saved ("atls")
LIST_COLUMNS: tuple[str, ...] = ("name", "version", "saved_at", "active", "n_streets", "n_communities",
                                 "n_grids", "n_units", "is_demo", "district_code", "grid_set_version")
_NAME_RE = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff.\-]{0,63}$")
_TEXT_COLUMNS = ("code", "name", "district_code", "street_code", "community_code", "grid_code", "layer", "kind")


class AtlasNotFound(InputError):
    """No stored atlas with that name (or version); the message lists the stored names."""


def check_atlas_name(name: str) -> str:
    """``name`` if usable as an atlas name (1–64 letters, digits, Chinese characters, ``.``, ``-``,
    ``_``; not starting with ``.``/``-``), else InputError saying what to use."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(f"atlas name {name!r}: use 1-64 letters, digits, Chinese characters, '-', '_' or '.' "
                         "(e.g. chengdu-jinjiang)")
    return name


def _json_value(value: Any) -> Any:
    """A JSON-safe scalar: numpy numbers as Python numbers, NaN/NaT/None as None, times as ISO text."""
    if value is None or (not isinstance(value, str | bytes | list | dict) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _feature_rows(atlas: Atlas) -> list[dict]:
    rows: list[dict] = []
    for layer, gdf in atlas.all_layers().items():
        gdf = gdf if gdf.crs is None or gdf.crs == WGS84 else gdf.to_crs(WGS84)
        geom_name = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) and len(gdf.columns) else None
        columns = [c for c in gdf.columns if c != geom_name]
        wkbs = shapely.to_wkb(np.asarray(gdf.geometry.values, dtype=object)) if geom_name else [None] * len(gdf)
        for seq, (values, wkb) in enumerate(zip(gdf[columns].itertuples(index=False, name=None), wkbs,
                                                strict=True)):
            attrs = {c: _json_value(v) for c, v in zip(columns, values, strict=True)}
            code = attrs.get("code")
            rows.append({"layer": layer, "seq": seq, "code": None if code is None else str(code),
                         "attrs": attrs, "wkb": wkb})
    return rows


def _columns_meta(atlas: Atlas) -> dict[str, list[str]]:
    return {layer: [str(c) for c in gdf.columns if c != "geometry"] for layer, gdf in atlas.all_layers().items()}


def save_atlas(store, atlas: Atlas, name: str, *, source: dict | None = None) -> int:
    """Store ``atlas`` (WGS84 layers) as the next version of ``name``; return that version.

    ``source`` (e.g. the import summary and file names) is kept with the version. The new
    version is not made active: see :func:`use_atlas`. Written in one transaction.
    """
    check_atlas_name(name)
    rows = _feature_rows(atlas)
    meta = {k: _json_value(v) if not isinstance(v, dict | list) else v for k, v in (atlas.meta or {}).items()}
    meta["columns"] = _columns_meta(atlas)
    district_code = str(atlas.district["code"].iloc[0]) if len(atlas.district) and "code" in atlas.district else None
    counts = {f"n_{k}": len(getattr(atlas, k)) for k in ("streets", "communities", "grids", "units")}
    with store._write_lock, store.write_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ATLAS_LOCK_KEY})
        t = S.atlases
        version = int(conn.execute(sa.select(sa.func.max(t.c.version)).where(t.c.name == name)).scalar() or 0) + 1
        atlas_id = conn.execute(t.insert().values(
            name=name, version=version, saved_at=datetime.now(UTC), active=False, is_demo=name == DEMO_ATLAS,
            district_code=district_code, meta=meta, source=source or {}, **counts).returning(t.c.id)).scalar_one()
        for r in rows:
            r["atlas_id"] = atlas_id
        for start in range(0, len(rows), 2000):
            conn.execute(S.atlas_features.insert(), rows[start:start + 2000])
    return version


def list_atlases(store) -> pd.DataFrame:
    """Every stored atlas version: name, version, saved_at, active, n_streets, n_communities,
    n_grids, n_units, is_demo, district_code, grid_set_version (ordered by name, version)."""
    t = S.atlases
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[t.c[c] for c in LIST_COLUMNS]).order_by(t.c.name, t.c.version)).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(LIST_COLUMNS))
    frame["saved_at"] = pd.to_datetime(frame["saved_at"], utc=True)
    for col in ("active", "is_demo"):
        frame[col] = frame[col].astype(bool)
    return frame


def _atlas_row(conn: sa.Connection, name: str, version: int | None) -> sa.RowMapping:
    t = S.atlases
    query = sa.select(t).where(t.c.name == name)
    query = query.where(t.c.version == version) if version is not None else query.order_by(t.c.version.desc())
    row = conn.execute(query.limit(1)).mappings().first()
    if row is None:
        names = sorted({r[0] for r in conn.execute(sa.select(t.c.name).distinct())})
        what = f"atlas {name!r}" + (f" version {version}" if version is not None else "")
        raise AtlasNotFound(f"{what} is not in the store; stored atlases: {', '.join(names) or 'none'} "
                            "(import one with `gridgeo atlas import`)")
    return row


def _frame(records: list[dict], wkbs: list, columns: list[str]) -> gpd.GeoDataFrame:
    df = pd.DataFrame(records, columns=columns)
    for col in df.columns:
        if col in _TEXT_COLUMNS or col.endswith("_code"):
            df[col] = [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in df[col]]
        elif col in COUNT_COLUMNS or df[col].map(lambda v: isinstance(v, int | float) or v is None).all():
            converted = pd.to_numeric(df[col], errors="coerce")
            if converted.notna().sum() == df[col].notna().sum():
                df[col] = converted
    geoms = shapely.from_wkb([None if w is None else bytes(w) for w in wkbs]) if wkbs else []
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


def _load_layers(conn: sa.Connection, atlas_id: int, columns: dict[str, list[str]],
                 layers: tuple[str, ...] = Atlas.LAYER_NAMES) -> dict[str, gpd.GeoDataFrame]:
    f = S.atlas_features
    out: dict[str, gpd.GeoDataFrame] = {}
    for layer in layers:
        rows = conn.execute(sa.select(f.c.attrs, f.c.wkb).where(f.c.atlas_id == atlas_id, f.c.layer == layer)
                            .order_by(f.c.seq)).all()
        cols = list(columns.get(layer) or sorted({k for r in rows for k in (r[0] or {})}))
        out[layer] = _frame([r[0] or {} for r in rows], [r[1] for r in rows], cols)
    return out


def load_stored_atlas(store, name: str, version: int | None = None) -> Atlas:
    """The stored atlas ``name`` (its latest version, or ``version``) with every layer in WGS84.

    ``meta`` gets ``atlas_name`` and ``atlas_version``. Raises AtlasNotFound naming what is stored.
    """
    with store.engine.connect() as conn:
        row = _atlas_row(conn, name, version)
        meta = dict(row["meta"] or {})
        columns = meta.pop("columns", {}) or {}
        layers = _load_layers(conn, row["id"], columns,
                              Atlas.LAYER_NAMES + tuple(n for n in Atlas.OPTIONAL_LAYER_NAMES if n in columns))
    meta.update(atlas_name=row["name"], atlas_version=int(row["version"]))
    return Atlas(meta=meta, **layers)


def active_atlas_name(store) -> str | None:
    """Name of the active stored atlas, or None when none was made active (``use_atlas``)."""
    t = S.atlases
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(t.c.name).where(t.c.active).limit(1)).scalar()
    return None if value is None else str(value)


def use_atlas(store, name: str, version: int | None = None) -> int:
    """Make ``name`` (latest version, or ``version``) the active atlas and publish its grids as
    the store's current grid set, in one transaction; return the grid-set version."""
    t = S.atlases
    with store.engine.connect() as conn:
        row = _atlas_row(conn, name, version)
        columns = (row["meta"] or {}).get("columns", {}) or {}
        grids = _load_layers(conn, row["id"], columns, ("grids",))["grids"]
    if not len(grids):
        raise InputError(f"atlas {name!r} version {row['version']} has no grids; import its grids first")
    with store._write_lock, store.write_engine.begin() as conn:
        store.lock_schema(conn)
        grid_version = store.publish_grid_set(grids, author="gridgeo atlas use",
                                              comment=f"atlas {name} v{row['version']}", conn=conn)
        conn.execute(t.update().values(active=False))
        conn.execute(t.update().where(t.c.id == row["id"]).values(active=True, grid_set_version=grid_version))
    return grid_version


def load_stored_layer(store, name: str, layer: str, version: int | None = None) -> gpd.GeoDataFrame:
    """One layer (e.g. ``service_points``) of the stored atlas ``name`` (latest version, or
    ``version``) in WGS84, without reading the others; empty when that version has none."""
    with store.engine.connect() as conn:
        row = _atlas_row(conn, name, version)
        columns = (row["meta"] or {}).get("columns", {}) or {}
        return _load_layers(conn, row["id"], columns, (layer,))[layer]
