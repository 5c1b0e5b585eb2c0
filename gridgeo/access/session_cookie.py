"""The app's session cookie: a random session id signed with the store's secret (HMAC-SHA256).

The id names a row of ``app_sessions`` (:mod:`gridgeo.store.app_sessions`), so the server can end
the session (sign-out, idle limit, account disabled or password changed); the signature makes a
forged or altered cookie fail before any lookup. The cookie is HttpOnly and SameSite=Strict: no
script reads it and no other site sends it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE_NAME = "gridgeo_session"


def new_session_id() -> str:
    """A fresh random session id (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def session_hash(session_id: str) -> str:
    """How the store keeps a session id (SHA-256: a stolen table gives no working cookie)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def _mac(session_id: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"app-session:{session_id}".encode(), hashlib.sha256).hexdigest()


def sign(session_id: str, secret: str) -> str:
    """The cookie value of ``session_id``."""
    return f"{session_id}.{_mac(session_id, secret)}"


def unsign(value: str | None, secret: str) -> str | None:
    """The session id of a cookie value whose signature is right, else None."""
    if not value or "." not in value or len(value) > 200:
        return None
    session_id, mac = value.rsplit(".", 1)
    return session_id if hmac.compare_digest(mac, _mac(session_id, secret)) else None
