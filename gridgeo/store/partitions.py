"""Monthly partitions of the PostGIS ``events`` table (declarative partitioning; SQLite keeps one
plain table).

Layout (revision ``0010``): ``events`` is partitioned by RANGE (``reported_at``) with primary key
``(id, reported_at)``; ``event_ids`` (``id`` primary key, ``reported_at``) keeps ids unique across
partitions, takes the idempotent ``ON CONFLICT (id) DO NOTHING`` of intake, and is what
``event_history`` references. Indexes are declared once on the parent (GiST on ``geom``, btree on
``reported_at``, the area codes and ``status``) and PostgreSQL gives every partition its own.

One partition per UTC month, named ``events_pYYYYMM``, for the months from :data:`YEARS_BACK`
years before the current month to :data:`MONTHS_AHEAD` after it; they are made on demand by the
write path (:class:`MonthPartitions`), in a short transaction of their own before the insert
transaction, under a transaction-level advisory lock, so concurrent writers in several processes
never race. Every other time (a historical import from before that, a clock far ahead) goes to
the ``events_default`` partition, which also catches a month whose partition is missing for any
reason (a role without the right to create tables, say): an insert never fails for want of a
partition. When a month's partition is made later, its rows in the default partition move into it
in the same transaction.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa

from gridgeo.store import schema as S

LOCK_KEY = 4711010  # pg_advisory_xact_lock key held while a month partition is made
YEARS_BACK = 10
MONTHS_AHEAD = 1
DEFAULT_PARTITION = "events_default"
RETRY_AFTER_S = 60.0  # after a failed attempt to make a partition
log = logging.getLogger("gridgeo.store")
_NAME = re.compile(r"^events_p(\d{4})(\d{2})$")

Month = tuple[int, int]  # (year, month) in UTC


def month_of(ts: datetime) -> Month:
    """The UTC month a time falls in."""
    t = ts.astimezone(UTC) if ts.tzinfo is not None else ts
    return t.year, t.month


def _shift(month: Month, months: int) -> Month:
    k = month[0] * 12 + month[1] - 1 + months
    return k // 12, k % 12 + 1


def partition_name(month: Month) -> str:
    """``events_pYYYYMM``."""
    return f"events_p{month[0]:04d}{month[1]:02d}"


def bounds(month: Month) -> tuple[str, str]:
    """The partition's [from, to) bounds as timestamptz literals."""
    nxt = _shift(month, 1)
    return (f"{month[0]:04d}-{month[1]:02d}-01 00:00:00+00", f"{nxt[0]:04d}-{nxt[1]:02d}-01 00:00:00+00")


def has_own_partition(month: Month, today: datetime | None = None) -> bool:
    """True for the months that get a partition of their own (the rest go to the default one)."""
    current = month_of(today or datetime.now(UTC))
    return _shift(current, -12 * YEARS_BACK) <= month <= _shift(current, MONTHS_AHEAD)


def existing_months(conn: sa.Connection) -> set[Month]:
    """The months that have a partition now."""
    names = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'events'::regclass").scalars().all()
    return {(int(m[1]), int(m[2])) for m in map(_NAME.match, names) if m}


def create_month(conn: sa.Connection, month: Month) -> bool:
    """Make ``month``'s partition inside ``conn``'s transaction unless it exists (another writer
    may have made it first); rows of that month in the default partition move into it. Returns
    True when this call made it."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    name = partition_name(month)
    if conn.execute(sa.text("SELECT to_regclass(:name)"), {"name": name}).scalar() is not None:
        return False
    # the lock CREATE ... PARTITION OF takes anyway, taken before touching the table at all, so
    # this transaction never upgrades a lock it holds (no deadlock with a status change of a
    # row in the default partition)
    conn.exec_driver_sql("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
    lo, hi = bounds(month)
    in_range = f"reported_at >= '{lo}' AND reported_at < '{hi}'"
    cols = ", ".join(c.name for c in S.events.columns)  # every column but the generated geom
    stray = conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE {in_range})").scalar()
    if stray:
        conn.exec_driver_sql(f"CREATE TEMP TABLE events_moving ON COMMIT DROP AS "
                             f"SELECT {cols} FROM {DEFAULT_PARTITION} WHERE {in_range}")
        conn.exec_driver_sql(f"DELETE FROM {DEFAULT_PARTITION} WHERE {in_range}")
    conn.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF events FOR VALUES FROM ('{lo}') TO ('{hi}')")
    if stray:
        conn.exec_driver_sql(f"INSERT INTO events ({cols}) SELECT {cols} FROM events_moving")
        conn.exec_driver_sql("DROP TABLE events_moving")
    return True


class MonthPartitions:
    """The months known to have a partition (per store object), and making the missing ones."""

    def __init__(self) -> None:
        self._known: set[Month] | None = None
        self._lock = threading.Lock()
        self._retry_at = 0.0

    def ensure(self, engine: sa.Engine, times: Iterable[datetime]) -> list[Month]:
        """Make sure the months of ``times`` that get their own partition have one; return the
        months made. Costs nothing when they are all known; otherwise one short transaction.

        Never raises for a database error: the rows then go to the default partition (and the
        insert itself reports an outage). A failure (say the role may not create tables) is
        logged and not retried for :data:`RETRY_AFTER_S` seconds."""
        wanted = {month_of(t) for t in times}
        if self._known is not None and wanted <= self._known:
            return []
        wanted = {m for m in wanted if has_own_partition(m)}
        if (self._known is not None and wanted <= self._known) or time.monotonic() < self._retry_at:
            return []
        try:
            with self._lock, engine.begin() as conn:
                known = existing_months(conn)
                made = [m for m in sorted(wanted - known) if create_month(conn, m)]
        except sa.exc.DBAPIError as exc:
            self._retry_at = time.monotonic() + RETRY_AFTER_S
            log.warning("events: month partition not made (%s); rows go to %s for now",
                        str(exc.orig or exc).splitlines()[0], DEFAULT_PARTITION)
            return []
        self._known = known | wanted
        return made

    def forget(self) -> None:
        """Drop the cache (the next write reads the partitions again)."""
        self._known = None
