"""Which file is which layer: for ``--dir DIR`` and for uploaded files or an unpacked zip.

A file is matched by its name (without extension): the layer names themselves (communities.shp,
grids.geojson, as in data/boundaries), or the Chinese words offices use (社区, 网格, 街道, 区县,
楼栋/台账/小区/单元) and the legacy departments (党建网格 → legacy layer ``party``, 城管 → ``urban``,
see gridgeo.atlas.model.LEGACY_LAYERS). One GeoPackage holding layers named like the atlas layers (as
``gridgeo atlas export --format gpkg`` writes it) serves all of them.
"""

from __future__ import annotations

from pathlib import Path

import pyogrio

from gridgeo.atlas.model import LEGACY_LAYERS

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv")
ATLAS_LAYERS = ("district", "streets", "communities", "grids", "legacy", "units", "service_points")
LIST_LAYERS = ("legacy", "units", "service_points")  # layers that take several files
# checked in this order: service points and legacy departments before 网格, units before 社区 (a
# 社区楼栋台账 is units, a 社区党群服务中心 list is service points)
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("service_points", ("service_points", "服务网点", "网点", "党群服务", "服务站", "服务中心", "综治中心", "阵地")),
    ("units", ("units", "楼栋", "台账", "小区", "单元", "建筑")),
    ("grids", ("grids", "网格")),
    ("communities", ("communities", "社区", "居委")),
    ("streets", ("streets", "街道", "乡镇")),
    ("district", ("district", "区县", "区界", "行政区")),
)
_LEGACY_WORDS = {**{v: k for k, v in LEGACY_LAYERS.items()}, "政法": "comprehensive", "应急": "epidemic",
                 "综合治理": "comprehensive", "封控": "enclosure"}


def layer_of(path: Path) -> tuple[str, str | None] | None:
    """(layer, legacy slug or None) a file's name points to, or None."""
    stem = path.stem.lower()
    if "rejected" in stem or "rejects" in stem:
        return None  # a rejects file written by an earlier import
    if stem == "legacy":
        return "legacy", None
    if stem.startswith("legacy_") or stem.startswith("legacy-"):
        return "legacy", stem[7:] or None
    if any(w in stem for w in _WORDS[0][1]):
        return "service_points", None
    for word, slug in _LEGACY_WORDS.items():
        if word in stem:
            return "legacy", slug
    if stem in LEGACY_LAYERS:
        return "legacy", stem
    for layer, words in _WORDS:
        if any(w in stem for w in words):
            if layer not in ("units", "service_points") and path.suffix.lower() in (".xlsx", ".xlsm"):
                continue  # a workbook of areas cannot be read as shapes
            return layer, None
    return None


def _package_sources(package: Path) -> dict:
    try:
        names = {str(n) for n in pyogrio.list_layers(package)[:, 0]}
    except Exception:
        return {}
    found: dict = {}
    for layer in ATLAS_LAYERS:
        if layer in names:
            found[layer] = [package] if layer in LIST_LAYERS else package
    return found


def find_sources(files: list[Path] | Path, notes: list | None = None) -> dict:
    """``import_atlas`` sources from a folder (searched recursively) or a list of files.

    Area layers map to one path, ``units`` to a list, ``legacy`` to ``(slug, path)`` pairs (slug
    None: the file's ``layer`` field names it). A vector file that is not units or legacy by its
    name is placed by its content (gridgeo.atlas.importing.content: code lengths, field names,
    then the name); ``notes`` (a list) receives a catalogue message per such file saying which
    rule decided. Files nothing places are left out.
    """
    if isinstance(files, Path | str):
        folder = Path(files)
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    files = [Path(f) for f in files if Path(f).suffix.lower() in VECTOR_SUFFIXES + TABLE_SUFFIXES]
    packages = [f for f in files if f.suffix.lower() == ".gpkg"]
    found: dict = _package_sources(packages[0]) if len(packages) == 1 else {}
    loose: dict = {}
    for path in files:
        hit = None if found and path == packages[0] else place(path, notes)
        if hit is None:
            continue
        layer, slug = hit
        if layer == "legacy":
            loose.setdefault("legacy", []).append((slug, path) if slug else path)
        elif layer in ("units", "service_points"):
            loose.setdefault(layer, []).append(path)
        else:
            loose.setdefault(layer, path)
    found.update(loose)  # loose files win over the GeoPackage's layers
    return found


def place(path: Path, notes: list | None = None) -> tuple[str, str | None] | None:
    """(layer, legacy slug or None) of one file by its name and, for an area-layer vector file,
    its content (see find_sources); ``notes`` receives the rule that decided."""
    hit = layer_of(path)
    if path.suffix.lower() in VECTOR_SUFFIXES and (hit is None or hit[0] not in LIST_LAYERS):
        return _by_content(path, hit, notes)
    return hit


def _by_content(path: Path, hit: tuple[str, str | None] | None, notes: list | None) -> tuple[str, None] | None:
    from gridgeo.atlas.importing.content import layer_by_content
    from gridgeo.i18n import Msg

    layer, rule = layer_by_content(path, hit[0] if hit else None)
    if layer is None:
        return None
    if notes is not None:
        notes.append(Msg("sum_layer_rule", {"file": path.name, "layer": Msg(f"lyr_{layer}"), "rule": rule}))
    return layer, None
