"""Editing operations on a plan: plain functions that return a new Plan.

Every operation refuses (``PlanEditError``, one line saying what and what to do) instead of
half-applying: unknown grids or atoms, a locked grid, a line that cuts nothing. A grid left
without atoms by a move is dropped from the grid table (undo brings it back).

Edits can also be written down as ``Edit(op, params)`` records (JSON-friendly) and applied
with :func:`apply_edit`; the undo history, the API and the pending-changes preview use them, so
a planner whose save was refused as stale can re-apply the same edits to the newer version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.ops import split as split_polygon

from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import transformer
from gridgeo.i18n import Msg
from gridgeo.plan.errors import LockedGridError, PlanEditError
from gridgeo.plan.model import Plan, grid_table

MAX_SERIAL = 999
LINE_EXTENSION_M = 15.0  # a split line's ends are lengthened by this much (metres)


def _refuse(key: str, kind: type[PlanEditError] = PlanEditError, **params) -> PlanEditError:
    """A refusal from the catalogue (``key``, an ``edit_*`` entry): English as text, any language on screen."""
    return kind(Msg(key, params))


def _require_grid(plan: Plan, code: str) -> str:
    code = str(code)
    if code not in plan.grids.index:
        raise _refuse("edit_no_grid", grid=code)
    return code


def _require_unlocked(plan: Plan, codes) -> None:
    for code in codes:
        if code in plan.grids.index and bool(plan.grids.at[code, "locked"]):
            raise _refuse("edit_locked", LockedGridError, grid=code)


def _drop_empty(plan: Plan, assignment: pd.Series, grids: pd.DataFrame, touched) -> pd.DataFrame:
    used = set(assignment.to_numpy())
    gone = [g for g in touched if g not in used and g in grids.index]
    return grids.drop(index=gone) if gone else grids


def next_code(plan: Plan, community_code: str, taken: set[str] | None = None) -> str:
    """The lowest free 15-digit code (community code + 3-digit serial) in ``community_code``; a
    code retired in the plan's lineage (merged away, emptied) is not free."""
    used = set(plan.grids.index) | set(plan.assignment.to_numpy()) | set(plan.retired) | (taken or set())
    for serial in range(1, MAX_SERIAL + 1):
        code = f"{community_code}{serial:03d}"
        if code not in used:
            return code
    raise _refuse("edit_no_serial", community=community_code)


def _atom_ids(plan: Plan, atom_ids) -> list[str]:
    """The distinct atom ids of a batch, in order; refused when empty or naming an unknown atom."""
    ids = list(dict.fromkeys(str(a) for a in atom_ids))
    if not ids:
        raise _refuse("edit_no_atoms")
    unknown = [a for a in ids if a not in plan.atoms.position]
    if unknown:
        raise _refuse("edit_unknown_atom", atom=unknown[0])
    return ids


def move_atoms(plan: Plan, atom_ids, to_grid: str) -> Plan:
    """Assign ``atom_ids`` to grid ``to_grid`` (also fills unassigned atoms; the paint brush)."""
    to_grid = _require_grid(plan, to_grid)
    ids = _atom_ids(plan, atom_ids)
    mask = plan.assignment.index.isin(ids)
    sources = set(plan.assignment[mask].to_numpy()) - {to_grid}
    _require_unlocked(plan, sorted(sources | {to_grid}))
    kept = plan.assignment[~mask]
    moved = pd.Series([to_grid] * len(ids), index=pd.Index(ids, name="atom_id"), name="grid", dtype=object)
    assignment = pd.concat([kept, moved])
    grids = _drop_empty(plan, assignment, plan.grids, sources)
    return plan.with_(assignment=assignment, grids=grids)


def unassign_atoms(plan: Plan, atom_ids) -> Plan:
    """Take ``atom_ids`` out of their grids (the eraser): they are a gap until painted into a grid.

    Refuses atoms of a locked grid and a batch where no atom is assigned; a grid left without
    atoms is dropped from the grid table (undo brings it back).
    """
    ids = _atom_ids(plan, atom_ids)
    mask = plan.assignment.index.isin(ids)
    if not mask.any():
        raise _refuse("edit_nothing_to_erase")
    sources = set(plan.assignment[mask].to_numpy())
    _require_unlocked(plan, sorted(sources))
    assignment = plan.assignment[~mask]
    return plan.with_(assignment=assignment, grids=_drop_empty(plan, assignment, plan.grids, sources))


