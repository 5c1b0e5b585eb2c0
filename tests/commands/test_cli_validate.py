"""`gridgeo validate`: one bad file per failure, its exact report line and exit code.

Most cases run in-process through gridgeo.cli.main; two run the installed console script in a
real subprocess (a broken file, and the embedded default dataset).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
import shapely
from shapely import Point, Polygon, box

from gridgeo.atlas.load import DEFAULT_DATA_DIR, REPO_ROOT
from gridgeo.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:Column names longer:UserWarning",
                                        "ignore:Normalized/laundered field name:RuntimeWarning",
                                        "ignore:'crs' was not provided:UserWarning")

GRIDGEO = REPO_ROOT / ".venv" / "bin" / "gridgeo"
TO_METRIC = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
X0, Y0 = TO_METRIC.transform(113.93, 22.77)
COMM = "440311001001"


def mbox(x0, y0, x1, y1) -> Polygon:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def write_grids(path: Path, geoms_metric, codes=None, **extra) -> Path:
    n = len(geoms_metric)
    data = {"code": codes or [f"{COMM}{i + 1:03d}" for i in range(n)], "name": [f"网格{i}" for i in range(n)],
            "community_code": [COMM] * n, **extra}
    gpd.GeoDataFrame(data, geometry=list(geoms_metric), crs="EPSG:4547").to_crs("EPSG:4326").to_file(path)
    return path


def write_community(path: Path) -> Path:
    gpd.GeoDataFrame({"code": [COMM], "name": ["甲社区"], "street_code": ["440311001"]},
                     geometry=[mbox(0, 0, 1000, 1000)], crs="EPSG:4547").to_crs("EPSG:4326").to_file(path)
    return path


QUARTERS = [mbox(0, 0, 500, 500), mbox(500, 0, 1000, 500), mbox(0, 500, 500, 1000), mbox(500, 500, 1000, 1000)]


def run(args, capsys) -> tuple[int, list[str], str]:
    code = main(["validate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_clean_file_exits_0_with_one_ok_line(tmp_path, capsys):
    path = write_grids(tmp_path / "grids.geojson", QUARTERS)
    code, out, err = run([path, "--parent", write_community(tmp_path / "communities.geojson")], capsys)
    assert code == 0
    assert out == [f"OK {path}: 4 features (kind grids, guessed from the file name); no problems (tolerance 1 m²)"]
    assert "Traceback" not in err


def test_duplicate_code_line(tmp_path, capsys):
    path = write_grids(tmp_path / "grids.geojson", QUARTERS, codes=[f"{COMM}001", f"{COMM}002", f"{COMM}001",
                                                                     f"{COMM}004"])
    code, out, err = run([path], capsys)
    assert code == 1
    assert out == [f"{path}: feature {COMM}001: code used by 2 features (rows 1, 3) — give each feature its own code"]
    assert err.strip() == f"gridgeo validate: 1 problem in {path} (kind grids, guessed from the file name)"


def test_overlap_line_names_both_and_the_area(tmp_path, capsys):
    path = write_grids(tmp_path / "grids.geojson", [mbox(0, 0, 510, 1000), mbox(500, 0, 1000, 1000)])
    code, out, _ = run([path], capsys)
    assert code == 1
    assert out == [f"{path}: feature {COMM}001: overlaps grid {COMM}002 by 10,000 m² — move the shared border so "
                   "each place belongs to one grid (tolerance 1 m²)"]
    # a tolerance above the overlap accepts it
    assert run([path, "--tolerance", "20000"], capsys)[0] == 0


def test_gap_and_outside_parent_with_parent_file(tmp_path, capsys):
    path = write_grids(tmp_path / "grids.geojson", [mbox(0, 0, 490, 1000), mbox(500, 0, 1030, 1000)])
    code, out, _ = run([path, "--parent", write_community(tmp_path / "communities.geojson")], capsys)
    assert code == 1
    assert len(out) == 2
    assert out[0] == (f"{path}: feature {COMM}002: lies 30,000 m² outside its community {COMM} — redraw it inside "
                      "the community or fix community_code (tolerance 1 m²)")
    assert out[1].startswith(f"{path}: gap of 10,000 m² inside community {COMM} not covered by any grid (at lon ")
    assert out[1].endswith(f"borders {COMM}001, {COMM}002) — extend a neighbouring grid to cover it (tolerance 1 m²)")


def test_parent_in_another_crs_is_pointed_out(tmp_path, capsys):
    path = write_grids(tmp_path / "grids.geojson", QUARTERS)
    parent = write_community(tmp_path / "communities.geojson")
    code, out, _ = run([path, "--parent", parent, "--parent-crs", "GCJ02"], capsys)
    assert code == 1
    assert out[0] == (f"{path}: 4 of 4 features lie partly outside their community: the two files may be in "
                      "different CRSs (GCJ-02 and BD-09 are shifted by a few hundred metres from WGS84) — declare "
                      "each file's CRS with --crs and --parent-crs")
    assert run([path, "--crs", "GCJ02", "--parent", parent], capsys)[0] == 0  # both declared alike


def test_problems_of_the_parent_file_are_reported_too(tmp_path, capsys):
    path = write_grids(tmp_path / "grids.geojson", QUARTERS)
    parent = tmp_path / "communities.geojson"
    gpd.GeoDataFrame({"code": [COMM], "street_code": ["440311001"]}, geometry=[mbox(0, 0, 1000, 1000)],
                     crs="EPSG:4547").to_crs("EPSG:4326").to_file(parent)
    code, out, _ = run([path, "--parent", parent], capsys)
    assert (code, out) == (1, [f"{parent}: missing required field 'name' — add a name column (communities need: "
                               "code, name, street_code)"])


def test_self_intersection_is_located_and_repair_writes_a_clean_copy(tmp_path, capsys):
    bowtie = Polygon([(X0, Y0), (X0 + 500, Y0 + 1000), (X0 + 500, Y0), (X0, Y0 + 1000)])
    path = write_grids(tmp_path / "grids.geojson", [bowtie])
    code, out, _ = run([path], capsys)
    assert code == 1
    (line,) = out
    assert line.startswith(f"{path}: feature {COMM}001: invalid geometry: self-intersection at lon 113.9")
    assert line.endswith("(WGS84) — fix it there, or rerun with --repair OUT to fix it with make_valid")
    fixed = tmp_path / "fixed.gpkg"
    code, out, err = run([path, "--repair", fixed], capsys)
    assert code == 0, out
    assert out == [f"OK {fixed}: 1 features after repair (kind grids, guessed from the file name); no problems "
                   "(tolerance 1 m²)"]
    assert "1 invalid geometry repaired" in err
    assert gpd.read_file(fixed).geometry.is_valid.all()


def test_repair_of_an_unreadable_file_writes_nothing(tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    code, out, _ = run([path, "--repair", tmp_path / "fixed.geojson"], capsys)
    assert code == 1
    assert out[0].startswith(f"{path}: cannot read the file (")
    assert sorted(os.listdir(tmp_path)) == ["grids.geojson"]


@pytest.mark.parametrize(("content", "expected"), [
    (b"", ": the file is empty (0 bytes) — export the layer again"),
    (b'{"type":"FeatureCollection","features":[]}', ": the layer has no features — export it again with its features"),
])
def test_empty_files(tmp_path, capsys, content, expected):
    path = tmp_path / "grids.geojson"
    path.write_bytes(content)
    code, out, _ = run([path], capsys)
    assert (code, out) == (1, [f"{path}{expected}"])


def test_csv_without_crs_is_refused_then_accepted_with_crs(tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,households,population,enterprises,经度,纬度\n"
                    "U1,甲小区,compound,320,900,3,113.93,22.77\n", encoding="utf-8")
    code, out, _ = run([path], capsys)
    assert (code, out) == (1, [f"{path}: no CRS declared in the file — declare it with --crs "
                               "WGS84|CGCS2000|GCJ02|BD09 (or an EPSG code such as EPSG:4547)"])
    code, out, err = run([path, "--crs", "GCJ02"], capsys)
    assert code == 0 and out[0].startswith(f"OK {path}: 1 features (kind units, guessed from the file name)")


def test_events_csv_checked_with_the_event_schema(tmp_path, capsys):
    from gridgeo.events.schema import category_codes

    cat = category_codes()[0]
    path = tmp_path / "events.csv"
    path.write_text("id,reported_at,lon,lat,crs,category,level\n"
                    f"E1,2024-05-01T08:30:00+08:00,113.93,22.77,GCJ02,{cat},2\n"
                    f"E2,2024-05-01T09:00:00+08:00,113.93,22.77,,{cat},5\n"
                    f"E3,2024-05-01 09:00,113.93,22.77,BD09,{cat},1\n"
                    f"E1,2024-05-01T10:00:00+08:00,113.94,22.78,,{cat},3\n", encoding="utf-8")
    code, out, err = run([path], capsys)
    assert code == 1
    assert out == [
        f"{path}: feature E1: id used by 2 features (rows 1, 4) — give each feature its own id",
        f"{path}: feature E2: level: Input should be less than or equal to 4 — fix level",
        f"{path}: feature E3: reported_at: must carry a time zone, e.g. 2024-05-01T08:30:00+08:00 — fix reported_at",
    ]
    assert "kind events, guessed from the file name" in err


def test_swapped_lonlat_csv(tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,households,population,enterprises,lon,lat\n"
                    "U1,甲,compound,320,900,3,22.77,113.93\nU2,乙,compound,300,800,1,22.78,113.94\n")
    code, out, _ = run([path, "--crs", "WGS84"], capsys)
    assert code == 1
    assert out == [f"{path}: lon/lat look swapped (coordinates span lon 22.7700..22.7800, lat 113.9300..113.9400)"
                   " — swap the x and y columns / axes so longitude comes first"]


def test_outside_china(tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,households,population,enterprises,lon,lat\n"
                    "U1,甲,compound,320,900,3,113.93,22.77\nU2,乙,compound,300,800,1,2.35,48.85\n")
    code, out, _ = run([path, "--crs", "WGS84"], capsys)
    assert code == 1
    assert out == [f"{path}: feature U2: lies outside China (lon 2.3500..2.3500, lat 48.8500..48.8500) — check the "
                   "coordinates and the declared CRS (--crs)"]


def test_null_and_wrong_type_geometries(tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    gdf = gpd.GeoDataFrame({"code": [f"{COMM}001", f"{COMM}002", f"{COMM}003"], "name": ["a", "b", "c"],
                            "community_code": [COMM] * 3},
                           geometry=[box(113.93, 22.77, 113.94, 22.78), None, Point(113.935, 22.775)],
                           crs="EPSG:4326")
    gdf.to_file(path)
    code, out, _ = run([path], capsys)
    assert code == 1
    assert out == [f"{path}: feature {COMM}002: geometry is null — draw the feature or delete the row",
                   f"{path}: feature {COMM}003: geometry is a Point — grids need Polygon or MultiPolygon"]


def test_missing_required_field_and_bad_code(tmp_path, capsys):
    path = tmp_path / "communities.geojson"
    gpd.GeoDataFrame({"code": ["4403110010"], "name": ["甲"]}, geometry=[box(113.93, 22.77, 113.94, 22.78)],
                     crs="EPSG:4326").to_file(path)
    code, out, _ = run([path], capsys)
    assert code == 1
    assert out == [f"{path}: missing required field 'street_code' — add a street_code column (communities need: "
                   "code, name, street_code)",
                   f"{path}: feature 4403110010: code '4403110010' is not 12 digits — community codes have 12 digits"]


def test_gbk_shapefile_without_cpg_and_truncated_field_names(tmp_path, capsys):
    path = tmp_path / "社区.shp"
    gpd.GeoDataFrame({"code": [COMM], "name": ["光明社区"], "street_code": ["440311001"]},
                     geometry=[box(113.93, 22.77, 113.94, 22.78)], crs="EPSG:4326").to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    code, out, err = run([path], capsys)
    assert code == 0, out
    assert "kind communities, guessed from the file name" in out[0]


def test_kind_given_and_guessed_from_columns(tmp_path, capsys):
    path = write_grids(tmp_path / "layer.geojson", QUARTERS)
    code, out, err = run([path], capsys)
    assert code == 0 and "kind grids, guessed from the columns" in out[0]
    code, out, _ = run([path, "--kind", "legacy"], capsys)
    assert code == 1 and "missing required field 'layer'" in out[0]


def test_unknown_kind_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "layer.geojson"
    gpd.GeoDataFrame({"foo": [1]}, geometry=[Point(113.93, 22.77)], crs="EPSG:4326").to_file(path)
    code, out, err = run([path], capsys)
    assert code == 2
    assert "cannot tell which kind of layer this is" in err and "--kind" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--crs", "mercator"], "unknown CRS 'mercator'"),
    (["--tolerance", "-1"], "--tolerance must be a number of m² >= 0"),
    (["--repair", "out.txt"], "--repair out.txt: use one of"),
    (["--kind", "legacy", "--parent", "p.geojson"], "--parent does not apply to legacy"),
])
def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch, args, message):
    path = write_grids(tmp_path / "grids.geojson", QUARTERS)
    write_community(tmp_path / "p.geojson")
    monkeypatch.chdir(tmp_path)
    code, out, err = run([path, *args], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out.txt").exists()


def test_argparse_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate", "x.geojson", "--kind", "villages"])
    assert exc.value.code == 2
    assert "invalid choice: 'villages'" in capsys.readouterr().err


def test_folder_options_are_refused_and_missing_layers_reported(tmp_path, capsys):
    code, _, err = run([tmp_path, "--kind", "grids"], capsys)
    assert code == 2 and "is an atlas folder; --kind can only be used with a single layer file" in err
    (tmp_path / "streets.geojson").write_text("{ broken")
    code, out, err = run([tmp_path], capsys)
    assert code == 1
    assert out[0] == (f"{tmp_path / 'district.geojson'}: missing atlas layer 'district' — add it, or generate an "
                      f"atlas with `gridgeo demo-data --out {tmp_path}`")
    assert out[1].startswith(f"{tmp_path / 'streets.geojson'}: cannot read the file (")
    assert len(out) == 6 and err.strip() == f"gridgeo validate: 6 problems in atlas {tmp_path}"


def test_atlas_folder_with_an_error_put_in(tmp_path, capsys, default_atlas):
    for name in ("district", "streets", "communities", "legacy", "units"):
        (tmp_path / f"{name}.geojson").write_bytes((DEFAULT_DATA_DIR / f"{name}.geojson").read_bytes())
    grids = default_atlas.grids.copy()
    victim = grids["code"].iloc[0]
    grids.loc[grids.index[0], "geometry"] = shapely.affinity.scale(grids.geometry.iloc[0], 1.5, 1.5)
    grids.to_file(tmp_path / "grids.geojson")
    code, out, err = run([tmp_path], capsys)
    assert code == 1
    assert any(line.startswith(f"{tmp_path / 'grids.geojson'}: feature {victim}: lies ") for line in out)
    assert any(f"overlaps grid {victim}" in line or line.startswith(f"{tmp_path / 'grids.geojson'}: feature "
                                                                     f"{victim}: overlaps") for line in out)
    assert err.strip().endswith(f"problems in atlas {tmp_path}")


def test_real_subprocess_reports_without_traceback(tmp_path):
    path = write_grids(tmp_path / "grids.geojson", [mbox(0, 0, 510, 1000), mbox(500, 0, 1000, 1000)])
    proc = subprocess.run([str(GRIDGEO), "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines() == [
        f"{path}: feature {COMM}001: overlaps grid {COMM}002 by 10,000 m² — move the shared border so each place "
        "belongs to one grid (tolerance 1 m²)"]


def test_default_dataset_validates_clean_in_a_subprocess():
    proc = subprocess.run([str(GRIDGEO), "validate", "data/boundaries"], capture_output=True, text=True,
                          timeout=300, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert proc.stdout.startswith("OK data/boundaries: atlas with 1 district, 6 streets, 31 communities")
    assert "Traceback" not in proc.stderr
