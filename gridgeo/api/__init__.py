"""The HTTP layer (FastAPI): ``create_app(store=None, settings=None, plan_atoms_provider=None)``.

Layout (FastAPI's "bigger applications"): :mod:`~gridgeo.api.app` the factory,
:mod:`~gridgeo.api.deps` settings, store and the access guards, :mod:`~gridgeo.api.routing` the
guarded route class (guards and body limit before FastAPI reads the body),
:mod:`~gridgeo.api.encoding` the one JSON encoder, :mod:`~gridgeo.api.errors` the error shape and
handlers, :mod:`~gridgeo.api.outage` database failures → 503/507,
:mod:`~gridgeo.api.group_commit` shared intake transactions, and one router per resource in
:mod:`gridgeo.api.routers`. Endpoints and access rules: docs/events.md and docs/plan.md.
"""

from gridgeo.api.app import create_app

__all__ = ["create_app"]