def merge_grids(plan: Plan, keep: str, absorb: str, require_adjacent: bool = True) -> Plan:
    """Merge grid ``absorb`` into grid ``keep`` (which keeps its code and attributes); both must be
    of the same community and, with ``require_adjacent``, share a border."""
    keep, absorb = _require_grid(plan, keep), _require_grid(plan, absorb)
    if keep == absorb:
        raise _refuse("edit_merge_self", grid=keep)
    _require_unlocked(plan, (keep, absorb))
    ca, cb = plan.grids.at[keep, "community_code"], plan.grids.at[absorb, "community_code"]
    if ca != cb:
        raise _refuse("edit_merge_communities", a=keep, b=absorb, ca=ca, cb=cb)
    members = plan.members()
    a, b = members.get(keep, np.zeros(0, int)), members.get(absorb, np.zeros(0, int))
    if require_adjacent and len(a) and len(b) and not np.isin(plan.atoms.neighbours(a), b).any():
        raise _refuse("edit_merge_not_adjacent", a=keep, b=absorb)
    assignment = plan.assignment.where(plan.assignment != absorb, keep)
    return plan.with_(assignment=assignment, grids=plan.grids.drop(index=absorb))


def _as_line(line) -> LineString:
    if isinstance(line, shapely.Geometry):
        geom = line
    else:
        try:
            geom = LineString([(float(x), float(y)) for x, y in line])
        except (TypeError, ValueError) as exc:
            raise _refuse("edit_line_points") from exc
    if geom.geom_type not in ("LineString", "MultiLineString") or geom.is_empty:
        raise _refuse("edit_line_type", kind=geom.geom_type)
    return geom


def split_grid(plan: Plan, grid: str, atom_ids=None, line=None, new_code: str | None = None,
               name: str | None = None) -> Plan:
    """Split ``grid`` by picking atoms (they form the new grid) or by a line drawn across it.

    With ``line`` (WGS84 lon/lat points or a shapely line) each atom goes to the side holding
    its representative point; the side with most households keeps the code, every other side
    becomes a new grid. New grids take the lowest free serial of the community unless
    ``new_code`` is given (picked atoms only). Returns the plan; the new codes are the grids
    added (see :func:`gridgeo.plan.diff.diff_plans`).
    """
    grid = _require_grid(plan, grid)
    _require_unlocked(plan, (grid,))
    if (atom_ids is None) == (line is None):
        raise _refuse("edit_split_how")
    inside = plan.atoms_of(grid)
    if line is None:
        picked = list(dict.fromkeys(str(a) for a in atom_ids))
        outside = [a for a in picked if a not in set(inside)]
        if outside:
            raise _refuse("edit_split_outside", atom=outside[0], grid=grid)
        if not picked or len(picked) == len(inside):
            raise _refuse("edit_split_some", grid=grid)
        groups = [picked]
    else:
        groups = _sides(plan, grid, inside, _as_line(line))
    community = plan.grids.at[grid, "community_code"]
    assignment, rows, taken = plan.assignment.copy(), [], set()
    for i, group in enumerate(groups):
        code = new_code if (new_code and i == 0) else next_code(plan, community, taken)
        if code in plan.grids.index or code in taken or code in plan.retired:
            raise _refuse("edit_code_used", code=code)
        taken.add(code)
        assignment[assignment.index.isin(group)] = code
        rows.append({"code": code, "name": name if (name and len(groups) == 1) else code,
                     "community_code": community, "grid_worker": "", "party_branch": "", "locked": False})
    grids = pd.concat([plan.grids, grid_table(pd.DataFrame(rows))]).sort_index()
    return plan.with_(assignment=assignment, grids=grids)


