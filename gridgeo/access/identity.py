"""The authenticated caller of a request: who, with which role, over which territory."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridgeo.access.roles import AccessDenied, Action, check, in_scope, sees_area


@dataclass(frozen=True)
class Identity:
    """``name`` is a username, an API key's name, or ``token`` for the legacy admin token;
    ``kind`` is user, key, token (GRIDGEO_API_TOKEN), jwt (the city's identity provider) or
    anonymous (a loopback reader when reads are open to loopback). ``generation`` is a user's
    token generation (bumped when the account is disabled or its password changes)."""

    name: str
    role: str
    kind: str = "user"
    scopes: tuple[str, ...] = field(default_factory=tuple)
    generation: int = field(default=0, compare=False)

    @property
    def actor(self) -> str:
        """How lifecycle moves and audit entries name this caller."""
        return f"{self.kind}:{self.name}"

    def may(self, action: Action) -> bool:
        """True when the role allows ``action`` somewhere."""
        try:
            check(self.role, action)
        except AccessDenied:
            return False
        return True

    def require(self, action: Action, code: str | None = None) -> None:
        """Raise AccessDenied unless the role allows ``action`` at ``code`` (None: anywhere)."""
        check(self.role, action)
        if code is not None and not in_scope(self.scopes, code):
            raise AccessDenied(f"{self.actor} ({self.role}) is scoped to {', '.join(self.scopes)}; "
                               f"{code or 'an out-of-area event'} is outside that territory")

    def covers(self, code: str | None) -> bool:
        """True when ``code`` is inside this identity's territory."""
        return in_scope(self.scopes, code)

    def sees_area(self, code: str | None) -> bool:
        """True when the area ``code`` is inside the territory or contains it (a community's
        caller sees the outline of its street and district on the map, not the other streets)."""
        return sees_area(self.scopes, code)


ANONYMOUS_READER = Identity(name="loopback", role="viewer", kind="anonymous")
