"""Checks of the service-point layer against its atlas: valid tiers, known territories, each
community hall inside its community and exactly one hall per community."""

from __future__ import annotations

import geopandas as gpd
import shapely

from gridgeo.atlas.model import SERVICE_TIERS, Atlas
from gridgeo.atlas.validation.fields import check_duplicate_codes, check_required_fields
from gridgeo.atlas.validation.geometry import check_geometries
from gridgeo.atlas.validation.problems import Problem
from gridgeo.geo.crs import WGS84
from gridgeo.i18n import Msg

# tier -> the atlas layer whose codes its territory_code names
_TERRITORY_LAYER = {"station": "communities", "community": "communities", "street": "streets",
                    "district": "district"}


def check_service_points(atlas: Atlas, source: str = "service_points.geojson") -> list[Problem]:
    """Every problem of ``atlas.service_points`` (none when the layer is empty)."""
    points = atlas.service_points
    if not len(points):
        return []
    problems = check_required_fields(points, "service_points", source)
    problems += check_duplicate_codes(points, source)
    problems += check_geometries(points, "service_points", source)
    if problems:
        return problems
    points = points.to_crs(WGS84) if points.crs is not None and points.crs != WGS84 else points
    for code, tier, territory in zip(points["code"], points["tier"], points["territory_code"], strict=True):
        if tier not in SERVICE_TIERS:
            problems.append(Problem(source, str(code), Msg("sp_bad_tier", {"tier": tier}),
                                    Msg("sp_bad_tier_hint"), "service_point_tier"))
            continue
        codes = set(getattr(atlas, _TERRITORY_LAYER[tier])["code"].astype(str))
        if str(territory) not in codes:
            problems.append(Problem(source, str(code), Msg("sp_unknown_territory", {"territory": territory}),
                                    Msg("sp_unknown_territory_hint"), "service_point_territory"))
    return problems + check_halls(points, atlas.communities, source)


def check_halls(points: gpd.GeoDataFrame, communities: gpd.GeoDataFrame, source: str) -> list[Problem]:
    """Each community hall lies in (or on the edge of) its community; each community has one hall."""
    problems: list[Problem] = []
    halls = points[points["tier"] == "community"]
    shapes = dict(zip(communities["code"].astype(str), communities.geometry, strict=True))
    names = dict(zip(communities["code"].astype(str), communities["name"].astype(str), strict=True))
    for code, name, territory, geom in zip(halls["code"], halls["name"], halls["territory_code"], halls.geometry,
                                           strict=True):
        area = shapes.get(str(territory))
        if area is not None and geom is not None and not shapely.intersects(area, geom):
            problems.append(Problem(source, str(code), Msg("sp_hall_outside", {
                "territory": f"{territory} {names.get(str(territory), '')}".strip(), "name": name}),
                                    Msg("sp_hall_outside_hint"), "hall_outside_community"))
    per_community = halls["territory_code"].astype(str).value_counts()
    for community in shapes:
        n = int(per_community.get(community, 0))
        if n != 1:
            key = "sp_no_hall" if n == 0 else "sp_many_halls"
            problems.append(Problem(source, community, Msg(key, {"territory": community, "n": n}),
                                    Msg("sp_no_hall_hint"), "hall_count"))
    return problems
