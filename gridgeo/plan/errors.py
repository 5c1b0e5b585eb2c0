"""Errors of plan editing and storage, each with a one-line message for the planner."""

from __future__ import annotations

from gridgeo.errors import GridgeoError


class PlanEditError(GridgeoError):
    """An edit that cannot be applied (unknown grid or atom, a locked grid, a line that cuts nothing)."""


class LockedGridError(PlanEditError):
    """An edit would touch a locked grid."""


class StaleVersionError(GridgeoError):
    """A save whose base version is no longer the plan's latest; reload and re-apply the edits."""

    def __init__(self, plan_id: int, base_version: int | None, head_version: int | None):
        self.plan_id, self.base_version, self.head_version = plan_id, base_version, head_version
        super().__init__(
            f"plan {plan_id}: your edits are based on version {base_version}, but version {head_version} "
            f"has been saved since; reload version {head_version} and re-apply your edits, then save again")


class PlanNotFoundError(GridgeoError):
    """No plan or version with that id."""


class IntegrityError(GridgeoError):
    """A plan version fails its integrity checks and cannot be published."""
