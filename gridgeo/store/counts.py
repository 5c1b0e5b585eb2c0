"""Event counts kept in the database (table ``event_counts``), and the window queries on them.

Write side: every event insert and every status change adds its +1/-1 to the row of its key
(UTC hour of ``reported_at``, grid/community/street code or '' when out of area, level,
category, status), in the SAME transaction as the event write (:func:`apply`), as one
``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` with the keys sorted, so concurrent
writers on PostgreSQL lock the rows in one order (no deadlock).

Read side: a window ``[start, ∞)`` is answered from the aggregates for the whole hours from the
first full hour on, plus the raw events of the one partial hour at its start (indexed on
``reported_at``, at most an hour of events). So any window, of any length and not aligned to the
hour, is counted exactly, and the cost depends on the number of hours and keys, not on the
number of events stored. Hourly buckets in UTC: a 24 h window is exact, and local days and
weeks are whole hours in zones with whole-hour offsets (China Standard Time).

Figures that counts cannot give (overdue at ``now``; median handling time) are computed by
grouped SQL over the window's open or resolved events (:func:`overdue_counts`,
:func:`median_handling`): percentile_cont on PostgreSQL, window functions on SQLite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa

from gridgeo.events.lifecycle import OPEN_STATUSES, RESOLVED_STATUSES, STATUSES
from gridgeo.store import open_windows
from gridgeo.store import schema as S
from gridgeo.store.hours import hour_of, next_hour

KEY_COLUMNS: tuple[str, ...] = ("bucket", "grid_code", "community_code", "street_code", "level", "category",
                                "status")
# the event columns the aggregates can be grouped by (besides the time bucket)
GROUP_COLUMNS: tuple[str, ...] = ("grid_code", "community_code", "street_code", "level", "category", "status")


def key_of(row: dict, status: str | None = None) -> tuple:
    """The aggregate key of an event row (``status`` overrides the row's)."""
    return (hour_of(row["reported_at"]), row.get("grid_code") or "", row.get("community_code") or "",
            row.get("street_code") or "", int(row["level"]), row["category"], status or row["status"])


def deltas_for_inserts(rows: Iterable[dict]) -> Counter:
    """+1 per inserted event row."""
    return Counter(key_of(r) for r in rows)


def apply(conn: sa.Connection, deltas: Counter) -> None:
    """Add ``deltas`` (key -> change) to the aggregates inside ``conn``'s transaction."""
    items = sorted((k, n) for k, n in deltas.items() if n)
    if not items:
        return
    conn.execute(_upsert(conn.dialect.name), [dict(zip(KEY_COLUMNS, k, strict=True), n=n) for k, n in items])
    open_windows.add_deltas(conn, items)


@lru_cache(maxsize=4)
def _upsert(dialect: str) -> sa.Insert:
    """``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` (built once: building it per
    write cost a noticeable share of a single-event POST)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(S.event_counts)
    return stmt.on_conflict_do_update(index_elements=list(KEY_COLUMNS),
                                      set_={"n": S.event_counts.c.n + stmt.excluded.n})


# reads -------------------------------------------------------------------------------------------
def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """A DataFrame from result rows (as plain tuples: pandas is slow on Row objects)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _plain(conn: sa.Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """A column to group a window by: on SQLite wrapped (same value and type) so that the planner
    does not walk the column's own index over the whole table to avoid sorting the window."""
    if conn.dialect.name == "postgresql":
        return column
    return sa.func.coalesce(column, sa.null(), type_=column.type).label(column.name)


def _status_in(conn: sa.Connection, statuses: Iterable[str]) -> sa.ColumnElement:
    """``events.status IN (...)`` for a window query: on SQLite written so that the planner
    (which has no statistics) walks the reported_at index of the window, not every open event."""
    status = S.events.c.status
    return (status if conn.dialect.name == "postgresql" else status.concat("")).in_(list(statuses))


def _hour_expr(conn: sa.Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """SQL for the UTC hour of a stored time, in the same form as ``event_counts.bucket``."""
    if conn.dialect.name == "postgresql":
        return sa.func.timezone("UTC", sa.func.date_trunc("hour", sa.func.timezone("UTC", column)))
    return sa.func.strftime("%Y-%m-%d %H:00:00.000000", column)


def status_counts(engine: sa.Engine, group: str | None, start: datetime, *, hourly: bool = False) -> pd.DataFrame:
    """Events reported at or after ``start`` counted per (``group`` column,) (hour,) status.

    ``group``: None or one of GROUP_COLUMNS; ``hourly`` adds the UTC hour as ``bucket``. Codes of
    out-of-area events come back as None. Columns: [group,] [bucket,] status, n.
    """
    if group is not None and group not in GROUP_COLUMNS:
        raise ValueError(f"aggregates are kept by {', '.join(GROUP_COLUMNS)}, not {group!r}")
    start = start.astimezone(UTC)
    first_full = next_hour(start)
    agg, ev = S.event_counts, S.events
    with engine.connect() as conn:
        def keys(table, bucket):
            cols = [table.c[group]] if group and group != "status" else []
            return cols + ([bucket] if hourly else []) + [table.c.status]

        ka = keys(agg, agg.c.bucket)
        q_agg = (sa.select(*ka, sa.func.sum(agg.c.n))  # every status named: range scans on the primary key
                 .where(agg.c.status.in_(list(STATUSES)), agg.c.bucket >= first_full).group_by(*ka))
        ke = keys(ev, _hour_expr(conn, ev.c.reported_at))
        q_edge = (sa.select(*ke, sa.func.count()).where(ev.c.reported_at >= start, ev.c.reported_at < first_full)
                  .group_by(*ke))
        rows = conn.execute(q_agg).all() + (conn.execute(q_edge).all() if first_full > start else [])
    names = ([group] if group and group != "status" else []) + (["bucket"] if hourly else []) + ["status", "n"]
    frame = _frame(rows, names)
    frame["n"] = frame["n"].astype("int64")
    if group in ("grid_code", "community_code", "street_code"):
        frame[group] = frame[group].where(frame[group].ne("") & frame[group].notna(), None)
    if hourly:
        frame["bucket"] = pd.to_datetime(frame["bucket"], utc=True, format="mixed")
    return frame


def open_case_counts(engine: sa.Engine, column: str, start: datetime, open_statuses: Iterable[str],
                     span: timedelta | None = None) -> pd.DataFrame:
    """Open events reported at or after ``start`` per area code (``column``): ``size`` (how
    many) and ``min`` (the most severe level among them), indexed by code.

    With ``span`` (the window's length) one of :data:`gridgeo.store.open_windows.SPANS` and the
    lifecycle's open statuses: from the span's rolling sums (about one row per area); otherwise,
    or when those start too late for ``start``: one SQL statement over the aggregates of the
    whole hours and the raw events of the partial first hour."""
    start = start.astimezone(UTC)
    statuses = list(open_statuses)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # the rolling sums and their start in one snapshot
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            rolling = None
            if span is not None and set(statuses) == set(OPEN_STATUSES):
                rolling = open_windows.open_case_counts(conn, column, start, span)
            return rolling if rolling is not None else _summed_open_cases(conn, column, start, statuses)


def _summed_open_cases(conn: sa.Connection, column: str, start: datetime, statuses: list[str]) -> pd.DataFrame:
    """:func:`open_case_counts` by summing ``event_counts`` over the window's hours."""
    first_full = next_hour(start)
    agg, ev = S.event_counts, S.events
    parts = sa.select(agg.c[column].label("code"), agg.c.level.label("level"), agg.c.n.label("n")).where(
        agg.c.bucket >= first_full, agg.c.status.in_(statuses), agg.c[column] != "")
    if first_full > start:  # the partial hour: its events by the reported_at index alone (a status
        # filter let PostgreSQL AND in the status index, a million entries at 10 M events)
        is_open = sa.case((ev.c.status.in_(statuses), 1), else_=0)
        parts = parts.union_all(sa.select(ev.c[column], ev.c.level, is_open).where(
            ev.c.reported_at >= start, ev.c.reported_at < first_full, ev.c[column].is_not(None)))
    parts = parts.subquery()
    per_level = (sa.select(parts.c.code, parts.c.level, sa.func.sum(parts.c.n).label("n"))
                 .group_by(parts.c.code, parts.c.level).having(sa.func.sum(parts.c.n) > 0).subquery())
    rows = conn.execute(sa.select(per_level.c.code, sa.func.sum(per_level.c.n), sa.func.min(per_level.c.level))
                        .group_by(per_level.c.code)).all()
    frame = _frame(rows, ["code", "size", "min"]).astype({"code": str, "size": "int64", "min": "int64"})
    return frame.set_index("code")


def _group_expr(conn: sa.Connection, key: str | None, tz_offset_s: int | None) -> list[sa.ColumnElement]:
    """The grouping expression over ``events`` for a column key, or for a local period ("hour",
    "day", "week": its start as Unix seconds, for a zone ``tz_offset_s`` east of UTC)."""
    ev = S.events
    if key is None:
        return []
    if key not in ("hour", "day", "week"):
        return [_plain(conn, ev.c[key])]
    if conn.dialect.name == "postgresql":
        epoch = sa.cast(sa.func.floor(sa.func.extract("epoch", ev.c.reported_at)), sa.BigInteger)
    else:
        epoch = sa.cast(sa.func.strftime("%s", ev.c.reported_at), sa.Integer)
    offset = int(tz_offset_s or 0)
    local_s = epoch + offset  # times after 1970: integer division is the floor
    if key == "hour":
        local_start = (local_s // 3600) * 3600
    else:
        days = local_s // 86400
        if key == "week":  # weeks start on Monday; 1970-01-01 (day 0) was a Thursday
            days = days - (days + 3) % 7
        local_start = days * 86400
    return [(local_start - offset).label("period_s")]


def overdue_counts(engine: sa.Engine, key: str | None, start: datetime, now: datetime,
                   tz_offset_s: int | None = None) -> pd.DataFrame:
    """Events reported at or after ``start`` still open and past due at ``now``, per ``key``
    (an events column, a local period "hour"/"day"/"week", or None): columns [key,] overdue."""
    ev = S.events
    with engine.connect() as conn:
        group = _group_expr(conn, key, tz_offset_s)
        rows = conn.execute(
            sa.select(*group, sa.func.count())
            .where(ev.c.reported_at >= start.astimezone(UTC), _status_in(conn, OPEN_STATUSES),
                   ev.c.due_at < now.astimezone(UTC))
            .group_by(*group)).all()
    return _frame(rows, (["key"] if key else []) + ["overdue"])


def median_handling(engine: sa.Engine, key: str | None, start: datetime,
                    tz_offset_s: int | None = None) -> pd.DataFrame:
    """Median of resolved_at − reported_at in hours over the resolved events reported at or after
    ``start``, per ``key`` (as :func:`overdue_counts`): columns [key,] median_handling_hours."""
    ev = S.events
    with engine.connect() as conn:
        where = [ev.c.reported_at >= start.astimezone(UTC), _status_in(conn, RESOLVED_STATUSES),
                 ev.c.resolved_at.is_not(None)]
        group = _group_expr(conn, key, tz_offset_s)
        if conn.dialect.name == "postgresql":
            hours = sa.cast(sa.func.extract("epoch", ev.c.resolved_at - ev.c.reported_at), sa.Float) / 3600.0
            query = sa.select(*group, sa.func.percentile_cont(0.5).within_group(hours)).where(*where).group_by(*group)
        else:
            query = _sqlite_median(group, where)
        rows = conn.execute(query).all()
    frame = _frame(rows, (["key"] if key else []) + ["median_handling_hours"])
    frame["median_handling_hours"] = frame["median_handling_hours"].astype(float)
    return frame


def _sqlite_seconds(column: sa.ColumnElement) -> sa.ColumnElement:
    """Seconds since the epoch of a stored SQLite time, to the microsecond."""
    return (sa.cast(sa.func.strftime("%s", column), sa.Float)
            + sa.cast(sa.func.substr(column, 21, 6), sa.Float) / 1e6)


def _sqlite_median(group: list, where: list) -> sa.Select:
    """Median per group with window functions (SQLite has no percentile aggregate)."""
    ev = S.events
    hours = ((_sqlite_seconds(ev.c.resolved_at) - _sqlite_seconds(ev.c.reported_at)) / 3600.0).label("h")
    keys = [g.label(f"k{i}") for i, g in enumerate(group)]
    ranked = sa.select(*keys, hours,
                       sa.func.row_number().over(partition_by=group or None, order_by=hours).label("rn"),
                       sa.func.count().over(partition_by=group or None).label("c")).where(*where).subquery()
    rk = [ranked.c[f"k{i}"] for i in range(len(group))]
    middle = sa.or_(ranked.c.rn == (ranked.c.c + 1) // 2, ranked.c.rn == (ranked.c.c + 2) // 2)
    return sa.select(*rk, sa.func.avg(ranked.c.h)).where(middle).group_by(*rk)


def raw_status_counts(engine: sa.Engine, column: str, start: datetime) -> pd.DataFrame:
    """Events reported at or after ``start`` per (``column``, status), by GROUP BY over the
    events table, for groupings the aggregates do not keep (channel, dispatch target, ...)."""
    ev = S.events
    if column not in ev.c:
        raise ValueError(f"events have no column {column!r}")
    with engine.connect() as conn:
        keys = [_plain(conn, ev.c[column]), _plain(conn, ev.c.status)]
        rows = conn.execute(sa.select(*keys, sa.func.count())
                            .where(ev.c.reported_at >= start.astimezone(UTC)).group_by(*keys)).all()
    frame = _frame(rows, [column, "status", "n"])
    frame["n"] = frame["n"].astype("int64")
    return frame
