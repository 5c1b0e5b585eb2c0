"""Placing a case by its typed address against the active atlas's own registers (issue 22).

Order of trust: **building** (compound + building number, or road + house number + building),
**compound** (小区名称, when all its buildings lie in one grid; else queued with the candidate
grids), **road + house number**, then the **community** or street named in the address (never a
grid: the case is queued and the reason says so). An address in another district, a blank or
"地址不详" address and anything under the confidence threshold are queued, never guessed.

:class:`AddressIndex` is built once per (atlas, grid-set version) and kept with the store
(:func:`address_index`); placing one address is a handful of dict look-ups. Compound names
with small typos are matched by a hand-written deletion-neighbourhood index and a
Damerau–Levenshtein distance of at most 1 (no fuzzy-matching package is installed, and the
registers' names are short, so one edit is the useful tolerance).
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from gridgeo.atlas.model import Atlas
from gridgeo.config import Settings, get_settings
from gridgeo.events.address import Address, compound_key, normalise, parse, road_suffixes
from gridgeo.events.assign import GridIndex
from gridgeo.i18n import Msg, word
from gridgeo.services.active_atlas import active_atlas_name, load_active_atlas
from gridgeo.services.grid_index import grid_index
from gridgeo.store import Store

# confidence of each method (before the qualifiers' weights and the typo factor)
CONFIDENCE = {"building": 0.98, "road_building": 0.97, "compound": 0.9, "compound_no_building": 0.85,
              "road_number": 0.85, "community": 0.5, "street": 0.3}
TYPO_FACTOR = 0.9  # a compound name matched with one edit
MISMATCH_FACTOR = 0.6  # the address names a community/street the match does not lie in
MAX_CANDIDATES = 30
MAX_ADDRESS = 200  # characters of an address that are matched (a longer text is no address)


@dataclass
class Placement:
    """Where an address puts a case: placed (a point in one grid) or queued (with the reason and
    the candidate grids)."""

    placed: bool
    method: str
    confidence: float
    lon: float | None = None
    lat: float | None = None
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    reason: Msg | None = None
    candidates: list[dict] = field(default_factory=list)  # {"grid_code", "lon", "lat", "label"}


def _edit1(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1:] for i in range(len(text))} | {text}


def _unit_points(units) -> tuple[np.ndarray, np.ndarray]:
    geoms = units.geometry
    pts = geoms.where(geoms.geom_type == "Point", geoms.representative_point())
    return pts.x.to_numpy(dtype=float), pts.y.to_numpy(dtype=float)


def _names(frame, suffixes: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Normalised area names (with and without their suffix) -> (code, name as registered)."""
    out: dict[str, tuple[str, str]] = {}
    for code, name in zip(frame["code"], frame["name"], strict=True):
        key = normalise(name)
        out.setdefault(key, (str(code), str(name)))
        for suffix in suffixes:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                out.setdefault(key[: -len(suffix)], (str(code), str(name)))
    return out


