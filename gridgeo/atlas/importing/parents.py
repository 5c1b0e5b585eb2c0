"""Find each feature's parent: from a code field, else the code prefix, else the parent's name, else
the location; and complete short serial codes (a grid "007" in community 510107001002 becomes
510107001002007). What was used is returned for the summary."""

from __future__ import annotations

import re
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.model import CODE_LENGTHS, is_division_code
from gridgeo.atlas.validation import Problem, feature_labels
from gridgeo.atlas.validation.kinds import PARENTS, field_word
from gridgeo.i18n import Msg, Seq

_SUFFIXES = re.compile(r"(社区居民委员会|社区居委会|居民委员会|居委会|社区|街道办事处|街道办|街办|街道|村民委员会|村委会)$")


def _name_key(name: object) -> str | None:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    text = re.sub(r"\s+", "", str(name))
    return _SUFFIXES.sub("", text) or text


def _by_name(names: pd.Series, parent: gpd.GeoDataFrame) -> pd.Series:
    """Parent code per child name: exact name first, then the name without 社区/街道 suffixes."""
    exact = dict(zip(parent["name"].astype(str), parent["code"], strict=True))
    keys = parent["name"].map(_name_key)
    counts = Counter(keys)
    loose = {k: c for k, c in zip(keys, parent["code"], strict=True) if counts[k] == 1}
    return names.map(lambda n: exact.get(str(n).strip()) if n is not None and str(n).strip() in exact
                     else loose.get(_name_key(n)))


def _by_location(child: gpd.GeoDataFrame, parent: gpd.GeoDataFrame) -> pd.Series:
    """Parent code holding each child's representative point (a point: the point itself)."""
    points = gpd.GeoDataFrame(geometry=child.geometry.representative_point(), crs=child.crs)
    joined = gpd.sjoin(points, parent[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["code"].reindex(child.index)


def _prefix_length(kind: str, codes: set[str]) -> int:
    """Length of the parent code a child's code starts with, or 0 when the parents' codes are not
    nested division codes (OBJECTIDs, a platform's own numbers): then no prefix rule applies."""
    parent_kind = PARENTS.get(kind, (None, None))[0]
    if not codes or parent_kind not in CODE_LENGTHS:
        return 0
    return CODE_LENGTHS[parent_kind] if all(is_division_code(parent_kind, c) for c in codes) else 0


def _stated_absent(child: gpd.GeoDataFrame, kind: str, parent_col: str, codes: set[str]) -> pd.Series:
    """Parent codes a child states (its parent-code field, or the prefix of its division code) that
    the parent layer does not hold: layers of different years. Those children are not placed by
    location (that would only report them as lying outside some other parent)."""
    out = pd.Series(None, index=child.index, dtype=object)
    parent_kind = PARENTS.get(kind, (None, None))[0]
    if parent_col in child.columns:
        out = out.fillna(child[parent_col].where(child[parent_col].notna() & ~child[parent_col].isin(codes)))
    if "code" in child.columns and parent_kind in CODE_LENGTHS and kind in CODE_LENGTHS:
        n = CODE_LENGTHS[parent_kind]
        prefix = child["code"].map(lambda c: c[:n] if is_division_code(kind, c) else None)
        out = out.fillna(prefix.where(prefix.notna() & ~prefix.isin(codes)))
    return out


def assign_parent(child: gpd.GeoDataFrame, parent: gpd.GeoDataFrame, kind: str, parent_col: str,
                  name_col: str, source: str, name_field: str | None = None
                  ) -> tuple[gpd.GeoDataFrame, Msg, list[Problem]]:
    """Fill ``parent_col`` of ``child`` from ``parent`` (code, name, geometry); return the frame,
    how the parents were found (a catalogue message for the summary: "by code prefix for 12")
    and a problem per child left without one."""
    child = child.copy()
    codes = set(parent["code"].astype(str))
    found = pd.Series(None, index=child.index, dtype=object)
    used: Counter = Counter()
    if parent_col in child.columns:
        given = child[parent_col].where(child[parent_col].isin(codes))
        found = found.fillna(given)
        used[Msg("par_by_field")] += int(given.notna().sum())
    plen = _prefix_length(kind, codes)
    if "code" in child.columns and plen:
        prefix = child["code"].map(lambda c: c[:plen] if isinstance(c, str) and len(c) > plen else None)
        prefix = prefix.where(prefix.isin(codes) & found.isna())
        found = found.fillna(prefix)
        used[Msg("par_by_prefix")] += int(prefix.notna().sum())
    unmatched: list[str] = []
    if name_col in child.columns and found.isna().any():
        named = _by_name(child[name_col], parent).where(found.isna())
        found = found.fillna(named)
        used[Msg("par_by_name", {"field": name_field or field_word(name_col)})] += int(named.notna().sum())
        stated = child[name_col].notna() & found.isna()
        unmatched = sorted({str(n) for n in child.loc[stated, name_col]})
    absent = _stated_absent(child, kind, parent_col, codes).where(found.isna())
    found = found.fillna(absent)
    if found.isna().any():
        located = _by_location(child[found.isna()], parent)
        found = found.fillna(located)
        used[Msg("par_by_location")] += int(located.notna().sum())
    child[parent_col] = found.astype(object).where(found.notna(), None)
    ways = tuple(Msg("par_how", {"by": k, "n": f"{n:,}"}) for k, n in used.items() if n)
    how = Seq(ways) if ways else Msg("par_none")
    if unmatched:
        shown = ", ".join(unmatched[:5]) + (" ..." if len(unmatched) > 5 else "")
        how = Msg("par_unmatched", {"how": how, "names": shown})
    else:
        how = Msg("par_plain", {"how": how})
    if absent.notna().any():  # reported per feature by the validation as an unknown parent code
        gone = sorted(set(absent.dropna()))
        how = Msg("par_absent", {"how": how, "n": f"{int(absent.notna().sum()):,}",
                                 "parent": Msg(f"lyr_{PARENTS[kind][0]}"),
                                 "codes": ", ".join(gone[:5]) + (" ..." if len(gone) > 5 else "")})
    problems = []
    missing = np.flatnonzero(found.isna().to_numpy())
    labels = feature_labels(child, kind) if len(missing) else []
    for i in missing:
        named = child[name_col].iloc[i] if name_col in child.columns else None
        what = (Msg("par_name_none", {"field": Msg(f"fldw_{name_col}"), "name": repr(named)}) if named
                else Msg("par_place_none"))
        problems.append(Problem(source, labels[i], Msg("par_no_parent", {"what": what, "n": len(codes)}),
                                Msg("par_no_parent_hint", {"col": field_word(parent_col)}), "unknown_parent"))
    return child, how, problems


def complete_codes(child: gpd.GeoDataFrame, kind: str, parent_col: str) -> tuple[gpd.GeoDataFrame, int]:
    """Prefix short serial codes ("7", "007") with the parent code to the kind's full length."""
    full = CODE_LENGTHS.get(kind)
    if not full or "code" not in child.columns or parent_col not in child.columns:
        return child, 0
    child = child.copy()
    n = 0
    values = []
    for code, parent in zip(child["code"], child[parent_col], strict=True):
        if isinstance(code, str) and code.isdigit() and isinstance(parent, str) and len(code) <= full - len(parent):
            values.append(parent + code.zfill(full - len(parent)))
            n += 1
        else:
            values.append(code)
    child["code"] = values
    return child, n
