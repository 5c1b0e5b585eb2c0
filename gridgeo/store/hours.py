"""UTC hour buckets, as the aggregates (``event_counts``) and the rolling sums key their rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def hour_of(ts: datetime) -> datetime:
    """The UTC hour (bucket) a time falls in."""
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def next_hour(ts: datetime) -> datetime:
    """The first bucket starting at or after ``ts``."""
    h = hour_of(ts)
    return h if h == ts.astimezone(UTC) else h + timedelta(hours=1)
