"""Editing operations on a hand-made 4x4 lattice plan (see tests/plan_helpers.py)."""

from __future__ import annotations

import pytest
from plan_helpers import X0, Y0, A, B, atom_id, g, lattice_plan

from gridgeo.plan import ops
from gridgeo.plan.errors import LockedGridError, PlanEditError
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.integrity import validate


def test_move_atoms_changes_only_the_moved_atoms_and_leaves_the_input_plan_alone():
    plan = lattice_plan()
    moved = ops.move_atoms(plan, [atom_id(1, 0)], g(A, 2))
    assert moved.grid_of(atom_id(1, 0)) == g(A, 2)
    assert plan.grid_of(atom_id(1, 0)) == g(A, 1)  # immutable input
    figs = grid_figures(moved)
    assert figs.at[g(A, 1), "households"] == 300
    assert figs.at[g(A, 2), "households"] == 500
    assert (moved.labels() != plan.labels()).sum() == 1
    assert validate(moved) == []


def test_move_assigns_an_unassigned_atom_and_drops_a_grid_left_empty():
    plan = lattice_plan()
    gap = plan.with_(assignment=plan.assignment.drop(atom_id(0, 0)))
    filled = ops.move_atoms(gap, [atom_id(0, 0)], g(A, 1))
    assert filled.grid_of(atom_id(0, 0)) == g(A, 1)
    emptied = ops.move_atoms(plan, plan.atoms_of(g(B, 2)), g(B, 1))
    assert g(B, 2) not in emptied.grids.index
    assert len(emptied.atoms_of(g(B, 1))) == 8


@pytest.mark.parametrize("call, message", [
    (lambda p: ops.move_atoms(p, ["nope"], g(A, 1)), "not part of"),
    (lambda p: ops.move_atoms(p, [atom_id(0, 0)], "999"), "does not exist"),
    (lambda p: ops.move_atoms(p, [], g(A, 1)), "no atoms selected"),
])
def test_move_refuses_bad_input(call, message):
    with pytest.raises(PlanEditError, match=message):
        call(lattice_plan())


def test_locked_grids_refuse_every_edit_until_unlocked():
    plan = ops.lock_grid(lattice_plan(), g(A, 1))
    assert plan.grids.at[g(A, 1), "locked"]
    for call in (lambda p: ops.move_atoms(p, [atom_id(0, 0)], g(A, 2)),  # out of the locked grid
                 lambda p: ops.move_atoms(p, [atom_id(2, 0)], g(A, 1)),  # into it
                 lambda p: ops.merge_grids(p, g(A, 2), g(A, 1)),
                 lambda p: ops.split_grid(p, g(A, 1), atom_ids=[atom_id(0, 0)]),
                 lambda p: ops.rename_grid(p, g(A, 1), "x"),
                 lambda p: ops.assign_staff(p, g(A, 1), grid_worker="张三")):
        with pytest.raises(LockedGridError, match="locked"):
            call(plan)
    unlocked = ops.unlock_grid(plan, g(A, 1))
    assert ops.move_atoms(unlocked, [atom_id(0, 0)], g(A, 2)).grid_of(atom_id(0, 0)) == g(A, 2)


def test_merge_adjacent_grids_keeps_the_first_code_and_attributes():
    plan = ops.assign_staff(lattice_plan(), g(A, 1), grid_worker="王芳")
    merged = ops.merge_grids(plan, g(A, 1), g(A, 2))
    assert g(A, 2) not in merged.grids.index
    assert len(merged.atoms_of(g(A, 1))) == 8
    assert merged.grids.at[g(A, 1), "grid_worker"] == "王芳"
    assert grid_figures(merged).at[g(A, 1), "households"] == 800


def test_merge_refuses_grids_without_a_shared_border_and_itself():
    plan = lattice_plan()
    bottom = ops.split_grid(plan, g(A, 2), atom_ids=[atom_id(3, 0), atom_id(3, 1)])  # row 3 becomes A003
    with pytest.raises(PlanEditError, match="do not share a border"):
        ops.merge_grids(bottom, g(A, 1), g(A, 3))  # rows 0-1 and row 3
    with pytest.raises(PlanEditError, match="itself"):
        ops.merge_grids(plan, g(A, 1), g(A, 1))
    with pytest.raises(PlanEditError, match="different communities"):
        ops.merge_grids(plan, g(A, 1), g(B, 1))  # adjacent, but across the community border


