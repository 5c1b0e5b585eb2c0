"""``POST /api/v1/auth/token``: the OAuth2 password flow. A user's name and password (form
fields ``username``, ``password``) give a signed bearer token valid for 30 minutes.

Sign-in resists abuse (:mod:`gridgeo.api.signin`): the client address comes from
``X-Forwarded-For`` only behind a trusted proxy; at most :data:`ATTEMPTS_PER_MINUTE` attempts a
minute per client address (429); after 5 failures in a row on one user name a client waits 15
minutes for that name (429 with ``Retry-After``: the same for an unknown user, and other
clients, the account's owner among them, are not blocked); failures on an account from any client
slow its failed answers down. Passwords are checked outside every store lock, a bounded number at
once; an unknown user costs the same argon2 check as a wrong password. ``GET /api/v1/auth/me``
says who the credential of the request belongs to.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from gridgeo.api import schemas as R
from gridgeo.api.auth import IdentityDep, require_read
from gridgeo.api.deps import StoreDep, check_params
from gridgeo.api.encoding import JSONOut
from gridgeo.api.routing import guarded_router
from gridgeo.api.signin import ATTEMPTS_PER_MINUTE, sign_in

router = guarded_router(check_params, prefix="/api/v1/auth", tags=["auth"])
me_router = guarded_router(require_read, prefix="/api/v1/auth", tags=["auth"])
__all__ = ["ATTEMPTS_PER_MINUTE", "me_router", "router"]


@router.post("/token", summary="Log in (OAuth2 password flow): a bearer token for 30 minutes",
             responses={200: {"model": R.TokenAnswer}, **R.THROTTLED, 403: R.ERROR_RESPONSES[403]})
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], store: StoreDep) -> JSONOut:
    """``{"access_token", "token_type": "bearer", "expires_in", "role", "scopes"}`` for a right
    password; 401 for a wrong user name or password (the same answer), 429 with ``Retry-After``
    when throttled, 403 for a disabled account (only with its right password)."""
    return JSONOut(await sign_in(request, store, form.username, form.password))


@me_router.get("/me", summary="Who the request's credential belongs to")
def me(who: IdentityDep) -> JSONOut:
    """The caller's name, kind, role and territory."""
    return JSONOut({"name": who.name, "kind": who.kind, "role": who.role, "scopes": list(who.scopes)})
