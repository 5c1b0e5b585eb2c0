"""import_atlas: an office's files -> one validated Atlas in WGS84, with a summary of what was found.

Steps: read each file (CRS from the file, ``crs=`` or the coordinate magnitude; text encoding;
fields through the alias table), find parents (code field, code prefix, name, location), derive
missing streets/district, read units (dirty rows to the rejects table), then run the whole atlas
through gridgeo.atlas.validation.validate_atlas. Nothing is stored here (see gridgeo.store.atlases).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.importing.fields import check_field_map
from gridgeo.atlas.importing.result import (
    AREA_LAYERS,
    ImportResult,
    Progress,
)
from gridgeo.atlas.importing.sources import LayerRead, read_source
from gridgeo.errors import UsageError
from gridgeo.geo.crs import WGS84
from gridgeo.i18n import Msg


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
                 field_map: dict | None = None, progress: Progress | None = None,
                 skip_invalid: bool = False) -> ImportResult:
    """Import an office's files as one atlas named ``name`` (not stored; see ImportResult).

    ``sources``: ``communities`` (required), ``streets``, ``grids``, ``district``, ``units``,
    ``service_points`` (a path or a list; halls, centres and stations, see
    gridgeo.atlas.importing.service_points) and ``legacy`` (``{slug: path}``, ``["slug=path", ...]`` or paths whose
    ``layer`` field or file name gives the slug). ``crs``: per layer (``units``, ``grids``, a legacy
    slug or ``legacy``) the CRS of the coordinates when the file does not say it (``GCJ02`` for
    AMap points, ``EPSG:4544`` for GK without zone prefix). ``field_map``: ``{layer: {source:
    canonical}}`` over the alias table. ``progress(stage, fraction)`` is called between steps.
    ``skip_invalid``: rows with errors are left out and listed in ``rejects`` (see
    gridgeo.atlas.importing.rejecting); the summary accounts for every row of each area file.
    Unreadable files and bad arguments raise InputError/UsageError with one line naming the file.
    """
    from gridgeo.atlas.importing.assemble import assemble
    from gridgeo.atlas.importing.codeless import give_codes
    from gridgeo.atlas.importing.codesys import choose_code_systems
    from gridgeo.atlas.importing.content import take_strays
    from gridgeo.atlas.importing.rejecting import finish, skip_rows

    crs = dict(crs or {})
    fmap = check_field_map(field_map or {})
    unknown = sorted(set(sources) - {*AREA_LAYERS, "units", "legacy", "service_points"})
    if unknown:
        raise UsageError(f"unknown source layer(s) {', '.join(unknown)}: use communities, streets, grids, "
                         "district, units, legacy, service_points")
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

    def build(parts: dict[str, LayerRead]) -> ImportResult:
        return assemble(parts, _as_paths(sources.get("units")), _legacy_sources(sources.get("legacy")),
                        name=name, crs=crs, fmap=fmap, tick=tick,
                        point_paths=_as_paths(sources.get("service_points")))

    original = dict(reads)
    reads, strays = take_strays(reads)
    chosen = choose_code_systems(reads) + give_codes(reads)
    result = build(reads)
    if skip_invalid:
        result = skip_rows(result, reads, build)
    return finish(result, original, chosen, strays)