def _sides(plan: Plan, grid: str, inside: list[str], line) -> list[list[str]]:
    members = np.array([plan.atoms.position[a] for a in inside])
    shape = plan.atoms.shape(members)
    metric_line = _extend(shapely.transform(line, _projector(plan.atoms.metric_crs)), LINE_EXTENSION_M)
    pieces = list(split_polygon(shape, metric_line).geoms) if shape.geom_type == "Polygon" else \
        [p for part in shape.geoms for p in split_polygon(part, metric_line).geoms]
    if len(pieces) < 2:
        raise _refuse("edit_line_misses", grid=grid)
    points = shapely.point_on_surface(plan.atoms.metric[members])
    side = np.full(len(members), -1)
    for k, piece in enumerate(pieces):
        side[(side < 0) & shapely.contains(piece, points)] = k
    side[side < 0] = 0
    households = plan.atoms.counts[members, 0]
    used = sorted(set(side.tolist()), key=lambda k: (-households[side == k].sum(), k))
    if len(used) < 2:
        raise _refuse("edit_line_one_side", grid=grid)
    ids = np.array(inside, dtype=object)
    return [list(ids[side == k]) for k in used[1:]]


def _extend(line, metres: float):
    """The line with its first and last segments lengthened by ``metres`` (a line drawn by hand
    that stops just short of the grid's border still cuts it)."""
    if line.geom_type != "LineString" or metres <= 0:
        return line
    xy = np.asarray(line.coords, dtype=float)[:, :2]
    if len(xy) < 2:
        return line
    for end, nxt in ((0, 1), (-1, -2)):
        d = xy[end] - xy[nxt]
        n = float(np.hypot(*d))
        if n > 0:
            xy[end] = xy[end] + d / n * metres
    return LineString(xy)


def _projector(metric_crs: str):
    tr = transformer(WGS84, metric_crs)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return project


def _set_attr(plan: Plan, grid: str, check_lock: bool = True, **values) -> Plan:
    grid = _require_grid(plan, grid)
    if check_lock:
        _require_unlocked(plan, (grid,))
    grids = plan.grids.copy()
    for col, value in values.items():
        grids.at[grid, col] = value
    return plan.with_(grids=grids)


def rename_grid(plan: Plan, grid: str, name: str) -> Plan:
    """Give ``grid`` a new display name (its code stays)."""
    name = str(name).strip()
    if not name:
        raise _refuse("edit_empty_name", grid=grid)
    return _set_attr(plan, grid, name=name)


def assign_staff(plan: Plan, grid: str, grid_worker: str | None = None, party_branch: str | None = None) -> Plan:
    """Set the grid worker (网格员) and/or party branch (党支部) of ``grid``."""
    values = {k: str(v).strip() for k, v in (("grid_worker", grid_worker), ("party_branch", party_branch))
              if v is not None}
    if not values:
        raise _refuse("edit_no_staff")
    return _set_attr(plan, grid, **values)


def lock_grid(plan: Plan, grid: str) -> Plan:
    """Lock ``grid``: no edit touches it until it is unlocked."""
    return _set_attr(plan, grid, check_lock=False, locked=True)


def unlock_grid(plan: Plan, grid: str) -> Plan:
    """Unlock ``grid`` so it can be edited again."""
    return _set_attr(plan, grid, check_lock=False, locked=False)


def legacy_atoms(plan: Plan, legacy_code: str, layer: str | None = None) -> list[str]:
    """Atom ids lying in legacy grid ``legacy_code`` (of ``layer``, or of whichever layer has it)."""
    layers = [layer] if layer else plan.atoms.legacy_layers
    frame = plan.atoms.frame
    found = {}
    for name in layers:
        col = f"legacy_{name}"
        if col not in frame.columns:
            raise _refuse("edit_no_layer", layer=name, known=", ".join(plan.atoms.legacy_layers))
        hit = frame.index[frame[col].astype(str) == str(legacy_code)]
        if len(hit):
            found[name] = list(hit)
    if not found:
        raise _refuse("edit_no_legacy", code=legacy_code)
    if len(found) > 1:
        raise _refuse("edit_legacy_ambiguous", code=legacy_code, layers=", ".join(found))
    return next(iter(found.values()))


