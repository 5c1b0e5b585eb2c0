"""Rolling sums of open cases for the /risk windows (tables ``open_windows`` and ``open_counts``).

/risk needs, per area, the open cases reported in the last 24 h (or 7 d, 30 d) and the most
severe of their levels. Summing ``event_counts`` for that costs one row per hour × grid × level ×
category × status of the window: at 10 million events a month on a city, a 24 h window sums
about 200,000 rows. This module keeps, for each span in :data:`SPANS`, one row per area key
(grid, community, street codes) with the open cases per level (``n1`` … ``n4``) of every hour
from the span's ``start`` on (``open_windows.start``, a whole UTC hour, open-ended into the
future). So:

    open cases in [t, ∞) = open_counts(span)                      (hours ≥ start)
                           − event_counts of the open statuses     (hours in [start, d))
                           + raw events of the partial hour        ([t, d))

with ``d`` the first whole hour at or after ``t = now − span``. ``start`` is moved forward
(:func:`refresh`) by subtracting the hours that left the span, so the middle term is at most an
hour or two of aggregates; a read costs about one row per area, whatever the number of events.

Consistency: every event write adds its open-status deltas of hours ≥ ``start`` in the same
transaction as its ``event_counts`` deltas (:func:`add_deltas`, called by
:func:`gridgeo.store.counts.apply`). A refresh and the writers exclude each other: on SQLite
all writes are serialized already; on PostgreSQL writers hold a shared transaction advisory lock
from before they read ``start`` until they commit, and a refresh holds it exclusively. Reads run
in one snapshot (REPEATABLE READ on PostgreSQL, one read transaction on SQLite).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from gridgeo.lifecycle import OPEN_STATUSES
from gridgeo.store import schema as S

SPANS: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(days=7), timedelta(days=30))
LEVELS: tuple[int, ...] = (1, 2, 3, 4)
AREA_COLUMNS: tuple[str, ...] = ("grid_code", "community_code", "street_code")
_LOCK_KEY = 4711011  # PostgreSQL advisory lock: writers shared, refresh exclusive
# refresh moves ``start`` when it lags the span by this much (at most once an hour per span)
STALE_AFTER = timedelta(hours=1)


def _hour(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def first_full_hour(ts: datetime) -> datetime:
    """The first whole UTC hour starting at or after ``ts``."""
    h = _hour(ts)
    return h if h == ts.astimezone(UTC) else h + timedelta(hours=1)


def _starts(conn: sa.Connection) -> dict[int, datetime]:
    """span seconds -> start, as stored."""
    ow = S.open_windows
    return {int(s): _utc(t) for s, t in conn.execute(sa.select(ow.c.span_s, ow.c.start)).all()}


def _utc(ts: datetime | str) -> datetime:
    if isinstance(ts, str):  # SQLite text
        ts = datetime.fromisoformat(ts)
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _level_column(level: int) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    return f"n{level}"


# write side ---------------------------------------------------------------------------------
def add_deltas(conn: sa.Connection, items: Iterable[tuple[tuple, int]]) -> None:
    """Add the open-status part of ``event_counts`` deltas (``(key, change)`` with the key of
    :data:`gridgeo.store.counts.KEY_COLUMNS`) to every span whose ``start`` the key's hour is at
    or after; inside the caller's write transaction."""
    opened = [(k, n) for k, n in items if k[6] in OPEN_STATUSES and n]
    if not opened:
        return
    if conn.dialect.name == "postgresql":  # held until commit: no refresh in between
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({_LOCK_KEY})")
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("n1", "n2", "n3", "n4"), 0))
    for span_s, start in _starts(conn).items():
        for (bucket, grid, community, street, level, _category, _status), n in opened:
            if bucket >= start:
                rows[(span_s, grid, community, street)][_level_column(level)] += n
    if rows:
        conn.execute(_upsert(conn.dialect.name), [
            {"span_s": k[0], "grid_code": k[1], "community_code": k[2], "street_code": k[3], **v}
            for k, v in sorted(rows.items())])


