"""The lifecycle of an event: statuses, allowed transitions, time limits and overdue.

Main path (Guangming's wording): 上报 reported → 受理 accepted → 化解 resolved → 确认 confirmed
→ 反馈 feedback. Side paths: 上交 escalated (handed to a higher tier; it is accepted again or
resolved there) and 不予受理 rejected (final). A resolved event can be reopened (back to
accepted) while it is not yet confirmed.

Time limits depend on the event's level and list type (即办 immediate, 阶段性 staged,
谅解 explained); ``due_at = reported_at + limit``. An event is *overdue* when it is still open
(reported, accepted or escalated) after its due time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

# the status codes; their names are in the catalogue (gridgeo.i18n.status_name, keys ``status_<code>``)
STATUSES: tuple[str, ...] = ("reported", "accepted", "resolved", "confirmed", "feedback", "escalated", "rejected")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "reported": ("accepted", "escalated", "rejected"),
    "accepted": ("resolved", "escalated", "rejected"),
    "escalated": ("accepted", "resolved", "rejected"),
    "resolved": ("confirmed", "accepted"),
    "confirmed": ("feedback",),
    "feedback": (),
    "rejected": (),
}

OPEN_STATUSES: tuple[str, ...] = ("reported", "accepted", "escalated")
ACCEPTED_STATUSES: tuple[str, ...] = ("accepted", "escalated", "resolved", "confirmed", "feedback")
RESOLVED_STATUSES: tuple[str, ...] = ("resolved", "confirmed", "feedback")
FINAL_STATUSES: tuple[str, ...] = ("feedback", "rejected")

# Time limit in hours by list type and level (1 = most severe). Configurable by replacing the dict.
TIME_LIMITS_H: dict[str, dict[int, float]] = {
    "immediate": {1: 2.0, 2: 8.0, 3: 24.0, 4: 72.0},
    "staged": {1: 24.0, 2: 72.0, 3: 168.0, 4: 360.0},
    "explained": {1: 72.0, 2: 168.0, 3: 360.0, 4: 720.0},
}


class TransitionError(ValueError):
    """An event cannot move from its status to the one asked for."""


def check_transition(current: str, target: str) -> None:
    """Raise TransitionError with a clear message unless ``current -> target`` is allowed."""
    if target not in STATUSES:
        raise TransitionError(f"unknown status {target!r}: use one of {', '.join(STATUSES)}")
    allowed = TRANSITIONS.get(current, ())
    if target not in allowed:
        nxt = ", ".join(allowed) if allowed else "none (final status)"
        raise TransitionError(f"cannot move an event from {current!r} to {target!r}; allowed next: {nxt}")


def time_limit(level: int, list_type: str = "immediate") -> timedelta:
    """The handling time limit of an event of this level and list type."""
    return timedelta(hours=TIME_LIMITS_H[list_type][int(level)])


def due_at(reported_at: datetime, level: int, list_type: str = "immediate") -> datetime:
    """When an event must be resolved by."""
    return reported_at + time_limit(level, list_type)


def overdue_mask(status: pd.Series, due: pd.Series, now: datetime | pd.Timestamp) -> pd.Series:
    """Boolean Series: still open and past its due time at ``now``."""
    now_ts = pd.Timestamp(now)
    if now_ts.tzinfo is None:
        now_ts = now_ts.tz_localize("UTC")
    due = pd.to_datetime(due, utc=True)
    return (status.isin(OPEN_STATUSES) & due.notna() & (due < now_ts)).astype(bool)
