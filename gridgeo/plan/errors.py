"""Errors of plan editing and storage, each with a one-line message for the planner."""

from __future__ import annotations

from gridgeo.errors import GridgeoError
from gridgeo.i18n import Msg


class CatalogueError(GridgeoError):
    """An error built from a catalogue message (``Msg``) or plain text: ``str(exc)`` is English,
    ``exc.msg.render(lang)`` (or ``gridgeo.i18n.render(exc, lang)``) the planner's language
    (see GridgeoError, which takes a ``Msg``)."""

    def __init__(self, msg: Msg | str):
        super().__init__(msg)


class PlanEditError(CatalogueError):
    """An edit that cannot be applied (unknown grid or atom, a locked grid, a line that cuts nothing)."""


class LockedGridError(PlanEditError):
    """An edit would touch a locked grid."""


class StaleVersionError(GridgeoError):
    """A save whose base version is no longer the plan's latest; reload and re-apply the edits."""

    def __init__(self, plan_id: int, base_version: int | None, head_version: int | None):
        self.plan_id, self.base_version, self.head_version = plan_id, base_version, head_version
        super().__init__(Msg("refuse_stale", {"plan": plan_id, "base": base_version, "head": head_version}))


class StaleGridSetError(GridgeoError):
    """A publish whose plan was started from a grid set that is no longer the current one: it would
    silently overwrite the grids published since. ``changes`` lists them (version, author, comment,
    published_at)."""

    def __init__(self, plan_id: int, base: int, current: int, changes: list[dict]):
        self.plan_id, self.base_grid_set, self.current_grid_set, self.changes = plan_id, base, current, changes
        text = "; ".join(f"v{c['version']} by {c['author']}" + (f": {c['comment']}" if c.get("comment") else "")
                         for c in changes)
        super().__init__(Msg("refuse_stale_grid_set", {"plan": plan_id, "base": base, "current": current,
                                                       "changes": text}))


class PlanNotFoundError(GridgeoError):
    """No plan or version with that id."""


class IntegrityError(CatalogueError):
    """A plan version fails its integrity checks and cannot be published."""
