"""The in-browser editor's server side: the eraser op, applying the browser's op queue (strokes,
undo/redo, selection, line) exactly once each, and the data the editor draws."""

from __future__ import annotations

import pytest
from plan_helpers import A, B, atom_id, g, lattice_plan

from gridgeo.i18n import render
from gridgeo.palette import PALETTE
from gridgeo.plan import ops
from gridgeo.plan.editor_data import (
    community_atoms_geojson,
    community_grids,
    editor_state,
    grid_adjacency,
    grid_palette,
)
from gridgeo.plan.errors import LockedGridError, PlanEditError
from gridgeo.plan.history import EditHistory
from gridgeo.plan.integrity import validate
from gridgeo.plan.strokes import apply_browser_ops


def test_the_eraser_leaves_a_gap_and_drops_an_emptied_grid():
    plan = lattice_plan()
    erased = ops.unassign_atoms(plan, [atom_id(0, 0)])
    assert atom_id(0, 0) not in erased.assignment.index
    assert [i.atom for i in validate(erased) if i.rule == "unassigned"] == [atom_id(0, 0)]
    whole = ops.unassign_atoms(plan, plan.atoms_of(g(A, 1)))
    assert g(A, 1) not in whole.grids.index and g(A, 1) in plan.grids.index
    with pytest.raises(PlanEditError, match="nothing to erase") as refused:
        ops.unassign_atoms(erased, [atom_id(0, 0)])
    assert render(refused.value, "zh") == "这些单元都不属于任何网格；没有可擦除的"
    with pytest.raises(PlanEditError, match="not part of"):
        ops.unassign_atoms(plan, ["nope"])
    with pytest.raises(LockedGridError):
        ops.unassign_atoms(ops.lock_grid(plan, g(A, 1)), [atom_id(0, 0)])
    repainted = ops.apply_edit(erased, {"op": "move_atoms", "params": {"atom_ids": [atom_id(0, 0)], "to_grid": g(A, 2)}})
    assert repainted.grid_of(atom_id(0, 0)) == g(A, 2)


def _msg(*ops_: dict, sid: str = "s1") -> dict:
    return {"sid": sid, "seq": max(o["seq"] for o in ops_ if isinstance(o, dict)), "ops": list(ops_)}


def test_a_stroke_is_applied_once_with_checks_and_figures():
    history = EditHistory(lattice_plan())
    stroke = {"seq": 1, "op": "move_atoms", "atoms": [atom_id(1, 0), atom_id(1, 1)], "to_grid": g(A, 2)}
    batch = apply_browser_ops(history, _msg(stroke))
    assert batch.applied == 1 and batch.last_seq == 1 and not batch.rejected
    assert batch.figures.at[g(A, 1), "households"] == 200 and batch.figures.at[g(A, 2), "households"] == 600
    assert {i.rule for i in batch.issues} >= {"under_min", "over_max"}
    assert batch.server_ms is not None and batch.cpu_ms is not None and batch.cpu_ms >= 0
    # the same message again (a rerun without a new stroke) changes nothing
    again = apply_browser_ops(history, _msg(stroke), last_seq=batch.last_seq)
    assert again.applied == 0 and again.issues is None and len(history.edits) == 1
    # the queue keeps unacknowledged ops: only the new one is applied
    undo = {"seq": 2, "op": "undo"}
    batch = apply_browser_ops(history, _msg(stroke, undo), last_seq=1)
    assert batch.applied == 1 and history.edits == [] and history.can_redo
    batch = apply_browser_ops(history, _msg({"seq": 3, "op": "redo"}), last_seq=2)
    assert history.current.grid_of(atom_id(1, 0)) == g(A, 2)


