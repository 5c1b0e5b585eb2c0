"""Layers published without codes (names only): codes derived from what lies inside, else provisional.

Bottom-up, for each area layer without a code field (or with blank codes):

- from the children: a community polygon holding grids whose codes start with the same 12 digits
  takes those 12 digits; a street takes the 9-digit prefix its communities share; a district the
  6 digits of its streets (children are placed by their representative point);
- else a **provisional code**: the code of the layer above that holds the feature (by location; none
  when that is unknown too) + ``P`` + a serial, as long as the layer's codes (community
  ``510199001P01``, grid ``510199001001P01``, street without a known district ``P00000001``). Such
  features carry ``provisional = True`` in the atlas and every export; ``gridgeo atlas recode NAME
  --layer LAYER --from FILE`` replaces them with the office's codes later.

Parents are then linked by location wherever no code links them (gridgeo.atlas.importing.parents).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.importing.sources import LayerRead
from gridgeo.atlas.model import CODE_LENGTHS, PROVISIONAL_MARK, is_division_code
from gridgeo.i18n import Msg

ORDER = ("grids", "communities", "streets", "district")
PROVISIONAL = "provisional"
MARK = PROVISIONAL_MARK


def _inside(frame: gpd.GeoDataFrame, points: gpd.GeoSeries) -> np.ndarray:
    """Position in ``frame`` of the polygon holding each point (-1 for none)."""
    pts = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=frame.crs)
    polys = gpd.GeoDataFrame(geometry=frame.geometry.reset_index(drop=True), crs=frame.crs)
    joined = gpd.sjoin(pts, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["index_right"].reindex(range(len(pts))).fillna(-1).astype(int).to_numpy()


def _from_children(frame: gpd.GeoDataFrame, child: gpd.GeoDataFrame | None, child_kind: str, n: int
                   ) -> list[str | None]:
    """Per feature, the n-digit prefix all the division-coded children inside it share, else None."""
    out: list[str | None] = [None] * len(frame)
    if child is None or "code" not in child.columns or not len(child):
        return out
    ok = child["code"].map(lambda c: is_division_code(child_kind, c)).to_numpy(dtype=bool)
    if not ok.any():
        return out
    where = _inside(frame, child.geometry[ok].representative_point())
    prefixes: dict[int, set[str]] = {}
    for pos, code in zip(where, child["code"][ok], strict=True):
        if pos >= 0:
            prefixes.setdefault(int(pos), set()).add(code[:n])
    for pos, found in prefixes.items():
        if len(found) == 1:
            out[pos] = next(iter(found))
    return out


def _provisional(frame: gpd.GeoDataFrame, parent: gpd.GeoDataFrame | None, n: int, have: list) -> list[str]:
    """Provisional codes for the features ``have`` leaves without one: holder's code + P + serial."""
    holder = [""] * len(frame)
    if parent is not None and "code" in parent.columns and len(parent):
        where = _inside(parent, frame.geometry.representative_point())
        codes = parent["code"].to_numpy(dtype=object)
        holder = [str(codes[w]) if w >= 0 and isinstance(codes[w], str) else "" for w in where]
    out, serial = [], {}
    for code, head in zip(have, holder, strict=True):
        if code is not None:
            out.append(code)
            continue
        serial[head] = serial.get(head, 0) + 1
        width = max(n - len(head) - 1, 1)
        out.append(f"{head}{MARK}{serial[head]:0{width}d}")
    return out


def give_codes(reads: dict[str, LayerRead]) -> list[Msg]:
    """Codes for the area layers read without them (in place); summary lines saying how."""
    lines = []
    for i, layer in enumerate(ORDER):
        read = reads.get(layer)
        if read is None or ("code" in read.frame.columns and read.frame["code"].notna().any()):
            continue
        frame, n = read.frame, CODE_LENGTHS[layer]
        child_kind = ORDER[i - 1] if i else None
        derived = _from_children(frame, reads[child_kind].frame if child_kind in reads else None, child_kind, n)
        parent = next((reads[p].frame for p in ORDER[i + 1:] if p in reads and "code" in reads[p].frame.columns
                       and reads[p].frame["code"].map(lambda c, k=p: is_division_code(k, c)).all()), None)
        codes = _provisional(frame, parent, n, derived)
        frame = frame.copy()
        frame["code"] = codes
        frame[PROVISIONAL] = [d is None for d in derived]
        read.frame = frame
        n_prov = int(frame[PROVISIONAL].sum())
        examples = ", ".join(pd.Series(codes)[frame[PROVISIONAL].to_numpy()].head(3))
        lines.append(Msg("sum_codes_derived", {
            "layer": Msg(f"lyr_{layer}"), "n": f"{len(frame) - n_prov:,}", "digits": n,
            "children": Msg(f"lyr_{child_kind}") if child_kind else "-",
            "prov": Msg("sum_codes_provisional", {"n": f"{n_prov:,}", "examples": examples}) if n_prov else ""}))
    return lines
