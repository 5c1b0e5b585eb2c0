"""Planners redraw grids: plans over atoms, editing operations, integrity checks, figures,
undo/redo, diffs, plan versions in the store, publish and the audit log.

Modules: model (Plan, AtomSet), ops (edits, preview), integrity (validate), figures, history,
diff, repository (versions, optimistic concurrency, publish, audit), start (plans from the
partition's atoms or the current grids), api (FastAPI router).
"""
