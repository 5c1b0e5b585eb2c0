"""Apply what the in-browser plan editor sends: strokes, undo/redo, a selection, a drawn line.

The browser sends ``{"sid": <session id>, "seq": <last sequence number>, "ops": [...]}`` where
every op carries its ``seq`` and one of

- ``{"op": "move_atoms", "atoms": [...], "to_grid": code}`` (paint brush, whole-legacy-grid brush);
- ``{"op": "unassign_atoms", "atoms": [...]}`` (eraser);
- ``{"op": "undo"}`` / ``{"op": "redo"}``;
- ``{"op": "select", "atoms": [...]}`` and ``{"op": "line", "coords": [[lon, lat], ...]}``
  (kept for the page's split and move buttons; they change no plan).

:func:`apply_browser_ops` applies the ops newer than the last one applied, in order, to an
:class:`~gridgeo.plan.history.EditHistory` with :mod:`gridgeo.plan.ops` (every refusal is one
line, the op is skipped, nothing half-applied), then runs the integrity checks and the grid
figures on the result, and reports the server time of the whole batch (wall clock and the
applying thread's CPU time).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from gridgeo.errors import GridgeoError
from gridgeo.i18n import Msg
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.history import EditHistory
from gridgeo.plan.integrity import validate
from gridgeo.plan.ops import Edit

PLAN_OPS = ("move_atoms", "unassign_atoms", "undo", "redo")


@dataclass
class BrowserBatch:
    """What one call applied: last sequence number, refusals (``{"sid", "seq", "op", "error"}``, the
    exception to show), selection/line, checks, timing."""

    sid: str
    last_seq: int
    applied: int = 0
    rejected: list[dict] = field(default_factory=list)
    selection: list[str] | None = None
    line: list[list[float]] | None = None
    issues: list | None = None
    figures: pd.DataFrame | None = None
    server_ms: float | None = None
    cpu_ms: float | None = None  # CPU time of the applying thread: the work itself, without waiting for a core


def _atoms(op: dict) -> list[str]:
    atoms = op.get("atoms")
    if not isinstance(atoms, list) or not atoms:
        raise PlanEditError(Msg("pe_err_no_atoms", {"op": str(op.get("op"))}))
    return [str(a) for a in atoms]


def _apply_one(history: EditHistory, op: dict, batch: BrowserBatch) -> bool:
    """Apply one op; True when the plan changed."""
    kind = op.get("op")
    if kind == "move_atoms":
        history.apply(Edit("move_atoms", {"atom_ids": _atoms(op), "to_grid": str(op.get("to_grid"))}))
    elif kind == "unassign_atoms":
        history.apply(Edit("unassign_atoms", {"atom_ids": _atoms(op)}))
    elif kind == "undo":
        history.undo()
    elif kind == "redo":
        history.redo()
    elif kind == "select":
        batch.selection = [str(a) for a in op.get("atoms") or []]
        return False
    elif kind == "line":
        coords = op.get("coords")
        if not isinstance(coords, list) or len(coords) < 2:
            raise PlanEditError(Msg("pe_err_line"))
        batch.line = [[float(x), float(y)] for x, y in coords]
        return False
    else:
        raise PlanEditError(Msg("pe_err_unknown_op", {"op": str(kind), "ops": ", ".join([*PLAN_OPS, "select", "line"])}))
    return True


def apply_browser_ops(history: EditHistory, value, last_seq: int = 0) -> BrowserBatch | None:
    """Apply the ops of ``value`` (see the module docstring) whose ``seq`` is above ``last_seq``.

    Returns None when ``value`` is not an editor message; otherwise a BrowserBatch whose
    ``issues``/``figures`` are those of the plan after the batch when it changed the plan.
    """
    if not isinstance(value, dict) or not isinstance(value.get("ops"), list):
        return None
    batch = BrowserBatch(sid=str(value.get("sid", "")), last_seq=int(last_seq))
    start, cpu_start = time.perf_counter(), time.thread_time()
    for op in value["ops"]:
        if not isinstance(op, dict) or not isinstance(op.get("seq"), int) or op["seq"] <= batch.last_seq:
            continue
        batch.last_seq = op["seq"]
        try:
            batch.applied += _apply_one(history, op, batch)
        except (GridgeoError, ValueError, TypeError) as exc:
            batch.rejected.append({"sid": batch.sid, "seq": op["seq"], "op": str(op.get("op")), "error": exc})
    if batch.applied:
        plan = history.current
        batch.issues = validate(plan)
        batch.figures = grid_figures(plan)
        batch.server_ms = (time.perf_counter() - start) * 1000
        batch.cpu_ms = (time.thread_time() - cpu_start) * 1000
    return batch