def test_refusals_name_the_op_and_change_nothing():
    plan = ops.lock_grid(lattice_plan(), g(A, 1))
    history = EditHistory(plan)
    batch = apply_browser_ops(history, _msg(
        {"seq": 1, "op": "move_atoms", "atoms": [atom_id(0, 0)], "to_grid": g(A, 2)},
        {"seq": 2, "op": "move_atoms", "atoms": [atom_id(2, 0)], "to_grid": "nope"},
        {"seq": 3, "op": "erase_everything"},
        {"seq": 4, "op": "unassign_atoms", "atoms": []},
        {"seq": 5, "op": "redo"},
        "not an op",
    ))
    assert [r["seq"] for r in batch.rejected] == [1, 2, 3, 4, 5] and batch.applied == 0
    assert isinstance(batch.rejected[0]["error"], LockedGridError)
    assert "erase_everything" in str(batch.rejected[2]["error"])
    shown = [render(r["error"], "zh") for r in batch.rejected]  # what the browser shows: Chinese
    assert "已锁定" in shown[0] and "erase_everything" in shown[2] and all(not s.isascii() for s in shown), shown
    assert history.current is plan and batch.last_seq == 5
    assert apply_browser_ops(history, None) is None and apply_browser_ops(history, {"ops": "x"}) is None


def test_selection_and_line_are_kept_for_the_page():
    history = EditHistory(lattice_plan())
    batch = apply_browser_ops(history, _msg({"seq": 1, "op": "select", "atoms": [atom_id(0, 0)]},
                                            {"seq": 2, "op": "line", "coords": [[113.9, 22.75], [113.901, 22.748]]},
                                            {"seq": 3, "op": "line", "coords": [[1, 2]]}))
    assert batch.selection == [atom_id(0, 0)] and batch.line == [[113.9, 22.75], [113.901, 22.748]]
    assert [r["seq"] for r in batch.rejected] == [3] and batch.applied == 0 and history.edits == []


def test_what_the_editor_draws():
    plan = lattice_plan()
    data = community_atoms_geojson(plan.atoms, A)
    assert community_atoms_geojson(plan.atoms, A) is data  # built once per atom set and community
    feats = data["atoms"]["features"]
    assert sorted(f["properties"]["id"] for f in feats) == sorted(atom_id(r, c) for r in range(4) for c in (0, 1))
    first = next(f for f in feats if f["properties"]["id"] == atom_id(0, 1))
    assert first["properties"]["h"] == 100 and first["properties"]["lg"] == {"party": "L1"}
    assert first["geometry"]["type"] == "Polygon" and len(data["bounds"]) == 4
    assert community_grids(plan, A) == [g(A, 1), g(A, 2)]
    moved = ops.move_atoms(plan, [atom_id(1, 0)], g(A, 2))
    state = editor_state(moved, A, {g(A, 1): "#111111"}, base=plan)
    assert state["assign"][atom_id(1, 0)] == g(A, 2) and len(state["assign"]) == 8
    assert state["base"] == {g(A, 1): 400, g(A, 2): 400}
    assert {x["code"]: x["color"] for x in state["grids"]}[g(A, 1)] == "#111111"
    assert all(x["lat"] is not None for x in state["grids"]) and len(state["outlines"]["features"]) == 2
    assert state["band"] == {"min": 300.0, "max": 500.0}


def test_neighbouring_grids_get_different_colours_and_keep_them():
    plan = lattice_plan()
    codes = [g(A, 1), g(A, 2), g(B, 1), g(B, 2)]
    adjacency = grid_adjacency(plan, codes)
    assert adjacency[g(A, 1)] == {g(A, 2), g(B, 1)}
    colors = grid_palette(plan, codes)
    assert set(colors) == set(codes) and set(colors.values()) <= set(PALETTE)
    assert all(colors[a] != colors[b] for a in codes for b in adjacency[a])
    split = ops.split_grid(plan, g(A, 1), atom_ids=[atom_id(0, 0)])
    new_codes = community_grids(split, A) + [g(B, 1), g(B, 2)]
    again = grid_palette(split, new_codes, colors)
    assert all(again[c] == colors[c] for c in codes)  # a new grid never repaints the old ones
    new = (set(new_codes) - set(codes)).pop()
    assert all(again[new] != again[n] for n in grid_adjacency(split, new_codes)[new])
