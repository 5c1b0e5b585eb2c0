"""Rook adjacency of atoms within each community, weighted by shared border length.

Uses ``libpysal.graph.Graph.build_contiguity(rook=True, by_perimeter=True)``: two atoms are
neighbours when they share an edge (not just a corner) and the weight is the length of that
shared border in metres. Atoms come from one noded refinement, so shared edges have identical
vertices and strict rook contiguity is exact. Pairs across a community border are dropped:
communities are hard borders and each one is regionalized on its own.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
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

