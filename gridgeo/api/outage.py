"""What a database failure means for a client: :func:`classify` maps an exception raised by the
store (SQLAlchemy, psycopg, sqlite3 or the OS) to an HTTP answer.

* the database cannot be reached or went away (connection refused or closed, server shutting
  down, too many connections, pool exhausted, lock timeout, I/O error) → **503** with
  ``Retry-After``: the request can be sent again later; nothing of it was stored;
* the disk is full (SQLite ``SQLITE_FULL``, PostgreSQL SQLSTATE 53100, ``ENOSPC``) → **507**;
* the database refused a value (PostgreSQL SQLSTATE class 22, e.g. a number out of a column's
  range) → **422** (a safety net: the API validates such values before they reach the store);
* anything else → ``None`` (a bug: the caller answers 500).

Recovery needs no restart: SQLAlchemy's pool drops dead connections (``pool_pre_ping`` on
PostgreSQL) and the next request connects again.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy.exc as sa_exc

RETRY_AFTER_S = 5
SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN = 13, 10, 5, 6, 14
PG_UNAVAILABLE_CLASSES = ("08", "57", "53", "40")  # connection, operator intervention, resources, rollback
PG_DISK_FULL = "53100"


@dataclass(frozen=True)
class Outage:
    """The HTTP answer for a store failure: status (503, 507 or 422), message, Retry-After."""

    status: int
    message: str
    retry_after: int | None = None

    @property
    def headers(self) -> dict[str, str] | None:
        """``Retry-After`` for a 503."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        todo.extend([getattr(item, "orig", None), item.__cause__, item.__context__])


def _unavailable(what: str) -> Outage:
    return Outage(503, f"the database is unavailable ({what}); nothing was stored, try again later",
                  RETRY_AFTER_S)


def _disk_full(what: str) -> Outage:
    return Outage(507, f"the database's disk is full ({what}); nothing was stored; free space on the "
                       "server, then send it again")


def _sqlite(exc: sqlite3.Error) -> Outage | None:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary == SQLITE_FULL or "disk is full" in text:
        return _disk_full(text)
    if primary in (SQLITE_IOERR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN) or \
            isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "I/O" in text or "unable to open" in text):
        return _unavailable(text)
    return None


def _postgres(exc: BaseException) -> Outage | None:
    try:
        import psycopg
    except ImportError:  # a service without the postgis extra has no PostgreSQL errors to read
        return None
    if not isinstance(exc, psycopg.Error):
        return None
    state = getattr(exc, "sqlstate", None) or ""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if state == PG_DISK_FULL:
        return _disk_full(first)
    if state[:2] in PG_UNAVAILABLE_CLASSES:
        return _unavailable(first)
    if state.startswith("22"):
        return Outage(422, f"the database refused a value: {first}")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and not state:
        return _unavailable(first)  # refused, reset or closed connection: no SQLSTATE
    return None


def classify(exc: BaseException) -> Outage | None:
    """The answer for a store failure, or None when ``exc`` is not one (then it is a bug)."""
    for item in _chain(exc):
        if isinstance(item, sa_exc.TimeoutError):
            return _unavailable("no free database connection")
        if isinstance(item, sa_exc.DBAPIError) and item.connection_invalidated:
            return _unavailable("the connection was lost")
        if isinstance(item, sa_exc.DisconnectionError):
            return _unavailable("the connection was lost")
        if isinstance(item, sqlite3.Error):
            found = _sqlite(item)
        elif isinstance(item, OSError) and item.errno in (errno.ENOSPC, errno.EDQUOT):
            found = _disk_full(item.strerror or "no space left on device")
        else:
            found = _postgres(item)
        if found:
            return found
    return None
