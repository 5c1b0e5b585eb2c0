"""Up-front checks shared by subcommands: output folders and the store, each failing with one line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gridgeo.errors import InputError, UsageError


def ensure_dir(path: str | Path, flag: str) -> Path:
    """Create the output folder ``path`` (given with ``flag``) or raise a one-line InputError."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{flag} {path}: is a file, not a folder; give a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{flag} {path}: cannot create the folder ({exc.strerror}); "
                         "give a folder you can write to") from None
    return path


def ensure_parent_dir(path: str | Path, flag: str) -> Path:
    """Check that the file ``path`` (given with ``flag``) can be created: its folder exists or can be made."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{flag} {path}: is a folder; give a file path")
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise InputError(f"{flag} {path}: {parent} is a file, not a folder; give a path in a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{flag} {path}: cannot create its folder ({exc.strerror}); "
                         "give a path you can write to") from None
    return path


def open_store_checked(url: str | None, flag: str = "--database", *, seed_default: bool | None = None) -> Any:
    """``gridgeo.services.workspace.open_store(url)`` with a bad URL or an unreachable/unwritable store as one line.

    ``seed_default`` as in open_store: None (default) publishes the demo grids only into the empty
    demo store (gridgeo.services.active_atlas.is_demo_store); False never (atlas commands); True always."""
    import sqlalchemy as sa

    from gridgeo.services.workspace import open_store

    shown = url or "the default store (GRIDGEO_DATABASE_URL or the data dir)"
    try:
        return open_store(url, seed_default=seed_default)
    except sa.exc.ArgumentError as exc:
        raise UsageError(f"{flag} {url}: not a database URL ({exc}); use sqlite:///FILE or "
                         "postgresql+psycopg://USER@HOST/DB") from None
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    except (sa.exc.OperationalError, OSError) as exc:
        raise InputError(f"{flag} {shown}: cannot open the store ({_store_failure(url, exc)})") from None


MIN_FREE_BYTES = 1 << 20  # SQLite needs room for its journal (-wal, -shm) to open a store


def _store_failure(url: str | None, exc: BaseException) -> str:
    """What stopped the store from opening and what to do, in one clause."""
    from sqlalchemy.engine import make_url

    from gridgeo.config import get_settings

    target = make_url(url or get_settings().store_url)
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if isinstance(exc, OSError) and exc.filename:
        first = f"{exc.strerror}: {exc.filename}"
    if target.get_backend_name() != "sqlite":
        where = f"{target.host or 'localhost'}:{target.port or 5432}"
        return (f"the PostgreSQL server at {where} cannot be reached or refused the login: {first}; "
                "start it or fix the URL")
    folder = Path(target.database or ".").resolve().parent
    free = _free_bytes(folder)
    if free is not None and free < MIN_FREE_BYTES:
        return (f"the disk of {folder} is full ({free:,} bytes free; SQLite reported: {first}); "
                "free some space there, then start again")
    return f"{first}; check that the file's folder exists and is writable"


def _free_bytes(folder: Path) -> int | None:
    """Free bytes on the file system holding ``folder`` (or its nearest existing parent)."""
    import shutil

    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def check_dir_creatable(path: str | Path, flag: str) -> Path:
    """Check, without creating anything, that the output folder ``path`` exists or can be created
    (so a long run does not fail only when it writes)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: is a file; give a folder")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise UsageError(f"{flag} {path}: {existing} is a file, not a folder; give a folder path")
    if not os.access(existing if existing.exists() else Path("."), os.W_OK | os.X_OK):
        raise InputError(f"{flag} {path}: {existing} is not writable; give a folder you can write to")
    return path
