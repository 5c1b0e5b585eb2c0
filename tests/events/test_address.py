"""Address normalisation and parsing (gridgeo.events.address, issue 22)."""

from __future__ import annotations

import pytest

from gridgeo.events.address import chinese_number, compound_key, normalise, parse


@pytest.mark.parametrize(("text", "value"), [("十二", 12), ("五", 5), ("二十", 20), ("一百零五", 105),
                                             ("三百一十五", 315), ("一零五", 105), ("两", 2)])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


def test_normalise_makes_spellings_of_one_place_equal():
    same = {normalise(s) for s in ("阳光花园３号楼", "阳光花园 三幢", "阳光花园（3座）", "阳光花园3栋", "阳光花园叁栋".replace("叁", "三"))}
    assert same == {"阳光花园3栋"}
    assert normalise(None) == "" and normalise(float("nan")) == ""
    assert normalise("三和花园") == "三和花园"  # a numeral inside a name, not before a unit word, stays


def test_parse_peels_repeated_and_missing_prefixes_in_any_order():
    a = parse("四川省成都市锦城区锦城区蓉南街道桂溪社区锦江路１２号阳光花园３号楼２单元５０１室")
    assert a.admin == {"province": ["四川省"], "city": ["成都市"], "district": ["锦城区", "锦城区"],
                       "street": ["蓉南街道"], "community": ["桂溪社区"]}
    assert (a.road, a.number, a.building, a.compound) == ("锦江路", "12", "3", "阳光花园")
    b = parse("锦城区牛市口社区")  # the shortest prefix wins: not a city "锦城区牛市"
    assert b.admin == {"district": ["锦城区"], "community": ["牛市口社区"]} and b.text == ""


def test_qualifiers_lower_the_weight_and_are_removed():
    a = parse("阳光花园十二栋对面")
    assert a.building == "12" and a.compound == "阳光花园" and a.qualifiers == ("对面",) and a.weight < 0.9
    assert parse("阳光花园门口").weight == 1.0 and parse("阳光花园附近").compound == "阳光花园"


def test_road_number_courtyard_and_unknown_addresses():
    a = parse("锦江路十二号院三幢附近")
    assert (a.road, a.number, a.building, a.compound) == ("锦江路", "12", "3", "")
    assert parse("地址不详").unknown and parse("").unknown and parse("  ").unknown
    assert not parse("桂溪社区").unknown
    assert parse("阳光小区3栋").admin == {}  # 小区 is not a district


def test_compound_key_drops_building_and_suffix():
    assert compound_key("阳光花园小区") == compound_key("阳光花园") == compound_key("阳光花园3号楼") == "阳光花园"
