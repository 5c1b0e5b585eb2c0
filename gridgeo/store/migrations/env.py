"""Alembic environment of the store.

At run time :func:`gridgeo.store.migrate.upgrade` hands in an open connection (already inside
the locked write transaction) through ``config.attributes["connection"]``; nothing else is read.
From the command line (``alembic -c gridgeo/store/migrations/alembic.ini -x url=URL upgrade
head``) the URL comes from ``-x url=``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

config = context.config
connection = config.attributes.get("connection")


def _run(conn: sa.Connection) -> None:
    context.configure(connection=conn, target_metadata=None, compare_type=False)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the store URL: alembic -x url=sqlite:///FILE upgrade head")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
