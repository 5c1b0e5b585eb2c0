"""The escalation rule: which open cases missed a deadline at their tier and climb one tier.

A case is handled at a tier (station → community hall → street centre → district centre, see
:mod:`gridgeo.atlas.service_points`). Its deadlines at that tier start when it got there (its
report time, or its last escalation):

* ``accept``: still not accepted (status reported or escalated) ``accept_within_h`` hours later;
* ``resolve``: still open at its due time (``due_at``) — after an escalation, its time limit
  (:func:`gridgeo.events.lifecycle.time_limit`) after that escalation.

Each missed deadline escalates a case once: the escalation restarts the clocks, so running the
rule again at the same time changes nothing. ``max_steps`` bounds how many tiers a case climbs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from gridgeo.events.lifecycle import OPEN_STATUSES, TIME_LIMITS_H

NOT_ACCEPTED: tuple[str, ...] = ("reported", "escalated")
ACTOR = "escalation"


@dataclass(frozen=True)
class EscalationRule:
    """Which deadlines escalate (``accept``, ``resolve``), the accept time and the step limit."""

    deadlines: tuple[str, ...] = ("accept", "resolve")
    accept_within_h: float = 24.0
    max_steps: int = 3

    @classmethod
    def from_settings(cls, settings) -> EscalationRule:
        """The rule configured in :class:`gridgeo.config.Settings` (``GRIDGEO_ESCALATION_*``)."""
        return cls(tuple(settings.escalation_deadlines), float(settings.escalation_accept_h),
                   int(settings.escalation_max_steps))


def missed_deadline(frame: pd.DataFrame, now: datetime, rule: EscalationRule = EscalationRule()) -> pd.Series:
    """Per case of ``frame`` (status, reported_at, due_at, level, list_type, escalations,
    escalated_at): "accept" or "resolve" when it missed that deadline at its tier by ``now``,
    else None. Cases at their last allowed step, or closed, get None."""
    now_ts = pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else pd.Timestamp(now, tz="UTC")
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if not len(frame):
        return out
    steps = pd.to_numeric(frame["escalations"], errors="coerce").fillna(0).astype(int)
    since = pd.to_datetime(frame["escalated_at"], utc=True)
    started = since.where(steps > 0, pd.to_datetime(frame["reported_at"], utc=True))
    limit_h = [TIME_LIMITS_H.get(lt, TIME_LIMITS_H["immediate"]).get(int(lv), 24.0)
               for lt, lv in zip(frame["list_type"], frame["level"], strict=True)]
    resolve_by = pd.to_datetime(frame["due_at"], utc=True).where(
        steps == 0, started + pd.to_timedelta(np.asarray(limit_h), unit="h"))
    accept_by = started + pd.Timedelta(hours=rule.accept_within_h)
    can_climb = frame["status"].isin(OPEN_STATUSES) & (steps < rule.max_steps)
    if "resolve" in rule.deadlines:
        out[can_climb & (resolve_by <= now_ts)] = "resolve"
    if "accept" in rule.deadlines:
        out[can_climb & frame["status"].isin(NOT_ACCEPTED) & (accept_by <= now_ts)] = "accept"
    return out
