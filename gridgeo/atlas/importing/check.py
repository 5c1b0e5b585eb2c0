"""``gridgeo validate`` read as the import reads: the same alias table, discovery and rules.

``as_import(frame, kind)`` gives a layer read for validation the import's view of it: fields
recognised through the alias table, rows that are parts of one feature dissolved, and the parent
code taken from the code prefix where the file gives none (a grid code 440311001001003 names its
community 440311001001). ``import_folder(folder)`` is what ``gridgeo atlas import --dir`` would do.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.importing.codeless import give_codes
from gridgeo.atlas.importing.fields import ALIASES, recognise_fields
from gridgeo.atlas.importing.multipart import merge_parts
from gridgeo.atlas.importing.sources import LayerRead, canonical_frame
from gridgeo.atlas.model import CODE_LENGTHS, is_division_code
from gridgeo.atlas.validation.kinds import PARENTS


def as_import(frame: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """``frame`` (one file of ``kind``) as the import would see it; see the module docstring."""
    if kind not in ALIASES:
        return frame
    out = canonical_frame(frame, recognise_fields(list(frame.columns), kind), {})
    out.attrs = dict(frame.attrs)
    if kind in CODE_LENGTHS:
        out, _ = merge_parts(out)
        if "code" not in out.columns or out["code"].isna().all():  # names only: provisional codes
            read = LayerRead(Path(), out, {})
            give_codes({kind: read})
            out = read.frame
    parent_kind, col = PARENTS.get(kind, (None, None))
    if "code" in out.columns and parent_kind in CODE_LENGTHS:
        n = CODE_LENGTHS[parent_kind]
        prefix = out["code"].map(lambda c: c[:n] if is_division_code(kind, c) else None)
        if prefix.notna().any():
            given = out[col] if col in out.columns else pd.Series(None, index=out.index, dtype=object)
            out[col] = given.where(given.notna(), prefix)
    return out


def is_atlas_folder(folder: Path) -> bool:
    """True for a folder laid out like data/boundaries (any ``<layer>.geojson``): validated as it is."""
    from gridgeo.atlas.load import LAYER_FILES

    return any((folder / f"{stem}.geojson").exists() for stem in LAYER_FILES.values())


def import_folder(folder: Path):
    """(ImportResult, discovery notes) of importing ``folder`` as ``atlas import --dir`` would."""
    from gridgeo.atlas.importing.discover import find_sources
    from gridgeo.atlas.importing.pipeline import import_atlas
    from gridgeo.errors import UsageError

    notes: list = []
    sources = find_sources(folder, notes)
    if "communities" not in sources:
        raise UsageError(f"{folder}: no communities file found (by name or content); name it 社区.shp or "
                         "communities.geojson, or validate each file on its own")
    return import_atlas(sources, name="validate"), notes


def kind_by_content(path: Path) -> tuple[str | None, str]:
    """The layer a file holds by its content (gridgeo.atlas.importing.content), and how it was told."""
    from gridgeo.atlas.importing.content import layer_by_content

    kind, rule = layer_by_content(path, None)
    return kind, f"guessed {rule.render('en')}"
