"""Each integrity rule on hand-made plans whose faults are known, with locations to navigate to."""

from __future__ import annotations

import pandas as pd
import pytest
from plan_helpers import CELL, X0, Y0, A, B, atom_id, g, lattice, lattice_assignment, lattice_plan
from shapely.geometry import box

from gridgeo.plan import ops
from gridgeo.plan.integrity import ERROR, WARNING, errors, issues_frame, validate
from gridgeo.plan.model import SizeBand, make_plan


def rules(issues):
    return sorted({i.rule for i in issues})


def test_clean_plan_passes():
    assert validate(lattice_plan()) == []


def test_unassigned_atom_is_a_gap_located_on_the_atom():
    plan = lattice_plan()
    gap = plan.with_(assignment=plan.assignment.drop(atom_id(3, 3)))
    issues = validate(gap)
    un = [i for i in issues if i.rule == "unassigned"]
    assert len(un) == 1 and un[0].atom == atom_id(3, 3) and un[0].severity == ERROR
    assert X0 + 3 * CELL < un[0].lon < X0 + 4 * CELL and Y0 - 4 * CELL < un[0].lat < Y0 - 3 * CELL
    assert "totals" in rules(issues)  # 100 households are missing from the grids


def test_atom_assigned_twice_is_reported_with_both_grids():
    pairs = [*lattice_assignment().items(), (atom_id(1, 1), g(A, 2))]
    issues = validate(make_plan(lattice(), pairs, band=SizeBand(300, 500)))
    dup = [i for i in issues if i.rule == "duplicate"]
    assert len(dup) == 1 and dup[0].atom == atom_id(1, 1)
    assert g(A, 1) in dup[0].message and g(A, 2) in dup[0].message
    totals = [i for i in issues if i.rule == "totals"]
    assert totals and "1,700" in totals[0].message  # 17 assignments x 100 households


def test_unknown_atom_and_unknown_or_empty_grid():
    plan = lattice_plan()
    stray = plan.with_(assignment=pd.concat([plan.assignment, pd.Series({"ghost": g(A, 1)})]))
    assert [i.atom for i in validate(stray) if i.rule == "unknown_atom"] == ["ghost"]
    no_row = plan.with_(grids=plan.grids.drop(index=g(B, 2)))
    assert [i.grid for i in validate(no_row) if i.rule == "unknown_grid"] == [g(B, 2)]
    extra = pd.concat([plan.grids, plan.grids.loc[[g(B, 2)]].rename(index={g(B, 2): g(B, 9)})])
    empty = [i for i in validate(plan.with_(grids=extra)) if i.rule == "empty_grid"]
    assert [i.grid for i in empty] == [g(B, 9)] and empty[0].severity == WARNING


def test_grid_holding_an_atom_of_another_community():
    plan = ops.move_atoms(lattice_plan(), [atom_id(0, 2)], g(A, 1))
    out = [i for i in validate(plan) if i.rule == "outside_community"]
    assert [(i.grid, i.atom) for i in out] == [(g(A, 1), atom_id(0, 2))]


def test_non_contiguous_grid_points_at_the_detached_piece():
    # r3c0 joins A001 (rows 0-1): a detached piece of A001 at the bottom-left corner
    plan = ops.move_atoms(lattice_plan(), [atom_id(3, 0)], g(A, 1))
    nc = [i for i in validate(plan) if i.rule == "non_contiguous"]
    assert len(nc) == 1 and nc[0].grid == g(A, 1) and nc[0].atom == atom_id(3, 0)
    assert Y0 - 4 * CELL < nc[0].lat < Y0 - 3 * CELL
    minx, miny, maxx, maxy = nc[0].bounds
    assert minx == pytest.approx(X0, abs=1e-6) and maxy == pytest.approx(Y0 - 3 * CELL, abs=1e-6)


def test_corner_contact_is_not_contiguity():
    plan = ops.move_atoms(lattice_plan(), [atom_id(2, 2)], g(A, 1))  # touches A001 at a corner only
    plan = plan.with_(grids=plan.grids.assign(community_code=plan.grids["community_code"]))
    assert "non_contiguous" in rules(validate(plan))


