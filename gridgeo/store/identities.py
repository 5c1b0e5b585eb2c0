"""Users, API keys, the token signing secret and the access audit log, in the store's database.

Persistence only: hashing and token rules are :mod:`gridgeo.access`. Tables: revision 0007
(``gridgeo/store/migrations/versions/0007_identities.py``); the token generation and the
sign-in throttle (``login_failures``): revision 0012.

Passwords are hashed and checked OUTSIDE the store's write lock (argon2 takes tens of
milliseconds of CPU; under the lock it stalled intake): the lock covers only the short writes.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from gridgeo.access.identity import Identity
from gridgeo.access.roles import check_scope_codes
from gridgeo.access.secrets import dummy_hash, hash_password, key_hash, new_api_key, verify_password

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
    sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
)
login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("client", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
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

MAX_FAILED_LOGINS = 5  # failures in a row from one client for one user name, then that client waits
LOCKOUT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # failure rows older than this are dropped


class IdentityError(ValueError):
    """A user or key operation that cannot be done (the message says why)."""


class LoginRefused(Exception):
    """A failed sign-in: ``reason`` is "invalid" (unknown user or wrong password), "locked" (this
    client waits until ``until`` for this user name) or "disabled"; ``recent`` counts the failures
    on this user name from every client in the last LOCKOUT (the API slows its answer by them)."""

    def __init__(self, reason: str, until: datetime | None = None, recent: int = 0):
        super().__init__(reason)
        self.reason, self.until, self.recent = reason, until, recent


def login(store, username: str, password: str, client: str = "app", now: datetime | None = None,
          verify: Callable[[str, str], bool] = verify_password) -> Identity:
    """The identity of a user whose password is right; LoginRefused otherwise. The sign-in rule
    of the API and the app: after MAX_FAILED_LOGINS failures in a row of ``client`` on
    ``username`` (known or not) that client waits LOCKOUT for that name, while other clients
    (the account's owner) still can sign in. The password is checked outside the write lock, by
    ``verify(stored_hash, password)`` (the API runs it on its low-priority hashing threads)."""
    now = now or _now()
    wait, recent = client_wait(store, username, client, now)
    if wait:
        raise LoginRefused("locked", now + timedelta(seconds=wait), recent)
    who, reason = check_password(store, username, password, verify)
    if who is not None:
        record_login(store, username, client)
        return who
    if reason == "disabled":
        raise LoginRefused("disabled", None, recent)
    until = record_failure(store, username, client, now)
    raise LoginRefused("locked" if until else "invalid", until, recent + 1)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def _scopes(text: str) -> tuple[str, ...]:
    return tuple(s for s in (text or "").split(",") if s)


def _identity(name: str, row, kind: str) -> Identity:
    """The identity of a stored user or key row."""
    return Identity(name=name, role=row["role"], kind=kind, scopes=_scopes(row["scopes"]),
                    generation=int(row.get("token_generation") or 0) if kind == "user" else 0)


def _write(store):
    return store.write_engine.begin()


def _check_name(username: str) -> None:
    if not username.strip() or len(username) > 64 or any(c.isspace() or c == "\x00" for c in username):
        raise IdentityError(f"user name {username!r}: 1-64 characters without spaces")


def add_user(store, username: str, password: str, role: str, scopes=()) -> None:
    """Add a user; IdentityError when the name is taken or the role/scope is wrong."""
    codes = _checked(role, scopes)
    _check_name(username)
    row = {"username": username, "password_hash": hash_password(password), "role": role,
           "scopes": ",".join(codes), "created_at": _now(), "failed_logins": 0, "locked_until": None,
           "disabled": False, "token_generation": 0}
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
    """Every user (no hashes): username, role, scopes, created_at, locked_until, disabled, and
    ``blocked_clients`` (client addresses waiting after repeated failed sign-ins)."""
    cols = [users.c.username, users.c.role, users.c.scopes, users.c.created_at, users.c.locked_until,
            users.c.disabled]
    now = _now()
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(users.c.username)).mappings().all()
        blocked = conn.execute(sa.select(login_failures.c.username, sa.func.count())
                               .where(login_failures.c.locked_until > now)
                               .group_by(login_failures.c.username)).all()
    waiting = dict(blocked)
    frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])
    frame["blocked_clients"] = [int(waiting.get(u, 0)) for u in frame["username"]]
    return frame


def check_password(store, username: str, password: str,
                   verify: Callable[[str, str], bool] = verify_password) -> tuple[Identity | None, str]:
    """``(identity, "ok")`` for a right password of an enabled user, else ``(None, reason)`` with
    reason "invalid" (unknown user or wrong password: one argon2 check either way, against a
    dummy hash for an unknown user, so both take the same time) or "disabled". Holds no lock."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    if row is None:
        verify(dummy_hash(), password)
        return None, "invalid"
    if not verify(row["password_hash"], password):
        return None, "invalid"
    locked = _aware(row["locked_until"])
    if row["disabled"] or (locked is not None and locked > _now()):
        return None, "disabled"
    return _identity(username, dict(row), "user"), "ok"


def client_wait(store, username: str, client: str, now: datetime | None = None) -> tuple[float, int]:
    """Seconds ``client`` must wait before trying ``username`` again (0: it may try now), and the
    failures of the last :data:`LOCKOUT` on that user name from every client (the account-wide
    slow-down). Read only."""
    now = now or _now()
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(login_failures.c.client, login_failures.c.failures,
                                      login_failures.c.locked_until, login_failures.c.last_at)
                            .where(login_failures.c.username == username)).all()
    wait, recent = 0.0, 0
    for row in rows:
        if _aware(row.last_at) > now - LOCKOUT:
            recent += int(row.failures)
        until = _aware(row.locked_until)
        if row.client == client and until is not None and until > now:
            wait = (until - now).total_seconds()
    return wait, recent


