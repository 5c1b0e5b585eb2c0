"""Derived figures from the events frame: received, accepted, resolved, resolution rate,
overdue and median handling time, overall or per grid/community/street/category/level/channel
or per time window (hour/day/week, in China Standard Time).

:func:`summarize` works on an events frame (the map, wall and review pages); :func:`stats_table`
gives the same table for a time window straight from the store's aggregates and grouped SQL
(the HTTP service), without loading the events.

Definitions (the wall display and the review page use exactly these):

* received: events reported (every status, rejected included);
* accepted: events that reached acceptance (accepted, escalated, resolved, confirmed, feedback);
* resolved: events resolved (resolved, confirmed, feedback);
* resolution_rate: resolved / received (0.0 when nothing was received);
* overdue: still open (reported, accepted, escalated) after their due time at ``now``;
* median_handling_hours: median of resolved_at − reported_at over resolved events, in hours
  (NaN when none is resolved).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from gridgeo.access.masking import PERSONAL_FIELDS
from gridgeo.events.lifecycle import ACCEPTED_STATUSES, RESOLVED_STATUSES, overdue_mask


def local_tz() -> str:
    """The local time zone of the settings (``GRIDGEO_TIMEZONE``, default Asia/Shanghai)."""
    from gridgeo.config import get_settings

    return get_settings().timezone


STAT_COLUMNS = ("received", "accepted", "resolved", "resolution_rate", "overdue", "median_handling_hours")

# group name -> column of the events frame
BY_COLUMNS: dict[str, str] = {
    "grid": "grid_code", "community": "community_code", "street": "street_code",
    "category": "category", "level": "level", "channel": "channel", "status": "status",
    "dispatch_target": "dispatch_target",
}
# time window name -> pandas period frequency (windows start at local midnight / Monday)
WINDOWS: dict[str, str] = {"hour": "h", "day": "D", "week": "W-SUN"}


def _period(times: pd.Series, by: str) -> pd.Series:
    """The local start of the hour/day/week (``by``) each time falls in."""
    local = pd.to_datetime(times, utc=True).dt.tz_convert(local_tz())
    naive = local.dt.tz_localize(None)
    return naive.dt.to_period(WINDOWS[by]).dt.start_time.dt.tz_localize(local_tz())


# never a grouping: personal data (one row per reporter would list them), ids and positions
NOT_GROUPINGS = frozenset({*PERSONAL_FIELDS, "id", "lon", "lat", "lon_in", "lat_in", "status_notes"})


def check_grouping(by: str | None) -> None:
    """ValueError when ``by`` is personal data, an id or a position (gridgeo.access.masking)."""
    if by is not None and BY_COLUMNS.get(by, by) in NOT_GROUPINGS:
        raise ValueError(f"by={by!r} would list personal data, ids or positions; group by one of "
                         f"{', '.join([*BY_COLUMNS, *WINDOWS])}")


def _key(events: pd.DataFrame, by: str) -> tuple[str, pd.Series]:
    check_grouping(by)
    if by in WINDOWS:
        return "period", _period(events["reported_at"], by)
    column = BY_COLUMNS.get(by, by)
    if column not in events.columns:
        raise ValueError(f"by must be one of {', '.join([*BY_COLUMNS, *WINDOWS])} or a column, got {by!r}")
    return column, events[column]


def summarize(events: pd.DataFrame, by: str | None = None, now: Any = None) -> pd.DataFrame:
    """The figures (STAT_COLUMNS) overall (one row) or one row per group of ``by``.

    ``by``: None, grid, community, street, category, level, channel, status, hour, day, week,
    or any column. The group key comes first, named after its column (``period`` for time
    windows, the local start of the window). ``overdue`` is recomputed at ``now`` when given
    (or when the frame has no ``overdue`` column); otherwise the frame's flag is used.
    Events without a code (out of area) form their own group with a missing key.
    """
    status = events["status"].astype(str) if len(events) else pd.Series(dtype=str)
    if now is not None or "overdue" not in events.columns:
        now = now if now is not None else datetime.now(UTC)
        overdue = overdue_mask(status, events["due_at"], now) if len(events) else pd.Series(dtype=bool)
    else:
        overdue = events["overdue"].astype(bool)
    if len(events):
        handling = (pd.to_datetime(events["resolved_at"], utc=True)
                    - pd.to_datetime(events["reported_at"], utc=True)).dt.total_seconds() / 3600.0
        handling = handling.where(status.isin(RESOLVED_STATUSES))
    else:
        handling = pd.Series(dtype=float)
    parts = pd.DataFrame({
        "received": 1,
        "accepted": status.isin(ACCEPTED_STATUSES).astype(int).to_numpy(),
        "resolved": status.isin(RESOLVED_STATUSES).astype(int).to_numpy(),
        "overdue": overdue.astype(int).to_numpy(),
        "handling": handling.to_numpy(dtype=float),
    }, index=range(len(events)))
    if by is None:
        out = pd.DataFrame({
            "received": [len(parts)], "accepted": [int(parts["accepted"].sum())],
            "resolved": [int(parts["resolved"].sum())], "overdue": [int(parts["overdue"].sum())],
            "median_handling_hours": [float(np.nanmedian(parts["handling"])) if parts["handling"].notna().any()
                                      else np.nan],
        })
    else:
        name, key = _key(events, by)
        parts[name] = key.to_numpy() if len(events) else []
        grouped = parts.groupby(name, dropna=False, sort=True)
        out = grouped.agg(received=("received", "sum"), accepted=("accepted", "sum"),
                          resolved=("resolved", "sum"), overdue=("overdue", "sum"),
                          median_handling_hours=("handling", "median")).reset_index()
    return _finish(out)


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """Resolution rate, column order (key first) and integer counts."""
    out["resolution_rate"] = np.where(out["received"] > 0, out["resolved"] / out["received"].clip(lower=1), 0.0)
    key_cols = [c for c in out.columns if c not in STAT_COLUMNS]
    out = out[key_cols + list(STAT_COLUMNS)]
    for c in ("received", "accepted", "resolved", "overdue"):
        out[c] = out[c].astype("int64")
    return out


def stats_table(store, by: str | None = None, window: timedelta = timedelta(hours=24),
                now: datetime | None = None) -> pd.DataFrame:
    """What :func:`summarize` gives for the events reported in ``[now - window, ∞)`` (overdue at
    ``now``), computed in the database: received/accepted/resolved from the aggregates
    (``event_counts``; by GROUP BY over the events for groupings they do not keep, such as
    channel or dispatch target), overdue and the median handling time by grouped SQL over the
    window's open or resolved events. No events frame is built.

    Time windows (hour/day/week) use the local zone's UTC offset at ``now`` (exact for China
    Standard Time, which has no daylight saving).
    """
    from gridgeo.store import counts as C

    now = (now or datetime.now(UTC)).astimezone(UTC)
    start = now - window
    engine = store.engine
    check_grouping(by)
    if by is not None and by not in WINDOWS and BY_COLUMNS.get(by, by) not in C.S.events.c:
        raise ValueError(f"by must be one of {', '.join([*BY_COLUMNS, *WINDOWS])} or a column, got {by!r}")
    column = None if by is None or by in WINDOWS else BY_COLUMNS.get(by, by)
    offset = int(ZoneInfo(local_tz()).utcoffset(now.replace(tzinfo=None)).total_seconds())
    sql_key = by if by in WINDOWS else column
    if column is None or column in C.GROUP_COLUMNS:
        counts = C.status_counts(engine, column, start, hourly=by in WINDOWS)
    else:
        counts = C.raw_status_counts(engine, column, start)
    overdue = C.overdue_counts(engine, sql_key, start, now, offset)
    median = C.median_handling(engine, sql_key, start, offset)
    if by is None:
        n, status = counts["n"], counts["status"]
        return _finish(pd.DataFrame({
            "received": [int(n.sum())], "accepted": [int(n[status.isin(ACCEPTED_STATUSES)].sum())],
            "resolved": [int(n[status.isin(RESOLVED_STATUSES)].sum())],
            "overdue": [int(overdue["overdue"].sum())],
            "median_handling_hours": [float(median["median_handling_hours"].iloc[0]) if len(median) else np.nan]}))
    name = "period" if by in WINDOWS else column
    if by in WINDOWS:
        counts[name] = _period(counts.pop("bucket").astype("datetime64[us, UTC]"), by)
        for part in (overdue, median):
            part["key"] = _period(pd.to_datetime(part["key"].astype("int64"), unit="s", utc=True)
                                  .astype("datetime64[us, UTC]"), by)
    table = _grouped_counts(counts, name)
    for part in (overdue, median):
        table = table.merge(part.rename(columns={"key": name}), on=name, how="left")
    table["overdue"] = table["overdue"].fillna(0)
    return _finish(table)


def _grouped_counts(counts: pd.DataFrame, name: str) -> pd.DataFrame:
    """received/accepted/resolved per key from (key, status, n) rows; keys with none dropped."""
    n, status = counts["n"], counts["status"]
    parts = pd.DataFrame({name: counts[name], "received": n,
                          "accepted": n.where(status.isin(ACCEPTED_STATUSES), 0),
                          "resolved": n.where(status.isin(RESOLVED_STATUSES), 0)})
    table = parts.groupby(name, dropna=False, sort=True)[["received", "accepted", "resolved"]].sum().reset_index()
    return table[table["received"] > 0].reset_index(drop=True)
