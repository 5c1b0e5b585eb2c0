"""Which atlas a process works on, and whether its store is the synthetic demo.

The active atlas is, in this order: the settings' ``atlas`` (``GRIDGEO_ATLAS``), the atlas the
store marks active (``gridgeo atlas use NAME``), else the embedded Guangming demo
(:data:`gridgeo.config.DEMO_ATLAS`, synthetic inside the real district outline).

A store is the demo store only when all of these hold: it is the embedded SQLite file of the
settings' data dir (not a ``GRIDGEO_DATABASE_URL``, not another URL given on the command
line), and the active atlas is the demo. Only the demo store receives the synthetic grids
(:func:`gridgeo.services.workspace.open_store`) and simulated events (the app, ``gridgeo simulate``).
"""

from __future__ import annotations

from pathlib import Path

from gridgeo.atlas.model import Atlas
from gridgeo.config import DEMO_ATLAS, Settings, get_settings
from gridgeo.errors import InputError


def stored_active_name(store) -> str | None:
    """The atlas the store marks active (``gridgeo atlas use``), or None (none, or a store
    without atlas tables)."""
    try:
        from gridgeo.store.atlases import active_atlas_name
    except ImportError:  # a build without stored atlases
        return None
    return active_atlas_name(store)


def active_atlas_name(store, settings: Settings | None = None) -> str:
    """The name of the atlas to work on: the settings' atlas, the store's active one, else the demo."""
    settings = settings or get_settings()
    return settings.atlas or (stored_active_name(store) if store is not None else None) or DEMO_ATLAS


def _same_store(url_a: str, url_b: str) -> bool:
    """True when two store URLs name the same database (SQLite paths compared resolved)."""
    import sqlalchemy as sa

    a, b = sa.make_url(url_a), sa.make_url(url_b)
    if a.get_backend_name() == b.get_backend_name() == "sqlite" and a.database and b.database:
        return Path(a.database).resolve() == Path(b.database).resolve()
    return a.render_as_string(hide_password=False) == b.render_as_string(hide_password=False)


def is_demo_store(store, settings: Settings | None = None) -> bool:
    """True when ``store`` is the embedded demo store (see the module text): the only store that
    may receive synthetic grids and simulated events."""
    settings = settings or get_settings()
    if not settings.demo_allowed or not _same_store(store.url, settings.store_url):
        return False
    return active_atlas_name(store, settings) == DEMO_ATLAS


def load_active_atlas(store, settings: Settings | None = None) -> Atlas:
    """The active atlas (see :func:`active_atlas_name`): the embedded demo, or a stored atlas
    (``meta["name"]`` holds the name). InputError names an atlas the store does not hold."""
    name = active_atlas_name(store, settings)
    if name == DEMO_ATLAS:
        from gridgeo.atlas.load import load_default_atlas

        atlas = load_default_atlas()
        atlas.meta.setdefault("name", DEMO_ATLAS)
        return atlas
    missing = InputError(f"atlas {name!r} is not in the store: import it with `gridgeo atlas import --name "
                         f"{name} ...`, or see the stored ones with `gridgeo atlas list`")
    try:
        from gridgeo.store.atlases import load_stored_atlas
    except ImportError:
        raise missing from None
    try:
        atlas = load_stored_atlas(store, name)
    except (LookupError, ValueError, InputError):
        raise missing from None
    atlas.meta.setdefault("name", name)
    return atlas
