"""Demo is explicit (issue 10), through the app under AppTest: a store opened for real work is
never seeded on any page, and the 数据导入 page imports an office's uploaded files, shows the
report on the map, stores the atlas and switches every page to it."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # app_pages is a folder of page scripts, not an installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "atlas"))  # test_import_i18n.latin_words

from office_district import make_office_set  # noqa: E402

APP = str(ROOT / "app.py")


def _pages() -> list[str]:
    """Every page app.py registers whose file exists."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    pages = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return [e.elts[0].value for e in pages.value.elts if (ROOT / e.elts[0].value).exists()]


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _map_scripts(at: AppTest) -> list[str]:
    return [json.loads(n.proto.json_args)["script"] for n in _walk(at.main)
            if type(n).__name__ == "UnknownElement" and getattr(n, "type", "") == "component_instance"]


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.fixture
def real_store(store_url, tmp_path, monkeypatch):
    """The app configured for real work: GRIDGEO_DATABASE_URL names an empty store."""
    monkeypatch.setenv("GRIDGEO_DATABASE_URL", store_url)
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDGEO_SEED_DAYS", "0.2")
    monkeypatch.delenv("GRIDGEO_ATLAS", raising=False)
    yield store_url
    from gridgeo_app import event_source as data

    store = data._STORES.pop(store_url, None)
    if store is not None:
        store.close()


def test_a_store_opened_by_url_is_never_seeded(real_store):
    """Open every page under AppTest: no simulated event and no synthetic grid reach the store,
    the map says there are no events yet, and every page says which atlas it shows."""
    from gridgeo.services.workspace import open_store

    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    _ok(at)
    assert any("暂无事件" in i.value for i in at.info)
    for page in _pages():
        at.switch_page(page)
        at.run()
        _ok(at)
        assert any(c.value.startswith("当前图集：") for c in at.sidebar.caption), page
    store = open_store(real_store, seed_default=False)
    try:
        assert store.count_events() == 0
        assert store.current_version() is None
    finally:
        store.close()