def _upsert(dialect: str, select: sa.Select | None = None) -> sa.Insert:
    """INSERT (of values, or of ``select``) ... ON CONFLICT DO UPDATE SET n_i = n_i + excluded.n_i."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    oc = S.open_counts
    stmt = insert(oc)
    if select is not None:
        stmt = stmt.from_select(["span_s", *AREA_COLUMNS, "n1", "n2", "n3", "n4"], select)
    return stmt.on_conflict_do_update(index_elements=["span_s", *AREA_COLUMNS],
                                      set_={c: oc.c[c] + stmt.excluded[c] for c in ("n1", "n2", "n3", "n4")})


# refresh ------------------------------------------------------------------------------------
def _level_sums(keys: Iterable[str], sign: int, first: datetime, end: datetime | None,
                span_s: int | None = None) -> sa.Select:
    """``sign`` × the open cases per level (n1..n4) of ``event_counts`` hours in [first, end),
    grouped by the ``keys`` columns (led by the literal ``span_s`` when given)."""
    ec = S.event_counts
    where = [ec.c.status.in_(list(OPEN_STATUSES)), ec.c.bucket >= first]
    if end is not None:
        where.append(ec.c.bucket < end)
    keys = [ec.c[c] for c in keys]
    lead = [sa.literal(span_s).label("span_s")] if span_s is not None else []
    sums = [(sign * sa.func.sum(sa.case((ec.c.level == lv, ec.c.n), else_=0))).label(f"n{lv}") for lv in LEVELS]
    return sa.select(*lead, *keys, *sums).where(*where).group_by(*keys)


def refresh(conn: sa.Connection, now: datetime, *, backwards: bool = False) -> list[int]:
    """Bring every span of :data:`SPANS` to start at the first whole hour of ``now − span``
    (inside the caller's write transaction; returns the spans changed, in seconds).

    A missing span is built from ``event_counts``; one that lags by :data:`STALE_AFTER` or more is
    moved forward by subtracting the hours that left it (rebuilt when that is more than the span);
    one that starts after the wanted hour is rebuilt only with ``backwards`` (for a ``now`` in the
    past; reads for such a ``now`` fall back to ``event_counts`` without it)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    starts, changed = _starts(conn), []
    for span in SPANS:
        span_s, wanted = int(span.total_seconds()), first_full_hour(now - span)
        start = starts.get(span_s)
        if start is not None and (start == wanted or (start < wanted and wanted - start < STALE_AFTER)
                                  or (start > wanted and not backwards)):
            continue
        if start is None or start > wanted or wanted - start > span:
            _rebuild(conn, span_s, wanted, exists=start is not None)
        else:
            _advance(conn, span_s, start, wanted)
        changed.append(span_s)
    return changed


def _rebuild(conn: sa.Connection, span_s: int, start: datetime, *, exists: bool) -> None:
    oc, ow = S.open_counts, S.open_windows
    conn.execute(oc.delete().where(oc.c.span_s == span_s))
    conn.execute(sa.insert(oc).from_select(["span_s", *AREA_COLUMNS, "n1", "n2", "n3", "n4"],
                                           _level_sums(AREA_COLUMNS, 1, start, None, span_s)))
    if exists:
        conn.execute(ow.update().where(ow.c.span_s == span_s).values(start=start))
    else:
        conn.execute(ow.insert().values(span_s=span_s, start=start))


def _advance(conn: sa.Connection, span_s: int, start: datetime, wanted: datetime) -> None:
    oc, ow = S.open_counts, S.open_windows
    conn.execute(_upsert(conn.dialect.name, _level_sums(AREA_COLUMNS, -1, start, wanted, span_s)))
    conn.execute(oc.delete().where(oc.c.span_s == span_s, oc.c.n1 == 0, oc.c.n2 == 0, oc.c.n3 == 0,
                                   oc.c.n4 == 0))
    conn.execute(ow.update().where(ow.c.span_s == span_s).values(start=wanted))


def lag(conn: sa.Connection, now: datetime) -> timedelta | None:
    """How far the most lagging span's start is behind where ``now`` wants it (None: a span is
    missing). Zero or negative: nothing to refresh."""
    starts = _starts(conn)
    lags = []
    for span in SPANS:
        start = starts.get(int(span.total_seconds()))
        if start is None:
            return None
        lags.append(first_full_hour(now - span) - start)
    return max(lags)


# read side ----------------------------------------------------------------------------------
def open_case_counts(conn: sa.Connection, column: str, start: datetime, span: timedelta) -> pd.DataFrame | None:
    """Open cases reported at or after ``start`` per area code of ``column`` as columns n1..n4
    (indexed by code), from the span's rolling sums; None when ``span`` is not kept or its start
    is after the first whole hour of ``start`` (then the caller sums ``event_counts``).
    ``conn`` must be in one snapshot (see the module docstring)."""
    span_s = int(span.total_seconds())
    if span not in SPANS or column not in AREA_COLUMNS:
        return None
    ow, oc, ec, ev = S.open_windows, S.open_counts, S.event_counts, S.events
    stored = conn.execute(sa.select(ow.c.start).where(ow.c.span_s == span_s)).scalar_one_or_none()
    start = start.astimezone(UTC)
    first_full = first_full_hour(start)
    if stored is None or _utc(stored) > first_full:
        return None
    stored = _utc(stored)
    parts = [sa.select(oc.c[column].label("code"), oc.c.n1, oc.c.n2, oc.c.n3, oc.c.n4)
             .where(oc.c.span_s == span_s, oc.c[column] != "")]
    if stored < first_full:
        parts.append(_level_sums([column], -1, stored, first_full).where(ec.c[column] != ""))
    if first_full > start:  # the partial hour: its events by the reported_at index alone
        is_open = ev.c.status.in_(list(OPEN_STATUSES))
        parts.append(sa.select(ev.c[column], *[sa.case((sa.and_(is_open, ev.c.level == lv), 1), else_=0)
                                               for lv in LEVELS])
                     .where(ev.c.reported_at >= start, ev.c.reported_at < first_full, ev.c[column].is_not(None)))
    union = sa.union_all(*parts).subquery()
    cols = list(union.c)
    rows = conn.execute(sa.select(cols[0], *[sa.func.sum(c) for c in cols[1:]]).group_by(cols[0])).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["code", "n1", "n2", "n3", "n4"])
    return frame.astype({"code": str, "n1": "int64", "n2": "int64", "n3": "int64", "n4": "int64"}).set_index("code")
