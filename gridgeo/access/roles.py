"""Roles, what each may do, and territory scopes.

A scope is a list of territory codes (6-digit district, 9-digit street, 12-digit community,
15-digit grid). A place is inside a scope when one of the scope's codes is a prefix of the
place's code; an empty scope means the whole store (admin, planner, a city-wide viewer).

=============  ==============================================================================
role           may
=============  ==============================================================================
admin          everything, everywhere
planner        read; save and publish grid plans
district       read, post and move events, see personal data — inside its scope; import and
               switch the atlas
street         as district but the atlas (scope: its street codes)
community      as district but the atlas (scope: its community codes)
grid_worker    read, post and move events in its grids; personal data of its grids
intake         post events only (a hotline gateway, a phone app's backend)
viewer         read only; personal data always masked (the wall display)
=============  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Action(StrEnum):
    """Things a caller may be allowed to do."""

    READ = "read"
    POST_EVENTS = "post_events"
    MOVE_EVENTS = "move_events"
    READ_PLANS = "read_plans"
    WRITE_PLANS = "write_plans"
    SEE_PERSONAL = "see_personal"
    CHANGE_ATLAS = "change_atlas"  # import an atlas, switch the active one
    MANAGE = "manage"


_OPERATOR = frozenset({Action.READ, Action.POST_EVENTS, Action.MOVE_EVENTS, Action.READ_PLANS,
                       Action.SEE_PERSONAL})
ROLES: dict[str, frozenset[Action]] = {
    "admin": frozenset(Action),
    "planner": frozenset({Action.READ, Action.READ_PLANS, Action.WRITE_PLANS}),
    "district": _OPERATOR | {Action.CHANGE_ATLAS},
    "street": _OPERATOR,
    "community": _OPERATOR,
    "grid_worker": frozenset({Action.READ, Action.POST_EVENTS, Action.MOVE_EVENTS, Action.SEE_PERSONAL}),
    "intake": frozenset({Action.POST_EVENTS}),
    "viewer": frozenset({Action.READ, Action.READ_PLANS}),
}
# which code length a territorial role's scope codes must have
SCOPE_LENGTHS: dict[str, tuple[int, ...]] = {
    "district": (6,), "street": (9,), "community": (12,), "grid_worker": (15,),
}
# roles that must name a scope (the others may, to narrow what they read)
SCOPED_ROLES = frozenset(SCOPE_LENGTHS)


# what /stats may group by: territory, category, level, status, channel and time; never a
# personal field (reporter name, phone, text) nor an id or a position
TERRITORY_GROUPINGS = ("grid", "community", "street")
GROUPINGS = (*TERRITORY_GROUPINGS, "category", "level", "status", "channel", "hour", "day", "week")


class AccessDenied(PermissionError):
    """Refused: the message names the missing role or scope (the API answers 403 with it)."""


def check_scope_codes(role: str, scopes: Iterable[str]) -> tuple[str, ...]:
    """The scope codes, checked for ``role``; ValueError names what is wrong."""
    if role not in ROLES:
        raise ValueError(f"role {role!r}: use one of {', '.join(ROLES)}")
    codes = tuple(dict.fromkeys(str(s).strip() for s in scopes if str(s).strip()))
    bad = [c for c in codes if not c.isdigit() or len(c) not in (6, 9, 12, 15)]
    if bad:
        raise ValueError(f"scope {bad[0]!r}: give territory codes of 6, 9, 12 or 15 digits")
    if len({len(c) for c in codes}) > 1:
        raise ValueError("give scope codes of one level (all 6, 9, 12 or 15 digits)")
    lengths = SCOPE_LENGTHS.get(role)
    if role in SCOPED_ROLES and not codes:
        raise ValueError(f"role {role} needs --scope with its {lengths[0]}-digit territory code(s)")
    if lengths and any(len(c) not in lengths for c in codes):
        raise ValueError(f"role {role}: scope codes must have {lengths[0]} digits")
    return codes


def in_scope(scopes: tuple[str, ...], code: str | None) -> bool:
    """True when ``code`` (a grid, community or street code) lies inside ``scopes``."""
    if not scopes:
        return True
    if not code:
        return False
    return any(str(code).startswith(s) for s in scopes)


def enclosing_codes(scopes: tuple[str, ...]) -> tuple[str, ...]:
    """The codes of the areas that contain a scope's areas (its district, street, community):
    their outlines are drawn around the territory, their contents are not in it."""
    return tuple(sorted({s[:n] for s in scopes for n in (6, 9, 12) if n < len(s)}))


def sees_area(scopes: tuple[str, ...], code: str | None) -> bool:
    """True when the area ``code`` is inside ``scopes`` or contains one of its areas."""
    return in_scope(scopes, code) or (code is not None and str(code) in enclosing_codes(scopes))


def allowed(role: str, action: Action) -> bool:
    """True when ``role`` may do ``action`` somewhere."""
    return action in ROLES.get(role, frozenset())


def roles_for(action: Action) -> list[str]:
    """The roles that may do ``action`` (for refusal messages)."""
    return [r for r, acts in ROLES.items() if action in acts]


def check(role: str, action: Action) -> None:
    """Raise AccessDenied naming the roles that may do ``action`` when ``role`` may not."""
    if not allowed(role, action):
        raise AccessDenied(f"role {role} may not {action.value.replace('_', ' ')}; "
                           f"this needs one of the roles {', '.join(roles_for(action))}")
