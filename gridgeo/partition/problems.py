"""The community problems of a run, built on the worker that solves them.

A community's regionalization needs its atoms' rook adjacency (shared border lengths), which
atoms touch its outer boundary (the no-enclave rule) and legacy-aware cut costs. Atoms never
cross a community border and pairs across one are dropped, so all of that depends only on the
community's own atoms: the client cuts the atoms into one :class:`CommunityInput` per community
(plain arrays, cheap) and :func:`solve_input` builds the :class:`CommunityProblem` and solves it
where it runs (in this process, a process pool or a Dask worker). The adjacency of a whole city
is thus never built in one process, and the problem is the same as one built from a whole-city
adjacency: the pairs of a community, in the order of their atoms' positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.partition.adjacency import neighbour_lists, outer_boundary_atoms, rook_adjacency
from gridgeo.partition.regionalize import CommunityProblem, CommunityResult, solve_community


@dataclass
class CommunityInput:
    """One community's atoms as the solver needs them (metric geometries, counts, labels)."""

    community: str
    geoms: np.ndarray
    atom_ids: np.ndarray
    households: np.ndarray
    population: np.ndarray | None
    legacy: dict[str, np.ndarray]  # layer -> legacy grid code per atom (or None)
    primary: str
    lo: float
    hi: float
    pop_lo: float | None = None
    pop_hi: float | None = None
    outline: shapely.Geometry | None = None  # the community (metric), for holes in the no-enclave rule


def community_inputs(atoms: gpd.GeoDataFrame, communities: gpd.GeoDataFrame, layers: list[str], primary: str,
                     lo: float, hi: float, pop_lo: float | None = None,
                     pop_hi: float | None = None) -> list[CommunityInput]:
    """One :class:`CommunityInput` per community of ``atoms`` (metric), sorted by code.

    ``communities`` (code, geometry; metric) gives each community's outline.
    """
    groups = atoms.groupby(atoms["community"].to_numpy(), sort=True).indices
    geoms = atoms.geometry.values
    hh = atoms["households"].to_numpy(float)
    use_pop = pop_lo is not None or pop_hi is not None
    pop = atoms["population"].to_numpy(float) if "population" in atoms else np.zeros(len(atoms))
    labels = {layer: atoms[f"legacy_{layer}"].to_numpy(dtype=object) for layer in layers}
    outline = dict(zip(communities["code"].astype(str), communities.geometry.values, strict=True))
    return [CommunityInput(
        community=str(c), geoms=geoms[idx], atom_ids=idx, households=hh[idx],
        population=pop[idx] if use_pop else None, legacy={k: v[idx] for k, v in labels.items()},
        primary=primary, lo=lo, hi=hi, pop_lo=pop_lo, pop_hi=pop_hi, outline=outline.get(str(c)))
        for c, idx in groups.items()]


def build_problem(inp: CommunityInput) -> CommunityProblem:
    """The community's :class:`CommunityProblem`: rook adjacency with legacy-aware cut costs
    (a border inside a legacy grid costs more to cut), centroids and outer-boundary atoms."""
    m = len(inp.geoms)
    frame = gpd.GeoDataFrame({"community": np.full(m, inp.community, dtype=object)}, geometry=inp.geoms)
    pairs = rook_adjacency(frame).sort_values(["a", "b"], kind="stable").reset_index(drop=True)
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    same = np.zeros(len(pairs))
    for lab in inp.legacy.values():
        same += np.array([x is not None and x == y for x, y in zip(lab[a], lab[b], strict=True)], dtype=float)
    share = same / max(len(inp.legacy), 1)
    cost = pairs["length_m"].to_numpy() * (0.25 + 0.75 * share)
    outline = gpd.GeoDataFrame({"code": [inp.community]}, geometry=[inp.outline]) if inp.outline is not None \
        else gpd.GeoDataFrame({"code": pd.Series(dtype=object)}, geometry=[])
    cent = shapely.centroid(inp.geoms)
    return CommunityProblem(
        community=inp.community, households=inp.households,
        xy=np.column_stack([shapely.get_x(cent), shapely.get_y(cent)]) if m else np.zeros((0, 2)),
        nbrs=neighbour_lists(m, pd.DataFrame({"a": a, "b": b, "length_m": cost})),
        primary=list(inp.legacy[inp.primary]), lo=inp.lo, hi=inp.hi, atom_ids=inp.atom_ids,
        population=inp.population, pop_lo=inp.pop_lo, pop_hi=inp.pop_hi,
        exterior=outer_boundary_atoms(frame, pairs, outline))


def solve_input(inp: CommunityInput, seed: int = 0) -> CommunityResult:
    """Build the community's problem and solve it (one task on the run's engine)."""
    return solve_community(build_problem(inp), seed)
