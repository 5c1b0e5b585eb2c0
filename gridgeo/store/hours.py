"""UTC times as the store keeps them: stored times read back as UTC datetimes (:func:`as_utc`),
and the hour buckets the aggregates (``event_counts``) and the rolling sums key their rows by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd


def as_utc(ts: Any) -> datetime | None:
    """A timezone-aware UTC datetime from a datetime/Timestamp/ISO string (naive = UTC)."""
    if type(ts) is datetime and ts.tzinfo is not None:
        return ts.astimezone(UTC)
    if ts is None or (not isinstance(ts, str | datetime) and pd.isna(ts)):
        return None
    t = pd.Timestamp(ts)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    return t.to_pydatetime()


def hour_of(ts: datetime) -> datetime:
    """The UTC hour (bucket) a time falls in."""
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def next_hour(ts: datetime) -> datetime:
    """The first bucket starting at or after ``ts``."""
    h = hour_of(ts)
    return h if h == ts.astimezone(UTC) else h + timedelta(hours=1)
