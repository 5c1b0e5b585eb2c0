"""Starting plans from the partition's atoms and proposal, and from current grids by overlap."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from partition_cases import COMMUNITY, _wgs, box, strip_case

from gridgeo.partition import run_partition
from gridgeo.plan import ops
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.integrity import errors, validate
from gridgeo.plan.start import atoms_from_partition, plan_from_grids, plan_from_proposal


@pytest.fixture(scope="module")
def strip():
    case = strip_case()
    return run_partition(case["communities"], case["legacy"], case["units"], 300, 500, primary_layer="party")


def test_proposal_becomes_a_valid_plan_over_the_partition_atoms(strip):
    plan = plan_from_proposal(strip)
    assert len(plan.atoms) == len(strip.atoms)
    assert set(plan.grids.index) == set(strip.grids["code"])
    figs = grid_figures(plan)
    expected = strip.grids.set_index("code")["households"]
    assert np.allclose(figs.loc[expected.index, "households"], expected)
    assert plan.atoms.totals["households"] == pytest.approx(400 + 1200 + 150 + 200)
    assert errors(validate(plan)) == []
    assert plan.band.min_households == 300 and plan.band.max_households == 500
    assert plan.atoms.legacy_layers == ["party", "urban"]


def test_current_grids_by_largest_overlap(strip):
    atoms = atoms_from_partition(strip.atoms)
    grids = _wgs(gpd.GeoDataFrame({"code": [COMMUNITY + "001", COMMUNITY + "002"], "name": ["西格", "东格"],
                                   "community_code": COMMUNITY, "grid_worker": ["甲", "乙"]},
                                  geometry=[box(0, 0, 340, 400), box(340, 0, 1200, 400)]))
    plan = plan_from_grids(atoms, grids)
    west = plan.atoms_of(COMMUNITY + "001")
    cx = np.array([atoms.metric[atoms.position[a]].centroid.x for a in west])
    # every atom west of x=300 m (their centroids) and none of the 300-400 m column (60 % east)
    assert (cx - cx.min() < 300).all() and len(west) > 0
    assert plan.grids.at[COMMUNITY + "001", "name"] == "西格" and plan.grids.at[COMMUNITY + "002", "grid_worker"] == "乙"
    assert grid_figures(plan).at[COMMUNITY + "001", "households"] == 400  # unit group A
    assert len(plan.assignment) == len(atoms)  # every atom placed
    # the plan can be edited with the legacy brush of the partition's layers
    painted = ops.paint_legacy_grid(plan, "B", COMMUNITY + "001", layer="party")
    assert grid_figures(painted).at[COMMUNITY + "001", "households"] == 1600
