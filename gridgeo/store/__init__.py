"""The event store: ``connect(url)`` returns a :class:`Store` on SQLite or PostgreSQL + PostGIS.

Where it lives: ``url`` if given, else ``GRIDGEO_DATABASE_URL``, else the SQLite file
``$GRIDGEO_DATA_DIR/gridgeo.sqlite`` (data dir default: ``<repo>/var/``). URLs are SQLAlchemy
URLs (``sqlite:///path``, ``postgresql+psycopg://user@host:port/db``); a plain path means a
SQLite file. On first open of an empty store the schema is created. This package is
persistence only: processes open their store with :func:`gridgeo.services.workspace.open_store`,
which seeds the demo store (and only it) with the synthetic grids.

Schema: ONE migration system, Alembic, for every table in the database (grid sets, events,
history, plans, aggregates, and the tables added later). The revisions are
``gridgeo/store/migrations/versions/NNNN_name.py``, one linear chain; ``connect`` brings the
database to the head revision inside one locked write transaction (PostgreSQL advisory lock,
SQLite ``BEGIN IMMEDIATE``), so concurrent first opens are safe, and a store made by an older
gridgeo (even one from before Alembic) upgrades itself. Nothing reads an ``alembic.ini`` at run
time (:mod:`gridgeo.store.migrate`).

To add a table or change one:

1. describe it for the code in a SQLAlchemy ``Table`` (``gridgeo/store/schema.py``, or your
   module's own ``schema.py`` as ``gridgeo/plan/schema.py`` does);
2. add ``gridgeo/store/migrations/versions/NNNN_what.py`` (copy the newest revision, set
   ``revision = "NNNN"`` and ``down_revision`` to the current head, e.g. ``"0005"``), whose
   ``upgrade()`` creates or alters it with ``alembic.op`` explicitly (not with the live
   ``Table``, which may change later); branch on ``op.get_bind().dialect.name`` for
   PostGIS-only parts. Or generate the file: ``alembic -c gridgeo/store/migrations/alembic.ini
   revision -m "what"``;
3. never edit a released revision; ``tests/test_store.py`` checks a fresh store reaches the head
   and an old one upgrades.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gridgeo.config import Settings, get_settings
from gridgeo.events.lifecycle import TransitionError
from gridgeo.store.sql import EVENT_COLUMNS, EventNotFound, Store

__all__ = ["EVENT_COLUMNS", "EventNotFound", "Store", "TransitionError", "data_dir", "default_url",
           "connect"]


def data_dir(settings: Settings | None = None) -> Path:
    """The settings' data dir (``GRIDGEO_DATA_DIR`` or ``<repo>/var/``), created when missing."""
    path = (settings or get_settings()).data_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_url(settings: Settings | None = None) -> str:
    """The settings' store URL: ``GRIDGEO_DATABASE_URL`` or the SQLite file in the data dir."""
    settings = settings or get_settings()
    if settings.database_url is None:
        data_dir(settings)
    return settings.store_url


def _sqlite_engines(url: sa.URL) -> tuple[sa.Engine, sa.Engine]:
    """A read engine (deferred transactions) and a write engine (BEGIN IMMEDIATE), both WAL."""
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)

    def make(begin: str) -> sa.Engine:
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            conn.exec_driver_sql(begin)

        return engine

    return make("BEGIN"), make("BEGIN IMMEDIATE")


def connect(url: str | None = None, *, settings: Settings | None = None) -> Store:
    """Open the store at ``url`` (default: the settings' store URL) and bring its schema to the
    head revision. Persistence only: nothing is seeded here (see
    :func:`gridgeo.services.workspace.open_store` for the demo store's grids)."""
    url = url or default_url(settings)
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    sa_url = sa.make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        read, write = _sqlite_engines(sa_url)
        store = Store(read, write, url=url)
    elif sa_url.get_backend_name() == "postgresql":
        engine = sa.create_engine(sa_url, pool_pre_ping=True)
        store = Store(engine, url=url)
    else:
        raise ValueError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql+psycopg://...")
    store.migrate()
    return store
