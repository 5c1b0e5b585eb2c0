"""Users, API keys, the token signing secret and the access audit log, in the store's database.

Persistence only: hashing and token rules are :mod:`gridgeo.access`. Tables: revision 0007
(``gridgeo/store/migrations/versions/0007_identities.py``).
"""

from __future__ import annotations

import secrets as _random
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from gridgeo.access.identity import Identity
from gridgeo.access.roles import check_scope_codes
from gridgeo.access.secrets import hash_password, key_hash, new_api_key, verify_password

metadata = sa.MetaData()
users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("disabled", sa.Boolean, nullable=False),
)
api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("key_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
auth_secrets = sa.Table(
    "auth_secrets", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
access_audit = sa.Table(
    "access_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class IdentityError(ValueError):
    """A user or key operation that cannot be done (the message says why)."""


class LoginRefused(Exception):
    """A failed login: ``reason`` is "invalid" or "locked"; ``until`` is when a lock ends."""

    def __init__(self, reason: str, until: datetime | None = None):
        super().__init__(reason)
        self.reason = reason
        self.until = until


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def _scopes(text: str) -> tuple[str, ...]:
    return tuple(s for s in (text or "").split(",") if s)


def _identity(name: str, row, kind: str) -> Identity:
    """The identity of a stored user or key row."""
    return Identity(name=name, role=row["role"], kind=kind, scopes=_scopes(row["scopes"]))


def _write(store):
    return store.write_engine.begin()


def add_user(store, username: str, password: str, role: str, scopes=()) -> None:
    """Add a user; IdentityError when the name is taken or the role/scope is wrong."""
    codes = _checked(role, scopes)
    if not username.strip() or len(username) > 64 or any(c.isspace() for c in username):
        raise IdentityError(f"user name {username!r}: 1-64 characters without spaces")
    row = {"username": username, "password_hash": hash_password(password), "role": role,
           "scopes": ",".join(codes), "created_at": _now(), "failed_logins": 0, "locked_until": None,
           "disabled": False}
    with store._write_lock, _write(store) as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise IdentityError(f"user {username} exists already")
        conn.execute(users.insert().values(**row))
        _audit(conn, "cli", "user_add", username, f"role={role} scopes={row['scopes']}")


def _checked(role: str, scopes) -> tuple[str, ...]:
    try:
        return check_scope_codes(role, scopes)
    except ValueError as exc:
        raise IdentityError(str(exc)) from None


def list_users(store) -> pd.DataFrame:
    """Every user (no hashes): username, role, scopes, created_at, locked_until, disabled."""
    cols = [users.c.username, users.c.role, users.c.scopes, users.c.created_at, users.c.locked_until,
            users.c.disabled]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(users.c.username)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])


def login(store, username: str, password: str, now: datetime | None = None) -> Identity:
    """The identity of a user whose password is right; LoginRefused otherwise.

    After MAX_FAILED_LOGINS failures in a row the account is locked for LOCKOUT, even for the
    right password (the failure count and the lock are stored, so every worker sees them).
    """
    now = now or _now()
    with store._write_lock, _write(store) as conn:  # the failure count commits before the refusal
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
        refusal = _check_login(conn, row, username, password, now)
    if refusal is not None:
        raise refusal
    return _identity(username, row, "user")


def _check_login(conn: sa.Connection, row, username: str, password: str, now: datetime) -> LoginRefused | None:
    """Record one login attempt; the refusal to raise, or None when it succeeded."""
    if row is None:
        verify_password(hash_password("x" * 12), password)  # as slow as a real check
        return LoginRefused("invalid")
    locked = _aware(row["locked_until"])
    if row["disabled"] or (locked is not None and locked > now):
        _audit(conn, f"user:{username}", "login_locked", username, "")
        return LoginRefused("locked", locked)
    if not verify_password(row["password_hash"], password):
        failures = int(row["failed_logins"]) + 1
        until = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
        conn.execute(users.update().where(users.c.username == username)
                     .values(failed_logins=0 if until else failures, locked_until=until))
        _audit(conn, f"user:{username}", "login_failed", username, f"failures={failures}")
        return LoginRefused("locked" if until else "invalid", until)
    conn.execute(users.update().where(users.c.username == username).values(failed_logins=0, locked_until=None))
    _audit(conn, f"user:{username}", "login", username, "")
    return None


def user_identity(store, username: str) -> Identity | None:
    """The current identity of a user named in a token (None when gone, disabled or locked)."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    if row is None or row["disabled"]:
        return None
    return _identity(username, row, "user")


def create_key(store, name: str, role: str, scopes=()) -> str:
    """Make an API key; return it (shown once: only its hash is kept)."""
    codes = _checked(role, scopes)
    key = new_api_key()
    with store._write_lock, _write(store) as conn:
        if conn.execute(sa.select(api_keys.c.name).where(api_keys.c.name == name)).first():
            raise IdentityError(f"key {name} exists already; revoke it or choose another name")
        conn.execute(api_keys.insert().values(name=name, key_hash=key_hash(key), role=role,
                                              scopes=",".join(codes), created_at=_now(), revoked_at=None))
        _audit(conn, "cli", "key_create", name, f"role={role} scopes={','.join(codes)}")
    return key


def revoke_key(store, name: str) -> None:
    """Revoke a key at once; IdentityError when there is no such active key."""
    with store._write_lock, _write(store) as conn:
        done = conn.execute(api_keys.update().where(api_keys.c.name == name, api_keys.c.revoked_at.is_(None))
                            .values(revoked_at=_now())).rowcount
        if not done:
            raise IdentityError(f"no active key named {name}; `gridgeo keys list` shows them")
        _audit(conn, "cli", "key_revoke", name, "")


def list_keys(store) -> pd.DataFrame:
    """Every key (no hashes): name, role, scopes, created_at, revoked_at."""
    cols = [api_keys.c.name, api_keys.c.role, api_keys.c.scopes, api_keys.c.created_at, api_keys.c.revoked_at]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(api_keys.c.name)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])


def key_identity(store, key: str) -> Identity | None:
    """The identity of an active API key (None for an unknown or revoked key)."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(api_keys).where(api_keys.c.key_hash == key_hash(key))).mappings().first()
    if row is None or row["revoked_at"] is not None:
        return None
    return _identity(row["name"], row, "key")


def signing_secret(store) -> str:
    """The secret that signs login tokens: made once per store, shared by every worker."""
    with store.engine.connect() as conn:
        value = conn.execute(sa.select(auth_secrets.c.value).where(auth_secrets.c.name == "token")).scalar()
    if value:
        return value
    with store._write_lock, _write(store) as conn:
        value = conn.execute(sa.select(auth_secrets.c.value).where(auth_secrets.c.name == "token")).scalar()
        if not value:
            value = _random.token_urlsafe(48)
            conn.execute(auth_secrets.insert().values(name="token", value=value))
    return value


def _audit(conn: sa.Connection, actor: str, action: str, target: str, detail: str) -> None:
    conn.execute(access_audit.insert().values(at=_now(), actor=actor, action=action, target=target, detail=detail))


def audit(store, actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Write one entry to the access audit log (e.g. personal data read unmasked)."""
    with store._write_lock, _write(store) as conn:
        _audit(conn, actor, action, target, detail)


def audit_log(store, limit: int = 1000) -> pd.DataFrame:
    """The newest ``limit`` audit entries."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(access_audit).order_by(access_audit.c.id.desc()).limit(limit)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in access_audit.columns])
