"""Read one office file into canonical fields: CRS (declared, given or detected), encoding, field names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.importing.detect import detect_crs, file_crs, looks_projected
from gridgeo.atlas.importing.fields import recognise_fields
from gridgeo.atlas.importing.limits import check_file, check_frame
from gridgeo.atlas.importing.multipart import FILE, ROW
from gridgeo.atlas.io import read_layer
from gridgeo.i18n import Msg

CODE_FIELDS = ("code", "district_code", "street_code", "community_code")
TEXT_FIELDS = ("name", "district_name", "street_name", "community_name", "layer", "kind", "address",
               "grid_worker", "party_branch")


@dataclass
class LayerRead:
    """One file read: the frame in canonical fields (WGS84) and what was found out about it
    (``crs_note`` and ``notes``: catalogue messages, or plain text such as "WGS84")."""

    path: Path
    frame: gpd.GeoDataFrame
    mapping: dict[str, str]
    encoding: str | None = None
    crs_note: Msg | str = ""
    notes: list[Msg | str] = field(default_factory=list)


def _crs_label(crs) -> str:
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else crs.name


def resolve_crs(path: Path, layer: str, given: str | None) -> tuple[str | None, Msg | str]:
    """(crs to pass to read_layer, how the CRS was known: a catalogue message) for a vector file."""
    if given:
        return given, Msg("src_crs_given", {"crs": given, "layer": layer})
    if path.suffix.lower() == ".csv":
        return None, ""  # read_layer refuses it with its own message unless it has a crs column
    own = file_crs(path, layer)
    if own is not None and not (own.is_geographic and looks_projected(path, layer)):
        key = "src_crs_prj" if path.suffix.lower() == ".shp" else "src_crs_file"
        return None, Msg(key, {"crs": _crs_label(own), "name": own.name})
    crs, how = detect_crs(path, layer, f"--crs {layer}")
    if own is not None:  # e.g. GeoJSON without a crs member holding metres: "WGS84" by RFC 7946
        how = Msg(how.key, {**how.params, "why": Msg("src_file_says", {"crs": _crs_label(own)})})
    return crs, how


def text_codes(series: pd.Series) -> pd.Series:
    """Codes as text: "5101070010" stays, 510107001.0 becomes "510107001", blanks become None."""
    out = []
    for v in series.astype(object):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            text = str(v).strip()
            out.append(text or None)
    return pd.Series(out, index=series.index, dtype=object)


def _unclash(columns, mapping: dict[str, str], ignored: list[str]) -> dict[str, str]:
    """Renames for unmapped fields that bear a mapped field's target name (an office ``name``
    column while 网格名称 is mapped to name): kept as ``name_src``, so no two columns share a name."""
    targets = {str(t).casefold() for t in mapping.values()}
    taken = {str(c).casefold() for c in columns} | targets
    out: dict[str, str] = {}
    for col in columns:
        if col in mapping or col in ignored or col == "geometry" or str(col).casefold() not in targets:
            continue
        new = f"{col}_src"
        while new.casefold() in taken:
            new += "_"
        taken.add(new.casefold())
        out[col] = new
    return out


def canonical_frame(gdf: gpd.GeoDataFrame, mapping: dict[str, str], overrides: dict[str, str]) -> gpd.GeoDataFrame:
    """Rename recognised fields, drop ignored ones, normalise code and text cells."""
    ignored = [c for c, v in overrides.items() if not v and c in gdf.columns]
    out = gdf.drop(columns=ignored).rename(columns=_unclash(gdf.columns, mapping, ignored) | mapping)
    for col in out.columns:
        if col in CODE_FIELDS:
            out[col] = text_codes(out[col])
        elif col == "provisional":  # written back by an export as 1/0, True/False or 是/否
            out[col] = [str(v).strip().casefold() in ("1", "true", "t", "yes", "y", "是") for v in out[col].astype(object)]
        elif col in TEXT_FIELDS:
            out[col] = [None if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip()
                        else str(v).strip() for v in out[col].astype(object)]
    return out


def read_source(path: str | Path, layer: str, crs: str | None, overrides: dict[str, str] | None) -> LayerRead:
    """Read one vector file of ``layer`` in WGS84 with its fields renamed to canonical ones."""
    path = Path(path)
    check_file(path)  # hostile sizes refused before anything heavy
    given, how = resolve_crs(path, layer, crs)
    gdf = read_layer(path, kind=layer, crs=given)
    check_frame(path, gdf.geometry.values)
    encoding = gdf.attrs.get("encoding")
    overrides = overrides or {}
    mapping = recognise_fields(list(gdf.columns), layer, overrides)
    frame = canonical_frame(gdf, mapping, overrides)
    frame[ROW] = np.arange(1, len(frame) + 1)  # the file's own row numbers, for merges and rejects
    frame[FILE] = str(path)
    read = LayerRead(path, frame, mapping, encoding, how or "WGS84")
    if path.suffix.lower() == ".shp":
        has_cpg = any(path.with_suffix(s).exists() for s in (".cpg", ".CPG"))
        if encoding is None:
            read.notes.append(Msg("src_text_dbf"))
        else:
            read.notes.append(Msg("src_text" if has_cpg else "src_text_detected", {"enc": encoding}))
    return read
