"""Rolling sums of open cases for the /risk windows (tables ``open_windows`` and ``open_counts``).

/risk needs, per area, the open cases reported in the last 24 h (or 7 d, 30 d) and the most
severe of their levels. Summing ``event_counts`` for that costs one row per hour × grid × level ×
category × status of the window: at 10 million events a month on a city, a 24 h window sums
about 200,000 rows. This module keeps one row per area key (grid, community, street codes) with,
for each span of :data:`SPANS`, the open cases per level (columns ``h24_1`` … ``h24_4``,
``d7_*``, ``d30_*``) of the closed hours [start, until) (``open_windows``: whole UTC hours;
``until`` is the hour of the last refresh). So:

    open cases in [t, ∞) = open_counts(span)                      (hours in [start, until))
                           + event_counts of the open statuses     (hours ≥ until: the last hour or two)
                           − event_counts of the open statuses     (hours in [start, d))
                           + raw events of the partial hour        ([t, d))

with ``d`` the first whole hour at or after ``t = now − span``. :func:`refresh` moves both ends
forward once an hour (subtracting the hours that left the span, adding the hours closed since),
so the middle terms are an hour or two of aggregates; a read costs about one row per area plus
those, whatever the number of events.

Writes: an event write adds its open-status deltas of hours in [start, until) in the same
transaction as its ``event_counts`` deltas (:func:`add_deltas`, called by
:func:`gridgeo.store.counts.apply`). New events fall in the current hour, after ``until``, so
intake adds nothing here; status changes of earlier events (and late reports) do. A refresh and
the writers exclude each other: on SQLite all writes are serialized already; on PostgreSQL
writers hold a shared transaction advisory lock from before they read the spans until they
commit, and a refresh holds it exclusively. Reads run in one snapshot (REPEATABLE READ on
PostgreSQL, one read transaction on SQLite).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd
import sqlalchemy as sa

from gridgeo.events.lifecycle import OPEN_STATUSES
from gridgeo.store import schema as S
from gridgeo.store.hours import as_utc, hour_of, next_hour

# span -> the prefix of its columns in open_counts (one column per level: h24_1 ... h24_4)
SPANS: dict[timedelta, str] = {timedelta(hours=24): "h24", timedelta(days=7): "d7", timedelta(days=30): "d30"}
LEVELS: tuple[int, ...] = (1, 2, 3, 4)
AREA_COLUMNS: tuple[str, ...] = ("grid_code", "community_code", "street_code")
COUNT_COLUMNS: tuple[str, ...] = tuple(f"{p}_{lv}" for p in SPANS.values() for lv in LEVELS)
_LOCK_KEY = 4711011  # PostgreSQL advisory lock: writers shared, refresh exclusive
# refresh moves ``start`` when it lags the span by this much (at most once an hour per span)
STALE_AFTER = timedelta(hours=1)


def _span_s(span: timedelta) -> int:
    return int(span.total_seconds())


def _columns(span: timedelta) -> list[str]:
    return [f"{SPANS[span]}_{lv}" for lv in LEVELS]


def _spans(conn: sa.Connection, *, for_write: bool = False) -> dict[int, tuple[datetime, datetime]]:
    """span seconds -> (start, until), as stored, read by the DB-API cursor (SQLAlchemy's
    result handling cost as much as the query on the write path). ``for_write`` on PostgreSQL
    first takes the shared advisory lock, held until commit (no refresh in between), in the same
    round trip (two statements, two snapshots)."""
    query = "SELECT span_s, start, until FROM open_windows"
    cursor = conn.connection.cursor()
    try:
        if for_write and conn.dialect.name == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock_shared({_LOCK_KEY}); {query}")
            cursor.nextset()
        else:
            cursor.execute(query)
        return {int(s): (as_utc(a), as_utc(b)) for s, a, b in cursor.fetchall()}
    finally:
        cursor.close()


# write side ---------------------------------------------------------------------------------
def add_deltas(conn: sa.Connection, items: Iterable[tuple[tuple, int]]) -> None:
    """Add the open-status part of ``event_counts`` deltas (``(key, change)`` with the key of
    :data:`gridgeo.store.counts.KEY_COLUMNS`) to every span whose hours [start, until) hold the
    key's hour; inside the caller's write transaction. New events fall in the current hour, past
    ``until``: only status changes and late reports of earlier hours reach the rolling sums."""
    opened = [(k, n) for k, n in items if k[6] in OPEN_STATUSES and n]
    if not opened:
        return
    starts = [(start, until, SPANS[timedelta(seconds=s)]) for s, (start, until) in _spans(conn, for_write=True).items()
              if timedelta(seconds=s) in SPANS]
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_COLUMNS, 0))
    for (bucket, grid, community, street, level, _category, _status), n in opened:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        for start, until, prefix in starts:
            if start <= bucket < until:
                rows[(grid, community, street)][f"{prefix}_{level}"] += n
    if rows:  # by the DB-API cursor: SQLAlchemy's handling of 15 parameters a row cost more than the upsert
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(_values_upsert(conn.dialect.name),
                               [(*k, *(v[c] for c in COUNT_COLUMNS)) for k, v in sorted(rows.items())])
        finally:
            cursor.close()


@lru_cache(maxsize=4)
def _values_upsert(dialect: str) -> str:
    """The SQL of the writers' upsert (positional parameters in the driver's style): the area
    key and every span's counts, added to the row's on conflict."""
    mark = "%s" if dialect == "postgresql" else "?"
    columns = [*AREA_COLUMNS, *COUNT_COLUMNS]
    added = ", ".join(f"{c} = open_counts.{c} + excluded.{c}" for c in COUNT_COLUMNS)
    return (f"INSERT INTO open_counts ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
            f"ON CONFLICT ({', '.join(AREA_COLUMNS)}) DO UPDATE SET {added}")


def _upsert(dialect: str, columns: Iterable[str], select: sa.Select | None = None) -> sa.Insert:
    """INSERT (of values, or of ``select`` giving the area keys and ``columns``) ... ON CONFLICT
    DO UPDATE SET c = c + excluded.c for ``columns``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    oc, columns = S.open_counts, list(columns)
    stmt = insert(oc)
    if select is not None:
        stmt = stmt.from_select([*AREA_COLUMNS, *columns], select)
    return stmt.on_conflict_do_update(index_elements=list(AREA_COLUMNS),
                                      set_={c: oc.c[c] + stmt.excluded[c] for c in columns})


