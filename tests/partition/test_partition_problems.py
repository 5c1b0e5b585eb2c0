"""Each community's problem, built in its own task from its own atoms, has the adjacency, cut
order and outer-boundary atoms of one adjacency built over all the atoms at once."""

from __future__ import annotations

import numpy as np
import pytest

from gridgeo.geo.metric import to_metric
from gridgeo.partition.adjacency import outer_boundary_atoms, rook_adjacency
from gridgeo.partition.apportion import apportion
from gridgeo.partition.overlay import prepare_layers, refine
from gridgeo.partition.problems import build_problem, community_inputs


@pytest.fixture(scope="module")
def street_atoms(default_atlas):
    """The atoms (metric, with counts) of the default atlas's first two streets, and their communities."""
    comms = default_atlas.communities
    streets = sorted(comms["street_code"].astype(str).unique())[:2]
    comms = comms[comms["street_code"].astype(str).isin(streets)]
    legacy = default_atlas.legacy[default_atlas.legacy.intersects(comms.union_all())]
    comm_m = to_metric(comms.assign(code=comms["code"].astype(str)))
    legacy_m = to_metric(legacy.assign(code=legacy["code"].astype(str)), comm_m.crs)
    units_m = to_metric(default_atlas.units, comm_m.crs)
    comms_p, frames, report = prepare_layers(comm_m, legacy_m)
    atoms, _ = apportion(refine(comms_p, frames, report), units_m, legacy_m)
    return atoms, comms_p, sorted(frames)


def test_per_community_problems_match_one_whole_adjacency(street_atoms):
    atoms, comms, layers = street_atoms
    inputs = community_inputs(atoms, comms, layers, layers[0], 300, 500)
    assert len(inputs) == atoms["community"].nunique() > 1
    pairs = rook_adjacency(atoms)  # over every atom at once; pairs across communities dropped
    whole_exterior = outer_boundary_atoms(atoms, pairs, comms)
    # neighbours of every atom, in the order the whole adjacency lists them
    expected: dict[int, list[int]] = {}
    for a, b in zip(pairs["a"], pairs["b"], strict=True):
        expected.setdefault(int(a), []).append(int(b))
        expected.setdefault(int(b), []).append(int(a))
    seen = 0
    for inp in inputs:
        problem = build_problem(inp)
        ids = problem.atom_ids
        assert (atoms["community"].to_numpy()[ids] == inp.community).all()
        for local, nbrs in enumerate(problem.nbrs):
            assert [int(ids[j]) for j in nbrs] == expected.get(int(ids[local]), [])
            assert all(w > 0 for w in nbrs.values())
        np.testing.assert_array_equal(problem.exterior, whole_exterior[ids])
        seen += len(ids)
    assert seen == len(atoms) and whole_exterior.any() and not whole_exterior.all()
