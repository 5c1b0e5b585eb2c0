"""Plans on the default dataset: two communities refined by the partition, the proposal and the
current grids as starting plans, and an edit that repairs a real integrity failure."""

from __future__ import annotations

import numpy as np
import pytest

from gridgeo.partition import run_partition
from gridgeo.plan import ops
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.integrity import validate
from gridgeo.plan.start import plan_from_grids, plan_from_proposal

STRUCTURAL = {"unknown_atom", "duplicate", "unassigned", "unknown_grid", "outside_community", "totals"}


@pytest.fixture(scope="module")
def two_communities(default_atlas):
    comms = default_atlas.communities.iloc[:2]
    codes = set(comms["code"])
    legacy = default_atlas.legacy[default_atlas.legacy.intersects(comms.union_all())]
    units = default_atlas.units[default_atlas.units["community_code"].isin(codes)]
    result = run_partition(comms, legacy, units)
    grids = default_atlas.grids[default_atlas.grids["community_code"].isin(codes)]
    return result, grids, units


def test_proposal_plan_conserves_totals_and_is_structurally_sound(two_communities):
    result, _grids, units = two_communities
    plan = plan_from_proposal(result)
    assert plan.atoms.totals["households"] == pytest.approx(units["households"].sum())
    issues = validate(plan)
    assert not [i for i in issues if i.rule in STRUCTURAL | {"non_contiguous"}]
    figs = grid_figures(plan)
    assert figs["households"].sum() == pytest.approx(units["households"].sum())
    # size failures are exactly the grids the partition reports outside the band
    flagged = {i.grid for i in issues if i.rule in ("under_min", "over_max")}
    assert flagged == set(result.grids.loc[result.grids["size_status"] != "ok", "code"])


def test_current_grids_plan_and_repairing_a_detached_piece(two_communities):
    result, grids, _units = two_communities
    plan = plan_from_proposal(result)
    current = plan_from_grids(plan.atoms, grids)
    issues = validate(current)
    assert not [i for i in issues if i.rule in STRUCTURAL]
    pieces = [i for i in issues if i.rule == "non_contiguous"]
    if not pieces:
        pytest.skip("the current grids map onto these atoms without a detached piece")
    issue = pieces[0]
    # the detached piece: the atoms of that grid in the same component as the issue's atom
    grid_atoms = current.atoms_of(issue.grid)
    pos = np.array([current.atoms.position[a] for a in grid_atoms])
    labels = current.labels()
    comp = current.atoms.components(np.where(labels == issue.grid, 1, -np.arange(len(labels)) - 2))
    piece = [a for a, p in zip(grid_atoms, pos, strict=True) if comp[p] == comp[current.atoms.position[issue.atom]]]
    nbrs = current.atoms.neighbours(np.array([current.atoms.position[a] for a in piece]))
    target = next(labels[n] for n in nbrs if labels[n] != issue.grid and current.grids.at[labels[n], "community_code"]
                  == current.grids.at[issue.grid, "community_code"])
    fixed = ops.move_atoms(current, piece, target)
    after = validate(fixed)
    assert issue.atom not in {i.atom for i in after if i.rule == "non_contiguous" and i.grid == issue.grid}
    before_f, after_f = grid_figures(current), grid_figures(fixed)
    moved = current.atoms.counts[[current.atoms.position[a] for a in piece], 0].sum()
    assert after_f.at[target, "households"] == pytest.approx(before_f.at[target, "households"] + moved)
    assert after_f["households"].sum() == pytest.approx(before_f["households"].sum())


def test_a_plan_from_todays_grids_reproduces_them(default_atlas):
    """The whole default district: atoms refined by communities, legacy layers AND today's grids;
    the plan started from today's grids has no integrity error (it had 630 when the atoms
    followed the legacy layers only) and each grid's atoms make up exactly that grid."""
    import shapely

    from gridgeo.geo.metric import to_metric
    from gridgeo.plan.integrity import errors
    from gridgeo.plan.start import default_start_plan

    plan = default_start_plan("current")
    issues = validate(plan)
    assert errors(issues) == [], [i.message for i in errors(issues)[:5]]
    grids = to_metric(default_atlas.grids).set_index("code")
    shapes = plan.grid_shapes(metric=True)
    assert set(shapes.index) == set(grids.index)
    sym = shapely.area(shapely.symmetric_difference(shapes.geometry.reindex(grids.index).values,
                                                    grids.geometry.values))
    assert sym.max() < 1.0, grids.index[int(np.argmax(sym))]
    figs = grid_figures(plan)
    # one source: the units; on the default data they agree with every grid's own record
    assert not figs["stated_differs"].any()
    assert np.allclose(figs.loc[grids.index, "households"], grids["households"])
