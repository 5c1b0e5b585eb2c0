"""Undo and redo for a session of edits.

``EditHistory`` keeps the plans themselves (they are immutable and share their atoms, so each
step costs one assignment Series and one grid table) together with the edits that produced
them. ``edits`` are the steps from the session's base to the current plan: after a stale save
the planner reloads the newest version and ``rebase`` re-applies those same edits to it.
"""

from __future__ import annotations

from gridgeo.i18n import Msg
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.model import Plan
from gridgeo.plan.ops import Edit, apply_edit


class EditHistory:
    """A linear undo/redo stack of (edit, plan after it) starting from a base plan."""

    def __init__(self, base: Plan, limit: int = 500):
        self.base = base
        self.limit = limit
        self._folded: list[Edit] = []  # edits beyond the undo limit, folded into ``base``
        self._done: list[tuple[Edit, Plan]] = []
        self._undone: list[tuple[Edit, Plan]] = []

    @property
    def current(self) -> Plan:
        """The plan after every applied edit."""
        return self._done[-1][1] if self._done else self.base

    @property
    def edits(self) -> list[Edit]:
        """Every edit of the session still applied, oldest first (also those beyond the undo
        limit): what ``rebase`` re-applies and what a save records."""
        return [*self._folded, *(e for e, _ in self._done)]

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def apply(self, edit: Edit | dict) -> Plan:
        """Apply an edit to the current plan; a refused edit changes nothing. Clears redo."""
        edit = edit if isinstance(edit, Edit) else Edit.from_dict(edit)
        plan = apply_edit(self.current, edit)
        self._done.append((edit, plan))
        self._undone.clear()
        self._fold()
        return plan

    def _fold(self) -> None:
        while len(self._done) > self.limit:  # keep memory bounded: the oldest step joins the base
            edit, self.base = self._done.pop(0)
            self._folded.append(edit)

    def undo(self) -> Plan:
        """Step back one edit."""
        if not self._done:
            raise PlanEditError(Msg("edit_nothing_to_undo"))
        self._undone.append(self._done.pop())
        return self.current

    def redo(self) -> Plan:
        """Re-apply the last undone edit."""
        if not self._undone:
            raise PlanEditError(Msg("edit_nothing_to_redo"))
        self._done.append(self._undone.pop())
        return self.current

    def rebase(self, new_base: Plan) -> Plan:
        """Re-apply this session's edits (all of them, see ``edits``) on ``new_base`` (e.g. a newer
        saved version).

        Raises PlanEditError naming the first edit that no longer applies; then the history is
        left as it was.
        """
        edits = self.edits
        done: list[tuple[Edit, Plan]] = []
        plan = new_base
        for k, edit in enumerate(edits, start=1):
            try:
                plan = apply_edit(plan, edit)
            except PlanEditError as exc:
                reason = exc.msg if getattr(exc, "msg", None) is not None else str(exc)
                raise PlanEditError(Msg("edit_rebase_failed", {"k": k, "n": len(edits), "op": Msg(f"pl_op_{edit.op}"),
                                                               "reason": reason})) from exc
            done.append((edit, plan))
        self.base, self._folded, self._done, self._undone = new_base, [], done, []
        self._fold()
        return self.current
