"""The grid editing page through streamlit.testing's AppTest, on a store holding a hand-made plan:
move atoms and see the figures change, undo/redo, save, a stale save and its re-apply, publish."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from plan_helpers import A, atom_id, g, lattice_plan
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gridgeo.plan import ops  # noqa: E402
from gridgeo.plan.repository import PlanRepository  # noqa: E402
from gridgeo.services.workspace import open_store  # noqa: E402
from gridgeo_app.scope import WHO_KEY  # noqa: E402
from gridgeo_app.session import OPEN_IDENTITY  # noqa: E402

PAGE = str(ROOT / "gridgeo_app" / "pages" / "planner.py")


@pytest.fixture
def plan_store(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    store = open_store(seed_default=False)
    repo = PlanRepository(store)
    pid, _ = repo.create_plan("格子", lattice_plan(), author="setup")
    yield repo, pid
    store.close()


def _households(at: AppTest) -> dict[str, int]:
    """Households per grid (last 3 digits) from the figures table of the page."""
    for table in at.table:
        frame = table.value
        if "户数" in frame.columns and "紧凑度" in frame.columns:
            return {str(k): int(v) for k, v in frame["户数"].items()}
    raise AssertionError("no figures table on the page")


def _run(at: AppTest) -> AppTest:
    if WHO_KEY not in at.session_state:  # the page alone, without app.py's login gate: the open local mode
        at.session_state[WHO_KEY] = OPEN_IDENTITY
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return _run(at)


def test_move_undo_redo_save_and_reapply_after_a_stale_save(plan_store):
    repo, pid = plan_store
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    assert _households(at) == {"001": 400, "002": 400}
    at.multiselect(key="pl_atoms").set_value([atom_id(1, 0)])
    at.selectbox(key="pl_target").set_value(g(A, 2))
    _run(at)  # a browser reruns on every widget change; the move button is enabled by the selection
    preview = [c.value for c in at.caption if c.value.startswith("预览")]
    assert preview and "001: 400 → 300" in preview[0] and "002: 400 → 500" in preview[0]
    assert _households(at) == {"001": 400, "002": 400}  # not applied yet
    _click(at, "pl_move")
    assert _households(at) == {"001": 300, "002": 500}
    assert at.multiselect(key="pl_atoms").value == []
    _click(at, "pl_undo")
    assert _households(at) == {"001": 400, "002": 400}
    _click(at, "pl_redo")
    assert _households(at) == {"001": 300, "002": 500}
    # meanwhile another planner saves version 2
    other = ops.rename_grid(repo.load(pid)[0], g(A, 1), "别人的名字")
    assert repo.save_version(pid, other, author="other", base_version=1) == 2
    at.text_input(key="pl_comment").input("调整一格")
    _click(at, "pl_save")
    assert any("基于第 1 版" in e.value and "第 2 版" in e.value for e in at.error)  # the refusal in Chinese
    assert repo.head_version(pid) == 2  # refused, nothing overwritten
    _click(at, "pl_reload")
    assert _households(at) == {"001": 300, "002": 500}
    _click(at, "pl_save")
    assert repo.head_version(pid) == 3
    saved, info = repo.load(pid)
    assert saved.grid_of(atom_id(1, 0)) == g(A, 2) and saved.grids.at[g(A, 1), "name"] == "别人的名字"
    assert info.comment == "调整一格" and info.author == "规划员"
    assert [a for a in repo.audit(pid)["action"]] == ["create", "save", "save_refused", "save"]


def test_refused_edit_shows_its_reason_and_locks_hold(plan_store):
    repo, pid = plan_store
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    at.selectbox(key="pl_grid").set_value(g(A, 1))
    _click(at, "pl_lock")
    at.multiselect(key="pl_atoms").set_value([atom_id(0, 0)])
    at.selectbox(key="pl_target").set_value(g(A, 2))
    _run(at)
    _click(at, "pl_move")
    assert any(e.value == f"网格 {g(A, 1)} 已锁定；请先解锁再编辑" for e in at.error)  # the refusal in Chinese
    assert _households(at) == {"001": 400, "002": 400}


def test_split_merge_and_publish_from_the_page(plan_store):
    repo, pid = plan_store
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    at.selectbox(key="pl_grid").set_value(g(A, 1))
    at.multiselect(key="pl_atoms").set_value([atom_id(0, 1), atom_id(1, 1)])
    _run(at)
    _click(at, "pl_split_atoms")
    assert _households(at) == {"001": 200, "002": 400, "003": 200}
    # every panel follows a page-button edit at once: the grid lists and the pending changes
    assert any(o.startswith("003") for o in at.selectbox(key="pl_grid").options)
    assert any(o.startswith("003") for o in at.selectbox(key="pl_target").options)
    pending = [c.value for c in at.caption if c.value.startswith("新增 1 · ")]
    assert pending, [c.value for c in at.caption]
    at.selectbox(key="pl_grid").set_value(g(A, 1))
    at.selectbox(key="pl_merge_b").set_value(g(A, 3))
    _click(at, "pl_merge")
    assert _households(at) == {"001": 400, "002": 400}
    # unsaved edits on screen: publishing waits for a save (it publishes exactly what is shown)
    assert any("未保存" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "pl_publish"]
    assert at.button(key="pl_save").label == "保存为第 2 版"
    _click(at, "pl_save")
    assert repo.head_version(pid) == 2
    # first what publishing version 2 changes (against the store's current grid set), then the
    # button naming it
    gs = repo.store.current_version()
    _click(at, "pl_pub_check")
    assert any(c.value == f"与现行网格集第 {gs} 版相比：" for c in at.caption)
    change = next(m.value for m in at.markdown if m.value.startswith("新增 "))
    assert "户改变归属" in change and "调整 0 个；0 户" not in change
    assert at.button(key="pl_publish").label == "发布版本 2"
    _click(at, "pl_publish")
    assert any(f"现行网格集第 {gs + 1} 版" in s.value for s in at.success)
    assert repo.store.current_version() == gs + 1
    assert repo.versions(pid).set_index("version").at[2, "grid_set_version"] == gs + 1  # version 2, not 1
    # publishing it again would change nothing
    _click(at, "pl_pub_check")
    assert any(m.value == "新增 0 个网格，撤销 0 个，调整 0 个；0 户改变归属" for m in at.markdown)


def _store_a_plan_with_a_detached_piece(tmp_path, monkeypatch) -> None:
    """A store of the page's own (``tmp_path``) holding one plan in which A001 is in two pieces."""
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    store = open_store(seed_default=False)
    broken = ops.move_atoms(lattice_plan(), [atom_id(3, 0)], g(A, 1))  # a detached piece of A001
    PlanRepository(store).create_plan("断开", broken, author="setup")
    store.close()


