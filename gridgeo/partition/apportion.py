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

from gridgeo.atlas.model import COUNT_COLUMNS


def apportion(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, legacy: gpd.GeoDataFrame | None = None,
              primary_layer: str | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Add households/population/enterprises and count_method to ``atoms`` (all frames metric).

    Returns the atoms and a report (units placed, snapped, split by area, method counts).
    (:func:`gridgeo.partition.chunks.apportion_chunked` does the same chunk by chunk.)
    """
    geoms = units.geometry.values if len(units) else np.zeros(0, dtype=object)
    points, polys = apportion_links(atoms.geometry.values, np.arange(len(atoms)), geoms, np.arange(len(units)))
    return reduce_links(atoms, units, points, polys, legacy, primary_layer)


def apportion_links(atom_geoms: np.ndarray, atom_ids: np.ndarray, unit_geoms: np.ndarray,
                    unit_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The links between units and atoms (ids as given): ``(unit, atom)`` for every point unit
    and atom it touches, and ``(unit, atom, overlap m²)`` for every area unit and atom it overlaps."""
    points, polys = np.zeros((0, 2), dtype=np.int64), np.zeros((0, 3))
    if len(unit_geoms) == 0 or len(atom_geoms) == 0:
        return points, polys
    tree = shapely.STRtree(atom_geoms)
    is_point = shapely.get_type_id(unit_geoms) == 0
    pts = np.flatnonzero(is_point)
    if len(pts):
        p_idx, a_idx = tree.query(unit_geoms[pts], predicate="intersects")
        points = np.column_stack([unit_ids[pts][p_idx], atom_ids[a_idx]]).astype(np.int64)
    poly = np.flatnonzero(~is_point)
    if len(poly):
        u_idx, a_idx = tree.query(unit_geoms[poly], predicate="intersects")
        inter = shapely.area(shapely.intersection(unit_geoms[poly][u_idx], atom_geoms[a_idx]))
        polys = np.column_stack([unit_ids[poly][u_idx], atom_ids[a_idx], inter])
    return points, polys


def reduce_links(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, point_links: np.ndarray,
                 poly_links: np.ndarray, legacy: gpd.GeoDataFrame | None = None,
                 primary_layer: str | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """The counts of every atom from the unit-atom links (see :func:`apportion_links`): a point
    unit counts in the first atom (by position) it touches, an area unit is split by overlap area."""
    atoms = atoms.copy()
    n = len(atoms)
    sums = np.zeros((n, len(COUNT_COLUMNS)))
    report: dict = {"units": len(units), "point_units": 0, "polygon_units": 0, "snapped_units": 0}
    values = np.column_stack([pd.to_numeric(units[c], errors="coerce").fillna(0).to_numpy(float)
                              if c in units.columns else np.zeros(len(units)) for c in COUNT_COLUMNS]) \
        if len(units) else np.zeros((0, len(COUNT_COLUMNS)))
    geoms = units.geometry.values if len(units) else np.zeros(0, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0 if len(units) else np.zeros(0, dtype=bool)
    # point units: the atom containing the point (first by position when on a shared border)
    pts = np.flatnonzero(is_point)
    report["point_units"] = int(len(pts))
    if len(pts):
        owner_of = np.full(len(units), n, dtype=np.int64)
        if len(point_links):
            np.minimum.at(owner_of, point_links[:, 0], point_links[:, 1])
        owner = owner_of[pts]
        missing = np.flatnonzero(owner >= n)
        if len(missing):
            report["snapped_units"] = int(len(missing))
            owner[missing] = _snap(atoms, units, pts[missing])
        np.add.at(sums, owner, values[pts])
    # polygon units: split by area (links in (unit, atom) order: the same sums however they were made)
    polys = np.flatnonzero(~is_point)
    report["polygon_units"] = int(len(polys))
    if len(polys) and len(poly_links):
        order = np.lexsort((poly_links[:, 1], poly_links[:, 0]))
        u_idx, a_idx = poly_links[order, 0].astype(np.int64), poly_links[order, 1].astype(np.int64)
        inter = poly_links[order, 2]
        total = np.bincount(u_idx, weights=inter, minlength=len(units))
        share = np.divide(inter, total[u_idx], out=np.zeros_like(inter), where=total[u_idx] > 0)
        np.add.at(sums, a_idx, values[u_idx] * share[:, None])
    for j, col in enumerate(COUNT_COLUMNS):
        atoms[col] = sums[:, j]
    atoms["count_method"] = "units"
    return _area_fallback(atoms, units, sums, legacy, primary_layer, report)


def _snap(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, which: np.ndarray) -> np.ndarray:
    """The nearest atom of each unit in ``which`` (outside every atom): of its community when it
    names one (``community_code``), else of all."""
    comm_of_atom = atoms["community"].to_numpy()
    owner = np.zeros(len(which), dtype=np.int64)
    for k, pos in enumerate(which):
        unit = units.iloc[pos]
        cand = np.arange(len(atoms))
        code = str(unit.get("community_code", "") or "")
        if code and (comm_of_atom == code).any():
            cand = np.flatnonzero(comm_of_atom == code)
        dist = shapely.distance(atoms.geometry.values[cand], unit.geometry)
        owner[k] = cand[int(np.argmin(dist))]
    return owner


def _area_fallback(atoms: gpd.GeoDataFrame, units: gpd.GeoDataFrame, sums: np.ndarray,
                   legacy: gpd.GeoDataFrame | None, primary_layer: str | None,
                   report: dict) -> tuple[gpd.GeoDataFrame, dict]:
    """Atoms of communities without any unit: counts shared out by area from a legacy layer."""
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
