"""The service network of an atlas: district and street centres, community halls and stations.

A service point is a Point with ``code``, ``name``, ``tier`` (:data:`SERVICE_TIERS`: station,
community, street, district), ``territory_code`` (the area it serves: a station and a community
hall serve a community, a street centre its street, the district centre the district), ``address``
and optional ``staff`` and ``opening_hours``. Each community has exactly one hall inside it; the
stations of a community report to its hall, the halls to their street centre, the street centres
to the district centre (the escalation ladder, :func:`next_up`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.model import SERVICE_POINT_COLUMNS, SERVICE_TIERS, empty_layer

HALL_TIERS: tuple[str, ...] = ("community", "street", "district")  # the dispatch tiers (events.dispatch)


def empty_service_points() -> gpd.GeoDataFrame:
    """An empty service-point layer (WGS84, :data:`SERVICE_POINT_COLUMNS`)."""
    return empty_layer(SERVICE_POINT_COLUMNS)


def halls_by_territory(points: gpd.GeoDataFrame) -> dict[tuple[str, str], str]:
    """``{(tier, territory_code): hall code}`` for the halls and centres (first one of each)."""
    halls = points[points["tier"].isin(HALL_TIERS)]
    out: dict[tuple[str, str], str] = {}
    for tier, territory, code in zip(halls["tier"], halls["territory_code"], halls["code"], strict=True):
        out.setdefault((str(tier), str(territory)), str(code))
    return out


def hall_for_target(target: str, halls: dict[tuple[str, str], str]) -> str | None:
    """The hall of a dispatch target ``<tier>:<code>`` (``community:440311001001``), or None."""
    tier, _, code = str(target).partition(":")
    return halls.get((tier, code))


def next_up(tier: str, territory_code: str, street_of: dict[str, str], district_code: str) -> tuple[str, str] | None:
    """The tier and territory one step up the ladder from a point of ``tier`` serving
    ``territory_code`` (station → its community hall → street centre → district centre);
    None at the district centre."""
    if tier == "station":
        return "community", territory_code
    if tier == "community":
        street = street_of.get(territory_code) or territory_code[:9]
        return "street", street
    if tier == "street":
        return "district", district_code
    return None


def tier_rank(tier: str) -> int:
    """The position of ``tier`` on the ladder (station 0 … district 3)."""
    return SERVICE_TIERS.index(tier)


def counts_by_tier(points: pd.DataFrame) -> dict[str, int]:
    """How many points of each tier (every tier named, 0 when absent)."""
    counts = points["tier"].value_counts() if len(points) else pd.Series(dtype=int)
    return {tier: int(counts.get(tier, 0)) for tier in SERVICE_TIERS}
