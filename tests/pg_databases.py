"""Databases of their own on the throw-away PostGIS test server (scripts/pg_test_server.sh): one
per pytest-xdist worker (tests/conftest.py) and fresh ones for tests that must not share tables."""

from __future__ import annotations

import sqlalchemy as sa


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(url: str, name: str, postgis: bool = True) -> str:
    """The URL of database ``name`` on ``url``'s server, made when missing (with the PostGIS
    extension unless ``postgis`` is False)."""
    admin = _admin(url)
    with admin.connect() as conn:
        if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    own = sa.make_url(url).set(database=name)
    if postgis:
        engine = sa.create_engine(own, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        engine.dispose()
    return own.render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    """Drop database ``name`` on ``url``'s server, ending its sessions first."""
    admin = _admin(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                             "AND pid <> pg_backend_pid()")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()
