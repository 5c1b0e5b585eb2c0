"""Which layer a file holds, told from its content as well as its name; rows of another schema.

Offices name files loosely (``grid-网格.geojson`` holding the communities). ``layer_by_content``
reads a file's attributes (no geometry) and decides, in this order, saying which rule decided:

1. the code lengths: the most common length of the code field's values (6 district, 9 street,
   12 community, 15 or more grid);
2. the file name (gridgeo.atlas.importing.discover.layer_of);
3. the field names: which layer's own code/name aliases the file carries (网格编码 → grids,
   街道名称 → streets), for a file whose name says nothing.

``split_strays`` takes out the rows of another schema a file holds among its own (a few grid rows
in a communities file): rows whose recognised fields are all blank while other fields are filled.
They go to the rejects with that reason.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyogrio

from gridgeo.atlas.importing.fields import ALIASES, _norm
from gridgeo.atlas.importing.multipart import FILE, ROW
from gridgeo.atlas.importing.sources import LayerRead, text_codes
from gridgeo.atlas.model import CODE_LENGTHS
from gridgeo.atlas.validation import Problem
from gridgeo.i18n import Msg

AREA = ("grids", "communities", "streets", "district")
_BY_LENGTH = {6: "district", 9: "streets", 12: "communities"}


def _attributes(path: Path) -> pd.DataFrame | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_dataframe(path, read_geometry=False)
    except Exception:
        return None  # unreadable: the import reports it with its own message


def _own_fields(columns: list[str]) -> str | None:
    """The layer whose own (non-generic) code or name aliases name the most of ``columns``."""
    norms = {_norm(c) for c in columns}
    scores = {}
    for layer in AREA:
        own = {_norm(a) for key in ("code", "name") for a in ALIASES[layer][key]}
        for other in AREA:  # an alias other layers also use (SQMC: a grid's community) says nothing
            if other != layer:
                own -= {_norm(a) for aliases in ALIASES[other].values() for a in aliases}
        scores[layer] = len(norms & own)
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] and list(scores.values()).count(scores[best]) == 1 else None


def _by_code_length(table: pd.DataFrame) -> str | None:
    from gridgeo.atlas.importing.fields import recognise_fields

    parents: set[str] = set()  # fields a lower layer reads as its parent's code (a grid's 社区编码)
    for layer in AREA:
        mapping = recognise_fields(list(table.columns), layer)
        src = next((s for s, c in mapping.items() if c == "code"), None)
        if src is None:
            parents |= {s for s, c in mapping.items() if c.endswith("_code")}
            continue
        codes = text_codes(table[src]).dropna()
        if src in parents and codes.nunique() * 2 <= len(codes):
            continue  # a parent code repeated on its children's rows, not this file's own code
        digits = codes[codes.str[:6].str.isdigit()]
        if len(digits) >= max(1, len(codes) // 2):
            n = int(digits.str.len().mode().iloc[0])
            return _BY_LENGTH.get(n, "grids" if n >= CODE_LENGTHS["grids"] else None)
    return None


def layer_by_content(path: Path, by_name: str | None) -> tuple[str | None, Msg]:
    """(layer, the rule that decided as a catalogue message) for an area-layer file."""
    table = _attributes(path)
    if table is not None and len(table):
        layer = _by_code_length(table)
        if layer:
            return layer, Msg("rule_code_length")
        if by_name is None:
            layer = _own_fields(list(table.columns))
            if layer:
                return layer, Msg("rule_fields")
    return by_name, Msg("rule_name")


def split_strays(read: LayerRead, layer: str) -> tuple[LayerRead, dict[tuple[str, int], Problem]]:
    """The read without rows of another schema, and those rows as (file, row) -> Problem."""
    frame = read.frame
    own = [c for c in set(read.mapping.values()) if c in frame.columns]
    other = [c for c in frame.columns if c not in own and c not in (ROW, FILE, frame.geometry.name)]
    if not own or not other:
        return read, {}
    blank = frame[own].isna().all(axis=1)
    filled = frame[other].notna() & (frame[other].astype(str).apply(lambda s: s.str.strip()) != "")
    stray = blank & filled.any(axis=1)
    if not stray.any() or stray.all():
        return read, {}
    out = {}
    for i in stray[stray].index:
        fields = ", ".join(c for c in other if filled.loc[i, c])
        out[(str(frame.at[i, FILE]), int(frame.at[i, ROW]))] = Problem(
            str(frame.at[i, FILE]), int(frame.at[i, ROW]), Msg("imp_stray", {"fields": fields, "layer": Msg(f"lyr_{layer}")}),
            Msg("imp_stray_hint"), "stray_row")
    return LayerRead(read.path, frame[~stray], read.mapping, read.encoding, read.crs_note, read.notes), out


def take_strays(reads: dict[str, LayerRead]) -> tuple[dict[str, LayerRead], dict[tuple[str, int], Problem]]:
    """``split_strays`` over every area layer read."""
    out, strays = {}, {}
    for layer, read in reads.items():
        out[layer], found = split_strays(read, layer)
        strays.update(found)
    return out, strays
