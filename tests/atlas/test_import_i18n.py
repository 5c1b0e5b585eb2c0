"""Validation problems and import summary lines carry catalogue messages (gridgeo.i18n.Msg): the
English is what the CLI always printed, and in Chinese no English word is left (file names, codes,
CRS ids and the office's own field names aside)."""

from __future__ import annotations

import re
import string

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from gridgeo.atlas.validation import Problem, validate_folder, validate_frame
from gridgeo.i18n import CATALOGUE, Msg

# the sections the problems and the import summary use (and the import page's own keys)
PREFIXES = ("val_", "chk_", "kind1_", "kinds_", "lyr_", "fld_", "fldw_", "geom_", "gvr_", "sep_", "par_", "src_",
            "sum_", "imp_", "err_", "colw_")
# ids that stay as they are in every language: CRSs, encodings, area units
KEEP = re.compile(r"EPSG(:\d+)?|CGCS2000|WGS84|GCJ-?02|BD-?09|GB18030|GBK|UTF-8|km²|m²|\.(prj|cpg|dbf)\b")

TO_METRIC = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
X0, Y0 = TO_METRIC.transform(113.93, 22.77)
STREET, COMM = "440311001", "440311001001"


def latin_words(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """English words left in ``text`` once CRS ids, encodings and the ``allowed`` names are taken out."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    return re.findall(r"[A-Za-z]{3,}", KEEP.sub(" ", text))


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_new_entry_has_chinese_and_english():
    keys = [k for k in CATALOGUE if k.startswith(PREFIXES)]
    assert len(keys) > 200
    for key in keys:
        entry = CATALOGUE[key]
        assert set(entry) == {"zh", "en"} and entry["zh"].strip() and entry["en"].strip(), key
        # Chinese may leave out an English-only detail (a CRS's long name, the CLI flag) but never
        # needs a parameter the English does not pass ("words": the legacy slugs in the language;
        # "file": the file name where the English names the whole path)
        assert _fields(entry["zh"]) <= _fields(entry["en"]) | {"words", "file"}, key
        zh = re.sub(r"\{[^}]*\}", " ", entry["zh"])  # the template without its fields
        if key.startswith(("val_", "chk_", "par_", "src_", "sum_", "kind", "lyr_", "fld", "geom_", "gvr_", "err_",
                           "colw_")):
            assert not latin_words(zh), key  # no English word in the Chinese template


def mbox(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def layer(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs="EPSG:4547").to_crs("EPSG:4326")


def parent() -> gpd.GeoDataFrame:
    return layer([mbox(0, 0, 1000, 1000)], code=[COMM], name=["社区"], street_code=[STREET])


def grids(*geoms) -> gpd.GeoDataFrame:
    n = len(geoms)
    return layer(geoms, code=[f"{COMM}{i + 1:03d}" for i in range(n)], name=[f"网格{i}" for i in range(n)],
                 community_code=[COMM] * n)


def _bad_layers() -> list[list[Problem]]:
    """Layers that break every check validate_frame makes, each validated."""
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    shapes = grids(mbox(0, 0, 600, 500), mbox(500, 0, 1000, 500), mbox(0, 500, 500, 1000),  # overlap, gap
                   mbox(500, 500, 1030, 1000), bowtie, shapely.LineString([(X0, Y0), (X0 + 5, Y0 + 5)]), Polygon(),
                   mbox(0, 0, 10, 10))
    shapes = shapes.set_geometry([*shapes.geometry.iloc[:-1], None], crs=shapes.crs)  # the last one: no geometry
    codes = grids(*[mbox(0, 0, 500, 500)] * 5)
    codes["code"] = [f"{COMM}001", f"{COMM}001", "4403110010010", f"440311001002{'001'}", f"{COMM}005"]
    codes["community_code"] = [COMM, COMM, COMM, COMM, "4403110010"]
    codes.loc[codes.index[4], "name"] = ""
    units = layer([Point(X0 + 10, Y0 + 10), Point(X0 + 1500, Y0 + 10), Point(X0 + 20, Y0 + 20)],
                  code=["U1", "U2", "U3"], name=["a", "b", "c"], kind=["compound"] * 3, households=[300, -1, 2.5],
                  population=[1, 2, 3], enterprises=[0, 0, 0], community_code=[COMM, COMM, "440311001009"])
    swapped = grids(mbox(0, 0, 500, 1000), mbox(500, 0, 1000, 1000))
    swapped.loc[swapped.index[1], "geometry"] = shapely.transform(swapped.geometry.iloc[1], lambda xy: xy[:, ::-1])
    all_swapped = swapped.set_geometry(shapely.transform(np.asarray(swapped.geometry.values), lambda xy: xy[:, ::-1]))
    far = grids(mbox(0, 0, 500, 1000), mbox(500, 0, 1000, 1000))
    far.loc[far.index[1], "geometry"] = box(2.3, 48.8, 2.4, 48.9)
    metres = far.to_crs("EPSG:4547").set_crs("EPSG:4326", allow_override=True)
    shifted = grids(*[mbox(900, 250 * i, 1100, 250 * (i + 1)) for i in range(4)])  # all partly outside
    return [validate_frame(shapes, "grids", "grids.geojson", parent=parent()),
            validate_frame(shapes, "grids", "grids.geojson"),
            validate_frame(codes, "grids", "codes.geojson", parent=parent()),
            validate_frame(units, "units", "units.geojson", parent=parent()),
            validate_frame(units.drop(columns=["kind"]), "units", "units.geojson"),
            validate_frame(swapped, "grids", "s.geojson"), validate_frame(all_swapped, "grids", "s.geojson"),
            validate_frame(far, "grids", "far.geojson"), validate_frame(metres, "grids", "m.geojson"),
            validate_frame(shifted, "grids", "shifted.geojson", parent=parent()),
            validate_frame(grids(), "grids", "empty.geojson")]


@pytest.fixture(scope="module")
def bad_problems(tmp_path_factory) -> list[Problem]:
    problems = [p for found in _bad_layers() for p in found]
    problems += validate_folder(tmp_path_factory.mktemp("empty-atlas"))[0]
    return problems


def test_every_problem_is_a_catalogue_message_in_both_languages(bad_problems):
    checks = {p.check for p in bad_problems}
    assert checks >= {"overlap", "gap", "outside_parent", "invalid_geometry", "null_geometry", "empty_geometry",
                      "geometry_type", "missing_field", "empty_field", "duplicate_code", "code_length", "code_prefix",
                      "unknown_parent", "bad_count", "outside_china", "lonlat_swapped", "empty_layer",
                      "crs_mismatch", "missing_layer"}, checks
    for p in bad_problems:
        assert isinstance(p.msg, Msg) and isinstance(p.hint_msg, Msg), p
        assert f"chk_{p.check}" in CATALOGUE, p.check  # the page's category column names it
        assert p.text("en") == p.message and p.hint_text("en") == p.hint  # the CLI's English, unchanged
        zh, hint = p.text("zh"), p.hint_text("zh")
        assert re.search(r"[\u4e00-\u9fff]", zh) and re.search(r"[\u4e00-\u9fff]", hint), p
        allowed = {p.file, str(p.feature)}
        assert not latin_words(zh, allowed), (zh, latin_words(zh, allowed))
        assert not latin_words(hint, allowed | {p.file.rsplit("/", 1)[0]}), (hint, latin_words(hint, allowed))


def test_field_and_kind_words_are_chinese(bad_problems):
    by_check = {p.check: p for p in bad_problems}
    assert by_check["missing_field"].text("zh") == "缺少必填字段“单元类型”"
    assert by_check["missing_field"].message == "missing required field 'kind'"
    assert by_check["geometry_type"].text("zh") == "图形类型为线"
    bad_count = {p.feature: p for p in problems_where(bad_problems, "bad_count")}
    assert bad_count["U2"].message == "households is -1.0, not a whole number >= 0"  # a number, not np.float64(...)
    assert bad_count["U2"].text("zh") == "户数为 -1.0，不是非负整数"
    assert by_check["geometry_type"].hint_text("zh") == "网格应为面或多面"
    assert by_check["geometry_type"].hint == "grids need Polygon or MultiPolygon"
    assert "自相交" in by_check["invalid_geometry"].text("zh")
    assert by_check["unknown_parent"].text("zh").startswith("社区编码 440311001009 不是已有的社区")
    assert any(p.text("zh").startswith(f"与网格 {COMM}002 重叠") for p in problems_where(bad_problems, "overlap"))


def problems_where(problems: list[Problem], check: str) -> list[Problem]:
    return [p for p in problems if p.check == check]


def test_a_plain_problem_still_works():
    p = Problem("a.csv", 3, "is bad", "fix it")
    assert p.msg is None and p.text("zh") == "is bad" and p.hint_text("zh") == "fix it"
    assert str(p) == "a.csv: row 3: is bad — fix it"
    assert Problem("a", 1, Msg("val_null_geometry")) == Problem("a", 1, "geometry is null")


def test_the_import_summary_renders_in_both_languages(tmp_path):
    """The office set (GBK shapefiles without .cpg, GK zone without .prj, a dirty register, legacy
    layers): every summary line in English as before, and in Chinese without English words."""
    from office_district import make_office_set

    from gridgeo.atlas.importing import import_atlas

    office = make_office_set(tmp_path / "office")
    r = import_atlas({"communities": office.communities, "grids": office.grids, "units": office.units,
                      "legacy": list(office.legacy.items())}, name="x")
    assert [m.render("en") for m in r.summary_msgs] == r.summary == r.atlas.meta["summary"]
    assert any(line.startswith("grids: parent community by name (SQMC) for 24") for line in r.summary)
    allowed = {p.name for p in office.folder.iterdir()} | {s for m in r.mappings.values() for s in m}
    zh = [m.render("zh") for m in r.summary_msgs]
    for line in zh:
        assert not latin_words(line, allowed), (line, latin_words(line, allowed))
    text = "\n".join(zh)
    assert "网格：所属社区 — 按名称（SQMC） 24 个" in text and "原有部门网格 党建" in text
    assert "无 .prj 文件" in text and "文字编码 GB18030（自动识别：无 .cpg 文件）" in text
    for p in r.problems:  # the register read as WGS84 (it is GCJ-02): units outside their communities
        for text in (p.text("zh"), p.hint_text("zh")):
            assert not latin_words(text, allowed | {p.file, str(p.feature)}), text


def test_files_the_import_cannot_use_are_one_line_in_either_language(tmp_path):
    """A shapefile in degrees without .prj, a register without coordinates: the CLI's English line, and the page's Chinese one without English words."""
    from gridgeo.atlas.importing import import_atlas
    from gridgeo.errors import GridgeoError
    from gridgeo.i18n import render

    comm = parent().rename(columns={"code": "社区编码", "name": "社区名称"})
    comm.to_file(tmp_path / "degrees.shp", engine="pyogrio", encoding="GBK")
    comm.to_file(tmp_path / "good.geojson", engine="pyogrio")
    (tmp_path / "degrees.prj").unlink()
    comm.drop(columns=["社区编码"]).to_file(tmp_path / "nocode.geojson", engine="pyogrio")
    (tmp_path / "units.csv").write_text("楼栋编码,户数\nU1,3\n", encoding="utf-8")
    cases = [({"communities": tmp_path / "degrees.shp"},
              "no .prj and the communities coordinates are degrees; say which with --crs communities=CGCS2000"),
             # (a layer without a code field imports since issue 19: codes derived or provisional)
             ({"communities": tmp_path / "good.geojson", "units": tmp_path / "units.csv"},
              "units.csv: no longitude column; name it 经度 (or map it in a --fields file)")]
    for sources, english in cases:
        with pytest.raises(GridgeoError) as err:
            import_atlas(sources, name="x")
        assert english in str(err.value) and err.value.msg is not None
        zh = render(err.value, "zh")
        assert not latin_words(zh, {p.name for p in sources.values()}), zh
        assert zh.startswith(next(iter(sources.values())).name if "units" not in sources else "units.csv"), zh
