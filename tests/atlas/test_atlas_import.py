"""Issue 10: a district office's own files imported as a stored atlas, used, assigned, partitioned,
measured in the right GK zone and exported/imported back. The files are generated here (see
tests/office_district.py): a synthetic district near Chengdu in GK zone 35, with every wart."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from gridgeo.atlas.importing import import_atlas, recognise_fields
from gridgeo.atlas.importing.detect import gk_zone_epsg
from gridgeo.atlas.importing.export import export_atlas
from gridgeo.cli import main
from gridgeo.errors import InputError, UsageError
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store
from gridgeo.store.atlases import (
    AtlasNotFound,
    active_atlas_name,
    list_atlases,
    load_stored_atlas,
    save_atlas,
    use_atlas,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from office_district import NOPREFIX_EPSG, ZONE_EPSG, make_office_set  # noqa: E402

LAYERS = ("district", "streets", "communities", "grids", "legacy", "units")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return make_office_set(tmp_path_factory.mktemp("office"))


def _sources(office) -> dict:
    return {"communities": office.communities, "grids": office.grids, "units": office.units,
            "legacy": [f"party={office.legacy['party']}", ("urban", office.legacy["urban"])]}


@pytest.fixture(scope="module")
def imported(office):
    return import_atlas(_sources(office), name="rongnan", crs={"units": "GCJ02"})


def _cli(*argv: str) -> int:
    return main(list(argv))


# --- field recognition and zone detection ------------------------------------------------------
def test_alias_table_recognises_chinese_pinyin_and_english():
    assert recognise_fields(["网格编码", "网格名称", "所属社区", "户数", "网格员"], "grids") == {
        "网格编码": "code", "网格名称": "name", "所属社区": "community_name", "户数": "households",
        "网格员": "grid_worker"}
    assert recognise_fields(["SQBM", "SQMC", "JDBM", "JDMC"], "communities") == {
        "SQBM": "code", "SQMC": "name", "JDBM": "street_code", "JDMC": "street_name"}
    assert recognise_fields(["WGBM", "WGMC", "sqbm", "HS", "RK"], "grids") == {
        "WGBM": "code", "WGMC": "name", "sqbm": "community_code", "HS": "households", "RK": "population"}
    assert recognise_fields(["code", "name", "community_code"], "grids") == {
        "code": "code", "name": "name", "community_code": "community_code"}
    # a field map overrides the table; "" ignores a field
    assert recognise_fields(["序号", "BH", "备注"], "grids", {"序号": "code", "备注": ""}) == {"序号": "code"}


def test_gk_zone_from_coordinate_magnitude_checked_with_pyproj():
    x, _ = pyproj.Transformer.from_crs("EPSG:4326", ZONE_EPSG, always_xy=True).transform(104.07, 30.60)
    epsg, text = gk_zone_epsg(x)
    assert epsg == 4523 and "zone 35" in text
    crs = pyproj.CRS.from_epsg(epsg)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == 105 and params["False easting"] == 35_500_000
    # the same zone without the prefix, and the 6-degree zone 18 (CM 105°E)
    assert {p.name: p.value for p in pyproj.CRS(NOPREFIX_EPSG).coordinate_operation.params}[
        "Longitude of natural origin"] == 105
    x6, _ = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4496", always_xy=True).transform(104.07, 30.60)
    assert gk_zone_epsg(x6)[0] == 4496
    assert gk_zone_epsg(410_810.0) is None  # no prefix: the zone cannot be known


def test_gk_without_prefix_and_no_prj_needs_crs(tmp_path, office, capsys):
    comm = gpd.read_file(office.communities, encoding="GB18030").set_crs(ZONE_EPSG).to_crs(NOPREFIX_EPSG)
    path = tmp_path / "communities.shp"
    comm.to_file(path, encoding="GBK")
    path.with_suffix(".prj").unlink()
    with pytest.raises(UsageError, match=r"--crs communities=EPSG:45xx"):
        import_atlas({"communities": path}, name="x")
    assert _cli("atlas", "import", "--name", "x", "--communities", str(path), "--quiet",
                "--database", f"sqlite:///{tmp_path / 's.sqlite'}") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "without the zone number" in err[0]
    result = import_atlas({"communities": path}, name="x", crs={"communities": NOPREFIX_EPSG})
    assert result.ok and len(result.atlas.communities) == 6


# --- the office set ----------------------------------------------------------------------------
def test_import_reads_every_wart(office, imported):
    r = imported
    assert r.ok and not r.problems, [str(p) for p in r.problems]
    text = "\n".join(r.summary)
    assert "EPSG:4523, from the coordinate magnitude (no .prj)" in text
    assert "GB18030 (detected: no .cpg)" in text
    assert "parent community by name (SQMC) for 24" in text
    assert "streets: 2 derived from the community codes" in text
    assert r.mappings["grids"]["SQMC"] == "community_name" and r.mappings["communities"]["社区名称"] == "name"
    a = r.atlas
    assert sorted(a.communities["name"]) == sorted(office.community_gk["name"])  # GBK decoded
    assert len(a.grids) == office.grid_count
    assert all(len(c) == 15 and c.startswith(p) for c, p in zip(a.grids["code"], a.grids["community_code"],
                                                               strict=True))
    assert set(a.streets["name"]) == {"蓉南街道", "锦河街道"} and a.district_code == "510199"
    assert sorted(a.legacy["layer"].unique()) == ["party", "urban"]
    # dirty register rows: skipped with row number, field and reason; the rest imported
    rejected = dict(zip(r.rejects["row"], r.rejects["field"], strict=True))
    assert rejected == office.dirty_rows
    reasons = " ".join(r.rejects["reason"])
    assert "'约120' is not a number" in reasons and "already on row 61" in reasons
    reasons_zh = " ".join(r.rejects["reason_zh"])  # the same reasons in Chinese, for the page and the file
    assert "'约120' 不是数字" in reasons_zh and "与第 61 行重复" in reasons_zh
    assert len(a.units) == office.unit_rows - len(office.dirty_rows)


def test_gcj02_register_positions_are_converted(office, imported):
    units = imported.atlas.units.set_index("code")
    truth = pd.DataFrame.from_dict(office.unit_lonlat, orient="index", columns=["lon", "lat"]).loc[units.index]
    geod = pyproj.Geod(ellps="WGS84")
    _, _, dist = geod.inv(truth["lon"].to_numpy(), truth["lat"].to_numpy(), units.geometry.x.to_numpy(),
                          units.geometry.y.to_numpy())
    assert dist.max() < 0.05  # GCJ-02 offset (hundreds of metres) removed to centimetres
    assert set(units["community_code"]) == set(imported.atlas.communities["code"])


def test_areas_match_pyproj_in_the_right_zone(office, imported):
    atlas = imported.atlas
    assert atlas.meta["metric_crs"] == "EPSG:4544"  # CM 105°E, the zone of 104.07°E
    ours = atlas.communities.set_index("code").to_crs(atlas.meta["metric_crs"]).area
    truth_gk = office.community_gk.set_index("code").area.loc[ours.index]  # planar in zone 35 as written
    geod = pyproj.Geod(ellps="GRS80")
    geodesic = pd.Series([abs(geod.geometry_area_perimeter(g)[0]) for g in
                          atlas.communities.set_index("code").geometry], index=ours.index)
    assert np.allclose(ours, truth_gk, rtol=1e-3) and np.allclose(ours, geodesic, rtol=1e-3)
    fixed_4547 = atlas.communities.set_index("code").to_crs("EPSG:4547").area
    assert (fixed_4547 / geodesic - 1).min() > 0.01  # the old fixed CM 114°E is off by more than 1 %


# --- store, use, assign, partition -------------------------------------------------------------
def test_store_versions_active_and_use(store_url, imported):
    store = open_store(store_url, seed_default=False)
    try:
        assert save_atlas(store, imported.atlas, "rongnan") == 1
        assert save_atlas(store, imported.atlas, "rongnan", source={"note": "again"}) == 2
        assert active_atlas_name(store) is None and store.current_version() is None
        table = list_atlases(store)
        assert list(table["version"]) == [1, 2] and not table["active"].any() and not table["is_demo"].any()
        assert table["n_grids"].tolist() == [24, 24]
        grid_version = use_atlas(store, "rongnan")
        assert active_atlas_name(store) == "rongnan" and store.current_version() == grid_version
        assert sorted(store.grid_set(grid_version)["code"]) == sorted(imported.atlas.grids["code"])
        back = load_stored_atlas(store, "rongnan", version=1)
        for layer in LAYERS:
            _same_layer(imported.atlas, back, layer)
        with pytest.raises(AtlasNotFound, match="stored atlases: rongnan"):
            load_stored_atlas(store, "nowhere")
    finally:
        store.close()


def _same_layer(a, b, layer: str, tol: float = 1e-9) -> None:
    x, y = getattr(a, layer).reset_index(drop=True), getattr(b, layer).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(x.drop(columns="geometry")), pd.DataFrame(y.drop(columns="geometry")),
                                  check_dtype=False, obj=layer)
    assert shapely.equals_exact(x.geometry.values, y.geometry.values, tol).all(), layer


@pytest.mark.slow
def test_cli_import_use_assign_partition(tmp_path, office, capsys, store_url):
    from gridgeo.demo.simulate import generate_events
    from gridgeo.partition import run_partition

    url = store_url
    base = ["--communities", str(office.communities), "--grids", str(office.grids), "--units", str(office.units),
            "--legacy", f"party={office.legacy['party']}", "--legacy", f"urban={office.legacy['urban']}",
            "--crs", "units=GCJ02", "--rejects", str(tmp_path / "rejects.csv"), "--database", url, "--quiet"]
    assert _cli("atlas", "import", "--name", "rongnan", *base) == 0
    out = capsys.readouterr().out
    assert "6 unit row(s) rejected" in out and "stored atlas rongnan version 1" in out
    assert len(pd.read_csv(tmp_path / "rejects.csv")) == 6
    assert _cli("atlas", "use", "rongnan", "--database", url) == 0
    assert _cli("atlas", "list", "--database", url) == 0
    assert "* rongnan" in capsys.readouterr().out
    with open_store(url, seed_default=False) as store:
        atlas = load_stored_atlas(store, "rongnan")
        events = generate_events(atlas, n=300, seed=3)
        results = add_events(store, events)
        assert all(r["result"] == "accepted" for r in results)
        frame = store.events_frame()
    points = gpd.GeoDataFrame(frame[["id"]], geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    joined = gpd.sjoin(points, atlas.grids[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    expected = joined["code"].astype(object).where(joined["code"].notna(), None)
    got = frame["grid_code"].astype(object).where(frame["grid_code"].notna(), None)
    assert (expected.to_numpy() == got.to_numpy()).all()
    assert frame["grid_code"].notna().sum() > 250
    res = run_partition(atlas.communities, atlas.legacy, atlas.units, n_jobs=1)
    assert res.grids["households"].sum() == pytest.approx(atlas.units["households"].sum())
    assert set(res.grids["community"]) == set(atlas.communities["code"])
    assert _cli("partition", "--atlas", "rongnan", "--database", url, "--out", str(tmp_path / "p"),
                "--quiet", "--jobs", "1") == 0
    assert (tmp_path / "p" / "grids.gpkg").exists()


# --- export -> import --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson"])
def test_export_then_import_gives_the_same_atlas(tmp_path, imported, fmt):
    files = export_atlas(imported.atlas, fmt, tmp_path, "rongnan")
    if fmt == "gpkg":
        sources = {layer: files[0] for layer in ("district", "streets", "communities", "grids")}
        sources |= {"legacy": [files[0]], "units": [files[0]]}
    else:
        suffix = f".{fmt}"
        sources = {layer: tmp_path / f"{layer}{suffix}" for layer in ("district", "streets", "communities", "grids")}
        sources |= {"legacy": [tmp_path / f"legacy{suffix}"], "units": [tmp_path / f"units{suffix}"]}
    back = import_atlas(sources, name="rongnan")
    assert back.ok and not back.problems, [str(p) for p in back.problems]
    for layer in LAYERS:
        _same_layer(imported.atlas, back.atlas, layer)


def test_shapefile_export_is_gbk_with_chinese_field_names(tmp_path, imported):
    export_atlas(imported.atlas, "shp", tmp_path, "rongnan")
    assert (tmp_path / "grids.cpg").read_text() == "GBK"
    header = (tmp_path / "grids.dbf").read_bytes()
    names = [header[i:i + 11].split(b"\0")[0].decode("gbk") for i in range(32, header.index(b"\r"), 32)]
    assert names[:3] == ["网格编码", "网格名称", "社区编码"] and "户数" in names
    assert "桂溪社区".encode("gbk") in header


def test_xlsx_export_units_import_back(tmp_path, imported):
    (path,) = export_atlas(imported.atlas, "xlsx", tmp_path, "rongnan")
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    assert list(sheets) == ["区", "街道", "社区", "网格", "部门网格", "基础单元"]
    assert sheets["网格"]["网格编码"].tolist() == imported.atlas.grids["code"].tolist()
    back = import_atlas({"communities": _community_file(tmp_path, imported), "units": [path]}, name="x",
                        crs={"units": "WGS84"})
    assert back.ok and len(back.rejects) == 0
    units, orig = back.atlas.units, imported.atlas.units
    assert units["code"].tolist() == orig["code"].tolist()
    assert (units["households"].to_numpy() == orig["households"].to_numpy()).all()
    assert np.abs(units.geometry.x.to_numpy() - orig.geometry.x.to_numpy()).max() < 1e-6


def _community_file(tmp_path: Path, imported) -> Path:
    path = tmp_path / "c.gpkg"
    imported.atlas.communities.to_file(path, layer="communities")
    return path


# --- refusals -----------------------------------------------------------------------------------
def test_unknown_parent_name_is_placed_by_location_and_said(office, tmp_path):
    grids = gpd.read_file(office.grids, encoding="GB18030")
    grids.loc[0, "SQMC"] = "不存在社区"
    path = tmp_path / "grids.shp"
    grids.to_file(path, encoding="GBK")
    result = import_atlas({"communities": office.communities, "grids": path}, name="x")
    assert result.ok
    line = next(s for s in result.summary if s.startswith("grids: parent community"))
    assert "by name (SQMC) for 23, by location for 1" in line and "不存在社区" in line


def test_nothing_stored_when_validation_fails(tmp_path, office, capsys):
    grids = gpd.read_file(office.grids, encoding="GB18030")
    grids.loc[1, "BH"] = grids.loc[0, "BH"]  # two grids of one community with the same code
    bad = tmp_path / "grids.shp"
    grids.to_file(bad, encoding="GBK")
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    code = _cli("atlas", "import", "--name", "bad", "--communities", str(office.communities), "--grids", str(bad),
                "--database", url, "--quiet")
    out = capsys.readouterr()
    assert code == 1 and "used by 2 features" in out.out and "nothing stored" in out.err
    with open_store(url, seed_default=False) as store:
        assert list_atlases(store).empty and store.current_version() is None


def test_gaps_are_warnings_stored_only_when_accepted(tmp_path, office, capsys):
    grids = gpd.read_file(office.grids, encoding="GB18030").iloc[1:]
    path = tmp_path / "grids.gpkg"
    grids.to_file(path)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    argv = ["atlas", "import", "--name", "gap", "--communities", str(office.communities), "--grids", str(path),
            "--database", url, "--quiet"]
    assert _cli(*argv) == 1
    assert "--accept-warnings" in capsys.readouterr().err
    assert _cli(*argv, "--accept-warnings") == 0
    with open_store(url, seed_default=False) as store:
        assert list_atlases(store)["name"].tolist() == ["gap"]


def test_field_map_file_overrides(tmp_path, office):
    grids = gpd.read_file(office.grids, encoding="GB18030").rename(columns={"SQMC": "片区归属"})
    path = tmp_path / "grids.gpkg"
    grids.to_file(path)
    toml = tmp_path / "fields.toml"
    toml.write_text('[grids]\n"片区归属" = "community_name"\n', encoding="utf-8")
    from gridgeo.atlas.importing import load_field_map

    result = import_atlas({"communities": office.communities, "grids": path}, name="m",
                          field_map=load_field_map(toml))
    assert result.ok and result.mappings["grids"]["片区归属"] == "community_name"
    toml.write_text('[grids]\n"片区归属" = "no_such_field"\n', encoding="utf-8")
    with pytest.raises(InputError, match="no_such_field"):
        load_field_map(toml)


def test_demo_name_is_reserved_and_url_store_is_never_seeded(tmp_path, office, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    monkeypatch.setenv("GRIDGEO_DATABASE_URL", url)
    assert _cli("atlas", "import", "--name", "guangming-demo", "--communities", str(office.communities)) == 2
    assert _cli("atlas", "list") == 0
    assert _cli("atlas", "import", "--name", "rongnan", "--communities", str(office.communities),
                "--grids", str(office.grids), "--quiet") == 0
    with open_store(url, seed_default=False) as store:
        assert store.current_version() is None and store.count_events() == 0
        assert list_atlases(store)["name"].tolist() == ["rongnan"]
    assert _cli("atlas", "use", "guangming-demo") == 1
    assert "not in the store" in capsys.readouterr().err


def test_grid_parent_from_the_code_prefix(tmp_path, imported):
    """The issue's clean GBK shapefile of grids with only code and name: parents from the 15-digit codes."""
    grids = imported.atlas.grids[["code", "name", "geometry"]]
    path = tmp_path / "grids.shp"
    grids.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    communities = tmp_path / "communities.gpkg"
    imported.atlas.communities.to_file(communities)
    result = import_atlas({"communities": communities, "grids": path}, name="x")
    assert result.ok, [str(p) for p in result.problems]
    assert "parent community by code prefix for 24" in "\n".join(result.summary)
    assert result.atlas.grids["community_code"].tolist() == imported.atlas.grids["community_code"].tolist()


