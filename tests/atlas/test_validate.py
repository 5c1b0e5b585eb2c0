"""The validation checks over GeoDataFrames, on small layers whose right answer is known.

Layers are drawn in metres (EPSG:4547, in Guangming) and stored in WGS84 like real ones, so
overlap, gap and outside areas have exact expected values.
"""

from __future__ import annotations

import dataclasses
import re

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely import Point, Polygon, box

from gridgeo.atlas.validation import (
    Problem,
    check_children_in_parent,
    check_code_lengths,
    check_counts,
    check_duplicate_codes,
    check_gaps,
    check_geometries,
    check_lonlat,
    check_overlaps,
    check_required_fields,
    guess_kind,
    repair_geometries,
    validate_atlas,
    validate_file,
    validate_frame,
)

TO_METRIC = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
X0, Y0 = TO_METRIC.transform(113.93, 22.77)  # a point in Guangming District

STREET = "440311001"
COMM = "440311001001"


def mbox(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A rectangle given in metres from the Guangming origin, in EPSG:4547."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def layer(geoms_metric, **columns) -> gpd.GeoDataFrame:
    """A WGS84 layer from geometries drawn in EPSG:4547 and attribute columns."""
    return gpd.GeoDataFrame(columns, geometry=list(geoms_metric), crs="EPSG:4547").to_crs("EPSG:4326")


def communities(*geoms) -> gpd.GeoDataFrame:
    n = len(geoms)
    return layer(geoms or [mbox(0, 0, 1000, 1000)], code=[f"{STREET}{i + 1:03d}" for i in range(max(n, 1))],
                 name=[f"社区{i}" for i in range(max(n, 1))], street_code=[STREET] * max(n, 1))


def grids(*geoms, community=COMM) -> gpd.GeoDataFrame:
    n = len(geoms)
    return layer(geoms, code=[f"{community}{i + 1:03d}" for i in range(n)], name=[f"网格{i}" for i in range(n)],
                 community_code=[community] * n)


def quarters() -> list[Polygon]:
    """Four 500 m squares tiling the 1 km community exactly."""
    return [mbox(0, 0, 500, 500), mbox(500, 0, 1000, 500), mbox(0, 500, 500, 1000), mbox(500, 500, 1000, 1000)]


def area_in(message: str) -> float:
    """The '12,345 m²' figure in a problem message."""
    return float(re.search(r"([\d,.]+) m²", message).group(1).replace(",", ""))


def test_problem_lines():
    assert str(Problem("a.geojson", "440311001", "is bad", "fix it")) == "a.geojson: feature 440311001: is bad — fix it"
    assert str(Problem("a.csv", 3, "is bad", "fix it")) == "a.csv: row 3: is bad — fix it"
    assert str(Problem("a.csv", None, "is empty")) == "a.csv: is empty"


def test_exact_tiling_is_clean():
    assert validate_frame(grids(*quarters()), "grids", "g.geojson", parent=communities()) == []


def test_overlap_names_both_grids_and_the_area():
    g = grids(mbox(0, 0, 510, 1000), mbox(500, 0, 1000, 1000))  # 10 m x 1000 m shared
    problems = check_overlaps(g, 1.0, "g.geojson", "grids")
    assert len(problems) == 1
    p = problems[0]
    assert (p.feature, p.check) == (f"{COMM}001", "overlap")
    assert f"overlaps grid {COMM}002 by" in p.message
    assert area_in(p.message) == pytest.approx(10_000, rel=0.002)


def test_overlap_below_the_tolerance_is_accepted():
    notch = shapely.union_all([mbox(500, 0, 1000, 1000), mbox(499.4, 0, 500, 1)])  # 0.6 m² into the first
    g = grids(mbox(0, 0, 500, 1000), notch)
    assert check_overlaps(g, 1.0, kind="grids") == []
    (p,) = check_overlaps(g, 0.5, kind="grids")
    assert area_in(p.message) == pytest.approx(0.6, abs=0.02)


def test_gap_inside_the_parent_is_measured_and_located():
    g = grids(mbox(0, 0, 500, 1000), mbox(510, 0, 1000, 1000))
    parent = communities().geometry.iloc[0]
    (p,) = check_gaps(g, 1.0, "g.geojson", "grids", parent, f"community {COMM}")
    assert p.check == "gap" and p.feature is None
    assert area_in(p.message) == pytest.approx(10_000, rel=0.002)
    assert f"inside community {COMM}" in p.message
    assert f"borders {COMM}001, {COMM}002" in p.message
    lon, lat = map(float, re.search(r"lon ([\d.]+), lat ([\d.]+)", p.message).groups())
    x, y = TO_METRIC.transform(lon, lat)
    assert 510 - 1e-6 >= x - X0 >= 500 and 0 <= y - Y0 <= 1000  # the spot lies in the gap


def test_hole_between_siblings_without_a_parent():
    ring = [mbox(0, 0, 1000, 300), mbox(0, 700, 1000, 1000), mbox(0, 300, 300, 700), mbox(700, 300, 1000, 700)]
    (p,) = check_gaps(grids(*ring), 1.0, kind="grids")
    assert area_in(p.message) == pytest.approx(160_000, rel=0.002)


def test_grids_drawn_in_degrees_do_not_make_projection_slivers():
    # Grid corners in the middle of the community's edges: straight in degrees, a few mm off once
    # projected; without the sliver filter this reported ~2 m² outside/gaps per grid.
    comm = gpd.GeoDataFrame({"code": [COMM], "name": ["甲"], "street_code": [STREET]},
                            geometry=[box(113.90, 22.75, 113.92, 22.77)], crs="EPSG:4326")
    g = gpd.GeoDataFrame({"code": [f"{COMM}001", f"{COMM}002"], "name": ["a", "b"], "community_code": [COMM] * 2},
                         geometry=[box(113.90, 22.75, 113.91, 22.77), box(113.91, 22.75, 113.92, 22.77)],
                         crs="EPSG:4326")
    assert validate_frame(g, "grids", parent=comm) == []


def test_child_outside_its_parent_is_measured():
    g = grids(mbox(0, 0, 500, 1000), mbox(500, 0, 1020, 1000))  # 20 m x 1000 m beyond the edge
    (p,) = check_children_in_parent(g, communities(), "community_code", 1.0, "g.geojson", "grids", "communities")
    assert (p.feature, p.check) == (f"{COMM}002", "outside_parent")
    assert f"outside its community {COMM}" in p.message
    assert area_in(p.message) == pytest.approx(20_000, rel=0.002)


def test_unknown_parent_code():
    g = grids(*quarters(), community="440311001009")
    problems = check_children_in_parent(g, communities(), "community_code", kind="grids", parent_kind="communities")
    assert {p.check for p in problems} == {"unknown_parent"}
    assert "community_code 440311001009 is not a known community" in problems[0].message


def test_unit_point_outside_its_community():
    units = layer([Point(X0 + 10, Y0 + 10), Point(X0 + 1500, Y0 + 10)], code=["U1", "U2"], name=["a", "b"],
                  kind=["compound"] * 2, households=[300, 200], population=[900, 600], enterprises=[0, 1],
                  community_code=[COMM] * 2)
    (p,) = check_children_in_parent(units, communities(), "community_code", kind="units", parent_kind="communities")
    assert p.feature == "U2" and "lies outside its community" in p.message


def test_geometry_problems_each_named():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    g = grids(mbox(0, 0, 100, 100), bowtie, shapely.LineString([(X0, Y0), (X0 + 5, Y0 + 5)]), Polygon())
    g.loc[g.index[0], "geometry"] = None
    problems = {p.feature: p for p in check_geometries(g, "grids", "g.geojson")}
    assert problems[f"{COMM}001"].check == "null_geometry"
    assert problems[f"{COMM}003"].message == "geometry is a LineString"
    assert problems[f"{COMM}004"].check == "empty_geometry"
    bad = problems[f"{COMM}002"]
    assert bad.check == "invalid_geometry" and "--repair" in bad.hint
    lon, lat = map(float, re.search(r"self-intersection at lon ([\d.]+), lat ([\d.]+)", bad.message).groups())
    centre = pyproj.Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True).transform(X0 + 50, Y0 + 50)
    assert (lon, lat) == pytest.approx(centre, abs=1e-5)  # the bow-tie crosses itself in the middle