def test_split_by_picked_atoms_makes_a_new_grid_with_the_next_free_code():
    plan = lattice_plan()
    out = ops.split_grid(plan, g(A, 1), atom_ids=[atom_id(0, 1), atom_id(1, 1)], name="新网格")
    assert g(A, 3) in out.grids.index
    assert sorted(out.atoms_of(g(A, 3))) == [atom_id(0, 1), atom_id(1, 1)]
    assert out.grids.at[g(A, 3), "community_code"] == A
    assert out.grids.at[g(A, 3), "name"] == "新网格"
    with pytest.raises(PlanEditError, match="some but not all"):
        ops.split_grid(plan, g(A, 1), atom_ids=plan.atoms_of(g(A, 1)))
    with pytest.raises(PlanEditError, match="not in grid"):
        ops.split_grid(plan, g(A, 1), atom_ids=[atom_id(3, 3)])


def test_split_by_a_line_cuts_along_the_line():
    plan = lattice_plan()
    # vertical line between columns 0 and 1 across grid A001 (rows 0-1)
    x = X0 + 0.001
    out = ops.split_grid(plan, g(A, 1), line=[(x + 0.0002, Y0 + 0.0005), (x + 0.0002, Y0 - 0.0025)])
    assert sorted(out.atoms_of(g(A, 1))) == [atom_id(0, 0), atom_id(1, 0)]
    assert sorted(out.atoms_of(g(A, 3))) == [atom_id(0, 1), atom_id(1, 1)]
    assert {i.rule for i in validate(out)} == {"under_min"}  # two grids of 200 households, nothing else


def test_split_line_stopping_just_short_of_the_border_still_cuts():
    plan = lattice_plan()
    x = X0 + 0.0012
    # grid A001 spans Y0 - 0.002 .. Y0; the line stops ~5 m inside both borders
    out = ops.split_grid(plan, g(A, 1), line=[(x, Y0 - 0.00005), (x, Y0 - 0.00195)])
    assert sorted(out.atoms_of(g(A, 3))) == [atom_id(0, 1), atom_id(1, 1)]


def test_split_line_that_misses_or_cuts_no_atom_is_refused():
    plan = lattice_plan()
    with pytest.raises(PlanEditError, match="does not cut"):
        ops.split_grid(plan, g(A, 1), line=[(X0 + 0.01, Y0), (X0 + 0.011, Y0 - 0.003)])
    with pytest.raises(PlanEditError, match="both or neither"):
        ops.split_grid(plan, g(A, 1))
    with pytest.raises(PlanEditError, match="one side"):
        # cuts the grid polygon only through the edge strip of column 0's atoms: every point stays on one side
        ops.split_grid(plan, g(A, 1), line=[(X0 + 0.00002, Y0 + 0.0005), (X0 + 0.00002, Y0 - 0.0025)])


def test_rename_and_assign_staff():
    plan = ops.rename_grid(lattice_plan(), g(B, 1), "  凤凰一格 ")
    plan = ops.assign_staff(plan, g(B, 1), grid_worker="李雷", party_branch="第一党支部")
    row = plan.grids.loc[g(B, 1)]
    assert (row["name"], row["grid_worker"], row["party_branch"]) == ("凤凰一格", "李雷", "第一党支部")
    with pytest.raises(PlanEditError, match="empty"):
        ops.rename_grid(plan, g(B, 1), " ")
    with pytest.raises(PlanEditError, match="grid worker or a party branch"):
        ops.assign_staff(plan, g(B, 1))


def test_paint_legacy_grid_moves_its_atoms_within_the_target_community_only():
    plan = lattice_plan()
    # L1 = rows 0-1 x cols 1-2: cols 1 in A (already A001), col 2 in B
    out = ops.paint_legacy_grid(plan, "L1", g(B, 2))
    assert out.grid_of(atom_id(0, 1)) == g(A, 1)  # other community: left alone
    assert out.grid_of(atom_id(0, 2)) == g(B, 2) and out.grid_of(atom_id(1, 2)) == g(B, 2)
    painted = ops.paint_legacy_grid(plan, "L1", g(A, 2), layer="party")
    assert painted.grid_of(atom_id(0, 1)) == g(A, 2) and painted.grid_of(atom_id(1, 1)) == g(A, 2)
    assert painted.grid_of(atom_id(0, 2)) == g(B, 1)
    everywhere = ops.paint_legacy_grid(plan, "L1", g(A, 2), same_community=False)
    assert everywhere.grid_of(atom_id(0, 2)) == g(A, 2)
    with pytest.raises(PlanEditError, match="no atom lies"):
        ops.paint_legacy_grid(plan, "L9", g(A, 1))


