"""The 网格划分 Partition planner page through streamlit.testing's AppTest (via app.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "app.py")
PAGE = "gridgeo_app/pages/partition.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _data_dir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GRIDGEO_DATA_DIR", str(tmp_path_factory.mktemp("gridgeo-data")))
    mp.setenv("GRIDGEO_SEED_DAYS", "1")
    mp.delenv("GRIDGEO_DATABASE_URL", raising=False)
    yield
    mp.undo()


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _maps(at: AppTest) -> list:
    return [n for n in _walk(at.main) if getattr(n, "type", "") == "component_instance"]


def _visible_text(at: AppTest) -> str:
    """Every text the page shows: titles, captions, notes, labels, table headers and cells."""
    parts = [e.value for coll in (at.title, at.subheader, at.caption, at.info, at.warning, at.markdown)
             for e in coll]
    parts += [m.label for m in at.metric]
    parts += [w.label for coll in (at.selectbox, at.multiselect, at.slider, at.radio, at.button) for w in coll]
    parts += [str(o) for w in at.radio for o in w.options]
    for frame in at.dataframe:
        value = frame.value
        parts += [str(c) for c in value.columns] + [str(i) for i in value.index]
        parts += [str(v) for v in value.to_numpy().ravel()]
    return "\n".join(parts)


ENGLISH = ("refine", "apportion", "regionalize", "assemble", "ari_households", "polsby_popper",
           "mean_largest_share", "kept_whole", "size_status", "reason", "households", "legacy_code",
           "grid_code", "party", "comprehensive", "enclosure", "urban", "epidemic", "below min",
           "no contiguous", "within band", "None", "nan", "True", "False")


def test_page_waits_for_run_then_shows_proposal_legacy_and_downloads():
    at = _page()
    assert at.title[0].value == "网格划分"
    assert any("运行" in i.value for i in at.info)
    scope = at.sidebar.selectbox(key="pp_scope")
    assert scope.value != "__district__"  # one street by default, and the page says so
    street = scope.format_func(scope.value) if hasattr(scope, "format_func") else None
    at.sidebar.slider(key="pp_band").set_value((300, 500))
    at.button(key="pp_run").click()  # beside the title, in view at 1080p
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    covers = [i.value for i in at.info if i.value.startswith("本次运行范围")]
    assert covers and "6 个社区" in covers[0] and (street is None or street in covers[0])
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["网格数"]) > 10
    assert labels["户数达标"].endswith("%")
    maps = _maps(at)
    assert len(maps) == 1  # proposal and legacy side by side on one synced DualMap
    args = json.loads(maps[0].proto.json_args)
    assert args["script"].count("L.map(") == 2 and ".sync(" in args["script"]
    assert "/app/static/vendor/leaflet-sync/L.Map.Sync.js" in args["js_links"]
    assert not [u for u in args["js_links"] + args["css_links"] if "://" in u]  # offline
    # coloured by households on a sequential palette; the band's bins are marked in the legend
    from gridgeo_app.layers.legend import HouseholdScale

    scale = HouseholdScale(300, 500)
    page = json.dumps(args, ensure_ascii=False)
    assert sum(c in page for c in scale.colors) >= 3
    assert "300–400户 （达标区间）" in page and "400–500户 （达标区间）" in page
    downloads = [b.proto.label for b in _walk(at.main) if getattr(b, "type", "") == "download_button"]
    assert downloads == ["grids.geojson", "grids.gpkg", "crosswalk.csv", "metrics.json", "summary.md"]
    # Chinese only: stage, layer and column names, statuses and reasons are translated
    text = _visible_text(at)
    assert "一致性指数（按户加权 ARI）" in text and "紧凑度" in text and "综治网格" in text
    found = [w for w in ENGLISH if w in text]
    assert not found, found
    # colour by change and inspect another grid: reruns keep the result, no new run
    at.radio(key="pp_color").set_value("change")
    codes = at.selectbox(key="pp_inspect").options
    at.selectbox(key="pp_inspect").set_value(codes[-1])
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.metric) == 4
    # the proposal map is coloured by the change classes
    args = json.dumps(json.loads(_maps(at)[0].proto.json_args))
    from gridgeo.palette import CHANGE_COLORS, STATUS_COLORS

    assert any(color in args for color in CHANGE_COLORS.values())
    assert STATUS_COLORS["over_max"] not in args  # size-status colours are gone (under_min's blue is also "kept")
    assert scale.colors[3] not in args  # so are the household colours
    # the selector moved away from what ran: the page says so, the result stays
    at.sidebar.selectbox(key="pp_scope").set_value("__district__")
    at.run()
    assert any("与下方结果的范围" in w.value for w in at.warning)
    assert any(i.value.startswith("本次运行范围") and "6 个社区" in i.value for i in at.info)


def test_progress_stage_and_layer_names_are_translated():
    """The stage messages the partition reports, and the layer names, come from the catalogue."""
    from gridgeo.i18n import layer_name, stage_name

    names = {"440311001001": "新坡头社区"}
    shown = [stage_name(s, "zh", names) for s in ("refine", "apportion", "regionalize 440311001001", "assemble",
                                                  "done")]
    assert shown == ["叠加求最小单元", "分摊户数人口", "社区内分区 新坡头社区", "汇总成网格", "完成"]
    assert stage_name("regionalize 440311001001", "en", names) == "regionalize 新坡头社区"
    assert [layer_name(x) for x in ("party", "comprehensive", "urban", "epidemic", "enclosure")] == [
        "党建网格", "综治网格", "城管责任网格", "防疫网格", "封控单元"]
    assert layer_name("roads") == "roads"  # a layer of the user's own data keeps its name


def test_a_scoped_planner_partitions_only_its_communities():
    """A planner scoped to one community (gridgeo_app.scope.communities_for): its street named by
    that community is the only run; the run's input and maps hold its community and the legacy
    grids touching it, never the district."""
    from gridgeo.access import Identity
    from gridgeo_app import context as common

    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["identity"] = Identity("p", "planner", scopes=("440311001001",))
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    scope = at.sidebar.selectbox(key="pp_scope")
    assert scope.options == ["光明街道 · 新坡头社区"]
    at.button(key="pp_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    covers = [i.value for i in at.info if i.value.startswith("本次运行范围")]
    assert covers and "1 个社区" in covers[0]
    ran, legacy, result = (at.session_state[k] for k in ("pp_ran", "pp_legacy", "pp_result"))
    assert ran["communities"] == 1 and set(result.grids["community"]) == {"440311001001"}
    community = common.atlas().communities.set_index("code").geometry["440311001001"]
    assert len(legacy) and legacy.intersects(community).all()
    assert len(legacy) < len(common.atlas().legacy) / 10
