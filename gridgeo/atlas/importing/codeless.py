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


def _codeless(reads: dict[str, LayerRead]) -> list[str]:
    return [k for k in ORDER if k in reads and not ("code" in reads[k].frame.columns
                                                    and reads[k].frame["code"].notna().any())]


def give_codes(reads: dict[str, LayerRead]) -> list[Msg]:
    """Codes for the area layers read without them (in place); summary lines saying how.

    Bottom-up the codes the children give; then top-down the provisional ones, so a provisional
    grid is numbered under its (maybe provisional) community."""
    todo = _codeless(reads)
    derived: dict[str, list] = {}
    named_lines: list[Msg] = []
    for layer in todo:
        i = ORDER.index(layer)
        child_kind = ORDER[i - 1] if i else None
        child = reads[child_kind].frame if child_kind in reads else None
        derived[layer] = _from_children(reads[layer].frame, child, child_kind, CODE_LENGTHS[layer])
        if layer == "district":
            named_lines = _district_by_name(reads, derived[layer])
        if any(d is not None for d in derived[layer]):
            reads[layer].frame = reads[layer].frame.assign(code=derived[layer])
    lines = []
    for layer in reversed(todo):
        i = ORDER.index(layer)
        parent = next((reads[p].frame for p in ORDER[i + 1:] if p in reads and "code" in reads[p].frame.columns
                       and reads[p].frame["code"].notna().all()), None)
        codes = _provisional(reads[layer].frame, parent, CODE_LENGTHS[layer], derived[layer])
        provisional = [d is None for d in derived[layer]]
        reads[layer].frame = reads[layer].frame.assign(code=codes, **{PROVISIONAL: provisional})
        lines.insert(0, _line(layer, codes, provisional))
    return lines + named_lines


# fields a names-only district layer may carry its city or province in (kept under their own names)
_PLACE_FIELDS = ("市", "城市", "所属市", "地市", "市名称", "地级市", "所属城市", "省", "省份", "所属省", "city",
                 "city_name", "province", "SMC", "DSMC", "CITY")


def _district_by_name(reads: dict[str, LayerRead], derived: list) -> list[Msg]:
    """Official GB/T 2260 codes (in place in ``derived``) for districts the children gave none,
    from the district's name and its city or province (a field of the file), else the codes of the
    other layers; summary lines for the names found and those still ambiguous."""
    from gridgeo.atlas.divisions import county_codes

    frame = reads["district"].frame
    if "name" not in frame.columns:
        return []
    places = [c for c in frame.columns if str(c) in _PLACE_FIELDS]
    others = tuple({str(c)[:6] for k, r in reads.items() if k != "district" and "code" in r.frame.columns
                    for c in r.frame["code"].dropna() if str(c)[:6].isdigit()})
    found, unsure = [], []
    for pos, name in enumerate(frame["name"]):
        if derived[pos] is not None or not isinstance(name, str) or not name.strip():
            continue
        given = tuple(str(frame[c].iloc[pos]) for c in places if isinstance(frame[c].iloc[pos], str))
        codes = county_codes(name, given, others)
        if len(codes) == 1:
            derived[pos] = codes[0]
            found.append(f"{name.strip()} {codes[0]}")
        elif codes:
            unsure.append(Msg("sum_district_ambiguous", {"name": name.strip(), "codes": ", ".join(codes[:6])}))
    lines = [Msg("sum_district_by_name", {"list": ", ".join(found)})] if found else []
    return lines + unsure


def _line(layer: str, codes: list[str], provisional: list[bool]) -> Msg:
    i = ORDER.index(layer)
    n_prov = sum(provisional)
    examples = ", ".join([c for c, p in zip(codes, provisional, strict=True) if p][:3])
    return Msg("sum_codes_derived", {
        "layer": Msg(f"lyr_{layer}"), "n": f"{len(codes) - n_prov:,}", "digits": CODE_LENGTHS[layer],
        "children": Msg(f"lyr_{ORDER[i - 1]}") if i else "-",
        "prov": Msg("sum_codes_provisional", {"n": f"{n_prov:,}", "examples": examples}) if n_prov else ""})
