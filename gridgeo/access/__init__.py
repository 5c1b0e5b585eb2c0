"""Who may see and do what: roles scoped to territory codes, passwords, API keys, tokens, masking.

- :mod:`gridgeo.access.roles`: the roles, what each may do, and territory scopes (code prefixes);
- :mod:`gridgeo.access.identity`: the authenticated :class:`Identity` every request carries;
- :mod:`gridgeo.access.secrets`: password hashing (argon2), API key making and hashing,
  short-lived signed bearer tokens (PyJWT, HS256);
- :mod:`gridgeo.access.masking`: personal data (reporter names and phones) masked for display.

Persistence lives in :mod:`gridgeo.store.identities`; enforcement in the API's dependencies.
"""

from gridgeo.access.identity import Identity
from gridgeo.access.roles import ROLES, AccessDenied, Action, allowed, check

__all__ = ["ROLES", "AccessDenied", "Action", "Identity", "allowed", "check"]
