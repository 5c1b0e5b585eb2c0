"""Schema migrations of the whole store database, with Alembic (one system for every table:
grid sets, events, history, plans, aggregates, and whatever comes next).

The revisions live in ``gridgeo/store/migrations/versions/`` (``0001_core.py`` ...), one linear
chain. :func:`upgrade` runs them on an open connection inside the caller's write transaction,
programmatically (no ``alembic.ini`` at run time). How to add a revision: see the docstring of
:mod:`gridgeo.store`.

Stores made before Alembic recorded their schema in ``schema_migrations`` (store migrations
1-3) and ``plan_schema_migrations`` (plan migration 1). Such a store is stamped with the
matching revision (store 1/2/3 -> ``0001``/``0002``/``0003``; with the plan tables too ->
``0004``), the two old tables are dropped, and the pending revisions run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

SCRIPT_LOCATION = Path(__file__).with_name("migrations")
LEGACY_STORE_REVISIONS = {1: "0001", 2: "0002", 3: "0003"}
LEGACY_PLAN_REVISION = "0004"


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    """The store's Alembic revisions (read once per process)."""
    return ScriptDirectory.from_config(_config())


def _config(conn: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest revision (what :func:`upgrade` brings a store to)."""
    return str(script_directory().get_current_head())


def current_revision(conn: sa.Connection) -> str | None:
    """The revision a database is at (None when it has none)."""
    return MigrationContext.configure(conn).get_current_revision()


def _stamp_legacy(conn: sa.Connection) -> None:
    """Give a store from before Alembic the revision matching its old migration tables."""
    tables = set(sa.inspect(conn).get_table_names())
    if "schema_migrations" not in tables or "alembic_version" in tables:
        return
    done = int(conn.exec_driver_sql("SELECT max(version) FROM schema_migrations").scalar() or 0)
    plan_done = 0
    if "plan_schema_migrations" in tables:
        plan_done = int(conn.exec_driver_sql("SELECT max(version) FROM plan_schema_migrations").scalar() or 0)
    revision = LEGACY_STORE_REVISIONS.get(done)
    if revision == "0003" and plan_done >= 1:
        revision = LEGACY_PLAN_REVISION
    if revision is not None:
        command.stamp(_config(conn), revision)
    conn.exec_driver_sql("DROP TABLE schema_migrations")
    if "plan_schema_migrations" in tables:
        conn.exec_driver_sql("DROP TABLE plan_schema_migrations")


def upgrade(conn: sa.Connection) -> str:
    """Bring the database behind ``conn`` to the head revision, inside ``conn``'s open (and
    already locked) transaction; return the head revision."""
    head = head_revision()
    if current_revision(conn) == head:
        return head
    _stamp_legacy(conn)
    command.upgrade(_config(conn), "head")
    return head
