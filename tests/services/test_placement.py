"""The address matcher on its own (gridgeo.services.placement, issue 22): order of trust,
typos, qualifiers, named areas that contradict the match, ambiguity, other districts."""

from __future__ import annotations

import pytest
from hotline_district import COMMUNITIES, DISTRICT_NAME, STREETS, _community_code, make_district

from gridgeo.events.assign import GridIndex
from gridgeo.services.placement import AddressIndex, _edit1


@pytest.fixture(scope="module")
def world():
    district = make_district()
    return district, AddressIndex(district.atlas, GridIndex(district.atlas.grids), threshold=0.8)


def _single(district):
    return next(c for c in district.compounds if len(c.grids) == 1)


def test_edit_distance_one():
    assert _edit1("阳光花园", "阳光化园") and _edit1("阳光花园", "阳光园") and _edit1("阳光花园", "阳花光园")
    assert not _edit1("阳光花园", "月光化园") and not _edit1("阳光花园", "阳光花园小区")


def test_order_of_trust_and_confidence(world):
    district, index = world
    comp = _single(district)
    no, grid, lon, lat = comp.buildings[0]
    b = index.place(f"{comp.name}{no}栋")
    assert (b.placed, b.method, b.grid_code, b.confidence) == (True, "building", grid, 0.98)
    assert (b.lon, b.lat) == (lon, lat)
    r = index.place(f"{comp.road}{comp.number}号{no}号楼")
    assert (r.method, r.grid_code, r.confidence) == ("building", grid, 0.97)
    c = index.place(f"{comp.name}小区")
    assert (c.method, c.grid_code, c.confidence) == ("compound", grid, 0.9)
    c99 = index.place(f"{comp.name}99栋")  # a building the register does not hold: the compound
    assert (c99.method, c99.grid_code, c99.confidence) == ("compound", grid, 0.85)
    n = index.place(f"{comp.road}{comp.number}号")
    assert (n.method, n.grid_code, n.confidence) == ("road_number", grid, 0.85)


def test_qualifiers_and_contradicting_areas_queue_instead_of_guessing(world):
    district, index = world
    comp = _single(district)
    no = comp.buildings[0][0]
    near = index.place(f"{comp.name}{no}栋附近")
    assert near.placed and near.confidence == pytest.approx(0.98 * 0.95, abs=1e-3)
    across = index.place(f"{comp.name}斜对面")
    assert not across.placed and "阈值" in across.reason.render("zh") and across.candidates
    wrong = next(k for k in range(6) if _community_code(k) != comp.buildings[0][1][:12])
    odd = index.place(f"{STREETS[wrong // 3]}{COMMUNITIES[wrong]}{comp.name}{no}栋")
    assert not odd.placed and COMMUNITIES[wrong] in odd.reason.render("zh")


def test_compounds_spanning_grids_are_queued_with_their_grids(world):
    district, index = world
    split = next(c for c in district.compounds if len(c.grids) > 1)
    p = index.place(split.name)
    assert not p.placed and p.method == "compound" and {c["grid_code"] for c in p.candidates} == split.grids
    b = index.place(f"{split.name}{split.buildings[1][0]}栋")
    assert b.placed and b.grid_code == split.buildings[1][1]  # the building settles it


def test_other_district_unknown_and_community_only(world):
    district, index = world
    comp = _single(district)
    other = index.place(f"成都市武侯区{comp.name}1栋")
    assert not other.placed and other.method == "other_district" and "武侯区" in other.reason.render("zh")
    mine = index.place(f"成都市{DISTRICT_NAME}{comp.name}{comp.buildings[0][0]}栋")
    assert mine.placed
    for blank in ("", None, "地址不详", " 不详 "):
        assert index.place(blank).method == "none" and not index.place(blank).placed
    only = index.place(f"{COMMUNITIES[2]}门口")
    assert (only.placed, only.method, only.community_code) == (False, "community", _community_code(2))
    assert "社区" in only.reason.render("zh") and "not a grid" in only.reason.render("en")


def test_a_typo_close_to_two_compounds_is_queued(world):
    district, index = world
    names = {c.name for c in district.compounds}
    pair = next((a, b) for a in names for b in names if a < b and len(a) == len(b)
                and sum(x != y for x, y in zip(a, b, strict=True)) == 1)
    i = next(k for k, (x, y) in enumerate(zip(*pair, strict=True)) if x != y)
    typed = pair[0][:i] + "某" + pair[0][i + 1:]  # one edit from both
    p = index.place(f"{typed}2栋")
    assert not p.placed and set(pair) <= set(p.reason.params["names"].split("、"))
