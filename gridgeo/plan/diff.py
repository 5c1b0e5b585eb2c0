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

from gridgeo.crs import METRIC, WGS84
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.model import GRID_COLUMNS, Plan

ATTRIBUTES = tuple(c for c in GRID_COLUMNS if c != "community_code")


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
    hh_a = pd.Series(hh).groupby(sa).sum()
    hh_b = pd.Series(hh).groupby(sb).sum()
    n_a = pd.Series(sa).value_counts()
    n_b = pd.Series(sb).value_counts()
    gained = moves.groupby("to_grid").size()
    lost = moves.groupby("from_grid").size()
    rows = []
    for code in codes:
        in_a, in_b = code in a.grids.index or code in n_a.index, code in b.grids.index or code in n_b.index
        fields = []
        if code in a.grids.index and code in b.grids.index:
            fields = [c for c in ATTRIBUTES if a.grids.at[code, c] != b.grids.at[code, c]]
        if not in_a:
            status = "added"
        elif not in_b:
            status = "removed"
        elif gained.get(code, 0) or lost.get(code, 0):
            status = "changed"
        elif fields:
            status = "attributes"
        else:
            status = "unchanged"
        name = b.grids.at[code, "name"] if code in b.grids.index else (
            a.grids.at[code, "name"] if code in a.grids.index else code)
        rows.append({"code": code, "name": name, "status": status,
                     "households_before": float(hh_a.get(code, 0.0)), "households_after": float(hh_b.get(code, 0.0)),
                     "atoms_before": int(n_a.get(code, 0)), "atoms_after": int(n_b.get(code, 0)),
                     "atoms_in": int(gained.get(code, 0)), "atoms_out": int(lost.get(code, 0)),
                     "fields": ",".join(fields)})
    grids = pd.DataFrame(rows, columns=["code", "name", "status", "households_before", "households_after",
                                        "atoms_before", "atoms_after", "atoms_in", "atoms_out", "fields"])
    grids = grids.set_index("code")
    grids["households_change"] = grids["households_after"] - grids["households_before"]

    areas = []
    if len(moves):
        for (src, dst), grp in moves.groupby(["from_grid", "to_grid"]):
            pos = np.array([atoms.position[x] for x in grp["atom_id"]])
            areas.append({"from_grid": src, "to_grid": dst, "atoms": len(pos),
                          "households": float(hh[pos].sum()), "geometry": atoms.shape(pos)})
    moved_areas = gpd.GeoDataFrame(areas, columns=["from_grid", "to_grid", "atoms", "households", "geometry"],
                                   geometry="geometry", crs=METRIC).to_crs(WGS84)
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
