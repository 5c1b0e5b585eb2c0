"""Issue 19: names of divisions (GB/T 2260, bundled table): a 6-digit code shows as its name, and
a names-only district layer gets its official code from its name and its city."""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import shapely

from gridgeo.atlas.divisions import counties, county_codes, county_name
from gridgeo.atlas.importing import import_atlas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from office_exports import layers, write  # noqa: E402


def test_the_table_is_bundled_with_its_source_and_holds_every_county():
    table = counties()
    assert 2900 < len(table) < 3100
    assert county_name("510107") == "武侯区" and county_name("510107001001") == "武侯区"
    assert county_name("420502") == "西陵区" and county_name("441900") == "东莞市"
    assert county_name("999999") is None and county_name(None) is None and county_name("区5101") is None
    head = (Path(__file__).resolve().parents[2] / "gridgeo/atlas/data/gbt2260_counties.csv").read_text("utf-8")
    assert head.startswith("# source: 国家统计局 2023年统计用区划代码和城乡划分代码")


def test_a_name_that_repeats_is_narrowed_by_its_city_or_the_codes_of_other_layers():
    assert county_codes("西陵区") == ["420502"]
    assert len(county_codes("鼓楼区")) == 4
    assert county_codes("鼓楼区", ("南京市",)) == ["320106"]
    assert county_codes("鼓楼区", ("福州",)) == ["350102"]
    assert county_codes("鼓楼区", (), ("350102001001",)) == ["350102"]
    assert county_codes("朝阳区", ("北京市",)) == ["110105"]
    assert county_codes("不存在区") == []


def _names_only(tmp_path, district_fields: dict) -> object:
    clean = layers()
    comms = clean["communities"][["name", "geometry"]].rename(columns={"name": "MC"})
    streets = clean["streets"][["name", "geometry"]].rename(columns={"name": "JDMC"})
    district = gpd.GeoDataFrame({**district_fields, "geometry": [shapely.union_all(streets.geometry)]},
                                geometry="geometry", crs="EPSG:4326")
    paths = {"district": write(district, tmp_path / "district.geojson"),
             "streets": write(streets, tmp_path / "streets.geojson"),
             "communities": write(comms, tmp_path / "communities.geojson")}
    return import_atlas(paths, name="t")


def test_a_names_only_district_takes_its_official_code_from_its_name_and_city(tmp_path):
    result = _names_only(tmp_path, {"MC": ["西陵区"], "所属市": ["宜昌市"]})
    assert result.ok, [str(p) for p in result.problems]
    d = result.atlas.district
    assert list(d["code"]) == ["420502"] and list(d["name"]) == ["西陵区"] and not d["provisional"].any()
    assert "district: codes found by name (statistical division codes, GB/T 2260): 西陵区 420502" in result.summary
    assert result.atlas.streets["code"].str.startswith("420502").all()  # provisional, under the real code


def test_an_ambiguous_district_name_is_said_and_keeps_a_provisional_code(tmp_path):
    result = _names_only(tmp_path, {"MC": ["鼓楼区"]})
    d = result.atlas.district
    assert d["provisional"].all() and list(d["name"]) == ["鼓楼区"]
    line = next(s for s in result.summary if "鼓楼区" in s)
    assert "names several divisions (320106, 320302, 350102, 410204)" in line
    zh = [m.render("zh") for m in result.summary_msgs if "鼓楼区" in m.render("zh")]
    assert zh and "对应多个区划代码" in zh[0]


def test_a_district_known_only_by_its_code_shows_its_name(tmp_path):
    clean = layers()
    comms = clean["communities"].assign(code=clean["communities"]["code"].str.replace("510199", "510107"))
    grids = clean["grids"].assign(code=clean["grids"]["code"].str.replace("510199", "510107"),
                                  community_code=clean["grids"]["community_code"].str.replace("510199", "510107"))
    paths = {"communities": write(comms.drop(columns="street_code"), tmp_path / "communities.geojson"),
             "grids": write(grids, tmp_path / "grids.geojson")}
    result = import_atlas(paths, name="t")
    assert list(result.atlas.district["name"]) == ["武侯区"]


def test_an_atlas_stored_with_the_code_as_the_district_name_shows_the_name():
    from gridgeo.atlas.model import Atlas

    clean = layers()
    district = gpd.GeoDataFrame({"code": ["510107"], "name": ["区510107"]},
                                geometry=[shapely.union_all(clean["streets"].geometry)], crs="EPSG:4326")
    empty = clean["grids"].iloc[0:0]
    atlas = Atlas(district=district, streets=clean["streets"], communities=clean["communities"],
                  grids=clean["grids"], legacy=empty, units=empty)
    assert list(atlas.district["name"]) == ["武侯区"]
