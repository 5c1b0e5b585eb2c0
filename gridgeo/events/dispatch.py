"""Routing rule: which hall handles an event (属地 by location, then tier by level and category).

Guangming's four tiers are 1 district centre, 6 street centres, 31 community halls (and
stations, which report to their community hall). The rule, all parts configurable in
:class:`DispatchRule`:

1. The tier starts from the event's level: ``level_tiers`` (default level 1 → district centre,
   2 → street centre, 3 and 4 → community hall).
2. Some categories need at least a given tier: ``category_min_tier`` (default petitions to
   higher levels and land consolidation → street centre; work safety at level 1-2 is already
   street/district by rule 1).
3. The higher of the two wins. The hall is the one of the event's own community/street
   (from its grid assignment); an event outside every grid goes to the district centre.

The target is written ``<tier>:<code>``, e.g. ``community:440311001001``,
``street:440311001`` or ``district:440311``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TIERS: tuple[str, ...] = ("community", "street", "district")


@dataclass(frozen=True)
class DispatchRule:
    """Tier by level, minimum tier by category (see the module docstring)."""

    level_tiers: dict[int, str] = field(
        default_factory=lambda: {1: "district", 2: "street", 3: "community", 4: "community"})
    category_min_tier: dict[str, str] = field(
        default_factory=lambda: {"petition": "street", "land": "street"})


DEFAULT_RULE = DispatchRule()


def dispatch_tier(level: int, category: str, rule: DispatchRule = DEFAULT_RULE) -> str:
    """The tier (community, street or district) an event of this level and category goes to."""
    tier = rule.level_tiers.get(int(level), "community")
    floor = rule.category_min_tier.get(category, "community")
    return max(tier, floor, key=TIERS.index)


def dispatch_target(level: int, category: str, community_code: str | None, street_code: str | None,
                    district_code: str, rule: DispatchRule = DEFAULT_RULE) -> str:
    """The responsible hall as ``<tier>:<code>``; out-of-area events go to the district centre."""
    tier = dispatch_tier(level, category, rule)
    if tier == "community" and community_code:
        return f"community:{community_code}"
    if tier in ("community", "street") and street_code:
        return f"street:{street_code}"
    return f"district:{district_code}"