# refresh ------------------------------------------------------------------------------------
def _level_sums(keys: Iterable[str], sign: int, first: datetime, end: datetime | None,
                names: Iterable[str] = ("n1", "n2", "n3", "n4")) -> sa.Select:
    """``sign`` × the open cases per level of ``event_counts`` hours in [first, end), grouped by
    the ``keys`` columns; the four sums labelled ``names``."""
    ec = S.event_counts
    where = [ec.c.status.in_(list(OPEN_STATUSES)), ec.c.bucket >= first]
    if end is not None:
        where.append(ec.c.bucket < end)
    keys = [ec.c[c] for c in keys]
    # as integer: a union with the int columns of open_counts then sums in bigint, not numeric
    sums = [sa.cast(sign * sa.func.sum(sa.case((ec.c.level == lv, ec.c.n), else_=0)), sa.Integer).label(name)
            for lv, name in zip(LEVELS, names, strict=True)]
    return sa.select(*keys, *sums).where(*where).group_by(*keys)


def refresh(conn: sa.Connection, now: datetime, *, backwards: bool = False) -> list[int]:
    """Bring every span of :data:`SPANS` to the hours [first whole hour of ``now − span``, the
    hour of ``now``) (inside the caller's write transaction; returns the spans changed, seconds).

    A missing span is built from ``event_counts``; one that lags by :data:`STALE_AFTER` or more is
    moved forward: the hours that left it subtracted, the hours closed since added (rebuilt when
    it lags by more than the span); one that is ahead of ``now`` is rebuilt only with
    ``backwards`` (for a ``now`` in the past; reads for such a ``now`` fall back to
    ``event_counts`` without it)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    stored, changed = _spans(conn), []
    for span in SPANS:
        start, until = next_hour(now - span), hour_of(now)
        old = stored.get(_span_s(span))
        if old is not None:
            behind = max(start - old[0], until - old[1])
            ahead = old[0] > start or old[1] > until
            if (ahead and not backwards) or (not ahead and behind < STALE_AFTER):
                continue
        if old is None or ahead or start > old[1]:
            _rebuild(conn, span, start, until, exists=old is not None)
        else:
            _advance(conn, span, old, (start, until))
        changed.append(_span_s(span))
    if changed:
        oc = S.open_counts
        conn.execute(oc.delete().where(*[oc.c[c] == 0 for c in COUNT_COLUMNS]))
    return changed


def _rebuild(conn: sa.Connection, span: timedelta, start: datetime, until: datetime, *, exists: bool) -> None:
    oc, ow, columns = S.open_counts, S.open_windows, _columns(span)
    conn.execute(oc.update().values(dict.fromkeys(columns, 0)))
    conn.execute(_upsert(conn.dialect.name, columns, _level_sums(AREA_COLUMNS, 1, start, until, columns)))
    if exists:
        conn.execute(ow.update().where(ow.c.span_s == _span_s(span)).values(start=start, until=until))
    else:
        conn.execute(ow.insert().values(span_s=_span_s(span), start=start, until=until))


def _advance(conn: sa.Connection, span: timedelta, old: tuple[datetime, datetime],
             new: tuple[datetime, datetime]) -> None:
    ow, columns = S.open_windows, _columns(span)
    if new[0] > old[0]:  # the hours that left the span
        conn.execute(_upsert(conn.dialect.name, columns, _level_sums(AREA_COLUMNS, -1, old[0], new[0], columns)))
    if new[1] > old[1]:  # the hours closed since
        conn.execute(_upsert(conn.dialect.name, columns, _level_sums(AREA_COLUMNS, 1, old[1], new[1], columns)))
    conn.execute(ow.update().where(ow.c.span_s == _span_s(span)).values(start=new[0], until=new[1]))


def lag(conn: sa.Connection, now: datetime) -> timedelta | None:
    """How far the most lagging span is behind where ``now`` wants it (None: a span is missing).
    Zero or negative: nothing to refresh."""
    stored = _spans(conn)
    lags = []
    for span in SPANS:
        old = stored.get(_span_s(span))
        if old is None:
            return None
        lags.append(max(next_hour(now - span) - old[0], hour_of(now) - old[1]))
    return max(lags)


# read side ----------------------------------------------------------------------------------
def open_case_counts(conn: sa.Connection, column: str, start: datetime, span: timedelta) -> pd.DataFrame | None:
    """Open cases reported at or after ``start`` per area code of ``column``: ``size`` (how many)
    and ``min`` (the most severe level among them), indexed by code, areas with open cases only;
    from the span's rolling sums. None when ``span`` is not kept or its start is after the first
    whole hour of ``start`` (then the caller sums ``event_counts``). ``conn`` must be in one
    snapshot (see the module docstring)."""
    if span not in SPANS or column not in AREA_COLUMNS:
        return None
    oc, ec, ev = S.open_counts, S.event_counts, S.events
    kept_from, kept_until = _spans(conn).get(_span_s(span), (None, None))
    start = start.astimezone(UTC)
    first_full = next_hour(start)
    if kept_from is None or not kept_from <= first_full <= kept_until:
        return None
    parts = [sa.select(oc.c[column].label("code"), *[oc.c[c].label(f"n{lv}") for lv, c in zip(
        LEVELS, _columns(span), strict=True)]).where(oc.c[column] != ""),
             _level_sums([column], 1, kept_until, None).where(ec.c[column] != "")]  # hours since
    if kept_from < first_full:
        parts.append(_level_sums([column], -1, kept_from, first_full).where(ec.c[column] != ""))
    if first_full > start:  # the partial hour: its events by the reported_at index alone
        is_open = ev.c.status.in_(list(OPEN_STATUSES))
        parts.append(sa.select(ev.c[column], *[sa.case((sa.and_(is_open, ev.c.level == lv), 1), else_=0)
                                               for lv in LEVELS])
                     .where(ev.c.reported_at >= start, ev.c.reported_at < first_full, ev.c[column].is_not(None)))
    union = sa.union_all(*parts).subquery()
    per_level = sa.select(union.c.code, *[sa.func.sum(union.c[f"n{lv}"]).label(f"s{lv}") for lv in LEVELS]
                          ).group_by(union.c.code).subquery()
    sums = [per_level.c[f"s{lv}"] for lv in LEVELS]
    size = sums[0] + sums[1] + sums[2] + sums[3]
    severest = sa.case(*[(s > 0, lv) for lv, s in zip(LEVELS[:-1], sums[:-1], strict=True)], else_=LEVELS[-1])
    rows = conn.execute(sa.select(per_level.c.code, size, severest).where(size > 0)).all()
    codes, sizes, levels = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame({"size": np.fromiter(sizes, "int64", len(rows)), "min": np.fromiter(levels, "int64", len(rows))},
                        index=pd.Index(codes, dtype=object, name="code"))
