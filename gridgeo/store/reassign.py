"""Moving cases between service points (persistence only): an escalation one tier up, or a
re-dispatch to another hall or station by a person. One transaction; each move is a history row
with its actor; an escalation turns a reported or accepted case ``escalated`` (its aggregates
follow), a re-dispatch keeps its status.

A move carries the escalation count it expects; a case whose count changed meanwhile (another
process escalated it) is skipped, so a deadline escalates a case once however many run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gridgeo.store import counts
from gridgeo.store import schema as S
from gridgeo.store.hours import as_utc

_REOPEN = ("reported", "accepted")  # statuses a move turns into "escalated"


@dataclass(frozen=True)
class HallMove:
    """Move case ``event_id`` to ``hall_code`` handled at ``tier`` (dispatch target ``target``)."""

    event_id: str
    hall_code: str
    tier: str
    target: str
    actor: str
    note: str
    at: datetime
    expected_escalations: int
    escalate: bool = True  # counts as an escalation (False: a re-dispatch, status kept)
    station_code: str | None = None  # a re-dispatch to a station: the case's new station


def move_cases(store, moves: list[HallMove]) -> list[str]:
    """Apply ``moves`` in one transaction; return the ids moved (open cases whose escalation count
    is still the expected one)."""
    if not moves:
        return []
    ev = S.events
    ids = sorted({m.event_id for m in moves})
    with store._write_lock, store.write_engine.begin() as conn:
        state = {}
        for start in range(0, len(ids), 500):
            query = store._by_id(conn, sa.select(ev), ids[start:start + 500], lock=True)
            if query is not None:
                state.update({r["id"]: dict(r) for r in conn.execute(query).mappings()})
        moved, history, deltas = [], [], Counter()
        for m in moves:
            cur = state.get(m.event_id)
            if cur is None or cur["status"] not in (*_REOPEN, "escalated") or \
                    int(cur["escalations"] or 0) != m.expected_escalations or m.event_id in moved:
                continue
            to_status = "escalated" if m.escalate and cur["status"] in _REOPEN else cur["status"]
            at = as_utc(m.at)
            values = {"hall_code": m.hall_code, "handling_tier": m.tier, "dispatch_target": m.target,
                      "status": to_status, "updated_at": at, "status_notes": m.note}
            if m.escalate:
                values.update(escalations=m.expected_escalations + 1, escalated_at=at)
            if m.station_code is not None:
                values["station_code"] = m.station_code
            where = [ev.c.id == m.event_id] + ([ev.c.reported_at == cur["reported_at"]]
                                               if store.backend == "postgresql" else [])
            conn.execute(ev.update().where(*where).values(**values))
            history.append({"event_id": m.event_id, "from_status": cur["status"], "to_status": to_status,
                            "at": at, "actor": m.actor, "note": m.note})
            if to_status != cur["status"]:
                row = {**cur, "reported_at": as_utc(cur["reported_at"])}
                deltas[counts.key_of(row)] -= 1
                deltas[counts.key_of(row, to_status)] += 1
            moved.append(m.event_id)
        if history:
            conn.execute(S.event_history.insert(), history)
            counts.apply(conn, deltas)
    return moved