def test_repair_makes_a_bowtie_valid_and_keeps_its_area():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    g = grids(mbox(0, 0, 100, 100), bowtie)
    fixed, n = repair_geometries(g, "grids")
    assert n == 1
    assert fixed.geometry.is_valid.all()
    assert fixed.geometry.iloc[1].geom_type == "MultiPolygon"
    assert fixed.to_crs("EPSG:4547").geometry.iloc[1].area == pytest.approx(5_000, rel=1e-3)
    assert fixed.geometry.iloc[0].equals(g.geometry.iloc[0])
    assert check_geometries(fixed, "grids") == []


def test_missing_and_empty_required_fields():
    g = grids(*quarters()).drop(columns=["community_code"])
    g.loc[g.index[1], "name"] = ""
    problems = check_required_fields(g, "grids", "g.geojson")
    assert {(p.feature, p.check, p.message) for p in problems} == {
        (None, "missing_field", "missing required field 'community_code'"),
        (f"{COMM}002", "empty_field", "required field 'name' is empty"),
    }


def test_duplicate_codes_name_the_rows():
    g = grids(*quarters())
    g.loc[g.index[[1, 3]], "code"] = f"{COMM}001"
    (p,) = check_duplicate_codes(g, "g.geojson")
    assert p.feature == f"{COMM}001" and p.message == "code used by 3 features (rows 1, 2, 4)"


