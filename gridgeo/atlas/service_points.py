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
import numpy as np
import pandas as pd

from gridgeo.atlas.model import SERVICE_POINT_COLUMNS, SERVICE_TIERS, empty_layer

HALL_TIERS: tuple[str, ...] = ("community", "street", "district")  # the dispatch tiers (events.dispatch)
REQUIRED: tuple[str, ...] = ("code", "name", "tier", "territory_code")


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


def next_up(tier: str, territory_code: str, district_code: str) -> tuple[str, str] | None:
    """The tier and territory one step up the ladder from a point of ``tier`` serving
    ``territory_code`` (station → its community hall → street centre → district centre; a
    community's street is its code's first 9 digits, GB/T 2260); None at the district centre."""
    if tier == "station":
        return "community", territory_code
    if tier == "community":
        return "street", territory_code[:9]
    if tier == "street":
        return "district", district_code
    return None


def counts_by_tier(points: pd.DataFrame) -> dict[str, int]:
    """How many points of each tier (every tier named, 0 when absent)."""
    counts = points["tier"].value_counts() if len(points) else pd.Series(dtype=int)
    return {tier: int(counts.get(tier, 0)) for tier in SERVICE_TIERS}


class ServiceNetwork:
    """The service points of one atlas, ready to route cases: the hall of a dispatch target, the
    nearest station of a point (in metres in the metric CRS, among the stations of its community,
    else of its street) and the ladder one tier up."""

    def __init__(self, points: gpd.GeoDataFrame, metric_crs: str):
        from gridgeo.geo.metric import transformer

        has_columns = set(REQUIRED) <= set(points.columns)
        self.points = (points if has_columns else empty_service_points()).reset_index(drop=True)
        self.crs = metric_crs
        self.halls = halls_by_territory(self.points) if len(self.points) else {}
        self.tier_of = dict(zip(self.points["code"].astype(str), self.points["tier"].astype(str), strict=True))
        self.territory_of = dict(zip(self.points["code"].astype(str), self.points["territory_code"].astype(str),
                                     strict=True))
        self.district_code = next((code for (tier, code) in self.halls if tier == "district"), None)
        self._to_metric = transformer("EPSG:4326", metric_crs)
        self._stations: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        stations = self.points[self.points["tier"] == "station"]
        if len(stations):
            x, y = self._to_metric.transform(stations.geometry.x.to_numpy(), stations.geometry.y.to_numpy())
            xy, codes = np.column_stack([x, y]), stations["code"].astype(str).to_numpy()
            areas = stations["territory_code"].astype(str).to_numpy()
            for area in (areas, np.array([a[:9] for a in areas])):  # by community, then by street
                for key in np.unique(area):
                    self._stations.setdefault(str(key), (codes[area == key], xy[area == key]))

    def __len__(self) -> int:
        return len(self.points)

    def hall_of(self, target: str) -> str | None:
        """The hall serving a dispatch target ``<tier>:<code>`` (None when the atlas has none)."""
        return hall_for_target(target, self.halls)

    def nearest_stations(self, lon: np.ndarray, lat: np.ndarray, community: np.ndarray,
                         street: np.ndarray) -> np.ndarray:
        """The code of the nearest station of each point (None where its community and street
        have none), among the stations of its community, else its street, in metres."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out = np.full(len(lon), None, dtype=object)
        if not self._stations or not len(lon):
            return out
        x, y = self._to_metric.transform(lon, lat)
        keys = [c if c in self._stations else s if s in self._stations else None
                for c, s in zip(community, street, strict=True)]
        groups: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if key is not None:
                groups.setdefault(key, []).append(i)
        for key, rows in groups.items():
            codes, xy = self._stations[key]
            d = np.hypot(x[rows, None] - xy[None, :, 0], y[rows, None] - xy[None, :, 1])
            out[rows] = codes[np.argmin(d, axis=1)]
        return out

    def up(self, code: str) -> str | None:
        """The point one tier above ``code`` on the ladder (station → its community hall →
        street centre → district centre); None at the top or when that hall is missing."""
        tier, territory = self.tier_of.get(code), self.territory_of.get(code)
        if tier is None or territory is None:
            return None
        step = next_up(tier, territory, self.district_code or territory[:6])
        return None if step is None else self.halls.get(step)

    def route(self, targets: list[str], lon: np.ndarray, lat: np.ndarray, community: np.ndarray,
              street: np.ndarray) -> tuple[list, np.ndarray, list]:
        """Hall codes, station codes and the starting tier of cases with these dispatch targets
        and places: a community-tier case starts at its station (when it has one), any other at
        its hall; None where the network has no hall for the target."""
        halls = [self.hall_of(t) for t in targets]
        stations = self.nearest_stations(lon, lat, community, street)
        tiers = [None if h is None else "station" if self.tier_of[h] == "community" and s is not None
                 else self.tier_of[h] for h, s in zip(halls, stations, strict=True)]
        return halls, stations, tiers
