"""A plan whose base grid set is no longer the current one (someone published since): start it
again on today's grids, with or without re-applying the edits saved in its versions.

Publishing such a plan is refused (StaleGridSetError, 409 at the API): it would overwrite the
grids published since. The planner offers the two ways on: **rebase** (a new plan from the
current grid set, every saved edit of the old plan re-applied in order; the session's unsaved
edits are then re-applied by ``EditHistory.rebase``) or **start again** (a new plan from the
current grid set, nothing re-applied).
"""

from __future__ import annotations

from gridgeo.i18n import Msg
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.model import Plan
from gridgeo.plan.ops import Edit, apply_edit


def base_changed(repo, plan_id: int, current: int | None = None) -> tuple[int, int] | None:
    """(the plan's base grid set, the current one) when a grid set was published since the plan
    was started from its base, else None (also for plans that do not record their base)."""
    base = repo.base_grid_set(plan_id)
    current = repo.store.current_version() if current is None else current
    if base is None or current is None or int(base) == int(current):
        return None
    return int(base), int(current)


def saved_edits(repo, plan_id: int, up_to: int) -> list[Edit]:
    """The edits saved with versions 2..``up_to`` of ``plan_id``, in order (version 1 has none)."""
    return [Edit.from_dict(e) for v in range(2, int(up_to) + 1) for e in repo.edits(plan_id, v)]


def plan_on_current(repo, plan_id: int, up_to: int, replay: bool, start: Plan | None = None) -> Plan:
    """A plan over the current grid set (``start``: it, already built), with the saved edits of
    ``plan_id`` up to version ``up_to`` re-applied when ``replay``. Raises PlanEditError naming
    the first edit that no longer applies (nothing is stored)."""
    if start is None:
        from gridgeo.plan.start import default_start_plan

        start = default_start_plan("current", repo.store)
    plan = start
    if not replay:
        return plan
    edits = saved_edits(repo, plan_id, up_to)
    for k, edit in enumerate(edits, start=1):
        try:
            plan = apply_edit(plan, edit)
        except PlanEditError as exc:
            reason = exc.msg if getattr(exc, "msg", None) is not None else str(exc)
            raise PlanEditError(Msg("edit_rebase_failed", {"k": k, "n": len(edits), "op": Msg(f"pl_op_{edit.op}"),
                                                           "reason": reason})) from exc
    return plan
