"""Passwords (argon2id via argon2-cffi), API keys (random, stored as SHA-256) and short-lived
signed bearer tokens (JWT HS256 via PyJWT).

An API key is ``gg_<name-independent id>_<secret>``: 32 random bytes, so a plain SHA-256 of it
is a safe stored form (it cannot be guessed, unlike a password) and the lookup is one indexed
query. Keys are shown once, when made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gridgeo.access.identity import Identity

KEY_PREFIX = "gg_"
TOKEN_ISSUER = "gridgeo"
TOKEN_LIFETIME = timedelta(minutes=30)
_HASHER = PasswordHasher(parallelism=1)
"""argon2id with 64 MiB and 3 passes (RFC 9106's second recommended option) in ONE lane: a check
runs on one thread, so the bounded number of concurrent checks (GRIDGEO_LOGIN_HASHES) bounds the
cores sign-in can take from intake (4 lanes ran on 4 threads, every core). Hashes made with
other parameters still verify: they are read from the hash."""


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; parameters in the hash)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """An argon2id hash of a random password (made once per process): an unknown user's sign-in
    is checked against it, so it costs the same argon2 work as a real user's wrong password."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def check_password_strength(password: str) -> None:
    """ValueError when the password is too weak to protect a command centre."""
    if len(password) < 10:
        raise ValueError("the password needs at least 10 characters")
    if password.isdigit() or password.isalpha():
        raise ValueError("the password needs letters and digits (or other characters) mixed")


def new_api_key() -> str:
    """A new random API key (shown once)."""
    return f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"


def key_hash(key: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def issue_token(identity: Identity, secret: str, now: datetime | None = None,
                lifetime: timedelta = TOKEN_LIFETIME) -> tuple[str, int]:
    """A signed bearer token for a logged-in user and its lifetime in seconds. ``gen`` is the
    user's token generation: a token whose generation is behind the stored one is refused."""
    now = now or datetime.now(UTC)
    claims = {"iss": TOKEN_ISSUER, "sub": identity.name, "role": identity.role, "scopes": list(identity.scopes),
              "gen": identity.generation, "iat": int(now.timestamp()), "exp": int((now + lifetime).timestamp())}
    return jwt.encode(claims, secret, algorithm="HS256"), int(lifetime.total_seconds())


def read_token(token: str, secret: str) -> dict | None:
    """The claims of a valid, unexpired token of ours; None otherwise."""
    try:
        return jwt.decode(token, secret, algorithms=["HS256"], issuer=TOKEN_ISSUER,
                          options={"require": ["exp", "iat", "sub"]})
    except jwt.PyJWTError:
        return None
