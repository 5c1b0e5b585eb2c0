"""Reading layers in every supported format and CRS, and atomic writing."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from gridgeo.atlas.io import read_layer, write_layer
from gridgeo.errors import InputError, UsageError
from gridgeo.geo.crs import DENSIFY_DEG, bd09_to_gcj02, gcj02_to_wgs84

# writing shapefiles in the tests cuts long field names: expected, and handled by read_layer
pytestmark = pytest.mark.filterwarnings("ignore:Column names longer:UserWarning",
                                        "ignore:Normalized/laundered field name:RuntimeWarning",
                                        "ignore:'crs' was not provided:UserWarning")

NAMES = ["光明社区", "公明社区"]


def _frame(crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["440311001001", "440311001002"], "name": NAMES, "street_code": ["440311001"] * 2},
        geometry=[box(113.90, 22.75, 113.91, 22.76), box(113.91, 22.75, 113.92, 22.76)], crs=crs)


def _coords(gdf) -> np.ndarray:
    """Vertices in a canonical ring order (shapefiles store rings clockwise)."""
    return shapely.get_coordinates(shapely.normalize(np.asarray(gdf.geometry.values)))


def _converted(gdf, func) -> gpd.GeoDataFrame:
    """The frame densified to DENSIFY_DEG, then every vertex passed through a (lon, lat) conversion."""
    dense = shapely.segmentize(np.asarray(gdf.geometry.values), DENSIFY_DEG)
    geoms = shapely.transform(dense, lambda xy: np.column_stack(func(xy[:, 0], xy[:, 1])))
    return gdf.set_geometry(list(geoms))


def test_geojson_in_wgs84_is_read_as_is(tmp_path):
    path = tmp_path / "communities.geojson"
    _frame().to_file(path)
    gdf = read_layer(path)
    assert gdf.crs == "EPSG:4326"
    assert list(gdf["name"]) == NAMES
    np.testing.assert_allclose(_coords(gdf), _coords(_frame()))


def test_projected_file_is_converted_with_pyproj(tmp_path):
    path = tmp_path / "metric.gpkg"
    _frame().to_crs("EPSG:4547").to_file(path)
    gdf = read_layer(path)
    assert gdf.crs == "EPSG:4326"
    np.testing.assert_allclose(_coords(gdf), _coords(_frame()), atol=1e-9)


def test_cgcs2000_is_taken_as_wgs84(tmp_path):
    path = tmp_path / "cgcs.geojson"
    _frame(crs="EPSG:4490").to_file(path)
    gdf = read_layer(path)
    assert gdf.crs == "EPSG:4326"
    np.testing.assert_array_equal(_coords(gdf), _coords(_frame()))


def test_declared_gcj02_overrides_the_geojson_wgs84_label(tmp_path):
    path = tmp_path / "amap.geojson"
    _frame().to_file(path)
    gdf = read_layer(path, crs="gcj-02")
    np.testing.assert_allclose(_coords(gdf), _coords(_converted(_frame(), gcj02_to_wgs84)), atol=1e-12)
    # the shift is a few hundred metres, not nothing
    assert np.abs(gdf.total_bounds - _frame().total_bounds).max() > 1e-3


def test_gcj02_edges_are_densified_so_neighbours_still_meet(tmp_path):
    # a grid corner in the middle of its community's edge must stay on that edge after conversion
    path = tmp_path / "layer.geojson"
    gpd.GeoDataFrame({"code": ["c", "g"]}, geometry=[box(113.90, 22.75, 113.91, 22.76),
                                                     box(113.90, 22.75, 113.905, 22.755)], crs="EPSG:4326").to_file(path)
    gdf = read_layer(path, crs="GCJ02")
    corner = shapely.Point(np.column_stack(gcj02_to_wgs84(113.905, 22.75))[0])
    assert gdf.geometry.iloc[0].exterior.distance(corner) < 1e-8  # ~1 mm
    seg = np.diff(shapely.get_coordinates(gdf.geometry.iloc[0].exterior), axis=0)
    assert np.hypot(seg[:, 0], seg[:, 1]).max() < DENSIFY_DEG * 1.01


def test_declared_crs_conflicting_with_a_projected_file_is_refused(tmp_path):
    path = tmp_path / "metric.geojson"
    _frame().to_crs("EPSG:4547").to_file(path)
    with pytest.raises(UsageError, match=r"declares EPSG:4547 but --crs GCJ02"):
        read_layer(path, crs="GCJ02")
    assert len(read_layer(path, crs="EPSG:4547")) == 2  # the same CRS is fine


@pytest.mark.parametrize("with_cpg", [True, False])
@pytest.mark.parametrize("encoding", ["GBK", "GB18030", "UTF-8"])
def test_shapefile_text_is_decoded_with_or_without_cpg(tmp_path, encoding, with_cpg):
    path = tmp_path / "communities.shp"
    _frame().to_file(path, engine="pyogrio", encoding=encoding)
    cpg = path.with_suffix(".cpg")
    if not with_cpg:
        cpg.unlink(missing_ok=True)
    else:
        assert cpg.exists()
    gdf = read_layer(path)
    assert list(gdf["name"]) == NAMES
    assert list(gdf["code"]) == ["440311001001", "440311001002"]


def test_shapefile_without_prj_is_refused_unless_crs_given(tmp_path):
    path = tmp_path / "noprj.shp"
    _frame().to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"noprj.shp: no CRS declared in the file; declare it with --crs"):
        read_layer(path)
    gdf = read_layer(path, crs="BD09")
    expect = _converted(_frame(), lambda x, y: gcj02_to_wgs84(*bd09_to_gcj02(x, y)))
    np.testing.assert_allclose(_coords(gdf), _coords(expect), atol=1e-12)
    assert "street_code" in gdf.columns  # the .dbf's 10-character 'street_cod' is given its name back


def test_geopackage_without_srs_is_refused_unless_crs_given(tmp_path):
    path = tmp_path / "nosrs.gpkg"
    _frame(crs=None).to_file(path)
    with pytest.raises(InputError, match="no CRS declared"):
        read_layer(path)
    assert read_layer(path, crs="WGS84").crs == "EPSG:4326"


def test_geopackage_with_several_layers_needs_a_choice(tmp_path):
    path = tmp_path / "atlas.gpkg"
    _frame().to_file(path, layer="communities")
    _frame().iloc[:1].to_file(path, layer="other")
    with pytest.raises(UsageError, match=r"holds 2 layers \(communities, other\); choose one with --layer"):
        read_layer(path)
    assert len(read_layer(path, layer="other")) == 1
    assert len(read_layer(path, kind="communities")) == 2
    with pytest.raises(UsageError, match="no layer 'nope'"):
        read_layer(path, layer="nope")


def test_csv_with_chinese_lonlat_headers_in_gbk_and_baidu_coordinates(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("code,名称,经度,纬度,households\nU1,甲小区,113.9,22.7,320\nU2,乙村,113.95,22.75,410\n"
                     .encode("gbk"))
    gdf = read_layer(path, crs="BD09")
    assert list(gdf["名称"]) == ["甲小区", "乙村"]
    assert gdf["households"].tolist() == [320, 410]
    expect = np.column_stack(gcj02_to_wgs84(*bd09_to_gcj02([113.9, 113.95], [22.7, 22.75])))
    np.testing.assert_allclose(_coords(gdf), expect, atol=1e-12)


@pytest.mark.parametrize(("lon", "lat"), [("lon", "lat"), ("lng", "latitude"), ("X", "Y"), ("longitude", "lat")])
def test_csv_lonlat_column_spellings(tmp_path, lon, lat):
    path = tmp_path / "points.csv"
    path.write_text(f"id,{lon},{lat}\n1,113.9,22.7\n", encoding="utf-8")
    gdf = read_layer(path, crs="WGS84")
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == (113.9, 22.7)
    assert gdf["id"].iloc[0] == "1"


def test_csv_with_wkt_and_projected_crs(tmp_path):
    metric = _frame().to_crs("EPSG:4547")
    path = tmp_path / "grids.csv"
    write_layer(metric.assign(code=["0044", "0045"]), path)
    gdf = read_layer(path, crs="EPSG:4547")
    assert list(gdf["code"]) == ["0044", "0045"]  # leading zeros kept
    np.testing.assert_allclose(_coords(gdf), _coords(_frame()), atol=1e-9)


def test_csv_with_a_crs_column_converts_each_row_from_its_own_crs(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("id,lon,lat,crs\nA,113.93,22.77,GCJ02\nB,113.93,22.77,\nC,113.93,22.77,bd-09\n", encoding="utf-8")
    gdf = read_layer(path, kind="events")  # blank = WGS84, the event schema's default
    xy = np.column_stack([gdf.geometry.x, gdf.geometry.y])
    np.testing.assert_allclose(xy[0], np.ravel(gcj02_to_wgs84(113.93, 22.77)), atol=1e-12)
    np.testing.assert_array_equal(xy[1], [113.93, 22.77])
    np.testing.assert_allclose(xy[2], np.ravel(gcj02_to_wgs84(*bd09_to_gcj02(113.93, 22.77))), atol=1e-12)
    assert list(gdf["crs"]) == ["WGS84"] * 3 and list(gdf["crs_in"]) == ["GCJ02", "WGS84", "bd-09"]
    with pytest.raises(InputError, match=r"column 'crs' is empty on line\(s\) 3; fill it in or declare it with --crs"):
        read_layer(path)  # not events: a blank is not WGS84 by default
    path.write_text("id,lon,lat,crs\nA,113.93,22.77,mars2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'crs' names an unknown CRS 'mars2' on line\(s\) 2"):
        read_layer(path, kind="events")


def test_csv_without_crs_is_refused(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("lon,lat\n113.9,22.7\n", encoding="utf-8")
    with pytest.raises(InputError, match="points.csv: no CRS declared"):
        read_layer(path)


def test_csv_bad_wkt_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('code,wkt\nA,"POINT (113.9 22.7)"\nB,POINT (1 2\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'wkt' is not valid WKT on line\(s\) 3;"):
        read_layer(path, crs="WGS84")


def test_csv_non_numeric_lonlat_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,lon,lat\nA,113.9,22.7\nB,东经113,22.7\nC,,22.8\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'lon' is empty or not a number on line\(s\) 3, 4 \(2 rows\)"):
        read_layer(path, crs="WGS84")


def test_csv_without_geometry_columns(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("code,name\nA,甲\n", encoding="utf-8")
    with pytest.raises(InputError, match="no geometry column"):
        read_layer(path, crs="WGS84")


@pytest.mark.parametrize(("name", "content", "error", "match"), [
    ("empty.geojson", b"", InputError, r"empty.geojson: the file is empty \(0 bytes\)"),
    ("empty.csv", b"", InputError, "the file is empty"),
    ("garbage.geojson", b"{\"type\": \"Feat", InputError, "garbage.geojson: cannot read the file"),
    ("garbage.gpkg", b"not a geopackage at all", InputError, "cannot read the file"),
    ("nofeatures.geojson", b'{"type":"FeatureCollection","features":[]}', InputError, "the layer has no features"),
    ("header_only.csv", b"lon,lat\n", InputError, "the layer has no features"),
    ("layer.txt", b"x", UsageError, r"unsupported file type \.txt"),
])
def test_unreadable_or_empty_files(tmp_path, name, content, error, match):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=match):
        read_layer(path, crs="WGS84" if name.endswith(".csv") else None)


@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_shapefile_with_a_missing_part(tmp_path, part):
    path = tmp_path / "grids.shp"
    _frame().to_file(path)
    path.with_suffix(part).unlink()
    with pytest.raises(InputError, match=rf"grids.shp: the \{part} \w+ file is missing; copy every part"):
        read_layer(path)


def test_geopackage_attribute_table_without_geometry(tmp_path):
    import pyogrio

    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"code": ["a", "b"]}), path, layer="table")
    with pytest.raises(InputError, match="the layer has no geometry"):
        read_layer(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_layer(tmp_path / "nope.geojson")


def test_numeric_codes_become_text(tmp_path):
    path = tmp_path / "streets.geojson"
    gdf = _frame().assign(code=[440311001, np.nan], street_code=[440311, 440311])
    gdf.to_file(path)
    out = read_layer(path)
    assert out["code"].iloc[0] == "440311001" and pd.isna(out["code"].iloc[1])
    assert out["street_code"].tolist() == ["440311", "440311"]


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".csv"])
def test_write_layer_round_trips(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_layer(_frame(), path)
    back = read_layer(path, crs="WGS84" if suffix == ".csv" else None)
    assert list(back["name"]) == NAMES
    np.testing.assert_allclose(_coords(back), _coords(_frame()), atol=1e-12)
    assert sorted(os.listdir(tmp_path)) == [f"out{suffix}"]  # no temp file left


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_layer(_frame(), path)
    before = path.read_bytes()
    bad = _frame().assign(extra=[1 + 2j, 3j])  # a column type GDAL cannot store
    with pytest.raises(Exception):  # noqa: B017 - whatever pyogrio raises
        write_layer(bad, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [f"out{suffix}"]


def test_write_layer_refuses_unknown_extensions_and_missing_folders(tmp_path):
    with pytest.raises(UsageError, match="cannot write .shp"):
        write_layer(_frame(), tmp_path / "out.shp")
    with pytest.raises(UsageError, match="does not exist"):
        write_layer(_frame(), tmp_path / "missing" / "out.geojson")
    assert os.listdir(tmp_path) == []
