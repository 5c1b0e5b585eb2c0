"""Load a whole grid atlas (all layers of one district) from a folder or the embedded default."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd

from gridgeo.atlas.model import Atlas
from gridgeo.config import REPO_ROOT
from gridgeo.errors import InputError
from gridgeo.geo.crs import WGS84


def _embedded_demo_dir() -> Path:
    """Where the embedded demo district lies: ``data/boundaries/`` of the source tree (a checkout
    or an editable install), else the copy that ``pip install .`` puts under
    ``<prefix>/share/gridgeo/boundaries`` (pyproject's data-files)."""
    in_tree = REPO_ROOT / "data" / "boundaries"
    if in_tree.is_dir():
        return in_tree
    return Path(sys.prefix) / "share" / "gridgeo" / "boundaries"


DEFAULT_DATA_DIR = _embedded_demo_dir()

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