class AddressIndex:
    """The registers of one atlas, indexed for placing addresses (see the module text)."""

    def __init__(self, atlas: Atlas, grids: GridIndex, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self.district_names = {normalise(n) for n in atlas.district.get("name", [])}
        self.district_names |= {n[:-1] for n in self.district_names if len(n) > 2}
        self.communities = _names(atlas.communities, ("社区", "社区居委会", "村", "居委会"))
        self.streets = _names(atlas.streets, ("街道", "街道办", "镇", "乡"))
        self.community_street = {str(c): str(s) for c, s in zip(atlas.communities["code"],
                                                                 atlas.communities["street_code"], strict=True)}
        self._index_units(atlas.units, grids)

    def _index_units(self, units, grids: GridIndex) -> None:
        n = len(units)
        self.lon, self.lat = _unit_points(units) if n else (np.zeros(0), np.zeros(0))
        pos = grids.lookup(self.lon, self.lat) if n else np.zeros(0, dtype=np.int64)
        gcode, ccode, scode = grids.code_arrays()
        self.grid = np.where(pos >= 0, gcode[np.maximum(pos, 0)] if len(gcode) else None, None)
        self.community = np.where(pos >= 0, ccode[np.maximum(pos, 0)] if len(ccode) else None, None)
        self.street = np.where(pos >= 0, scode[np.maximum(pos, 0)] if len(scode) else None, None)
        self.unit_codes = [str(c) for c in units["code"]] if n else []
        self.unit_names = [str(c) for c in units["name"]] if n else []
        self.by_code = {c: i for i, c in enumerate(self.unit_codes)}
        self.compounds: dict[str, list[int]] = defaultdict(list)
        self.buildings: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.road_numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.road_buildings: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        addresses = units["address"].tolist() if "address" in units.columns else [None] * n
        for i, (name, address) in enumerate(zip(self.unit_names, addresses, strict=True)):
            key = compound_key(name)
            parsed = parse(address) if isinstance(address, str) and address.strip() else None
            building = (parsed.building if parsed else None) or parse(name).building
            if key:
                self.compounds[key].append(i)
                if building:
                    self.buildings[(key, building)].append(i)
            if parsed and parsed.road and parsed.number:
                road = parsed.road
                self.road_numbers[(road, parsed.number)].append(i)
                if building:
                    self.road_buildings[(road, parsed.number, building)].append(i)
        self.roads = {road for road, _ in self.road_numbers}
        self.fuzzy: dict[str, set[str]] = defaultdict(set)
        for key in self.compounds:
            if len(key) >= 3:
                for variant in _deletions(key):
                    self.fuzzy[variant].add(key)
        self.max_key = max((len(k) for k in self.compounds), default=0)

    # finding the parts ------------------------------------------------------------------------
    def _compound_keys(self, addr: Address) -> tuple[list[str], float]:
        """The compound keys the address names (exact, a substring of it, or one edit away) and the
        factor the match leaves on the confidence."""
        if addr.compound in self.compounds:
            return [addr.compound], 1.0
        text = addr.text
        for length in range(min(self.max_key, len(text)), 1, -1):  # longest known name inside the text
            found = [text[i:i + length] for i in range(len(text) - length + 1) if text[i:i + length] in self.compounds]
            if found:
                return list(dict.fromkeys(found)), 1.0
        seg = addr.compound
        if len(seg) >= 3:
            near = {k for v in _deletions(seg) for k in self.fuzzy.get(v, ()) if _edit1(seg, k)}
            if near:
                return sorted(near), TYPO_FACTOR
        return [], 1.0

    def _road(self, addr: Address) -> str | None:
        if not addr.road:
            return None
        return next((r for r in road_suffixes(addr.road) if r in self.roads), None)

    def _named(self, addr: Address) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        """(community code, name) and (street code, name) the address names, if known."""
        community = next((self.communities[normalise(t)] for t in addr.admin.get("community", [])
                          if normalise(t) in self.communities), None)
        street = next((self.streets[normalise(t)] for t in addr.admin.get("street", [])
                       if normalise(t) in self.streets), None)
        return community, street

    def _other_district(self, addr: Address) -> str | None:
        for token in addr.admin.get("district", []):
            if token not in self.district_names and token[:-1] not in self.district_names:
                return token
        return None

    # placing ------------------------------------------------------------------------------------
    def place(self, raw: object) -> Placement:
        """Where the address ``raw`` puts a case (see the module text for the order of trust)."""
        addr = parse(None if raw is None else str(raw)[:MAX_ADDRESS])
        if addr.unknown:
            return Placement(False, "none", 0.0, reason=Msg("hl_unknown"))
        other = self._other_district(addr)
        if other:
            own = next(iter(sorted(self.district_names, key=len, reverse=True)), "")
            return Placement(False, "other_district", 0.0, reason=Msg("hl_other_district", {"other": other, "own": own}))
        community, street = self._named(addr)
        keys, factor = self._compound_keys(addr)
        if len(keys) > 1 and factor < 1:
            hits = [i for k in keys for i in self.compounds[k]]
            return self._queued(hits, "compound", Msg("hl_ambiguous", {"name": addr.compound, "names": "、".join(keys)}))
        road = self._road(addr)
        if addr.building:
            hits = self._narrow([i for k in keys for i in self.buildings.get((k, addr.building), ())], community, street)
            if hits:
                return self._at(hits, "building", CONFIDENCE["building"] * factor, addr, community, street)
            if road and (road, addr.number, addr.building) in self.road_buildings:
                hits = self.road_buildings[(road, addr.number, addr.building)]
                return self._at(hits, "building", CONFIDENCE["road_building"], addr, community, street)
        hits = self._narrow([i for k in keys for i in self.compounds[k]], community, street)
        if hits:
            conf = CONFIDENCE["compound_no_building" if addr.building else "compound"] * factor
            return self._at(hits, "compound", conf, addr, community, street)
        if road and (road, addr.number) in self.road_numbers:
            hits = self._narrow(self.road_numbers[(road, addr.number)], community, street)
            return self._at(hits, "road_number", CONFIDENCE["road_number"], addr, community, street)
        return self._area_only(community, street)

    def _narrow(self, hits: list[int], community, street) -> list[int]:
        """The hits inside the community (else street) the address names, when some are."""
        for named, codes in ((community, self.community), (street, self.street)):
            if named and hits:
                keep = [i for i in hits if codes[i] == named[0]]
                if keep:
                    return keep
        return hits

    def _at(self, hits: list[int], method: str, confidence: float, addr: Address, community, street) -> Placement:
        """Placed at the first hit when all hits lie in one grid and the confidence holds; else queued."""
        grids = list(dict.fromkeys(self.grid[i] for i in hits if self.grid[i] is not None))
        if not grids:
            return Placement(False, method, 0.0, reason=Msg("hl_outside_grids"))
        if len(grids) > 1:
            key = "hl_road_grids" if method == "road_number" else "hl_compound_grids"
            params = {"name": self.unit_names[hits[0]], "road": addr.road or "", "number": addr.number or "",
                      "n": len(grids), "grids": "、".join(grids[:MAX_CANDIDATES])}
            return self._queued(hits, method, Msg(key, params), confidence * addr.weight)
        i = hits[0]
        confidence *= addr.weight
        reason = None
        for named, code in ((community, self.community[i]), (street, self.street[i])):
            if named and code != named[0]:
                confidence *= MISMATCH_FACTOR
                reason = reason or Msg("hl_mismatch", {"named": named[1], "found": self.unit_names[i]})
        confidence = round(confidence, 3)
        if confidence < self.threshold:
            reason = reason or Msg("hl_low_confidence", {"method": word("hl_method_", method),
                                                         "confidence": f"{confidence:.2f}",
                                                         "threshold": f"{self.threshold:.2f}"})
            return self._queued(hits, method, reason, confidence)
        return Placement(True, method, confidence, float(self.lon[i]), float(self.lat[i]), self.grid[i],
                         self.community[i], self.street[i])

    def _queued(self, hits: list[int], method: str, reason: Msg, confidence: float = 0.0) -> Placement:
        """Queued with one candidate a grid (a unit of the hits inside it)."""
        seen: dict[str, dict] = {}
        for i in hits:
            g = self.grid[i]
            if g is not None and g not in seen and len(seen) < MAX_CANDIDATES:
                seen[g] = {"grid_code": g, "lon": float(self.lon[i]), "lat": float(self.lat[i]),
                           "label": self.unit_names[i], "unit_code": self.unit_codes[i]}
        communities = {self.community[i] for i in hits if self.community[i]}
        streets = {self.street[i] for i in hits if self.street[i]}
        return Placement(False, method, round(confidence, 3), reason=reason, candidates=list(seen.values()),
                         community_code=communities.pop() if len(communities) == 1 else None,
                         street_code=streets.pop() if len(streets) == 1 else None)

    def _area_only(self, community, street) -> Placement:
        """Queued at the community (else street) the address names, or with no match at all."""
        if community:
            return Placement(False, "community", CONFIDENCE["community"], community_code=community[0],
                             street_code=self.community_street.get(community[0]),
                             reason=Msg("hl_community_only", {"name": community[1]}))
        if street:
            return Placement(False, "street", CONFIDENCE["street"], street_code=street[0],
                             reason=Msg("hl_street_only", {"name": street[1]}))
        return Placement(False, "none", 0.0, reason=Msg("hl_no_match"))

    def unit_position(self, code: str) -> tuple[float, float] | None:
        """The point of a building or compound of the register by its code (None when unknown)."""
        i = self.by_code.get(str(code))
        return None if i is None else (float(self.lon[i]), float(self.lat[i]))


_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Store, dict[tuple, AddressIndex]] = weakref.WeakKeyDictionary()


def address_index(store: Store, settings: Settings | None = None) -> AddressIndex:
    """The :class:`AddressIndex` of the store's active atlas over its current grid set, built once
    per (atlas, grid-set version, threshold) and kept with the store."""
    settings = settings or get_settings()
    version = store.current_version(max_age=1.0)
    name = active_atlas_name(store, settings)
    key = (name, version, settings.hotline_min_confidence)
    with _lock:
        per_store = _cache.setdefault(store, {})
        if key in per_store:
            return per_store[key]
    atlas = load_active_atlas(store, settings)
    grids = grid_index(store, version) if version is not None else GridIndex(atlas.grids)
    index = AddressIndex(atlas, grids, settings.hotline_min_confidence)
    with _lock:
        per_store.clear()  # an older version's index is not used again
        per_store[key] = index
    return index
