"""``POST /api/v1/auth/token``: the OAuth2 password flow. A user's name and password (form
fields ``username``, ``password``) give a signed bearer token valid for 30 minutes.

Failed logins are rate-limited per client address (at most :data:`ATTEMPTS_PER_MINUTE` a
minute: 429) and an account is locked for 15 minutes after 5 failures in a row (423, also for
the right password meanwhile; the count and the lock live in the store, so every worker sees
them). ``GET /api/v1/auth/me`` says who the credential of the request belongs to.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm

from gridgeo.access.secrets import issue_token
from gridgeo.api.auth import IdentityDep, require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut
from gridgeo.api.errors import ApiError
from gridgeo.api.routing import guarded_router

router = guarded_router(check_params, prefix="/api/v1/auth", tags=["auth"])
me_router = guarded_router(require_read, prefix="/api/v1/auth", tags=["auth"])
ATTEMPTS_PER_MINUTE = 10


class AttemptLimiter:
    """At most ``limit`` login attempts per client address in any 60 s (in this process)."""

    def __init__(self, limit: int = ATTEMPTS_PER_MINUTE, span_s: float = 60.0):
        self.limit, self.span = limit, span_s
        self._seen: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when an attempt is allowed now, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen[client]
            while seen and now - seen[0] > self.span:
                seen.popleft()
            if len(seen) >= self.limit:
                return self.span - (now - seen[0])
            seen.append(now)
            return 0.0


def _limiter(request: Request) -> AttemptLimiter:
    """The app's login limiter (one per app: every worker process counts on its own)."""
    state = request.app.state
    if not hasattr(state, "login_limiter"):
        state.login_limiter = AttemptLimiter()
    return state.login_limiter


@router.post("/token", summary="Log in (OAuth2 password flow): a bearer token for 30 minutes")
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], store: StoreDep) -> JSONOut:
    """``{"access_token", "token_type": "bearer", "expires_in", "role", "scopes"}`` for a right password."""
    from gridgeo.store import identities

    client = request.client.host if request.client else "?"
    wait = _limiter(request).allow(client)
    if wait:
        raise ApiError(429, f"too many login attempts from {client}; try again in {int(wait) + 1} s",
                       headers={"Retry-After": str(int(wait) + 1)})
    try:
        who = await run_in_threadpool(identities.login, store, form.username, form.password)
    except identities.LoginRefused as refused:
        if refused.reason == "locked":
            until = refused.until or datetime.now(UTC)
            retry = max(1, int((until - datetime.now(UTC)).total_seconds()))
            raise ApiError(423, f"user {form.username} is locked after repeated failed logins; try again "
                                f"in {retry // 60 + 1} min or ask an admin", headers={"Retry-After": str(retry)}) from None
        raise ApiError(401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"}) from None
    secret = await run_in_threadpool(identities.signing_secret, store)
    access, ttl = issue_token(who, secret)
    return JSONOut({"access_token": access, "token_type": "bearer", "expires_in": ttl, "role": who.role,
                    "scopes": list(who.scopes)})


@me_router.get("/me", summary="Who the request's credential belongs to")
def me(who: IdentityDep) -> JSONOut:
    """The caller's name, kind, role and territory."""
    return JSONOut({"name": who.name, "kind": who.kind, "role": who.role, "scopes": list(who.scopes)})