def test_code_lengths_and_prefixes():
    g = grids(*quarters())
    g["code"] = [f"{COMM}001", "44031100100100", f"440311001002{'001'}", f"{COMM}00X"]
    problems = check_code_lengths(g, "grids", "g.geojson")
    assert [(p.feature, p.check) for p in problems] == [
        ("44031100100100", "code_length"), ("440311001002001", "code_prefix"), (f"{COMM}00X", "code_length")]
    assert problems[0].message == "code '44031100100100' is not 15 digits"


def test_counts_must_be_whole_and_not_negative():
    units = layer([Point(X0, Y0)] * 3, code=["U1", "U2", "U3"], households=[300, -1, 2.5], population=[1, 2, 3])
    assert [(p.feature, p.check) for p in check_counts(units, kind="units")] == [("U2", "bad_count"), ("U3", "bad_count")]


def test_swapped_lonlat():
    g = grids(*quarters())
    g = g.set_geometry(shapely.transform(np.asarray(g.geometry.values), lambda xy: xy[:, ::-1]))
    (p,) = check_lonlat(g, "g.geojson", "grids")
    assert p.check == "lonlat_swapped" and p.feature is None and "lon/lat look swapped" in p.message
    # and the metric checks are skipped rather than reporting nonsense areas
    assert [q.check for q in validate_frame(g, "grids", parent=communities())] == ["lonlat_swapped"]


def test_one_swapped_feature_among_good_ones():
    g = grids(*quarters())
    g.loc[g.index[1], "geometry"] = shapely.transform(g.geometry.iloc[1], lambda xy: xy[:, ::-1])
    (p,) = check_lonlat(g, kind="grids")
    assert (p.feature, p.check) == (f"{COMM}002", "lonlat_swapped")
    assert p.message.startswith("lon/lat look swapped (lon 22.")
    # the area checks leave it out: the place it should cover shows up as a gap, nothing else
    checks = [q.check for q in validate_frame(g, "grids", parent=communities())]
    assert checks == ["lonlat_swapped", "gap"]


def test_outside_china_one_feature_or_all():
    g = grids(*quarters())
    far = g.copy()
    far.loc[far.index[2], "geometry"] = box(2.3, 48.8, 2.4, 48.9)  # Paris
    (p,) = check_lonlat(far, kind="grids")
    assert (p.feature, p.check) == (f"{COMM}003", "outside_china")
    metres = layer(quarters(), code=list("abcd")).to_crs("EPSG:4547").set_crs("EPSG:4326", allow_override=True)
    (q,) = check_lonlat(metres)
    assert q.feature is None and "all 4 features lie outside China" in q.message
    assert "metres" in q.hint and "--crs EPSG:4547" in q.hint


@pytest.mark.parametrize(("name", "columns", "kind"), [
    ("网格.geojson", {}, "grids"),
    ("legacy_grids.gpkg", {}, "legacy"),
    ("my_communities.shp", {}, "communities"),
    ("data.geojson", {"layer": ["party"]}, "legacy"),
    ("data.geojson", {"reported_at": ["2024-01-01"]}, "events"),
    ("data.geojson", {"street_code": [STREET]}, "communities"),
    ("data.geojson", {"code": ["440311001"]}, "streets"),
    ("data.geojson", {"foo": [1]}, None),
])
def test_guess_kind(name, columns, kind):
    frame = gpd.GeoDataFrame(columns or {"x": [1]}, geometry=[Point(113.9, 22.7)], crs="EPSG:4326")
    assert guess_kind(frame, name)[0] == kind


def test_validate_file_reports_path_and_unreadable_files(tmp_path):
    path = tmp_path / "grids.geojson"
    grids(mbox(0, 0, 510, 1000), mbox(500, 0, 1000, 1000)).to_file(path)
    (p,) = validate_file(path)
    assert p.file == str(path) and p.check == "overlap"
    broken = tmp_path / "grids2.geojson"
    broken.write_text("{ not json")
    (q,) = validate_file(broken)
    assert q.check == "unreadable" and str(q).startswith(f"{broken}: cannot read the file")


def test_default_atlas_is_clean(default_atlas):
    assert validate_atlas(default_atlas) == []


def test_default_atlas_with_errors_put_in(default_atlas):
    grids_ = default_atlas.grids.copy()
    moved = grids_["code"].iloc[10]
    grids_.loc[grids_.index[10], "geometry"] = shapely.affinity.translate(grids_.geometry.iloc[10], 0.001, 0)
    units = default_atlas.units.copy()
    units.loc[units.index[0], "community_code"] = "440311999999"
    broken = dataclasses.replace(default_atlas, grids=grids_, units=units)
    problems = validate_atlas(broken, folder="data/boundaries")
    checks = {(p.file, p.check) for p in problems}
    assert ("data/boundaries/grids.geojson", "overlap") in checks
    assert ("data/boundaries/grids.geojson", "gap") in checks
    assert ("data/boundaries/units.geojson", "unknown_parent") in checks
    assert any(p.feature == moved or moved in p.message for p in problems if p.check == "overlap")
