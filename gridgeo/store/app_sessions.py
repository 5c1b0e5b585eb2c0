"""App sign-ins that last: one ``app_sessions`` row per signed-in browser (revision 0015).

The browser holds only the signed random id (:mod:`gridgeo.access.session_cookie`); the row
says whose session it is, the user's token generation when it began, when it was last used and
whether it was ended. A session ends on sign-out, after the idle limit without use
(GRIDGEO_APP_SESSION_IDLE_H), or when the account is disabled, deleted, locked or given a new
password (its generation moves on: :func:`gridgeo.store.identities.user_identity`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gridgeo.access.identity import Identity
from gridgeo.access.session_cookie import new_session_id, session_hash, sign, unsign
from gridgeo.store.identities import signing_secret, user_identity

metadata = sa.MetaData()

app_sessions = sa.Table(
    "app_sessions", metadata,
    sa.Column("id_hash", sa.Text, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False, server_default="0"),
    sa.Column("client", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often per session


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def start(store, who: Identity, client: str = "") -> str:
    """Begin a session for the signed-in user ``who``; returns the cookie value (signed id)."""
    session_id, now = new_session_id(), _now()
    with store._write_lock, store.write_engine.begin() as conn:
        conn.execute(app_sessions.insert().values(id_hash=session_hash(session_id), username=who.name,
                                                  generation=who.generation, client=client[:100],
                                                  created_at=now, last_seen=now))
    return sign(session_id, signing_secret(store))


def identity(store, cookie: str | None, idle: timedelta, now: datetime | None = None) -> Identity | None:
    """The user of a live session named by ``cookie`` (None when forged, unknown, ended, idle
    longer than ``idle``, or its account is gone, disabled, locked or has a new password);
    its last use is recorded."""
    session_id = unsign(cookie, signing_secret(store)) if cookie else None
    if session_id is None:
        return None
    now, key = now or _now(), session_hash(session_id)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(app_sessions).where(app_sessions.c.id_hash == key)).mappings().first()
    if row is None or row["ended_at"] is not None or _aware(row["last_seen"]) < now - idle:
        return None
    who = user_identity(store, row["username"])
    if who is None or who.generation != row["generation"]:
        return None
    if _aware(row["last_seen"]) < now - TOUCH_EVERY:
        with store._write_lock, store.write_engine.begin() as conn:
            conn.execute(app_sessions.update().where(app_sessions.c.id_hash == key).values(last_seen=now))
    return who


def end(store, cookie: str | None) -> bool:
    """End the session named by ``cookie`` (sign-out); True when one was ended."""
    session_id = unsign(cookie, signing_secret(store)) if cookie else None
    if session_id is None:
        return False
    with store._write_lock, store.write_engine.begin() as conn:
        done = conn.execute(app_sessions.update().where(app_sessions.c.id_hash == session_hash(session_id),
                                                        app_sessions.c.ended_at.is_(None))
                            .values(ended_at=_now())).rowcount
        conn.execute(app_sessions.delete().where(app_sessions.c.last_seen < _now() - timedelta(days=30)))
    return bool(done)