@pytest.fixture(scope="module")
def office_zip(tmp_path_factory) -> bytes:
    """The office-style Chengdu file set (GBK shapefiles, GK zone 35, GCJ-02 register) as one zip."""
    office = make_office_set(tmp_path_factory.mktemp("office"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(office.folder.iterdir()):
            if f.is_file():
                zf.write(f, f.name)
    return buf.getvalue()


def _upload(at: AppTest, blob: bytes, name: str = "rongnan") -> None:
    at.switch_page("gridgeo_app/pages/importer.py")
    at.run()
    at.text_input(key="imp_name").set_value(name).run()
    at.file_uploader(key="imp_files").set_value(("office.zip", blob, "application/zip")).run()
    _ok(at)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_import_page_checks_imports_and_switches_the_atlas(real_store, office_zip):
    from gridgeo.services.workspace import open_store
    from gridgeo.store.atlases import active_atlas_name, list_atlases

    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    _upload(at, office_zip)
    files = at.dataframe[0].value if at.dataframe else None
    assert files is None or "communities.shp" in files.to_string()
    at.selectbox(key="imp_units_crs").set_value("GCJ02").run()  # the register was picked on AMap
    at.button(key="imp_check").click().run()
    _ok(at)
    assert any("检查通过" in s.value for s in at.success)
    shown = "\n".join(str(d.value) for d in at.dataframe)
    mapped = {s.label: s.options[s.index] for s in at.selectbox if str(s.key).startswith("imp_map_")}
    assert "社区编码" in mapped.values() and "网格编码" in mapped.values()  # the recognised mapping, in Chinese
    assert "约120" in shown  # the dirty register row is listed with its reason
    assert "不是数字" in shown and "is not a number" not in shown  # the reason in Chinese
    assert _map_scripts(at)  # the preview map
    at.button(key="imp_go").click().run()
    _ok(at)
    assert any("rongnan" in s.value for s in at.success)
    store = open_store(real_store, seed_default=False)
    try:
        assert active_atlas_name(store) == "rongnan"
        assert list_atlases(store)["name"].tolist() == ["rongnan"]
        version, grids = store.current_grid_set()
        assert version == 1 and grids["code"].str.startswith("510199").all()
        assert store.count_events() == 0
    finally:
        store.close()
    at.switch_page("gridgeo_app/pages/map.py")
    at.run()
    _ok(at)
    assert any("rongnan" in c.value for c in at.caption)
    script = _map_scripts(at)[0]
    assert all(f'"code": "{c}"' in script for c in grids["code"])
    assert '"code": "440311' not in script  # no Guangming grid left on the map


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_import_page_draws_problems_in_red_and_stores_nothing(real_store, office_zip):
    """The GCJ-02 register read as WGS84 lands units outside their communities: the report lists
    them, the map marks them in red, and nothing is stored."""
    from gridgeo.services.workspace import open_store
    from gridgeo.store.atlases import list_atlases
    from gridgeo_app.layers.problems import PROBLEM_COLOR

    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    _upload(at, office_zip, "rongnan-raw")
    at.button(key="imp_check").click().run()
    _ok(at)
    assert at.warning and "问题" in at.warning[0].value
    assert at.error  # cannot be imported as it is
    assert not [b for b in at.button if b.key == "imp_go"]
    script = _map_scripts(at)[0]
    # the units a problem names are red dots (nothing else on this map is a circle marker)
    assert PROBLEM_COLOR in script and script.count("L.circleMarker(") >= 5
    _report_is_in_the_page_language(at, script)
    store = open_store(real_store, seed_default=False)
    try:
        assert not len(list_atlases(store)) and store.current_version() is None
    finally:
        store.close()


def _report(at: AppTest) -> tuple[str, str]:
    """(the problems table, the import summary list) as shown."""
    problems = next(d.value for d in at.dataframe if {"问题", "Problem"} & set(d.value.columns))
    summary = next(m.value for m in at.markdown if m.value.startswith("- "))
    return problems.to_csv(index=False), summary


def _report_is_in_the_page_language(at: AppTest, script: str) -> None:
    """In Chinese no English word is left in the problems (table and map labels) or the summary
    but the office's own names (files, source fields, codes) and CRS ids; in English, the CLI's text."""
    from test_import_i18n import latin_words

    problems, summary = _report(at)
    fields = {s.label for s in at.selectbox if str(s.key).startswith("imp_map_")}  # one dropdown per source field
    allowed = fields | {"communities.shp", "grids.shp", "party.geojson", "urban.gpkg",
                                              "楼栋台账.xlsx"}
    assert "未找到上级" in problems and "请填写其社区编码" in problems and "no parent" not in problems
    assert "由社区编码（前 9 位）推出" in summary and "按位置" in summary
    for text in (problems, summary):
        assert not latin_words(text, allowed), latin_words(text, allowed)
    assert "未找到上级" in script and "no parent found" not in script  # the map's problem labels
    at.sidebar.selectbox(key="lang").set_value("en").run()
    _ok(at)
    problems, summary = _report(at)
    assert "no parent found: it lies in none of the 6 parents" in problems
    assert "give its community_code or fix the name" in problems
    assert "streets: 2 derived from the community codes" in summary and "未找到上级" not in problems
    assert "no parent found" in _map_scripts(at)[0]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_atlas_the_store_lacks_is_one_error_line_and_the_import_page_still_runs(real_store, monkeypatch):
    monkeypatch.setenv("GRIDGEO_ATLAS", "no-such-atlas")
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    _ok(at)
    assert any("no-such-atlas" in e.value for e in at.sidebar.error)
    at.switch_page("gridgeo_app/pages/importer.py")
    at.run()
    _ok(at)
    assert at.title and at.title[0].value.startswith("数据导入")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_file_the_import_cannot_use_is_one_line_in_the_page_language(real_store, tmp_path):
    """A community shapefile in degrees without its .prj: one error line, in Chinese, naming the file."""
    import geopandas as gpd
    from shapely.geometry import box

    comm = gpd.GeoDataFrame({"社区编码": ["510199001001"], "社区名称": ["桂溪社区"]},
                            geometry=[box(104.0, 30.6, 104.01, 30.61)], crs="EPSG:4326")
    comm.to_file(tmp_path / "communities.shp", engine="pyogrio", encoding="GBK")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for suffix in (".shp", ".shx", ".dbf"):
            zf.write(tmp_path / f"communities{suffix}", f"communities{suffix}")
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    _upload(at, buf.getvalue(), "no-prj")
    at.button(key="imp_check").click().run()
    _ok(at)
    (line,) = [e.value for e in at.error]
    assert line.startswith("communities.shp：没有 .prj 文件，社区的坐标是经纬度") and "no .prj" not in line


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_community_login_is_not_offered_the_import(real_store, office_zip):
    """Only roles that may change the atlas (admin, district) have the import page (issue 20: a
    typed /import answers with the pages the account may open: the browser test)."""
    from gridgeo.access.identity import Identity
    from gridgeo.access.roles import Action, allowed

    del office_zip
    assert allowed("district", Action.CHANGE_ATLAS) and allowed("admin", Action.CHANGE_ATLAS)
    assert not allowed("community", Action.CHANGE_ATLAS) and not allowed("street", Action.CHANGE_ATLAS)
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["identity"] = Identity("cadre", "community", scopes=("510199001001",))
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("gridgeo_app/pages/importer.py")
