"""Households, population and enterprises of each atom, from the basic units.

Method per atom (recorded in ``count_method``):

- ``units``: the sum of the basic units located in the atom. A point unit counts wholly in the
  atom containing it; a polygon unit (a compound drawn as an area) is split over atoms by area.
  Units outside every atom are snapped to the nearest atom of their community when they name one
  (``community_code``), else to the nearest atom; the count is reported.
- ``area:<layer>``: for atoms of a community that has no units at all, the counts of the legacy
  grids of a layer that carries count columns, shared out by area (the first such layer,
  preferring the primary layer).
- ``none``: no source (counts 0).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.model import COUNT_COLUMNS


def apportion(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame | None = None,
              primary_layer: str | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Add households/population/enterprises and count_method to ``atoms`` (all frames metric).

    Returns the atoms and a report (units placed, snapped, split by area, method counts).
    """
    atoms = atoms.copy()
    n = len(atoms)
    sums = np.zeros((n, len(COUNT_COLUMNS)))
    report: dict = {"units": len(units), "point_units": 0, "polygon_units": 0, "snapped_units": 0}
    values = np.column_stack([pd.to_numeric(units[c], errors="coerce").fillna(0).to_numpy(float)
                              if c in units.columns else np.zeros(len(units)) for c in COUNT_COLUMNS]) \
        if len(units) else np.zeros((0, len(COUNT_COLUMNS)))
    geoms = units.geometry.values if len(units) else np.zeros(0, dtype=object)
    tree = shapely.STRtree(atoms.geometry.values)
    is_point = shapely.get_type_id(geoms) == 0 if len(units) else np.zeros(0, dtype=bool)
    # point units: the atom containing the point (first by position when on a shared border)
    pts = np.flatnonzero(is_point)
    report["point_units"] = int(len(pts))
    if len(pts):
        p_idx, a_idx = tree.query(geoms[pts], predicate="intersects")
        owner = np.full(len(pts), -1)
        order = np.lexsort((a_idx, p_idx))
        p_s, a_s = p_idx[order], a_idx[order]
        first = np.ones(len(p_s), dtype=bool)
        first[1:] = p_s[1:] != p_s[:-1]
        owner[p_s[first]] = a_s[first]
        missing = np.flatnonzero(owner < 0)
        if len(missing):
            report["snapped_units"] = int(len(missing))
            comm_of_atom = atoms["community"].to_numpy()
            for k in missing:
                unit = units.iloc[pts[k]]
                cand = np.arange(n)
                code = str(unit.get("community_code", "") or "")
                if code and (comm_of_atom == code).any():
                    cand = np.flatnonzero(comm_of_atom == code)
                dist = shapely.distance(atoms.geometry.values[cand], geoms[pts[k]])
                owner[k] = cand[int(np.argmin(dist))]
        np.add.at(sums, owner, values[pts])
    # polygon units: split by area
    polys = np.flatnonzero(~is_point)
    report["polygon_units"] = int(len(polys))
    if len(polys):
        u_idx, a_idx = tree.query(geoms[polys], predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[polys][u_idx], atoms.geometry.values[a_idx]))
        total = np.bincount(u_idx, weights=inter, minlength=len(polys))
        share = np.divide(inter, total[u_idx], out=np.zeros_like(inter), where=total[u_idx] > 0)
        np.add.at(sums, a_idx, values[polys][u_idx] * share[:, None])
    for j, col in enumerate(COUNT_COLUMNS):
        atoms[col] = sums[:, j]
    atoms["count_method"] = "units"

    # communities without any unit: area-weighted from a legacy layer with counts
    comm_with_units = set()
    if len(units):
        hit = atoms.loc[sums.sum(axis=1) > 0, "community"]
        comm_with_units = set(hit)
    empty = ~atoms["community"].isin(comm_with_units)
    atoms.loc[empty, "count_method"] = "none"
    if empty.any() and legacy is not None and len(legacy):
        layers = [lay for lay in sorted(legacy["layer"].astype(str).unique())
                  if any(c in legacy.columns and legacy.loc[legacy["layer"] == lay, c].notna().any()
                         for c in COUNT_COLUMNS)]
        if primary_layer in layers:
            layers.remove(primary_layer)
            layers.insert(0, primary_layer)
        if layers:
            layer = legacy[legacy["layer"].astype(str) == layers[0]].reset_index(drop=True)
            target = np.flatnonzero(empty.to_numpy())
            ltree = shapely.STRtree(layer.geometry.values)
            a_pos, l_idx = ltree.query(atoms.geometry.values[target], predicate="intersects")
            inter = shapely.area(shapely.intersection(atoms.geometry.values[target][a_pos],
                                                      layer.geometry.values[l_idx]))
            larea = shapely.area(layer.geometry.values)[l_idx]
            share = np.divide(inter, larea, out=np.zeros_like(inter), where=larea > 0)
            for col in COUNT_COLUMNS:
                if col not in layer.columns:
                    continue
                vals = pd.to_numeric(layer[col], errors="coerce").fillna(0).to_numpy(float)[l_idx]
                add = np.bincount(a_pos, weights=vals * share, minlength=len(target))
                atoms.loc[atoms.index[target], col] = add
            atoms.loc[empty, "count_method"] = f"area:{layers[0]}"
    report["methods"] = atoms["count_method"].value_counts().to_dict()
    return atoms, report


def crowded_cut_lines(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, max_households: float) -> tuple[
        np.ndarray, int]:
    """Cut lines between the point units of atoms holding more than ``max_households``.

    An atom that holds several basic units and more households than a grid may have is cut
    along the Voronoi edges between its units (``shapely.voronoi_polygons(only_edges=True)``
    clipped to the atom): the roads between compounds, approximately. Noded into the
    refinement, each unit then has its own atom. Returns the lines and how many atoms are cut.
    """
    if len(units) == 0 or "households" not in atoms:
        return np.zeros(0, dtype=object), 0
    crowded = np.flatnonzero(atoms["households"].to_numpy(float) > max_households)
    if len(crowded) == 0:
        return np.zeros(0, dtype=object), 0
    pts = units.geometry.values
    pts = pts[shapely.get_type_id(pts) == 0]
    tree = shapely.STRtree(pts)
    lines = []
    cut = 0
    for i in crowded:
        atom = atoms.geometry.values[i]
        inside = pts[tree.query(atom, predicate="intersects")]
        if len(inside) < 2:
            continue
        uniq = shapely.MultiPoint(np.unique(shapely.get_coordinates(inside), axis=0))
        if shapely.get_num_geometries(uniq) < 2:
            continue
        edges = shapely.voronoi_polygons(uniq, extend_to=atom.envelope.buffer(10), only_edges=True)
        # overshoot by 0.5 m so that the cut crosses the atom border (the stubs outside are dangles)
        parts = shapely.get_parts(shapely.intersection(edges, atom.buffer(0.5)))
        parts = parts[np.isin(shapely.get_type_id(parts), (1, 5))]  # LineString, MultiLineString
        if len(parts):
            lines.extend(parts)
            cut += 1
    return np.asarray(lines, dtype=object), cut
