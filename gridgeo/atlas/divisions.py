"""Names of county-level divisions (GB/T 2260): a 6-digit code as its name (510107 → 武侯区), and a
district named without its code given the official code from its name and its city.

The table is bundled (gridgeo/atlas/data/gbt2260_counties.csv; source and date in the data
folder's README.md); nothing is fetched at run time. Names repeat across China (鼓楼区 is in four
cities): :func:`county_codes` narrows by the city or province when given, then by codes the other
layers carry (their first 4 or 2 digits), and says when the name stays ambiguous.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class County:
    """One county-level division of the table."""

    code: str
    name: str
    city_code: str
    city_name: str
    province_code: str
    province_name: str


@lru_cache(maxsize=1)
def counties() -> dict[str, County]:
    """The bundled table: 6-digit code → County (about 3,000 rows)."""
    text = resources.files("gridgeo.atlas").joinpath("data", "gbt2260_counties.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["code"]: County(**r) for r in rows}


@lru_cache(maxsize=1)
def _by_name() -> dict[str, list[County]]:
    out: dict[str, list[County]] = {}
    for county in counties().values():
        out.setdefault(county.name, []).append(county)
    return out


def county_name(code: object) -> str | None:
    """The name of a 6-digit county code (``"510107"`` → ``"武侯区"``); None when not a county code."""
    text = str(code or "").strip()
    county = counties().get(text[:6]) if len(text) >= 6 and text[:6].isdigit() else None
    return county.name if county is not None else None


def _place_matches(county: County, place: str) -> bool:
    place = place.strip()
    if not place:
        return False
    short = place.rstrip("市省")
    return place in (county.city_name, county.province_name) or (
        len(short) >= 2 and (county.city_name.startswith(short) or county.province_name.startswith(short)))


def county_codes(name: object, places: tuple[str, ...] = (), codes: tuple[str, ...] = ()) -> list[str]:
    """The codes of the counties called ``name`` (a full name: 西陵区), narrowed by ``places``
    (city or province names given with it: 宜昌市, 湖北) and then by ``codes`` of other layers (a
    county whose first 4, else 2, digits begin any of them). More than one code: still ambiguous."""
    found = _by_name().get(str(name or "").strip(), [])
    for place in places:
        narrower = [c for c in found if _place_matches(c, str(place))]
        if narrower:
            found = narrower
    for digits in (6, 4, 2):
        if len(found) < 2:
            break
        prefixes = {str(c)[:digits] for c in codes if str(c)[:digits].isdigit() and len(str(c)) >= digits}
        narrower = [c for c in found if c.code[:digits] in prefixes]
        if narrower:
            found = narrower
    return [c.code for c in found]