def test_mappings_are_a_valid_field_map(imported, office):
    """What the import recognised can be handed back (corrected) as field_map."""
    assert set(imported.mappings) == {"communities", "grids", "units", "legacy"}
    again = import_atlas(_sources(office), name="rongnan", crs={"units": "GCJ02"}, field_map=imported.mappings)
    assert again.ok and again.mappings == imported.mappings


@pytest.mark.parametrize(("extra", "code", "words"), [
    (["--legacy", "party"], 2, "write LAYER=FILE"),
    (["--crs", "streetz=EPSG:4523"], 2, "no such layer"),
    (["--crs", "units=FOO", "--units", "x.xlsx"], 2, "unknown CRS 'FOO'"),
    (["--fields", "nope.toml"], 1, "no such field-map file"),
    (["--units", "missing.xlsx"], 1, "no such file"),
])
def test_bad_arguments_give_one_line(tmp_path, office, capsys, extra, code, words):
    argv = ["atlas", "import", "--name", "x", "--communities", str(office.communities), "--quiet",
            "--database", f"sqlite:///{tmp_path / 's.sqlite'}", *extra]
    assert _cli(*argv) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]


def test_register_without_coordinates_is_refused(tmp_path, office):
    table = pd.read_excel(office.units, dtype=str).drop(columns=["经度"])
    path = tmp_path / "register.xlsx"
    table.to_excel(path, index=False)
    with pytest.raises(InputError, match="no longitude column; name it 经度"):
        import_atlas({"communities": office.communities, "units": [path]}, name="x")


