"""The layer kinds validation knows: their names, which are areas, their parents and singular words."""

from __future__ import annotations

from gridgeo.model import REQUIRED_COLUMNS

KINDS: tuple[str, ...] = tuple(REQUIRED_COLUMNS)
AREA_KINDS: tuple[str, ...] = ("district", "streets", "communities", "grids")

# kind -> (parent kind, column of the child naming its parent's code)
PARENTS: dict[str, tuple[str, str]] = {
    "streets": ("district", "district_code"),
    "communities": ("streets", "street_code"),
    "grids": ("communities", "community_code"),
    "units": ("communities", "community_code"),
}

SINGULAR: dict[str, str] = {
    "district": "district", "streets": "street", "communities": "community", "grids": "grid",
    "legacy": "legacy grid", "units": "unit", "events": "event",
}


def _plural(kind: str) -> str:
    return "districts" if kind == "district" else "legacy grids" if kind == "legacy" else kind