def paint_legacy_grid(plan: Plan, legacy_code: str, to_grid: str, layer: str | None = None,
                      same_community: bool = True) -> Plan:
    """The coarser-unit brush: move every atom of a legacy grid into ``to_grid`` at once.

    Atoms in locked grids are left alone (as a brush skips locked districts), and so, with
    ``same_community``, are atoms outside ``to_grid``'s community (legacy grids can cross
    community borders, grids may not).
    """
    to_grid = _require_grid(plan, to_grid)
    _require_unlocked(plan, (to_grid,))
    ids = legacy_atoms(plan, legacy_code, layer)
    labels = plan.labels()
    pos = np.array([plan.atoms.position[a] for a in ids])
    ok = labels[pos] != to_grid
    locked = plan.grids.index[plan.grids["locked"]]
    ok &= ~pd.Series(labels[pos]).isin(locked).to_numpy()
    if same_community:
        ok &= plan.atoms.community[pos] == plan.grids.at[to_grid, "community_code"]
    chosen = [a for a, keep in zip(ids, ok, strict=True) if keep]
    if not chosen:
        raise _refuse("edit_paint_nothing", code=legacy_code, grid=to_grid)
    return move_atoms(plan, chosen, to_grid)


OPERATIONS = {
    "move_atoms": move_atoms,
    "unassign_atoms": unassign_atoms,
    "merge_grids": merge_grids,
    "split_grid": split_grid,
    "rename_grid": rename_grid,
    "assign_staff": assign_staff,
    "lock_grid": lock_grid,
    "unlock_grid": unlock_grid,
    "paint_legacy_grid": paint_legacy_grid,
}


@dataclass(frozen=True)
class Edit:
    """One editing step as data: an operation name and its JSON-friendly parameters."""

    op: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Edit:
        if not isinstance(data, dict) or "op" not in data:
            raise _refuse("edit_bad_edit")
        return cls(op=str(data["op"]), params=dict(data.get("params") or {}))


def apply_edit(plan: Plan, edit: Edit | dict) -> Plan:
    """Apply one ``Edit`` (or its dict form) and return the new plan."""
    edit = edit if isinstance(edit, Edit) else Edit.from_dict(edit)
    func = OPERATIONS.get(edit.op)
    if func is None:
        raise _refuse("edit_unknown_op", op=edit.op, ops=", ".join(OPERATIONS))
    try:
        return func(plan, **edit.params)
    except TypeError as exc:
        raise _refuse("edit_bad_params", op=edit.op, error=str(exc)) from exc


def apply_edits(plan: Plan, edits) -> Plan:
    """Apply edits in order; the first refused edit raises and nothing is applied."""
    for edit in edits:
        plan = apply_edit(plan, edit)
    return plan


@dataclass
class PendingChanges:
    """What a batch of edits does, before it is applied: the plan after it, the diff, the
    figures of the grids it touches before and after, and the integrity issues it adds or clears."""

    before: Plan
    after: Plan
    edits: list[Edit]
    diff: object  # gridgeo.plan.diff.PlanDiff
    figures_before: pd.DataFrame
    figures_after: pd.DataFrame
    new_issues: list
    resolved_issues: list

    @property
    def ok(self) -> bool:
        """True when the batch introduces no new integrity error."""
        return not any(i.severity == "error" for i in self.new_issues)


def preview(plan: Plan, edits, issues_before: list | None = None) -> PendingChanges:
    """Apply ``edits`` to a copy of ``plan`` and report what they would change (nothing is kept).

    ``issues_before``: ``validate(plan)`` when the caller has it already. Raises PlanEditError
    when an edit of the batch is refused.
    """
    from gridgeo.plan.diff import diff_plans
    from gridgeo.plan.figures import grid_figures
    from gridgeo.plan.integrity import validate

    edits = [e if isinstance(e, Edit) else Edit.from_dict(e) for e in edits]
    after = apply_edits(plan, edits)
    d = diff_plans(plan, after)
    touched = list(d.grids.index[d.grids["status"] != "unchanged"])
    before_issues = validate(plan) if issues_before is None else issues_before
    after_issues = validate(after)

    def key(i):
        return (i.rule, i.grid, i.atom)

    old = {key(i) for i in before_issues}
    new = {key(i) for i in after_issues}
    return PendingChanges(
        before=plan, after=after, edits=edits, diff=d,
        figures_before=grid_figures(plan, [c for c in touched if c in plan.grids.index]),
        figures_after=grid_figures(after, [c for c in touched if c in after.grids.index]),
        new_issues=[i for i in after_issues if key(i) not in old],
        resolved_issues=[i for i in before_issues if key(i) not in new])
