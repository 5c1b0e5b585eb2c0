"""The layer kinds validation knows: their names, which are areas, their parents and singular words."""

from __future__ import annotations

from gridgeo.atlas.model import REQUIRED_COLUMNS
from gridgeo.i18n import Msg, word

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
    "service_points": "service point",
}


def _plural(kind: str) -> str:
    return "districts" if kind == "district" else "legacy grids" if kind == "legacy" else kind


def one(kind: str | None, default: str = "feature") -> Msg:
    """The word for one feature of ``kind`` (``SINGULAR``) as a catalogue message."""
    return Msg(f"kind1_{kind if kind in SINGULAR else default}")


def many(kind: str) -> Msg | str:
    """The word for features of ``kind`` (``_plural``) as a catalogue message."""
    return word("kinds_", kind)


def field_word(col: str) -> Msg | str:
    """A canonical field (``street_code``) as a catalogue message; any other name as it is."""
    return word("fld_", col)