def test_tables_of_the_page_are_chinese(tmp_path, monkeypatch):
    """Checks, versions and audit tables: Chinese headers and values, no raw names or English."""
    _store_a_plan_with_a_detached_piece(tmp_path, monkeypatch)
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    at.multiselect(key="pl_atoms").set_value([atom_id(0, 0)])
    at.selectbox(key="pl_target").set_value(g(A, 2))
    _run(at)
    _click(at, "pl_move")
    assert any(s.value == "✓ 已移动单元" for s in at.success)
    frames = {tuple(f.value.columns): f.value for f in at.dataframe}
    checks = next(f for cols, f in frames.items() if "规则" in cols)
    assert list(checks.columns) == ["#", "规则", "级别", "网格", "说明"]
    assert set(checks["规则"]) <= {"网格不连通", "户数低于下限", "户数超过上限"} and "错误" in set(checks["级别"])
    assert all("分成" in m or "下限" in m or "上限" in m for m in checks["说明"])
    versions = next(f for cols, f in frames.items() if "版本" in cols and "保存时间" in cols)
    assert "None" not in versions.to_string() and "nan" not in versions.to_string()
    english = ("rule", "severity", "message", "move_atoms", "grid set", "version", "households")
    shown = " ".join([*(c.value for c in at.caption), *(m.value for m in at.markdown),
                      *(" ".join(map(str, f.columns)) for f in at.dataframe)])
    assert not [w for w in english if w in shown], shown


