"""Storing the reporter's rating (persistence only): a confirmed case moves to feedback with its
rating in one transaction (history row attributed to the caller; aggregates follow)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa

from gridgeo.events.rating import check_rating
from gridgeo.store import counts
from gridgeo.store import schema as S
from gridgeo.store.hours import as_utc


def rate_case(store, event_id: str, rating: str, actor: str, at: datetime, working_days: int,
              tz: str = "Asia/Shanghai") -> None:
    """Record ``rating`` (a slug of :data:`gridgeo.events.rating.RATINGS`) for ``event_id``.

    EventNotFound for an unknown id; TransitionError when it may not be rated (see
    :func:`gridgeo.events.rating.check_rating`). Nothing is written then."""
    from gridgeo.store.sql import EventNotFound

    ev = S.events
    at = as_utc(at)
    with store._write_lock, store.write_engine.begin() as conn:
        query = store._by_id(conn, sa.select(ev), [event_id], lock=True)
        cur = None if query is None else conn.execute(query).mappings().first()
        if cur is None:
            raise EventNotFound(f"no event with id {event_id!r}")
        cur = dict(cur)
        check_rating(cur["status"], as_utc(cur["resolved_at"]), cur["rating"], at, working_days, tz)
        where = [ev.c.id == event_id] + ([ev.c.reported_at == cur["reported_at"]]
                                         if store.backend == "postgresql" else [])
        conn.execute(ev.update().where(*where).values(status="feedback", rating=rating, rated_at=at, updated_at=at))
        conn.execute(S.event_history.insert().values(event_id=event_id, from_status=cur["status"],
                                                     to_status="feedback", at=at, actor=actor,
                                                     note=f"rating: {rating}"))
        if cur["status"] != "feedback":
            row = {**cur, "reported_at": as_utc(cur["reported_at"])}
            counts.apply(conn, Counter({counts.key_of(row): -1, counts.key_of(row, "feedback"): 1}))
