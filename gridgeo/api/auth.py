"""Who is calling: the identity behind ``Authorization: Bearer …``, and the access guards.

A bearer credential is one of:

- the legacy ``GRIDGEO_API_TOKEN`` → the admin (existing set-ups keep working);
- an API key ``gg_…`` made by ``gridgeo keys create`` (refused at once when revoked);
- a login token from ``POST /api/v1/auth/token`` (OAuth2 password flow; signed, 30 minutes);
- a JWT of the city's identity provider, when configured (:mod:`gridgeo.access.idp`: issuer and
  key set from local settings, offline).

Reads without a credential follow ``GRIDGEO_READ_ACCESS`` (open, or loopback clients under
``localhost``) as an anonymous, unscoped viewer. A credential that is wrong is a 401; a known
caller whose role or territory does not allow the request gets a 403 naming the missing role
or scope. The identity is kept on ``request.state.identity`` for the handlers
(:data:`IdentityDep`): the lifecycle actor and the audit entries come from it, never from
the request body.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gridgeo.access import AccessDenied, Action, Identity
from gridgeo.access.identity import ANONYMOUS_READER
from gridgeo.access.secrets import KEY_PREFIX, read_token, same
from gridgeo.api.deps import LOOPBACK, client_address, get_settings, get_store, guard
from gridgeo.api.errors import ApiError

CREDENTIALS_HINT = ("Authorization: Bearer <API key, login token from POST /api/v1/auth/token, "
                    "or GRIDGEO_API_TOKEN>")


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def identify(request: Request) -> Identity | None:
    """The caller named by the request's bearer credential (None without one; 401 when wrong)."""
    if "identity" in request.state._state:
        return request.state.identity
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    credential = credential.strip()
    identity = None
    if credential:
        if scheme.lower() != "bearer":
            raise _unauthorized(f"use {CREDENTIALS_HINT}")
        identity = _resolve(request, credential)
    request.state.identity = identity
    return identity


def _resolve(request: Request, credential: str) -> Identity:
    from gridgeo.store import identities

    settings = get_settings(request)
    if settings.api_token and same(credential, settings.api_token):
        return Identity(name="GRIDGEO_API_TOKEN", role="admin", kind="token")
    store = get_store(request)
    if credential.startswith(KEY_PREFIX):
        identity = identities.key_identity(store, credential)
        if identity is None:
            raise _unauthorized("this API key is unknown or revoked; ask for a new one (gridgeo keys create)")
        return identity
    claims = read_token(credential, identities.signing_secret(store))
    if claims is None and settings.oidc_issuer and settings.oidc_jwks_file:  # the city's identity provider
        from gridgeo.access.idp import read_idp_token

        identity = read_idp_token(credential, settings.oidc_issuer, settings.oidc_jwks_file, settings.oidc_audience)
        if identity is not None:
            return identity
    if claims is None:
        unset = "" if settings.api_token else " (no GRIDGEO_API_TOKEN is set on this server)"
        raise _unauthorized(f"the bearer credential is not valid (expired or wrong){unset}; use {CREDENTIALS_HINT}")
    identity = identities.user_identity(store, str(claims["sub"]))
    if identity is None:
        raise _unauthorized(f"user {claims['sub']} no longer exists or is disabled")
    if claims.get("gen", 0) != identity.generation:
        raise _unauthorized("this token was issued before the account was disabled or its password changed; "
                            "sign in again (POST /api/v1/auth/token)")
    return identity


def _refuse(exc: AccessDenied) -> ApiError:
    return ApiError(403, str(exc))


def _require(request: Request, action: Action, anonymous_ok: bool) -> Identity:
    identity = identify(request)
    if identity is None:
        if anonymous_ok and _anonymous_reads(request):
            request.state.identity = ANONYMOUS_READER
            return ANONYMOUS_READER
        settings = get_settings(request)
        if not anonymous_ok and not settings.api_token:
            raise _unauthorized(f"writes need {CREDENTIALS_HINT} (no GRIDGEO_API_TOKEN is set on this server; "
                                "make an API key with gridgeo keys create)")
        raise _unauthorized(f"{'reads from this address' if anonymous_ok else 'writes'} need {CREDENTIALS_HINT}")
    try:
        identity.require(action)
    except AccessDenied as exc:
        raise _refuse(exc) from None
    return identity


def _anonymous_reads(request: Request) -> bool:
    settings = get_settings(request)
    return settings.read_access == "open" or (settings.read_access == "localhost"
                                              and client_address(request) in LOOPBACK)


@guard
def require_read(request: Request) -> None:
    """Reads: a credential whose role may read, or an anonymous reader where reads are open."""
    _require(request, Action.READ, anonymous_ok=True)


@guard
def require_plan_read(request: Request) -> None:
    """Plan reads: roles that may read plans (anonymous where reads are open)."""
    _require(request, Action.READ_PLANS, anonymous_ok=True)


@guard
def require_event_write(request: Request) -> None:
    """POST needs a role that may post events (intake keys too); PATCH one that may move them."""
    _require(request, Action.POST_EVENTS if request.method == "POST" else Action.MOVE_EVENTS, anonymous_ok=False)


@guard
def require_plan_write(request: Request) -> None:
    """Saving and publishing grid plans: planners and admins."""
    _require(request, Action.WRITE_PLANS, anonymous_ok=False)


async def current_identity(request: Request) -> Identity:
    """The identity the router's guard established (``async``: read from ``request.state`` on the
    loop, no thread-pool hop per request)."""
    return identify(request) or ANONYMOUS_READER


IdentityDep = Annotated[Identity, Depends(current_identity)]
"""``who: IdentityDep`` in a handler: the authenticated caller."""


def check_place(identity: Identity, action: Action, code: str | None) -> None:
    """403 unless ``identity`` may do ``action`` at ``code`` (a grid/community/street code)."""
    try:
        identity.require(action, code or "")
    except AccessDenied as exc:
        raise _refuse(exc) from None
