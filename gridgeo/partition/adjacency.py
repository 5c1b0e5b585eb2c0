"""Rook adjacency of atoms within each community, weighted by shared border length.

Uses ``libpysal.graph.Graph.build_contiguity(rook=True, by_perimeter=True)``: two atoms are
neighbours when they share an edge (not just a corner) and the weight is the length of that
shared border in metres. Atoms come from one noded refinement, so shared edges have identical
vertices and strict rook contiguity is exact. Pairs across a community border are dropped:
communities are hard borders and each one is regionalized on its own.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.graph import Graph


def rook_adjacency(atoms: gpd.GeoDataFrame, community_col: str = "community") -> pd.DataFrame:
    """Pairs ``a < b`` (row positions of ``atoms``) sharing a border inside one community.

    Returns a frame with columns a, b, length_m (metres; ``atoms`` must be metric).
    """
    if len(atoms) < 2:
        return pd.DataFrame({"a": pd.Series(dtype=int), "b": pd.Series(dtype=int),
                             "length_m": pd.Series(dtype=float)})
    graph = Graph.build_contiguity(atoms.geometry.reset_index(drop=True), rook=True, by_perimeter=True)
    adj = graph.adjacency.reset_index()
    adj.columns = ["a", "b", "length_m"]
    adj = adj[(adj["a"] < adj["b"]) & (adj["length_m"] > 0)]
    comm = atoms[community_col].to_numpy()
    same = comm[adj["a"].to_numpy()] == comm[adj["b"].to_numpy()]
    out = adj[same].reset_index(drop=True)
    out["a"] = out["a"].astype(int)
    out["b"] = out["b"].astype(int)
    return out


def neighbour_lists(n: int, pairs: pd.DataFrame) -> list[dict[int, float]]:
    """Adjacency as a list of {neighbour: shared length} dicts for ``n`` atoms (both directions)."""
    nbrs: list[dict[int, float]] = [dict() for _ in range(n)]
    for a, b, w in zip(pairs["a"].to_numpy(), pairs["b"].to_numpy(), pairs["length_m"].to_numpy(),
                       strict=True):
        nbrs[int(a)][int(b)] = float(w)
        nbrs[int(b)][int(a)] = float(w)
    return nbrs


def is_connected(members: set[int] | list[int], nbrs: list[dict[int, float]]) -> bool:
    """True when ``members`` form one connected piece of the adjacency graph."""
    members = set(members)
    if len(members) <= 1:
        return True
    start = next(iter(members))
    seen = {start}
    stack = [start]
    while stack:
        i = stack.pop()
        for j in nbrs[i]:
            if j in members and j not in seen:
                seen.add(j)
                stack.append(j)
    return len(seen) == len(members)


def components(members: list[int], nbrs: list[dict[int, float]]) -> list[list[int]]:
    """Connected pieces of ``members`` (each sorted; pieces ordered by their smallest atom)."""
    left = set(members)
    out: list[list[int]] = []
    for start in sorted(members):
        if start not in left:
            continue
        left.discard(start)
        piece = [start]
        stack = [start]
        while stack:
            i = stack.pop()
            for j in nbrs[i]:
                if j in left:
                    left.discard(j)
                    piece.append(j)
                    stack.append(j)
        out.append(sorted(piece))
    return out



def outer_boundary_atoms(atoms: gpd.GeoDataFrame, pairs: pd.DataFrame, communities: gpd.GeoDataFrame,
                         community_col: str = "community", tol_m: float = 0.5) -> np.ndarray:
    """Per atom: True when it touches its community's outer boundary (for the no-enclave rule).

    An atom is on the community's boundary when its perimeter exceeds the borders it shares with
    atoms of the same community (``pairs`` from :func:`rook_adjacency`) by more than ``tol_m``.
    Where the community (``communities``: code, geometry, metric) has holes, boundary atoms count
    only when more than ``tol_m`` of their boundary lies within ``tol_m`` of an outer ring: the
    rim of a hole of the community is not its outside.
    """
    n = len(atoms)
    shared = np.zeros(n)
    np.add.at(shared, pairs["a"].to_numpy(dtype=int), pairs["length_m"].to_numpy(float))
    np.add.at(shared, pairs["b"].to_numpy(dtype=int), pairs["length_m"].to_numpy(float))
    geoms = atoms.geometry.values
    out = shapely.length(geoms) - shared > tol_m
    comm = atoms[community_col].astype(str).to_numpy()
    by_code = dict(zip(communities["code"].astype(str), communities.geometry.values, strict=True))
    for code in sorted(set(comm[out])):
        geom = by_code.get(code)
        if geom is None:
            continue
        parts = shapely.get_parts(geom)
        if not (shapely.get_num_interior_rings(parts) > 0).any():
            continue
        rim = shapely.buffer(shapely.multilinestrings(shapely.get_exterior_ring(parts)), tol_m)
        idx = np.flatnonzero(out & (comm == code))
        on_rim = shapely.length(shapely.intersection(shapely.boundary(geoms[idx]), rim)) > tol_m
        out[idx] = on_rim
    return out