def test_paint_skips_atoms_of_locked_grids():
    plan = ops.lock_grid(lattice_plan(), g(A, 1))
    with pytest.raises(PlanEditError, match="no atom left"):
        ops.paint_legacy_grid(plan, "L1", g(A, 2))  # its A atoms are all in locked A001
    out = ops.paint_legacy_grid(plan, "L1", g(B, 2), same_community=False)
    assert out.atoms_of(g(A, 1)) == plan.atoms_of(g(A, 1))
    assert out.grid_of(atom_id(0, 2)) == g(B, 2)


def test_apply_edit_records_and_unknown_ops():
    plan = lattice_plan()
    edit = ops.Edit("move_atoms", {"atom_ids": [atom_id(1, 0)], "to_grid": g(A, 2)})
    assert ops.apply_edit(plan, edit.as_dict()).grid_of(atom_id(1, 0)) == g(A, 2)
    with pytest.raises(PlanEditError, match="unknown edit"):
        ops.apply_edit(plan, {"op": "teleport"})
    with pytest.raises(PlanEditError, match="bad parameters"):
        ops.apply_edit(plan, {"op": "move_atoms", "params": {"atoms": []}})


def test_preview_shows_the_batch_without_applying_it():
    plan = lattice_plan()
    pending = ops.preview(plan, [{"op": "move_atoms", "params": {"atom_ids": [atom_id(1, 1)], "to_grid": g(A, 2)}},
                                 {"op": "move_atoms", "params": {"atom_ids": [atom_id(1, 0)], "to_grid": g(A, 2)}}])
    assert plan.grid_of(atom_id(1, 1)) == g(A, 1)
    assert pending.diff.summary["atoms_moved"] == 2
    assert pending.figures_before.at[g(A, 1), "households"] == 400
    assert pending.figures_after.at[g(A, 1), "households"] == 200
    assert pending.figures_after.at[g(A, 2), "households"] == 600
    rules = {i.rule for i in pending.new_issues}
    assert rules == {"under_min", "over_max"} and not pending.ok
    # a batch that only moves one atom: a non-contiguous grid is a new error
    one = ops.preview(plan, [ops.Edit("move_atoms", {"atom_ids": [atom_id(1, 0)], "to_grid": g(A, 2)}),
                             ops.Edit("move_atoms", {"atom_ids": [atom_id(0, 1)], "to_grid": g(A, 2)})])
    assert "non_contiguous" in {i.rule for i in one.new_issues}


def test_a_line_split_after_a_merge_never_reuses_the_merged_away_code():
    """Merge A002 into A001, then split A001 with a line: the new grid is A003, not the retired A002
    (and an undo of the merge gives A002 back, as it was never retired on that branch)."""
    merged = ops.merge_grids(lattice_plan(), g(A, 1), g(A, 2))
    assert merged.retired == frozenset({g(A, 2)})
    x = X0 + 0.001  # the border between columns 0 and 1
    split = ops.split_grid(merged, g(A, 1), line=[(x, Y0 + 0.0005), (x, Y0 - 0.0045)])
    assert set(split.grids.index) == {g(A, 1), g(A, 3), g(B, 1), g(B, 2)}
    assert ops.next_code(split, A) == g(A, 4)
    with pytest.raises(PlanEditError):
        ops.split_grid(merged, g(A, 1), atom_ids=[atom_id(0, 0)], new_code=g(A, 2))
    assert ops.next_code(lattice_plan(), A) == g(A, 3)  # the unmerged plan: A002 still in use


def test_retired_codes_travel_with_the_saved_versions(tmp_path):
    from gridgeo.plan.repository import PlanRepository
    from gridgeo.services.workspace import open_store

    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite'}", seed_default=False)
    try:
        repo = PlanRepository(store)
        pid, _ = repo.create_plan("退役编码", lattice_plan(), author="t")
        merged = ops.merge_grids(repo.load(pid)[0], g(A, 1), g(A, 2))
        repo.save_version(pid, merged, author="t", base_version=1)
        loaded = repo.load(pid)[0]
        assert g(A, 2) in loaded.retired
        assert ops.next_code(loaded, A) == g(A, 3)
    finally:
        store.close()