def test_files_are_found_by_their_names(tmp_path, office):
    from gridgeo.atlas.importing.discover import find_sources

    found = find_sources(office.folder)
    assert found["communities"] == office.communities and found["grids"] == office.grids
    assert found["units"] == [office.units]
    assert sorted(found["legacy"]) == [("party", office.legacy["party"]), ("urban", office.legacy["urban"])]
    names = [Path(n) for n in ("社区.shp", "社区网格.shp", "党建网格.shp", "封控单元.gpkg", "楼栋台账.xlsx",
                               "街道.geojson", "楼栋台账.xlsx.rejected.csv", "说明.docx")]
    assert find_sources(names) == {
        "communities": names[0], "grids": names[1], "legacy": [("party", names[2]), ("enclosure", names[3])],
        "units": [names[4]], "streets": names[5]}
    # `--dir` on an export of each format
    export_atlas(import_atlas(_sources(office), name="r", crs={"units": "GCJ02"}).atlas, "gpkg", tmp_path, "r")
    assert set(find_sources(tmp_path)) == set(LAYERS)


def test_cli_show_export_and_import_dir(tmp_path, imported, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with open_store(url, seed_default=False) as store:
        save_atlas(store, imported.atlas, "rongnan")
    assert _cli("atlas", "show", "rongnan", "--database", url) == 0
    shown = capsys.readouterr().out
    assert "district 510199" in shown and "metric CRS: EPSG:4544" in shown and "grids 24" in shown
    for fmt in ("shp", "gpkg", "geojson", "xlsx"):
        assert _cli("atlas", "export", "rongnan", "--format", fmt, "--out", str(tmp_path / fmt), "--database", url) == 0
    assert _cli("atlas", "import", "--name", "again", "--dir", str(tmp_path / "shp"), "--database", url, "--quiet") == 0
    with open_store(url, seed_default=False) as store:
        again = load_stored_atlas(store, "again")
    for layer in LAYERS:
        _same_layer(imported.atlas, again, layer)
    assert _cli("atlas", "import", "--name", "x", "--dir", str(tmp_path / "xlsx"), "--database", url) == 2
    assert "no communities file" in capsys.readouterr().err


def test_gap_between_communities_is_reported_on_the_communities(tmp_path, office):
    """Derived streets fill the gaps between their communities, so a gap is reported where the
    office can fix it (on the communities file), as a warning."""
    comm = gpd.read_file(office.communities, encoding="GB18030").set_crs(ZONE_EPSG)
    inner = comm["社区编码"].str.endswith("001002")
    middle = comm.loc[inner].geometry.iloc[0].representative_point()
    hole = shapely.box(middle.x - 20, middle.y - 20, middle.x + 20, middle.y + 20)  # 1,600 m² no one covers
    comm.loc[inner, "geometry"] = comm.loc[inner].difference(hole)
    path = tmp_path / "communities.gpkg"
    comm.to_file(path)
    result = import_atlas({"communities": path}, name="x")
    assert result.ok and result.warnings and not result.errors
    assert {p.check for p in result.warnings} == {"gap"}
    assert {p.file for p in result.warnings} == {str(path)}, [str(p) for p in result.warnings]
    assert {result.layer_of(p) for p in result.warnings} == {"communities"}
    assert re.search(r"gap of 1,6\d\d m² inside street 510199001", str(result.warnings[0]))
    assert not result.storable() and result.storable(accept_warnings=True)


def test_geojson_without_crs_member_holding_gk_metres(tmp_path, office):
    """GeoJSON with no crs member is WGS84 by RFC 7946, but numbers like 35,410,000 are GK metres."""
    comm = gpd.read_file(office.communities, encoding="GB18030")
    path = tmp_path / "communities.geojson"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        comm.set_crs(None, allow_override=True).to_file(path, driver="GeoJSON")
    result = import_atlas({"communities": path}, name="x")
    assert result.ok, [str(p) for p in result.problems]
    assert "EPSG:4523, from the coordinate magnitude (the file says EPSG:4326" in result.summary[0]
    assert np.allclose(result.atlas.communities.to_crs(ZONE_EPSG).area.sort_values().to_numpy(),
                       office.community_gk.area.sort_values().to_numpy(), rtol=1e-6)


def test_register_saved_as_gbk_csv_gives_the_same_units(tmp_path, office, imported):
    path = tmp_path / "楼栋台账.csv"
    pd.read_excel(office.units, dtype=str).to_csv(path, index=False, encoding="gbk")
    result = import_atlas({"communities": office.communities, "units": [path]}, name="x", crs={"units": "GCJ02"})
    assert result.ok
    assert dict(zip(result.rejects["row"], result.rejects["field"], strict=True)) == office.dirty_rows
    units, orig = result.atlas.units, imported.atlas.units
    assert units["code"].tolist() == orig["code"].tolist() and units["name"].tolist() == orig["name"].tolist()
    assert shapely.equals_exact(units.geometry.values, orig.geometry.values, 1e-9).all()


def test_shapefile_export_refuses_mixed_units(tmp_path, imported):
    atlas = imported.atlas
    units = atlas.units.copy()
    units.loc[0, "geometry"] = units.geometry.iloc[0].buffer(0.0001)
    mixed = type(atlas)(**{**atlas.layers(), "units": units}, meta=atlas.meta)
    with pytest.raises(InputError, match="units: mixes points and polygons"):
        export_atlas(mixed, "shp", tmp_path / "out", "x")
    assert not any((tmp_path / "out").glob("*.shp"))  # nothing half-written


def test_partition_atlas_name_not_stored(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert _cli("partition", "--atlas", "nowhere", "--database", url, "--out", str(tmp_path / "p"), "--quiet") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such folder, and atlas 'nowhere' is not in the store" in err[0]
    assert not (tmp_path / "p").exists()
