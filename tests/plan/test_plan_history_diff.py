"""Undo/redo, re-applying a session on a newer base, diffs and the live figures."""

from __future__ import annotations

import math

import pytest
from plan_helpers import A, B, atom_id, g, lattice_plan

from gridgeo.plan import ops
from gridgeo.plan.diff import diff_plans, diff_shapes
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.figures import community_balance, grid_figures, polsby_popper, summary
from gridgeo.plan.history import EditHistory

MOVE = ops.Edit("move_atoms", {"atom_ids": [atom_id(1, 0)], "to_grid": g(A, 2)})
RENAME = ops.Edit("rename_grid", {"grid": g(B, 1), "name": "北片"})


def test_undo_redo_walks_the_session_and_new_edit_clears_redo():
    base = lattice_plan()
    h = EditHistory(base)
    assert not h.can_undo and not h.can_redo
    p1 = h.apply(MOVE)
    p2 = h.apply(RENAME)
    assert h.current is p2 and h.edits == [MOVE, RENAME]
    assert h.undo() is p1 and h.current.grids.at[g(B, 1), "name"] == g(B, 1)
    assert h.undo() is base and not h.can_undo
    with pytest.raises(PlanEditError, match="nothing to undo"):
        h.undo()
    assert h.redo() is p1 and h.redo() is p2
    with pytest.raises(PlanEditError, match="nothing to redo"):
        h.redo()
    h.undo()
    h.apply(ops.Edit("lock_grid", {"grid": g(A, 1)}))
    assert not h.can_redo and [e.op for e in h.edits] == ["move_atoms", "lock_grid"]


def test_refused_edit_leaves_history_unchanged():
    h = EditHistory(lattice_plan())
    h.apply(ops.Edit("lock_grid", {"grid": g(A, 1)}))
    before = h.current
    with pytest.raises(PlanEditError):
        h.apply(ops.Edit("move_atoms", {"atom_ids": [atom_id(0, 0)], "to_grid": g(A, 2)}))
    assert h.current is before and len(h.edits) == 1


def test_history_limit_folds_old_steps_into_the_base():
    h = EditHistory(lattice_plan(), limit=2)
    for name in ("a", "b", "c"):
        h.apply(ops.Edit("rename_grid", {"grid": g(A, 1), "name": name}))
    assert h.base.grids.at[g(A, 1), "name"] == "a" and len(h.edits) == 3  # the session still has all three
    assert h.undo().grids.at[g(A, 1), "name"] == "b" and h.undo().grids.at[g(A, 1), "name"] == "a"
    assert not h.can_undo  # the undo stack holds only the last two
    h.redo()
    h.redo()
    rebased = h.rebase(ops.assign_staff(lattice_plan(), g(B, 1), grid_worker="新人"))
    assert rebased.grids.at[g(A, 1), "name"] == "c" and rebased.grids.at[g(B, 1), "grid_worker"] == "新人"
    assert [e.params["name"] for e in h.edits] == ["a", "b", "c"]


def test_rebase_reapplies_the_session_on_a_newer_version():
    base = lattice_plan()
    h = EditHistory(base)
    h.apply(MOVE)
    other = ops.rename_grid(base, g(B, 2), "别人改的")  # someone else's saved version
    mine = h.rebase(other)
    assert mine.grid_of(atom_id(1, 0)) == g(A, 2) and mine.grids.at[g(B, 2), "name"] == "别人改的"
    locked = ops.lock_grid(base, g(A, 2))
    with pytest.raises(PlanEditError, match="edit 1 of 1"):
        h.rebase(locked)
    assert h.current is mine  # unchanged after a failed rebase


def test_diff_lists_added_removed_changed_and_households_moved():
    a = lattice_plan()
    b = ops.move_atoms(a, [atom_id(1, 0)], g(A, 2))
    b = ops.merge_grids(b, g(B, 1), g(B, 2))
    b = ops.split_grid(b, g(A, 2), atom_ids=[atom_id(3, 0), atom_id(3, 1)])
    b = ops.assign_staff(b, g(A, 1), grid_worker="赵敏")
    d = diff_plans(a, b)
    status = d.grids["status"].to_dict()
    assert status[g(B, 2)] == "removed" and status[g(A, 3)] == "added"
    assert status[g(A, 2)] == "changed" and status[g(B, 1)] == "changed" and status[g(A, 1)] == "changed"
    assert d.grids.at[g(A, 2), "households_before"] == 400 and d.grids.at[g(A, 2), "households_after"] == 300
    assert d.grids.at[g(A, 1), "fields"] == "grid_worker"
    assert d.summary["atoms_moved"] == 1 + 4 + 2 and d.summary["households_moved"] == 700
    moved = d.moves.set_index("atom_id")
    assert moved.at[atom_id(1, 0), "from_grid"] == g(A, 1) and moved.at[atom_id(1, 0), "to_grid"] == g(A, 2)
    assert d.moved_areas["households"].sum() == 700 and d.moved_areas.crs.to_epsg() == 4326
    shapes = diff_shapes(a, b, d)
    assert set(shapes["code"]) == {g(A, 1), g(A, 2), g(A, 3), g(B, 1), g(B, 2)}
    only_attr = diff_plans(a, ops.rename_grid(a, g(B, 2), "x"))
    assert only_attr.grids.at[g(B, 2), "status"] == "attributes" and only_attr.summary["atoms_moved"] == 0


def test_diff_of_identical_plans_is_empty():
    a = lattice_plan()
    d = diff_plans(a, a)
    assert set(d.grids["status"]) == {"unchanged"} and d.moves.empty and len(d.moved_areas) == 0


def test_figures_follow_edits():
    plan = lattice_plan()
    figs = grid_figures(plan)
    assert figs["households"].tolist() == [400] * 4 and figs["population"].tolist() == [1000] * 4
    # Polsby-Popper of a w x h rectangle is pi*w*h/(w+h)^2 (lattice cells are ~102 x 111 m)
    x0, y0, x1, y1 = plan.grid_shapes(metric=True).geometry[g(A, 1)].bounds
    w, h = x1 - x0, y1 - y0
    assert figs["polsby_popper"].iloc[0] == pytest.approx(math.pi * w * h / (w + h) ** 2, rel=1e-3)
    moved = grid_figures(ops.move_atoms(plan, [atom_id(1, 0), atom_id(1, 1)], g(A, 2)))
    assert moved.at[g(A, 1), "households"] == 200 and moved.at[g(A, 1), "size_status"] == "under_min"
    assert moved.at[g(A, 2), "size_status"] == "over_max"
    # a 1x2 rectangle is less compact than a square
    assert moved.at[g(A, 1), "polsby_popper"] == pytest.approx(math.pi * w * h / 2 / (w + h / 2) ** 2, rel=1e-3)
    bal = community_balance(ops.move_atoms(plan, [atom_id(1, 0), atom_id(1, 1)], g(A, 2)))
    assert bal.at[A, "grids"] == 2 and bal.at[A, "min_households"] == 200 and bal.at[A, "max_households"] == 600
    assert bal.at[A, "share_within_band"] == 0 and bal.at[B, "share_within_band"] == 1
    assert bal.at[A, "cv_households"] == pytest.approx(0.5)
    s = summary(plan)
    assert s["grids"] == 4 and s["households"] == 1600 and s["share_within_band"] == 1


def test_polsby_popper_of_empty_geometry_is_zero():
    import shapely

    assert polsby_popper([shapely.Polygon()]).tolist() == [0.0]