def test_empty_store_offers_to_start_a_plan(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    assert any("还没有方案" in i.value for i in at.info)
    assert at.button(key="pl_create") is not None and at.radio(key="pl_new_start").options == ["现有网格", "自动划分方案"]


def test_an_issue_is_listed_and_navigable_on_the_map(tmp_path, monkeypatch):
    _store_a_plan_with_a_detached_piece(tmp_path, monkeypatch)
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    assert any("1 个错误" in c.value for c in at.caption)
    _click(at, "pl_locate")
    lat, lon, zoom = at.session_state["pl_view"]
    assert zoom == 17 and 22.746 < lat < 22.747 and 113.900 < lon < 113.901  # on atom r3c0
    assert at.session_state["pl_grid"] == g(A, 1)


def test_start_a_second_plan_from_the_sidebar(plan_store, monkeypatch):
    import gridgeo.plan.start as start

    repo, pid = plan_store
    # the default atlas's partition takes half a minute; here the starting plan is the lattice
    monkeypatch.setattr(start, "default_start_plan", lambda which, store=None: lattice_plan())
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    at.text_input(key="pl_new_name").input("第二方案")
    _click(at, "pl_create")
    plans = repo.list_plans()
    assert plans["name"].tolist() == ["格子", "第二方案"]
    assert at.selectbox(key="pl_plan").value == int(plans["id"].iloc[-1])
    assert repo.audit(int(plans["id"].iloc[-1]))["detail"].iloc[0]["source"] == "current"


def test_a_grid_set_published_since_the_base_warns_and_rebases(plan_store, monkeypatch):
    """Someone publishes after the plan's base: the page warns (publishing would be refused) and
    rebases: a new plan on the current grids with the saved edits re-applied, no warning then."""
    import gridgeo.plan.start as start
    from gridgeo.plan.repository import export_grids

    repo, _ = plan_store
    monkeypatch.setattr(start, "default_start_plan", lambda which, store=None: lattice_plan())
    repo.store.publish_grid_set(export_grids(lattice_plan()), author="setup", comment="第一版")
    pid, _ = repo.create_plan("基于第一版", lattice_plan(), author="setup")  # the page opens the newest plan
    renamed = ops.rename_grid(repo.load(pid)[0], g(A, 1), "改过的名字")
    repo.save_version(pid, renamed, author="setup", base_version=1,
                      edits=[ops.Edit("rename_grid", {"grid": g(A, 1), "name": "改过的名字"})])
    base = repo.base_grid_set(pid)
    repo.store.publish_grid_set(export_grids(lattice_plan()), author="other", comment="别人发布")
    at = _run(AppTest.from_file(PAGE, default_timeout=120))
    current = repo.store.current_version()
    assert any(f"第 {base} 版网格" in w.value and f"第 {current} 版网格" in w.value for w in at.warning)
    assert at.button(key="pl_base_restart").label == "从新网格重新开始"
    _click(at, "pl_base_rebase")
    plans = repo.list_plans()
    new = int(plans["id"].iloc[-1])
    assert new != pid and at.selectbox(key="pl_plan").value == new
    assert repo.base_grid_set(new) == current
    assert repo.load(new)[0].grids.at[g(A, 1), "name"] == "改过的名字"
    assert not [w for w in at.warning if "版网格" in w.value]
    assert any(f"方案 {new}" in s.value for s in at.success)
