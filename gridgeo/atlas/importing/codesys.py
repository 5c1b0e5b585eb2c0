"""Layers that carry two code systems (the statistical division codes beside a platform's or civil
affairs' own numbers): the one that nests with the other layers is used as ``code``.

A candidate is the field the alias table chose as ``code`` and every other field whose name says
code (编码 代码 编号 BM DM BH code id) and whose values are mostly filled and unique. It nests when a
child layer's codes start with it, or it starts with a parent layer's code; the candidate nesting
best (then the one of the division-code form) wins, and the summary says which and why.
"""

from __future__ import annotations

import re

import pandas as pd

from gridgeo.atlas.importing.multipart import FILE, ROW
from gridgeo.atlas.importing.sources import LayerRead, text_codes
from gridgeo.atlas.model import CODE_LENGTHS, is_division_code
from gridgeo.i18n import Msg, Seq

ORDER = ("district", "streets", "communities", "grids")
_CODE_NAME = re.compile(r"(编码|代码|编号|标识码|bm$|dm$|bh$|code|id$)", re.IGNORECASE)


def _candidates(read: LayerRead) -> dict[str, pd.Series]:
    """Source field -> its values as text codes, for the fields that may hold the layer's codes."""
    frame = read.frame
    source_of = {c: s for s, c in read.mapping.items()}
    out: dict[str, pd.Series] = {}
    if "code" in frame.columns:
        out[source_of.get("code", "code")] = frame["code"]
    for col in frame.columns:
        if col in read.mapping.values() or col in (ROW, FILE) or not _CODE_NAME.search(str(col)):
            continue
        values = text_codes(frame[col])
        if values.notna().mean() >= 0.9 and values.dropna().is_unique:
            out[str(col)] = values
    return out


def _all_codes(reads: dict[str, LayerRead], layer: str) -> set[str]:
    return {v for s in (_candidates(reads[layer]).values() if layer in reads else ()) for v in s.dropna()}


def _nesting(values: pd.Series, layer: str, reads: dict[str, LayerRead]) -> int:
    """How many of ``values`` a child layer's codes start with or that start with a parent's code."""
    i = ORDER.index(layer)
    n = CODE_LENGTHS[layer]
    hits = pd.Series(False, index=values.index)
    for child in ORDER[i + 1:]:
        prefixes = {c[:n] for c in _all_codes(reads, child)}
        hits |= values.isin(prefixes)
    for parent in ORDER[:i]:
        plen = CODE_LENGTHS[parent]
        hits |= values.map(lambda v, p=plen: isinstance(v, str) and len(v) > p).astype(bool) & values.str[:plen].isin(
            _all_codes(reads, parent))
    return int(hits.sum())


def choose_code_systems(reads: dict[str, LayerRead]) -> list[Msg]:
    """Use, in each area layer with several code systems, the one that nests; summary lines."""
    lines = []
    for layer in ORDER:
        if layer not in reads:
            continue
        found = _candidates(reads[layer])
        if len(found) < 2:
            continue
        scores = {s: (_nesting(v, layer, reads), int(v.map(lambda c, k=layer: is_division_code(k, c)).sum()))
                  for s, v in found.items()}
        current = next(iter(found))
        found = {s: v for s, v in found.items() if s == current or any(scores[s])}  # OBJECTIDs are no system
        if len(found) < 2:
            continue
        best = max(found, key=lambda s: scores[s])
        if best != current and scores[best] > scores[current]:
            _swap(reads[layer], current, best)
        else:
            best = current
        lines.append(Msg("sum_code_systems", {"layer": Msg(f"lyr_{layer}"), "fields": Seq(tuple(found)),
                                              "field": best, "n": f"{scores[best][0]:,}", "of": f"{len(found[best]):,}"}))
    return lines


def _swap(read: LayerRead, current: str, best: str) -> None:
    """Make ``best`` the code field of ``read`` and put the former code back under its own name."""
    frame = read.frame
    if "code" in frame.columns:
        frame = frame.rename(columns={"code": current})
    frame["code"] = text_codes(frame[best])
    read.frame = frame.drop(columns=[best])
    read.mapping = {s: c for s, c in read.mapping.items() if c != "code"} | {best: "code"}
