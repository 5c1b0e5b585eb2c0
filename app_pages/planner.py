"""网格调整 Grid editor: planners redraw grids on the map, every rule checked as they go.

Pick a saved plan (or start one from the current grids or the partition's proposal), choose a
community, select atoms by clicking them on the map, by a drawn polygon or in the list, and
move them, paint a whole legacy grid, merge, split (picked atoms or a drawn line), rename,
assign staff, lock. Figures and integrity warnings follow every edit; undo/redo cover the
session; the pending-changes view shows what the session does against the saved version.
Save a version (refused when someone saved meanwhile: reload and re-apply), diff versions,
publish one as the current grid set, export, read the audit log. Only gridgeo.plan functions
do the work.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.fastmap import st_folium_cached
from app_pages.plan_editor import consume, editor_map
from gridgeo.errors import GridgeoError
from gridgeo.plan import ops
from gridgeo.plan.diff import diff_plans
from gridgeo.plan.errors import PlanEditError, StaleVersionError
from gridgeo.plan.figures import community_balance, grid_figures, summary
from gridgeo.plan.history import EditHistory
from gridgeo.plan.integrity import RULE_LABELS, validate
from gridgeo.plan.mapview import diff_map
from gridgeo.plan.repository import ACCEPTABLE_RULES, PlanRepository, export_crosswalk, export_grids

S = {
    "title": {"zh": "网格调整", "en": "Grid editor"},
    "no_plan": {"zh": "还没有方案。请从现有网格或自动划分方案新建一个。",
                "en": "No plan yet. Start one from the current grids or from the partition's proposal."},
    "new_plan": {"zh": "新建方案", "en": "New plan"},
    "plan_name": {"zh": "方案名称", "en": "Plan name"},
    "start_from": {"zh": "起点", "en": "Start from"},
    "start_current": {"zh": "现有网格", "en": "Current grids"},
    "start_proposal": {"zh": "自动划分方案", "en": "Partition proposal"},
    "create": {"zh": "创建", "en": "Create"},
    "creating": {"zh": "正在生成单元（首次约半分钟）…", "en": "Building atoms (about half a minute the first time)…"},
    "plan": {"zh": "方案", "en": "Plan"},
    "author": {"zh": "操作人", "en": "Your name"},
    "community": {"zh": "社区", "en": "Community"},
    "undo": {"zh": "撤销", "en": "Undo"},
    "redo": {"zh": "重做", "en": "Redo"},
    "edits": {"zh": "本次未保存的编辑：{n} 步（基于第 {v} 版）",
              "en": "Unsaved edits this session: {n} (based on version {v})"},
    "tab_edit": {"zh": "编辑", "en": "Edit"},
    "tab_figures": {"zh": "指标", "en": "Figures"},
    "tab_issues": {"zh": "检查", "en": "Checks"},
    "tab_versions": {"zh": "版本", "en": "Versions"},
    "atoms": {"zh": "所选单元", "en": "Selected atoms"},
    "atom_id": {"zh": "单元", "en": "Atom"},
    "grid": {"zh": "网格", "en": "Grid"},
    "households": {"zh": "户数", "en": "Households"},
    "population": {"zh": "人口", "en": "Population"},
    "pick_atoms": {"zh": "在地图上点选或圈选，或在此选择", "en": "Click or lasso on the map, or pick here"},
    "preview": {"zh": "预览：", "en": "Preview: "},
    "new_errors": {"zh": "个新问题", "en": "new problem(s)"},
    "units": {"zh": "基础单元（小区、城中村、园区）", "en": "Basic units (compounds, villages, parks)"},
    "target": {"zh": "目标网格", "en": "Target grid"},
    "move": {"zh": "移入目标网格", "en": "Move to target grid"},
    "brush": {"zh": "整格刷入（按原有网格）", "en": "Coarse brush (a whole legacy grid)"},
    "layer": {"zh": "原有网格图层", "en": "Legacy layer"},
    "legacy_grid": {"zh": "原有网格", "en": "Legacy grid"},
    "paint": {"zh": "刷入目标网格", "en": "Paint into target grid"},
    "focus_grid": {"zh": "当前网格", "en": "Current grid"},
    "merge_with": {"zh": "并入当前网格的相邻网格", "en": "Adjacent grid to merge into the current grid"},
    "merge": {"zh": "合并", "en": "Merge"},
    "split_atoms": {"zh": "用所选单元拆出新网格", "en": "Split off the selected atoms"},
    "split_line": {"zh": "按地图上画的线拆分", "en": "Split along the line drawn on the map"},
    "no_line": {"zh": "请先在地图上画一条穿过网格的线。", "en": "Draw a line across the grid on the map first."},
    "name": {"zh": "名称", "en": "Name"},
    "grid_worker": {"zh": "网格员", "en": "Grid worker"},
    "party_branch": {"zh": "党支部", "en": "Party branch"},
    "apply_attrs": {"zh": "保存名称与人员", "en": "Apply name and staff"},
    "lock": {"zh": "锁定", "en": "Lock"},
    "unlock": {"zh": "解锁", "en": "Unlock"},
    "locked": {"zh": "已锁定", "en": "Locked"},
    "pending": {"zh": "待保存的变化（相对已保存版本）", "en": "Pending changes (against the saved version)"},
    "no_pending": {"zh": "没有未保存的变化。", "en": "No unsaved changes."},
    "n_atoms": {"zh": "单元数", "en": "Atoms"},
    "bal_grids": {"zh": "网格数", "en": "Grids"}, "bal_households": {"zh": "户数", "en": "Households"},
    "bal_population": {"zh": "人口", "en": "Population"},
    "bal_mean_households": {"zh": "平均每格户数", "en": "Mean households per grid"},
    "bal_min_households": {"zh": "最少户数", "en": "Fewest households"},
    "bal_max_households": {"zh": "最多户数", "en": "Most households"},
    "bal_cv_households": {"zh": "户数离散系数", "en": "Coefficient of variation"},
    "bal_share_within_band": {"zh": "规模适中占比", "en": "Share within the band"},
    "grid_figures": {"zh": "本社区网格指标", "en": "Grids of this community"},
    "balance": {"zh": "社区均衡", "en": "Community balance"},
    "compactness": {"zh": "紧凑度", "en": "Compactness"},
    "status": {"zh": "规模", "en": "Size"},
    "ok": {"zh": "适中", "en": "ok"}, "under_min": {"zh": "偏小", "en": "too small"},
    "over_max": {"zh": "偏大", "en": "too big"}, "empty": {"zh": "空", "en": "empty"},
    "issues_none": {"zh": "全部检查通过。", "en": "Every check passes."},
    "issues_count": {"zh": "{e} 个错误，{w} 个提醒（全区）", "en": "{e} errors, {w} warnings (whole plan)"},
    "locate": {"zh": "在地图上定位", "en": "Show on the map"},
    "comment": {"zh": "说明", "en": "Comment"},
    "save": {"zh": "保存为新版本", "en": "Save as a new version"},
    "saved": {"zh": "已保存为第 {v} 版。", "en": "Saved as version {v}."},
    "reload": {"zh": "载入最新版本并重放我的编辑", "en": "Reload the latest version and re-apply my edits"},
    "reloaded": {"zh": "已在第 {v} 版上重放 {n} 步编辑，请检查后再保存。",
                 "en": "Re-applied {n} edits on version {v}; check and save again."},
    "versions": {"zh": "版本列表", "en": "Versions"},
    "diff": {"zh": "版本对比", "en": "Compare versions"},
    "publish": {"zh": "发布为现行网格", "en": "Publish as the current grids"},
    "published": {"zh": "已发布：现行网格集第 {gs} 版。新事件按新网格归属，历史事件保留原网格。",
                  "en": "Published as grid set version {gs}. New events use it; past events keep their grid."},
    "accept": {"zh": "接受以下例外发布（须在“说明”中写明理由）",
               "en": "Publish accepting these failures (say why in the comment)"},
    "export": {"zh": "导出当前方案网格（GeoJSON）", "en": "Export the plan's grids (GeoJSON)"},
    "export_cw": {"zh": "导出与原有网格的对应表（CSV）", "en": "Export the crosswalk from the legacy grids (CSV)"},
    "audit": {"zh": "操作日志", "en": "Audit log"},
    "summary": {"zh": "全区：{g} 个网格，{h:,.0f} 户，{s:.0%} 在规模范围内",
                "en": "Whole plan: {g} grids, {h:,.0f} households, {s:.0%} within the size band"},
}


def tr(key: str) -> str:
    entry = S.get(key)
    return entry.get(L, entry["zh"]) if entry else key


L = common.lang()
st.title(tr("title"))


@st.cache_resource(show_spinner=False)
def repository(url: str) -> PlanRepository:
    """One plan repository per store URL and server process."""
    from gridgeo.store import open_store

    return PlanRepository(open_store(url))


def _url() -> str:
    from gridgeo.store import default_url

    return default_url()


repo = repository(_url())
author = st.sidebar.text_input(tr("author"), value=st.session_state.get("pl_author_default", "规划员"),
                               key="pl_author").strip() or "规划员"


def create_form(expanded: bool) -> None:
    with st.expander(tr("new_plan"), expanded=expanded):
        name = st.text_input(tr("plan_name"), value="网格调整方案", key="pl_new_name")
        start = st.radio(tr("start_from"), ["current", "proposal"], key="pl_new_start", horizontal=True,
                         format_func=lambda k: tr(f"start_{k}"))
        if st.button(tr("create"), key="pl_create"):
            from gridgeo.plan.start import default_start_plan

            with st.spinner(tr("creating")):
                plan = default_start_plan(start, repo.store)
                pid, _ = repo.create_plan(name, plan, author=author, source=start)
            st.session_state["pl_plan_next"] = pid  # applied before the plan selector is drawn
            st.session_state.pop("pl_session", None)
            st.rerun()


plans = repo.list_plans()
if plans.empty:
    st.info(tr("no_plan"))
    create_form(True)
    st.stop()

plan_ids = plans["id"].astype(int).tolist()
if "pl_plan_next" in st.session_state:
    st.session_state["pl_plan"] = st.session_state.pop("pl_plan_next")
if st.session_state.get("pl_plan") not in plan_ids:
    st.session_state["pl_plan"] = plan_ids[-1]
names = plans.set_index("id")
plan_id = st.sidebar.selectbox(tr("plan"), plan_ids, key="pl_plan",
                               format_func=lambda i: f"{i} · {names.at[i, 'name']} · v{names.at[i, 'head_version']}")
with st.sidebar:
    create_form(False)


def load_session(pid: int, version: int | None = None) -> dict:
    plan, info = repo.load(pid, version)
    sess = {"plan_id": pid, "base_version": info.version, "history": EditHistory(plan)}
    st.session_state["pl_session"] = sess
    return sess


sess = st.session_state.get("pl_session")
if sess is None or sess["plan_id"] != plan_id:
    sess = load_session(plan_id)
history: EditHistory = sess["history"]
stroke = consume(history)  # what the map sent since the last run: applied before anything reads the plan


def apply(op: str, **params) -> None:
    """Apply one edit to the session; a refused edit shows its reason and changes nothing."""
    try:
        history.apply(ops.Edit(op, params))
        st.session_state["pl_notice"] = ("success", f"✓ {op}")
    except GridgeoError as exc:
        st.session_state["pl_notice"] = ("error", str(exc))


# ---- top bar: undo/redo and the session's state
bar = st.columns([1, 1, 6])
if bar[0].button(tr("undo"), key="pl_undo", disabled=not history.can_undo):
    history.undo()
    st.rerun()
if bar[1].button(tr("redo"), key="pl_redo", disabled=not history.can_redo):
    history.redo()
    st.rerun()
bar[2].caption(tr("edits").format(n=len(history.edits), v=sess["base_version"]))

plan = history.current
communities = sorted(set(plan.atoms.community))
comm_names = dict(zip(common.atlas().communities["code"], common.atlas().communities["name"], strict=False))
if st.session_state.get("pl_community") not in communities:
    st.session_state["pl_community"] = communities[0]
community = st.sidebar.selectbox(tr("community"), communities, key="pl_community",
                                 format_func=lambda c: f"{comm_names.get(c, '')} {c}".strip())

# ---- selection: map clicks and drawn shapes feed the atom list before it is drawn
comm_atoms = [str(a) for a in plan.atoms.ids[plan.atoms.community == community]]
labels_now = plan.labels()
grid_of = {a: labels_now[plan.atoms.position[a]] for a in comm_atoms}
if st.session_state.pop("pl_clear", False):
    st.session_state["pl_atoms"] = []
selected = [a for a in st.session_state.get("pl_atoms", []) if a in grid_of]
st.session_state["pl_atoms"] = selected

issues = stroke.issues if stroke is not None and stroke.issues is not None else validate(plan)
figs_all = stroke.figures if stroke is not None and stroke.figures is not None else grid_figures(plan)
comm_grids = [c for c in figs_all.index if figs_all.at[c, "community_code"] == community and figs_all.at[c, "atoms"] > 0]
if "pl_grid_next" in st.session_state:
    st.session_state["pl_grid"] = st.session_state.pop("pl_grid_next")
if st.session_state.get("pl_grid") not in comm_grids and comm_grids:
    st.session_state["pl_grid"] = comm_grids[0]
focus = st.session_state.get("pl_grid")
comm_issues = [i for i in issues if i.grid in set(comm_grids) or (i.atom in grid_of)]

col_map, col_side = st.columns([5, 2])
with col_map:
    editor_map(plan, plan_id, community, comm_names.get(community, community), history, comm_issues, focus, L,
               view=st.session_state.get("pl_view"))
    notice = st.session_state.pop("pl_notice", None)
    if notice:
        (st.success if notice[0] == "success" else st.error)(notice[1])


def grid_label(code: str) -> str:
    if code not in figs_all.index:
        return code
    row = figs_all.loc[code]
    lock = " 🔒" if row["locked"] else ""
    return f"{code[-3:]} · {row['name']} · {row['households']:.0f}{lock}"


with col_side:
    t_edit, t_figs, t_issues, t_versions = st.tabs([tr("tab_edit"), tr("tab_figures"), tr("tab_issues"),
                                                    tr("tab_versions")])
    with t_edit:
        st.multiselect(tr("atoms"), comm_atoms, key="pl_atoms", placeholder=tr("pick_atoms"),
                       format_func=lambda a: f"{a} · {str(grid_of.get(a) or '')[-3:]} · "
                                             f"{plan.atoms.counts[plan.atoms.position[a], 0]:.0f}")
        target = st.selectbox(tr("target"), comm_grids, key="pl_target", format_func=grid_label)
        if st.session_state["pl_atoms"] and target:
            try:  # the pending change of this batch, before it is applied
                pending = ops.preview(plan, [ops.Edit("move_atoms", {"atom_ids": list(st.session_state["pl_atoms"]),
                                                                     "to_grid": target})],
                                      issues_before=issues)
                after = pending.figures_after
                parts = [f"{c[-3:]}: {pending.figures_before.at[c, 'households']:.0f} → "
                         f"{after.at[c, 'households']:.0f} ({tr(after.at[c, 'size_status'])})"
                         for c in after.index if c in pending.figures_before.index]
                new_errors = [i for i in pending.new_issues if i.severity == "error"]
                st.caption(tr("preview") + " · ".join(parts) +
                           (f" · ⚠ {len(new_errors)} {tr('new_errors')}" if new_errors else ""))
            except GridgeoError as exc:
                st.caption(f"⚠ {exc}")
        if st.button(tr("move"), key="pl_move", type="primary", disabled=not st.session_state["pl_atoms"]):
            apply("move_atoms", atom_ids=list(st.session_state["pl_atoms"]), to_grid=target)
            st.session_state["pl_clear"] = True
            st.rerun()
        if plan.atoms.legacy_layers:
            with st.expander(tr("brush")):
                layer = st.selectbox(tr("layer"), plan.atoms.legacy_layers, key="pl_layer")
                col = plan.atoms.frame[f"legacy_{layer}"][plan.atoms.community == community].dropna().astype(str)
                legacy_code = st.selectbox(tr("legacy_grid"), sorted(col.unique()), key="pl_legacy")
                if st.button(tr("paint"), key="pl_paint") and legacy_code:
                    apply("paint_legacy_grid", legacy_code=legacy_code, to_grid=target, layer=layer)
                    st.rerun()
        st.divider()
        focus = st.selectbox(tr("focus_grid"), comm_grids, key="pl_grid", format_func=grid_label)
        if focus:
            row = plan.grids.loc[focus]
            c1, c2 = st.columns(2)
            others = [c for c in comm_grids if c != focus]
            other = c1.selectbox(tr("merge_with"), others, key="pl_merge_b", format_func=grid_label)
            if c1.button(tr("merge"), key="pl_merge", disabled=not others):
                apply("merge_grids", keep=focus, absorb=other)
                st.rerun()
            if c2.button(tr("split_atoms"), key="pl_split_atoms", disabled=not st.session_state["pl_atoms"]):
                apply("split_grid", grid=focus, atom_ids=list(st.session_state["pl_atoms"]))
                st.session_state["pl_clear"] = True
                st.rerun()
            if c2.button(tr("split_line"), key="pl_split_line"):
                if st.session_state.get("pl_line"):
                    apply("split_grid", grid=focus, line=[list(p) for p in st.session_state["pl_line"]])
                    st.session_state.pop("pl_line", None)
                else:
                    st.session_state["pl_notice"] = ("error", tr("no_line"))
                st.rerun()
            with st.form(f"pl_attrs_{focus}"):
                name = st.text_input(tr("name"), value=row["name"])
                worker = st.text_input(tr("grid_worker"), value=row["grid_worker"])
                branch = st.text_input(tr("party_branch"), value=row["party_branch"])
                if st.form_submit_button(tr("apply_attrs")):
                    try:
                        if name.strip() and name.strip() != row["name"]:
                            history.apply(ops.Edit("rename_grid", {"grid": focus, "name": name}))
                        if worker.strip() != row["grid_worker"] or branch.strip() != row["party_branch"]:
                            history.apply(ops.Edit("assign_staff", {"grid": focus, "grid_worker": worker,
                                                                    "party_branch": branch}))
                    except PlanEditError as exc:
                        st.session_state["pl_notice"] = ("error", str(exc))
                    st.rerun()
            if row["locked"]:
                if st.button(tr("unlock"), key="pl_unlock"):
                    apply("unlock_grid", grid=focus)
                    st.rerun()
            elif st.button(tr("lock"), key="pl_lock"):
                apply("lock_grid", grid=focus)
                st.rerun()
        with st.expander(tr("pending"), expanded=False):
            if not history.edits:
                st.caption(tr("no_pending"))
            else:
                d = diff_plans(history.base, plan)
                st.write({k: v for k, v in d.summary.items() if v})
                st.dataframe(d.grids[d.grids["status"] != "unchanged"], height=200)
                st.caption(" → ".join(e.op for e in history.edits))

    with t_figs:
        s = summary(plan, figs_all)
        st.caption(tr("summary").format(g=s["grids"], h=s["households"], s=s["share_within_band"]))
        if focus in figs_all.index:
            fr = figs_all.loc[focus]
            m1, m2, m3 = st.columns(3)
            m1.metric(tr("households"), f"{fr['households']:.0f}")
            m2.metric(tr("population"), f"{fr['population']:.0f}")
            m3.metric(tr("compactness"), f"{fr['polsby_popper']:.2f}")
        table = figs_all.loc[comm_grids, ["name", "atoms", "households", "population", "polsby_popper", "size_status"]]
        table = table.assign(households=table["households"].round(0).astype(int),
                             population=table["population"].round(0).astype(int),
                             polsby_popper=table["polsby_popper"].round(2),
                             size_status=table["size_status"].map(tr))
        table.index = [c[-3:] for c in table.index]
        st.markdown(f"**{tr('grid_figures')}**")
        st.table(table.rename(columns={"name": tr("name"), "atoms": tr("n_atoms"), "households": tr("households"),
                                       "population": tr("population"), "polsby_popper": tr("compactness"),
                                       "size_status": tr("status")}))
        bal = community_balance(plan, figs_all)
        if community in bal.index:
            st.markdown(f"**{tr('balance')}**")
            shown_bal = bal.loc[[community]].T.rename(columns={community: comm_names.get(community, community)})
            shown_bal.index = [tr(f"bal_{k}") for k in shown_bal.index]
            st.table(shown_bal.map(lambda v: f"{v:,.2f}".rstrip("0").rstrip(".")))

    with t_issues:
        n_err = sum(i.severity == "error" for i in issues)
        st.caption(tr("issues_count").format(e=n_err, w=len(issues) - n_err))
        if not comm_issues:
            st.success(tr("issues_none"))
        else:
            frame = pd.DataFrame([{"#": k, "rule": RULE_LABELS.get(i.rule, i.rule) if L == "zh" else i.rule,
                                   "severity": i.severity, "grid": i.grid, "message": i.message}
                                  for k, i in enumerate(comm_issues)])
            st.dataframe(frame, hide_index=True, height=220)
            k = st.selectbox(tr("locate"), list(range(len(comm_issues))), key="pl_issue",
                             format_func=lambda k: f"{k} · {comm_issues[k].message[:60]}")
            if st.button(tr("locate"), key="pl_locate"):
                i = comm_issues[k]
                if i.lat is not None:
                    st.session_state["pl_view"] = (i.lat, i.lon, 17)
                    if i.grid in comm_grids:
                        st.session_state["pl_grid_next"] = i.grid
                st.rerun()

    with t_versions:
        comment = st.text_input(tr("comment"), key="pl_comment")
        if st.button(tr("save"), key="pl_save", type="primary", disabled=not history.edits):
            try:
                v = repo.save_version(plan_id, plan, author=author, base_version=sess["base_version"],
                                      comment=comment, edits=history.edits)
                st.session_state["pl_session"] = {"plan_id": plan_id, "base_version": v, "history": EditHistory(plan)}
                st.session_state["pl_notice"] = ("success", tr("saved").format(v=v))
                st.session_state.pop("pl_stale", None)
            except StaleVersionError as exc:
                st.session_state["pl_stale"] = str(exc)
            st.rerun()
        if st.session_state.get("pl_stale"):
            st.error(st.session_state["pl_stale"])
            if st.button(tr("reload"), key="pl_reload"):
                latest, info = repo.load(plan_id)
                try:
                    history.rebase(latest)
                    sess["base_version"] = info.version
                    st.session_state["pl_notice"] = ("success", tr("reloaded").format(v=info.version,
                                                                                       n=len(history.edits)))
                    st.session_state.pop("pl_stale", None)
                except PlanEditError as exc:
                    st.session_state["pl_notice"] = ("error", str(exc))
                st.rerun()
        versions = repo.versions(plan_id)
        st.markdown(f"**{tr('versions')}**")
        shown = versions.drop(columns=["summary"]).assign(
            households=[(s or {}).get("households") for s in versions["summary"]],
            errors=[(s or {}).get("errors") for s in versions["summary"]])
        st.dataframe(shown, hide_index=True, height=180)
        vlist = versions["version"].astype(int).tolist()
        with st.expander(tr("diff")):
            ca, cb = st.columns(2)
            va = ca.selectbox("A", vlist, index=max(0, len(vlist) - 2), key="pl_diff_a")
            vb = cb.selectbox("B", vlist, index=len(vlist) - 1, key="pl_diff_b")
            if va != vb:
                pa, pb = repo.load(plan_id, va)[0], repo.load(plan_id, vb)[0]
                d = diff_plans(pa, pb)
                st.write(d.summary)
                st.dataframe(d.grids[d.grids["status"] != "unchanged"], height=200)
                st_folium_cached(diff_map(pa, pb, d), key="pl_diff_map", height=360)
        with st.expander(tr("publish")):
            vp = st.selectbox(tr("versions"), vlist, index=len(vlist) - 1, key="pl_pub_version")
            accept = st.multiselect(tr("accept"), sorted(ACCEPTABLE_RULES), key="pl_accept",
                                    format_func=lambda r: RULE_LABELS.get(r, r) if L == "zh" else r)
            if st.button(tr("publish"), key="pl_publish"):
                try:
                    gs = repo.publish(plan_id, vp, author=author, comment=comment, accept_rules=accept)
                    st.session_state["pl_notice"] = ("success", tr("published").format(gs=gs))
                except GridgeoError as exc:
                    st.session_state["pl_notice"] = ("error", str(exc))
                st.rerun()
        # the files are made only when a button is pressed (deferred data), not on every rerun
        st.download_button(tr("export"), lambda p=plan: export_grids(p).to_json(drop_id=True, ensure_ascii=False),
                           file_name=f"plan{plan_id}_grids.geojson", mime="application/geo+json", key="pl_export",
                           on_click="ignore")
        if plan.atoms.legacy_layers:
            st.download_button(tr("export_cw"),
                               lambda p=plan: export_crosswalk(p).to_csv(index=False).encode("utf-8-sig"),
                               file_name=f"plan{plan_id}_crosswalk.csv", mime="text/csv", key="pl_export_cw",
                               on_click="ignore")
        with st.expander(tr("audit")):
            st.dataframe(repo.audit(plan_id), hide_index=True, height=200)
