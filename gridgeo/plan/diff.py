"""Differences between two plans (or two saved versions) over the same atoms.

``diff_plans(a, b)`` gives:

- ``grids``: one row per grid code in either plan with ``status`` ``added``, ``removed``,
  ``changed`` (its atoms differ), ``attributes`` (same atoms; name, staff or lock differ) or
  ``unchanged``, households and atoms before and after, atoms gained and lost, changed fields;
- ``moves``: every atom whose grid differs, with its households and population;
- ``moved_areas``: the moved atoms dissolved per (from, to) pair, for the map;
- ``summary``: counts of grids added/removed/changed and the households moved.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.geo.crs import WGS84
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.model import GRID_COLUMNS, STATED_COLUMNS, Plan

ATTRIBUTES = tuple(c for c in GRID_COLUMNS if c != "community_code" and c not in STATED_COLUMNS)


@dataclass
class PlanDiff:
    """The result of :func:`diff_plans` (see the module docstring)."""

    grids: pd.DataFrame
    moves: pd.DataFrame
    moved_areas: gpd.GeoDataFrame
    summary: dict

    def changed_codes(self) -> list[str]:
        """Codes of grids added, removed or changed (not those with only new attributes)."""
        return list(self.grids.index[self.grids["status"].isin(("added", "removed", "changed"))])


def diff_plans(a: Plan, b: Plan) -> PlanDiff:
    """What changed from plan ``a`` to plan ``b`` (both over the same atom set)."""
    if a.atoms is not b.atoms and a.atoms.key != b.atoms.key:
        raise PlanEditError("the two plans are drawn over different atoms; diff plans over the same atoms")
    atoms = a.atoms
    la, lb = a.labels(), b.labels()
    sa = np.where(pd.isna(la), "", la).astype(str)
    sb = np.where(pd.isna(lb), "", lb).astype(str)
    moved = np.flatnonzero(sa != sb)
    hh = atoms.counts[:, 0]
    moves = pd.DataFrame({
        "atom_id": atoms.ids[moved].astype(str), "from_grid": sa[moved], "to_grid": sb[moved],
        "community_code": atoms.community[moved], "households": hh[moved], "population": atoms.counts[moved, 1],
    })

    codes = sorted(set(a.grids.index) | set(b.grids.index) | set(sa[sa != ""]) | set(sb[sb != ""]))
    idx = pd.Index(codes, name="code")
    hh_a = pd.Series(hh).groupby(sa).sum().reindex(idx, fill_value=0.0)
    hh_b = pd.Series(hh).groupby(sb).sum().reindex(idx, fill_value=0.0)
    n_a = pd.Series(sa).value_counts().reindex(idx, fill_value=0)
    n_b = pd.Series(sb).value_counts().reindex(idx, fill_value=0)
    gained = moves.groupby("to_grid").size().reindex(idx, fill_value=0)
    lost = moves.groupby("from_grid").size().reindex(idx, fill_value=0)
    in_a = idx.isin(a.grids.index) | (n_a.to_numpy() > 0)
    in_b = idx.isin(b.grids.index) | (n_b.to_numpy() > 0)
    both = a.grids.index.intersection(b.grids.index)
    changed_attr = pd.DataFrame({c: a.grids.loc[both, c] != b.grids.loc[both, c] for c in ATTRIBUTES}, index=both)
    fields = changed_attr.apply(lambda r: ",".join(c for c in ATTRIBUTES if r[c]), axis=1) if len(both) else \
        pd.Series(dtype=object)
    fields = fields.reindex(idx).fillna("")
    moved_any = (gained.to_numpy() > 0) | (lost.to_numpy() > 0)
    status = np.select([~in_a, ~in_b, moved_any, fields.to_numpy() != ""],
                       ["added", "removed", "changed", "attributes"], default="unchanged")
    names = b.grids["name"].reindex(idx).fillna(a.grids["name"].reindex(idx)).fillna(pd.Series(codes, index=idx))
    grids = pd.DataFrame({"name": names.to_numpy(), "status": status,
                          "households_before": hh_a.to_numpy(float), "households_after": hh_b.to_numpy(float),
                          "atoms_before": n_a.to_numpy(int), "atoms_after": n_b.to_numpy(int),
                          "atoms_in": gained.to_numpy(int), "atoms_out": lost.to_numpy(int),
                          "fields": fields.to_numpy()}, index=idx)
    grids["households_change"] = grids["households_after"] - grids["households_before"]

    areas = []
    if len(moves):
        for (src, dst), grp in moves.groupby(["from_grid", "to_grid"]):
            pos = np.array([atoms.position[x] for x in grp["atom_id"]])
            areas.append({"from_grid": src, "to_grid": dst, "atoms": len(pos),
                          "households": float(hh[pos].sum()), "geometry": atoms.shape(pos)})
    moved_areas = gpd.GeoDataFrame(areas, columns=["from_grid", "to_grid", "atoms", "households", "geometry"],
                                   geometry="geometry", crs=b.atoms.metric_crs).to_crs(WGS84)
    status = grids["status"].value_counts()
    summary = {"added": int(status.get("added", 0)), "removed": int(status.get("removed", 0)),
               "changed": int(status.get("changed", 0)), "attributes": int(status.get("attributes", 0)),
               "unchanged": int(status.get("unchanged", 0)), "atoms_moved": int(len(moves)),
               "households_moved": float(moves["households"].sum()) if len(moves) else 0.0}
    return PlanDiff(grids=grids, moves=moves, moved_areas=moved_areas, summary=summary)


def diff_shapes(a: Plan, b: Plan, d: PlanDiff | None = None) -> gpd.GeoDataFrame:
    """Outlines of the grids that differ, with their status (removed ones drawn as they were)."""
    d = d or diff_plans(a, b)
    codes = d.grids.index[d.grids["status"] != "unchanged"]
    after = b.grid_shapes()
    before = a.grid_shapes()
    rows = []
    for code in codes:
        status = d.grids.at[code, "status"]
        src = before if status == "removed" else after
        if code in src.index:
            rows.append({"code": code, "status": status, "geometry": src.geometry[code]})
    return gpd.GeoDataFrame(rows, columns=["code", "status", "geometry"], geometry="geometry", crs=WGS84)
