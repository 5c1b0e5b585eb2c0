"""Load a whole grid atlas (all layers of one district) from a folder or the embedded default."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from gridgeo.atlas.model import Atlas
from gridgeo.errors import InputError
from gridgeo.geo.crs import WGS84

REPO_ROOT = Path(__file__).resolve().parents[2]  # gridgeo/atlas/load.py -> the repository
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "boundaries"

# file name (without .geojson) for each atlas layer
LAYER_FILES: dict[str, str] = {
    "district": "district",
    "streets": "streets",
    "communities": "communities",
    "grids": "grids",
    "legacy": "legacy",
    "units": "units",
}


def load_atlas(folder: str | Path) -> Atlas:
    """Read every layer of an atlas folder (``<layer>.geojson`` files plus ``meta.json``).

    Each layer is returned in WGS84. Raises InputError naming the missing file.
    """
    folder = Path(folder)
    frames: dict[str, gpd.GeoDataFrame] = {}
    for name, stem in LAYER_FILES.items():
        path = folder / f"{stem}.geojson"
        if not path.exists():
            raise InputError(f"{path}: missing atlas layer {name!r}; run `gridgeo demo-data --out {folder}`")
        gdf = gpd.read_file(path, engine="pyogrio")
        if gdf.crs is None:
            raise InputError(f"{path}: no CRS declared; atlas layers must be stored in WGS84")
        frames[name] = gdf.to_crs(WGS84) if gdf.crs != WGS84 else gdf
        for col in ("code", "district_code", "street_code", "community_code"):
            if col in frames[name].columns:
                frames[name][col] = frames[name][col].astype(str)
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return Atlas(meta=meta, **frames)


def load_default_atlas() -> Atlas:
    """The embedded default dataset in data/boundaries/ (synthetic inside the real outline)."""
    return load_atlas(DEFAULT_DATA_DIR)