def test_grid_enclosing_another_has_a_hole():
    atoms = lattice()
    atoms["community_code"] = A
    assign = {a: g(A, 1) for a in atoms["atom_id"]}
    assign[atom_id(1, 1)] = g(A, 2)
    plan = make_plan(atoms, assign, band=SizeBand(0, 10_000))
    holes = [i for i in validate(plan) if i.rule == "hole"]
    assert [i.grid for i in holes] == [g(A, 1)]
    assert X0 + CELL < holes[0].lon < X0 + 2 * CELL  # located on the enclosed atom
    assert "hole" not in rules(validate(ops.move_atoms(plan, [atom_id(1, 1)], g(A, 1))))


def test_size_band_errors_and_infeasible_warnings():
    plan = lattice_plan(SizeBand(450, 500))
    issues = validate(plan)
    assert rules(issues) == ["under_min"] and all(i.severity == ERROR for i in issues)
    # a community with fewer households in all than the minimum: warning with the reason
    small = validate(lattice_plan(SizeBand(900, 2000)))
    assert all(i.severity == WARNING and "holds only 800" in i.message for i in small if i.rule == "under_min")
    # one atom alone above the maximum
    atoms = lattice()
    atoms.loc[0, "households"] = 700
    big = validate(make_plan(atoms, lattice_assignment(), band=SizeBand(300, 600)))
    over = [i for i in big if i.rule == "over_max"]
    assert [(i.grid, i.severity) for i in over] == [(g(A, 1), WARNING)] and "one atom alone holds 700" in over[0].message
    merged = ops.merge_grids(lattice_plan(), g(B, 1), g(B, 2))
    over2 = [i for i in validate(merged) if i.rule == "over_max"]
    assert [(i.grid, i.severity) for i in over2] == [(g(B, 1), ERROR)]


def test_population_band_when_given():
    issues = validate(lattice_plan(SizeBand(300, 500, min_population=1200, max_population=5000)))
    assert rules(issues) == ["population_under_min"]


def test_geometric_checks_against_community_boundaries():
    plan = lattice_plan()
    comms = pd.DataFrame({"code": [A, B], "geometry": [box(X0, Y0 - 4 * CELL, X0 + 2 * CELL, Y0),
                                                        box(X0 + 2 * CELL, Y0 - 4 * CELL, X0 + 4 * CELL, Y0)]})
    import geopandas as gpd

    comms = gpd.GeoDataFrame(comms, crs="EPSG:4326")
    assert validate(plan, communities=comms) == []
    # community A drawn one column narrower: grids of A reach outside it, B has a gap? no: B is unchanged
    narrow = comms.copy()
    narrow.loc[0, "geometry"] = box(X0, Y0 - 4 * CELL, X0 + CELL, Y0)
    out = [i for i in validate(plan, communities=narrow) if i.rule == "outside_community"]
    assert sorted(i.grid for i in out) == [g(A, 1), g(A, 2)]
    wide = comms.copy()
    wide.loc[1, "geometry"] = box(X0 + 2 * CELL, Y0 - 4 * CELL, X0 + 5 * CELL, Y0)
    gaps = [i for i in validate(plan, communities=wide) if i.rule == "community_gap"]
    assert len(gaps) == 1 and X0 + 4 * CELL < gaps[0].lon < X0 + 5 * CELL
    atoms = lattice()
    atoms.loc[0, "geometry"] = box(X0, Y0 - 1.5 * CELL, X0 + CELL, Y0)  # overlaps the atom below
    overl = validate(make_plan(atoms, lattice_assignment(), band=SizeBand(300, 500)), communities=comms)
    assert "atom_overlap" in rules(overl)


def test_issue_frame_for_the_map_and_error_filter():
    plan = ops.move_atoms(lattice_plan(), [atom_id(3, 0)], g(A, 1))
    issues = validate(plan)
    frame = issues_frame(issues)
    assert len(frame) == len(issues) and frame.crs.to_epsg() == 4326
    assert set(frame["label"]) >= {"网格不连通"}
    assert len(errors(issues)) == sum(i.severity == ERROR for i in issues)
