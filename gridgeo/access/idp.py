"""Bearer JWTs from the city's identity provider, checked offline: the issuer and its JSON Web
Key Set come from settings (``GRIDGEO_OIDC_ISSUER``, ``GRIDGEO_OIDC_JWKS_FILE``, optionally
``GRIDGEO_OIDC_AUDIENCE``), never fetched at run time.

The token names the gridgeo role in the claim ``gridgeo_role`` and the territory codes in
``gridgeo_scopes`` (a list, or codes separated by commas); the caller's name is
``preferred_username`` (else ``sub``). Signatures: RS256/ES256 and the other asymmetric
algorithms PyJWT knows, by the key id (``kid``) of the token's header.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jwt

from gridgeo.access.identity import Identity
from gridgeo.access.roles import check_scope_codes

ROLE_CLAIM = "gridgeo_role"
SCOPES_CLAIM = "gridgeo_scopes"
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


@lru_cache(maxsize=4)
def _keys(path: str, mtime: float) -> dict[str | None, jwt.PyJWK]:
    del mtime  # part of the cache key: a replaced file is read again
    keyset = jwt.PyJWKSet.from_json(Path(path).read_text(encoding="utf-8"))
    return {key.key_id: key for key in keyset.keys}


def read_idp_token(token: str, issuer: str, jwks_file: str, audience: str | None = None) -> Identity | None:
    """The identity in a valid identity-provider token; None when it is not one (wrong issuer,
    signature, expired, unknown key, or no usable gridgeo role/scope)."""
    try:
        keys = _keys(jwks_file, Path(jwks_file).stat().st_mtime)
        kid = jwt.get_unverified_header(token).get("kid")
        key = keys.get(kid) or (next(iter(keys.values())) if len(keys) == 1 else None)
        if key is None:
            return None
        claims = jwt.decode(token, key.key, algorithms=ALGORITHMS, issuer=issuer, audience=audience,
                            options={"require": ["exp", "iss", "sub"], "verify_aud": audience is not None})
        scopes = claims.get(SCOPES_CLAIM) or []
        if isinstance(scopes, str):
            scopes = scopes.split(",")
        role = str(claims.get(ROLE_CLAIM, ""))
        codes = check_scope_codes(role, scopes)
    except (jwt.PyJWTError, OSError, ValueError):
        return None
    return Identity(name=str(claims.get("preferred_username") or claims["sub"]), role=role, kind="jwt",
                    scopes=codes)
