"""import_atlas: an office's files -> one validated Atlas in WGS84, with a summary of what was found.

Steps: read each file (CRS from the file, ``crs=`` or the coordinate magnitude; text encoding;
fields through the alias table), find parents (code field, code prefix, name, location), derive
missing streets/district, read units (dirty rows to the rejects table), then run the whole atlas
through gridgeo.atlas.validation.validate_atlas. Nothing is stored here (see gridgeo.store.atlases).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.importing.fields import check_field_map
from gridgeo.atlas.importing.sources import LayerRead, read_source
from gridgeo.atlas.model import Atlas
from gridgeo.atlas.validation import Problem, repair_geometries, validate_atlas
from gridgeo.config import gk3_zone_epsg
from gridgeo.errors import InputError, UsageError
from gridgeo.geo.crs import WGS84
from gridgeo.i18n import Msg, word

Progress = Callable[[str, float], None]
AREA_LAYERS = ("district", "streets", "communities", "grids")
# checks that describe imperfect geometry rather than broken data: importable with accept_warnings
WARNING_CHECKS = frozenset({"gap", "overlap", "outside_parent"})
REJECT_COLUMNS = ("file", "row", "field", "value", "reason")


@dataclass
class ImportResult:
    """What import_atlas found: the atlas (WGS84), validation problems, summary lines (English text
    in ``summary``, the same lines as catalogue messages in ``summary_msgs`` for the page), the field
    mapping per layer ({source field: canonical}) and the rejected unit rows."""

    atlas: Atlas | None
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    summary_msgs: list[Msg] = field(default_factory=list)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REJECT_COLUMNS)))

    @property
    def errors(self) -> list[Problem]:
        """Problems that forbid storing the atlas."""
        return [p for p in self.problems if p.check not in WARNING_CHECKS]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that may be accepted explicitly (gaps, overlaps, parts outside the parent)."""
        return [p for p in self.problems if p.check in WARNING_CHECKS]

    @property
    def ok(self) -> bool:
        """True when the atlas has no errors (it may still have warnings)."""
        return self.atlas is not None and not self.errors

    def layer_of(self, problem: Problem) -> str | None:
        """The atlas layer a problem is about (from its file), e.g. to highlight it on a map."""
        sources = (self.atlas.meta.get("sources") or {}) if self.atlas is not None else {}
        return next((layer for layer, src in sources.items() if src == problem.file), None)

    def storable(self, accept_warnings: bool = False) -> bool:
        """True when the atlas may be stored: no errors, and no warnings unless accepted."""
        return self.ok and (accept_warnings or not self.warnings)


def _as_paths(value) -> list[Path]:
    if value is None:
        return []
    return [Path(v) for v in value] if isinstance(value, list | tuple) else [Path(value)]


def _legacy_sources(value) -> list[tuple[str | None, Path]]:
    """Legacy files as (layer slug or None, path) from a dict, "slug=path" texts, pairs or paths."""
    if value is None:
        return []
    items = value.items() if isinstance(value, dict) else value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2:
            out.append((str(item[0]), Path(item[1])))
        elif isinstance(item, str) and "=" in item and not Path(item).exists():
            slug, _, path = item.partition("=")
            out.append((slug.strip(), Path(path.strip())))
        else:
            out.append((None, Path(item)))
    return out


def _read_layer_files(paths: list[Path], layer: str, crs: str | None, overrides: dict | None) -> LayerRead:
    reads = [read_source(p, layer, crs, overrides) for p in paths]
    if len(reads) == 1:
        return reads[0]
    frame = gpd.GeoDataFrame(pd.concat([r.frame for r in reads], ignore_index=True), crs=WGS84)
    mapping = {k: v for r in reads for k, v in r.mapping.items()}
    return LayerRead(reads[0].path, frame, mapping, reads[0].encoding, reads[0].crs_note,
                     [Msg("src_file_note", {"file": r.path.name, "note": r.crs_note}) for r in reads])


def import_atlas(sources: dict[str, Path | list], *, name: str, crs: dict[str, str] | None = None,
                 field_map: dict | None = None, progress: Progress | None = None) -> ImportResult:
    """Import an office's files as one atlas named ``name`` (not stored; see ImportResult).

    ``sources``: ``communities`` (required), ``streets``, ``grids``, ``district``, ``units`` (a
    path or a list) and ``legacy`` (``{slug: path}``, ``["slug=path", ...]`` or paths whose
    ``layer`` field or file name gives the slug). ``crs``: per layer (``units``, ``grids``, a legacy
    slug or ``legacy``) the CRS of the coordinates when the file does not say it (``GCJ02`` for
    AMap points, ``EPSG:4544`` for GK without zone prefix). ``field_map``: ``{layer: {source:
    canonical}}`` over the alias table. ``progress(stage, fraction)`` is called between steps.
    Unreadable files and bad arguments raise InputError/UsageError with one line naming the file.
    """
    from gridgeo.atlas.importing.assemble import assemble

    crs = dict(crs or {})
    fmap = check_field_map(field_map or {})
    unknown = sorted(set(sources) - {*AREA_LAYERS, "units", "legacy"})
    if unknown:
        raise UsageError(f"unknown source layer(s) {', '.join(unknown)}: use communities, streets, grids, "
                         "district, units, legacy")
    if not _as_paths(sources.get("communities")):
        raise UsageError("communities are required: give the community boundaries file (--communities F)")

    def tick(stage: str, frac: float) -> None:
        if progress:
            progress(stage, frac)

    reads: dict[str, LayerRead] = {}
    for i, layer in enumerate(AREA_LAYERS):
        paths = _as_paths(sources.get(layer))
        if paths:
            tick(f"read {layer}", i / 8)
            reads[layer] = _read_layer_files(paths, layer, crs.get(layer), fmap.get(layer))
    return assemble(reads, _as_paths(sources.get("units")), _legacy_sources(sources.get("legacy")),
                    name=name, crs=crs, fmap=fmap, tick=tick)


def validate_imported(atlas: Atlas, sources: dict[str, str]) -> list[Problem]:
    """The whole atlas through gridgeo.atlas.validation (grids, legacy and units may be absent)."""
    return validate_atlas(atlas, sources=sources, optional=("grids", "legacy", "units"))


def repair(frame: gpd.GeoDataFrame, kind: str) -> tuple[gpd.GeoDataFrame, int]:
    """Fix invalid polygons with make_valid (counted in the summary)."""
    return repair_geometries(frame, kind)


def metric_crs_of(atlas: Atlas) -> str:
    """The CGCS2000 3-degree GK zone (no prefix) whose central meridian is nearest the atlas."""
    frame = atlas.district if len(atlas.district) else atlas.communities
    lon = float(frame.to_crs(WGS84).union_all().centroid.x)
    return f"EPSG:{gk3_zone_epsg(lon)}"


def base_meta(name: str) -> dict:
    """Provenance fields every imported atlas carries."""
    return {"name": name, "synthetic": False, "crs": "EPSG:4326",
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds")}


def require(frame: gpd.GeoDataFrame, col: str, path: Path, layer: str) -> None:
    """InputError when a layer lacks a field it cannot do without."""
    if col not in frame.columns:
        raise InputError(Msg("err_no_field", {"path": str(path), "file": Path(path).name, "col": word("fld_", col), "layer": word("lyr_", layer)}))
