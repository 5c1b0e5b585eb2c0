"""Bounds on hostile or runaway files, checked before the heavy work (Settings ``import_max_*``).

- features per file: from the file's header (``pyogrio.read_info``), before reading it;
- vertices per feature and in all: for a shapefile from its .shp record headers (numPoints, read
  record by record: bounded memory, no geometry built), for other formats right after reading,
  before any repair or check;
- an uploaded zip: the expanded size and the number of members, from its directory, before
  extracting anything (``check_zip``; Python's zipfile never yields more than a member declares).

Over a limit: InputError with one line naming the file, what was counted, the limit and the
setting (GRIDGEO_IMPORT_MAX_...) that holds it.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from gridgeo.config import Settings, get_settings
from gridgeo.errors import InputError
from gridgeo.i18n import Msg

_WITH_POINTS = {3, 5, 8, 13, 15, 18, 23, 25, 28, 31}  # shape types whose record carries numPoints


def _refuse(path: Path, what: str, n: int, limit: int, setting: str) -> InputError:
    return InputError(Msg("err_limit", {"path": str(path), "file": path.name, "what": Msg(f"lim_{what}"),
                                        "n": f"{n:,}", "limit": f"{limit:,}", "setting": setting}))


def feature_count(path: Path) -> int | None:
    """Features a vector file declares (None when the driver cannot tell without reading)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            n = pyogrio.read_info(path).get("features")
    except Exception:
        return None
    return int(n) if n is not None and n >= 0 else None


def shp_vertices(path: Path, per_feature: int, total: int) -> tuple[int, int]:
    """(largest numPoints of a record, sum of numPoints) of a .shp, stopping early past a limit."""
    biggest = summed = 0
    with open(path, "rb") as f:
        f.seek(100)
        while True:
            head = f.read(8)
            if len(head) < 8:
                break
            length = struct.unpack(">i", head[4:])[0] * 2
            body = f.read(min(length, 44))
            if len(body) >= 4 and struct.unpack("<i", body[:4])[0] in _WITH_POINTS:
                if struct.unpack("<i", body[:4])[0] in (8, 18, 28):  # multipoint: numPoints after the box
                    n = struct.unpack("<i", body[36:40])[0] if len(body) >= 40 else 0
                else:
                    n = struct.unpack("<i", body[40:44])[0] if len(body) >= 44 else 0
                biggest, summed = max(biggest, n), summed + n
                if biggest > per_feature or summed > total:
                    break
            f.seek(length - len(body), 1)
    return biggest, summed


HEADER_COUNT_FROM = 64 * 1024 * 1024  # a GeoJSON is parsed whole to count: only worth it when big


def check_file(path: Path, settings: Settings | None = None) -> None:
    """Refuse a file over the feature or (shapefile) vertex limits before it is read. A GeoJSON
    under 64 MB is counted after reading (``check_frame``): GDAL parses it whole to count it."""
    s = settings or get_settings()
    small_json = path.suffix.lower() in (".geojson", ".json") and path.stat().st_size < HEADER_COUNT_FROM
    n = None if small_json else feature_count(path)
    if n is not None and n > s.import_max_features:
        raise _refuse(path, "features", n, s.import_max_features, "GRIDGEO_IMPORT_MAX_FEATURES")
    if path.suffix.lower() == ".shp":
        biggest, summed = shp_vertices(path, s.import_max_vertices_per_feature, s.import_max_vertices)
        _check_vertices(path, biggest, summed, s)


def _check_vertices(path: Path, biggest: int, summed: int, s: Settings) -> None:
    if biggest > s.import_max_vertices_per_feature:
        raise _refuse(path, "vertices_one", biggest, s.import_max_vertices_per_feature,
                      "GRIDGEO_IMPORT_MAX_VERTICES_PER_FEATURE")
    if summed > s.import_max_vertices:
        raise _refuse(path, "vertices", summed, s.import_max_vertices, "GRIDGEO_IMPORT_MAX_VERTICES")


def check_frame(path: Path, geoms, settings: Settings | None = None) -> None:
    """Refuse a read layer over the feature or vertex limits (before repair and validation)."""
    s = settings or get_settings()
    values = np.asarray(geoms, dtype=object)
    if len(values) > s.import_max_features:
        raise _refuse(path, "features", len(values), s.import_max_features, "GRIDGEO_IMPORT_MAX_FEATURES")
    counts = shapely.get_num_coordinates(values) if len(values) else np.zeros(0, dtype=int)
    _check_vertices(path, int(counts.max()) if len(counts) else 0, int(counts.sum()), s)


def check_zip(zf: zipfile.ZipFile, name: str, settings: Settings | None = None) -> None:
    """Refuse a zip whose members would expand past the size or file-count limit."""
    s = settings or get_settings()
    members = [i for i in zf.infolist() if not i.is_dir()]
    if len(members) > s.import_max_zip_files:
        raise _refuse(Path(name), "zip_files", len(members), s.import_max_zip_files, "GRIDGEO_IMPORT_MAX_ZIP_FILES")
    size = sum(i.file_size for i in members)
    if size > s.import_max_zip_bytes:
        raise _refuse(Path(name), "zip_bytes", size, s.import_max_zip_bytes, "GRIDGEO_IMPORT_MAX_ZIP_BYTES")