def record_failure(store, username: str, client: str, now: datetime | None = None) -> datetime | None:
    """Count one failed sign-in of ``client`` on ``username`` (known or not: the same work and
    answer); when it is the MAX_FAILED_LOGINS-th in a row, that client waits LOCKOUT (returned)."""
    now = now or _now()
    t = login_failures
    with store._write_lock, _write(store) as conn:
        row = conn.execute(sa.select(t.c.failures, t.c.last_at)
                           .where(t.c.username == username, t.c.client == client)).first()
        failures = 1 if row is None or _aware(row.last_at) < now - LOCKOUT else int(row.failures) + 1
        until = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
        values = {"failures": 0 if until else failures, "last_at": now, "locked_until": until}
        if row is None:
            conn.execute(t.insert().values(username=username, client=client, **values))
        else:
            conn.execute(t.update().where(t.c.username == username, t.c.client == client).values(**values))
        conn.execute(t.delete().where(t.c.last_at < now - FORGET_AFTER))
        _audit(conn, f"user:{username}", "login_failed" if until is None else "login_throttled", username,
               f"client={client} failures={failures}")
    return until


def record_login(store, username: str, client: str) -> None:
    """A successful sign-in: ``client``'s failures on ``username`` are forgotten; audited."""
    with store._write_lock, _write(store) as conn:
        conn.execute(login_failures.delete().where(login_failures.c.username == username,
                                                   login_failures.c.client == client))
        _audit(conn, f"user:{username}", "login", username, f"client={client}")


def user_identity(store, username: str) -> Identity | None:
    """The current identity of a user named in a token (None when gone, disabled or locked);
    its ``generation`` must match the token's."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    if row is None or row["disabled"]:
        return None
    locked = _aware(row["locked_until"])
    if locked is not None and locked > _now():
        return None
    return _identity(username, dict(row), "user")


def _change_user(store, username: str, action: str, detail: str = "", **values) -> None:
    """Update one user's row (IdentityError when there is none) and audit it."""
    with store._write_lock, _write(store) as conn:
        done = conn.execute(users.update().where(users.c.username == username).values(**values)).rowcount
        if not done:
            raise IdentityError(f"no user named {username}; `gridgeo users list` shows them")
        if action in ("user_unlock", "user_passwd"):
            conn.execute(login_failures.delete().where(login_failures.c.username == username))
        _audit(conn, "cli", action, username, detail)


def unlock_user(store, username: str) -> None:
    """Forget every client's failed sign-ins on ``username`` and any stored lock."""
    _change_user(store, username, "user_unlock", failed_logins=0, locked_until=None)


def disable_user(store, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user; disabling ends the user's tokens at once."""
    values = {"disabled": disabled}
    if disabled:
        values["token_generation"] = users.c.token_generation + 1
    _change_user(store, username, "user_disable" if disabled else "user_enable", **values)


def set_password(store, username: str, password: str) -> None:
    """Set a new password (hashed before the lock is taken); the user's tokens end at once."""
    hashed = hash_password(password)
    _change_user(store, username, "user_passwd", password_hash=hashed, failed_logins=0, locked_until=None,
                 token_generation=users.c.token_generation + 1)


def delete_user(store, username: str) -> None:
    """Delete a user (its tokens stop working: the user no longer exists)."""
    with store._write_lock, _write(store) as conn:
        done = conn.execute(users.delete().where(users.c.username == username)).rowcount
        if not done:
            raise IdentityError(f"no user named {username}; `gridgeo users list` shows them")
        conn.execute(login_failures.delete().where(login_failures.c.username == username))
        _audit(conn, "cli", "user_delete", username, "")


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
