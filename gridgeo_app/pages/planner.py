"""网格调整 Grid editor: planners redraw grids on the map, every rule checked as they go.

Pick a saved plan (or start one from the current grids or the partition's proposal), choose a
community and paint, erase and select atoms on the in-browser map (gridgeo_app/plan_editor: brush,
legacy-grid brush, eraser, box select, split line, undo/redo, a live household balance), or pick
them in the list and move them, paint a whole legacy grid, merge, split, rename, assign staff,
lock. Figures and integrity warnings follow every edit; undo/redo cover the
session; the pending-changes view shows what the session does against the saved version.
A grid set published after the plan's base (pushed by the change stream, GRIDGEO_API_URL) shows
a warning with the choice to rebase the plan on the new grids or start again.
Save a version (refused when someone saved meanwhile: reload and re-apply), diff versions,
publish one as the current grid set, export, read the audit log. Only gridgeo.plan functions
do the work.
"""

from __future__ import annotations

import streamlit as st

from gridgeo.access import Action
from gridgeo.access.roles import in_scope
from gridgeo.errors import GridgeoError
from gridgeo.i18n import render, translator
from gridgeo.plan import ops
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.history import EditHistory
from gridgeo.plan.integrity import validate
from gridgeo.plan.repository import PlanRepository, export_crosswalk, export_grids
from gridgeo_app import context as common
from gridgeo_app import plan_panels as panels
from gridgeo_app.editor import consume, editor_map
from gridgeo_app.layers.plan import diff_map
from gridgeo_app.live_feed import follow_changes
from gridgeo_app.map_render import st_folium_cached
from gridgeo_app.scope import scopes
from gridgeo_app.screen import frame_css, scroll_box, use_screen
from gridgeo_app.session import may, not_allowed_text, signed_in

L = common.lang()
tr = translator(L)
# the editor fills the height the title row leaves (gridgeo_app.screen)
use_screen(frame_css("pl_editor", "4rem"), scroll_box("pl_side", "1rem"))
top = st.columns([2, 0.7, 0.7, 4], vertical_alignment="center")  # title, undo, redo, the session's state
top[0].title(tr("pl_title"))


@st.cache_resource(show_spinner=False)
def repository(url: str) -> PlanRepository:
    """One plan repository per store URL and server process."""
    from gridgeo.services.workspace import open_store

    return PlanRepository(open_store(url))


def _url() -> str:
    from gridgeo.store import default_url

    return default_url()


repo = repository(_url())
if signed_in() is None:  # open mode (no accounts yet): the author is whatever is typed
    author = st.sidebar.text_input(tr("pl_author"), value=st.session_state.get("pl_author_default", "规划员"),
                                   key="pl_author").strip() or "规划员"
else:  # with accounts every save and publish is attributed to the logged-in identity
    author = signed_in().actor


def create_form(expanded: bool) -> None:
    with st.expander(tr("pl_new_plan"), expanded=expanded):
        name = st.text_input(tr("pl_plan_name"), value="网格调整方案", key="pl_new_name")
        start = st.radio(tr("pl_start_from"), ["current", "proposal"], key="pl_new_start", horizontal=True,
                         format_func=lambda k: tr(f"pl_start_{k}"))
        if not may(Action.WRITE_PLANS):
            st.info(not_allowed_text(Action.WRITE_PLANS, L))
        elif st.button(tr("pl_create"), key="pl_create"):
            from gridgeo.plan.start import default_start_plan

            with st.spinner(tr("pl_creating")):
                plan = default_start_plan(start, repo.store)
                pid, _ = repo.create_plan(name, plan, author=author, source=start)
            st.session_state["pl_plan_next"] = pid  # applied before the plan selector is drawn
            st.session_state.pop("pl_session", None)
            st.rerun()


plans = repo.list_plans()
if plans.empty:
    st.info(tr("pl_no_plan"))
    create_form(True)
    st.stop()

plan_ids = plans["id"].astype(int).tolist()
if "pl_plan_next" in st.session_state:
    st.session_state["pl_plan"] = st.session_state.pop("pl_plan_next")
if st.session_state.get("pl_plan") not in plan_ids:
    st.session_state["pl_plan"] = plan_ids[-1]
names = plans.set_index("id")
plan_id = st.sidebar.selectbox(tr("pl_plan"), plan_ids, key="pl_plan",
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
stroke = consume(history, L)  # what the map sent since the last run: applied before anything reads the plan


def apply(op: str, **params) -> None:
    """Apply one edit to the session; a refused edit shows its reason and changes nothing."""
    try:
        history.apply(ops.Edit(op, params))
        st.session_state["pl_notice"] = ("success", tr("pl_op_done").format(op=panels.op_name(op, L)))
    except GridgeoError as exc:
        st.session_state["pl_notice"] = ("error", render(exc, L))


def on_click(op: str, clear: bool = False, **widgets: str) -> None:
    """A page button's edit, in its on_click callback: ``op`` with each parameter read from the
    widget named (its value as clicked, also when it changed with the click); ``clear`` empties
    the atom selection afterwards (the atoms moved or split off)."""
    consume(history, L)  # first what the map sent with the click (its selection, a drawn line, strokes)
    params = {name: st.session_state.get(key) for name, key in widgets.items()}
    if "atom_ids" in params:
        params["atom_ids"] = list(params["atom_ids"] or [])
    apply(op, **params)
    if clear:
        st.session_state["pl_clear"] = True


def split_by_line() -> None:
    """Split the focus grid along the line drawn on the map (or say that none is drawn)."""
    consume(history, L)  # the line may come with the click
    if st.session_state.get("pl_line"):
        apply("split_grid", grid=st.session_state.get("pl_grid"), line=[list(p) for p in st.session_state["pl_line"]])
        st.session_state.pop("pl_line", None)
    else:
        st.session_state["pl_notice"] = ("error", tr("pl_no_line"))


# ---- top bar: undo/redo and the session's state. The page's edit buttons act in their on_click
# callback, before the script runs: one run draws the edited plan (no second run after st.rerun)
def step(forward: bool) -> None:
    """Undo (or redo) one edit, after what the map sent with the click."""
    consume(history, L)
    if forward and history.can_redo:
        history.redo()
    elif not forward and history.can_undo:
        history.undo()


top[1].button(tr("pl_undo"), key="pl_undo", disabled=not history.can_undo, on_click=step, args=(False,))
top[2].button(tr("pl_redo"), key="pl_redo", disabled=not history.can_redo, on_click=step, args=(True,))
top[3].caption(tr("pl_edits").format(n=len(history.edits), v=sess["base_version"]))
with top[3]:  # a grid set published meanwhile (pushed by the change stream) reruns the page: the warning below
    follow_changes("pl_feed", ("grid_set",), L)

plan = history.current
# a planner scoped to a territory edits only its communities' grids (gridgeo.access's rule)
communities = sorted(c for c in set(plan.atoms.community) if in_scope(scopes(), str(c)))
if not communities:
    st.info(tr("pl_no_community_in_scope"))
    st.stop()
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

col_map, col_side = st.columns([8, 1.5])  # the side tabs: a narrow column, the map the rest
with col_map, st.container(key="pl_editor"):
    editor_map(plan, plan_id, community, comm_names.get(community, community), history, comm_issues, focus, L,
               view=st.session_state.get("pl_view"))


def grid_label(code: str) -> str:
    if code not in figs_all.index:
        return code
    row = figs_all.loc[code]
    lock = " 🔒" if row["locked"] else ""
    return f"{code[-3:]} · {row['name']} · {row['households']:.0f}{lock}"


with col_side, st.container(key="pl_side"):  # scrolls by itself: the page does not
    # the last edit's outcome, above the tabs (in view); the slot is always there, so the tabs keep
    # their place in the page and the chosen tab stays open after a rerun
    slot, notice = st.empty(), st.session_state.pop("pl_notice", None)
    if notice:
        (slot.success if notice[0] == "success" else slot.error)(notice[1])
    with st.empty().container():  # always there too: a grid set published since the plan's base
        panels.base_changed_panel(repo, plan_id, str(names.at[plan_id, "name"]), sess, history, author,
                                  may(Action.WRITE_PLANS), L)
    t_edit, t_figs, t_issues, t_versions = st.tabs([tr("pl_tab_edit"), tr("pl_tab_figures"), tr("pl_tab_issues"),
                                                    tr("pl_tab_versions")])
    with t_edit:
        st.multiselect(tr("pl_atoms"), comm_atoms, key="pl_atoms", placeholder=tr("pl_pick_atoms"),
                       format_func=lambda a: f"{a} · {str(grid_of.get(a) or '')[-3:]} · "
                                             f"{plan.atoms.counts[plan.atoms.position[a], 0]:.0f}")
        target = st.selectbox(tr("pl_target"), comm_grids, key="pl_target", format_func=grid_label)
        if st.session_state["pl_atoms"] and target:
            try:  # the pending change of this batch, before it is applied
                pending = ops.preview(plan, [ops.Edit("move_atoms", {"atom_ids": list(st.session_state["pl_atoms"]),
                                                                     "to_grid": target})],
                                      issues_before=issues)
                after = pending.figures_after
                parts = [f"{c[-3:]}: {pending.figures_before.at[c, 'households']:.0f} → "
                         f"{after.at[c, 'households']:.0f} ({panels.size_word(after.at[c, 'size_status'], L)})"
                         for c in after.index if c in pending.figures_before.index]
                new_errors = [i for i in pending.new_issues if i.severity == "error"]
                st.caption(tr("pl_preview") + " · ".join(parts) +
                           (f" · ⚠ {len(new_errors)} {tr('pl_new_errors')}" if new_errors else ""))
            except GridgeoError as exc:
                st.caption(f"⚠ {exc}")
        st.button(tr("pl_move"), key="pl_move", type="primary", disabled=not st.session_state["pl_atoms"],
                  on_click=on_click, args=("move_atoms", True), kwargs={"atom_ids": "pl_atoms", "to_grid": "pl_target"})
        if plan.atoms.legacy_layers:
            with st.expander(tr("pl_brush")):
                layer = st.selectbox(tr("pl_layer"), plan.atoms.legacy_layers, key="pl_layer")
                col = plan.atoms.frame[f"legacy_{layer}"][plan.atoms.community == community].dropna().astype(str)
                legacy_code = st.selectbox(tr("pl_legacy_grid"), sorted(col.unique()), key="pl_legacy")
                st.button(tr("pl_paint"), key="pl_paint", disabled=not legacy_code, on_click=on_click,
                          args=("paint_legacy_grid",),
                          kwargs={"legacy_code": "pl_legacy", "to_grid": "pl_target", "layer": "pl_layer"})
        st.divider()
        focus = st.selectbox(tr("pl_focus_grid"), comm_grids, key="pl_grid", format_func=grid_label)
        if focus:
            row = plan.grids.loc[focus]
            c1, c2 = st.columns(2)
            others = [c for c in comm_grids if c != focus]
            other = c1.selectbox(tr("pl_merge_with"), others, key="pl_merge_b", format_func=grid_label)
            c1.button(tr("pl_merge"), key="pl_merge", disabled=not others, on_click=on_click, args=("merge_grids",),
                      kwargs={"keep": "pl_grid", "absorb": "pl_merge_b"})
            c2.button(tr("pl_split_atoms"), key="pl_split_atoms", disabled=not st.session_state["pl_atoms"],
                      on_click=on_click, args=("split_grid", True), kwargs={"grid": "pl_grid", "atom_ids": "pl_atoms"})
            c2.button(tr("pl_split_line"), key="pl_split_line", on_click=split_by_line)
            with st.form(f"pl_attrs_{focus}"):
                name = st.text_input(tr("name"), value=row["name"])
                worker = st.text_input(tr("grid_worker"), value=row["grid_worker"])
                branch = st.text_input(tr("party_branch"), value=row["party_branch"])
                if st.form_submit_button(tr("pl_apply_attrs")):
                    try:
                        if name.strip() and name.strip() != row["name"]:
                            history.apply(ops.Edit("rename_grid", {"grid": focus, "name": name}))
                        if worker.strip() != row["grid_worker"] or branch.strip() != row["party_branch"]:
                            history.apply(ops.Edit("assign_staff", {"grid": focus, "grid_worker": worker,
                                                                    "party_branch": branch}))
                    except PlanEditError as exc:
                        st.session_state["pl_notice"] = ("error", render(exc, L))
                    st.rerun()
            if row["locked"]:
                st.button(tr("pl_unlock"), key="pl_unlock", on_click=on_click, args=("unlock_grid",),
                          kwargs={"grid": "pl_grid"})
            else:
                st.button(tr("pl_lock"), key="pl_lock", on_click=on_click, args=("lock_grid",), kwargs={"grid": "pl_grid"})
        panels.pending_panel(history, L)

    with t_figs:
        panels.figures_panel(plan, figs_all, comm_grids, focus, community, comm_names, L)

    with t_issues:
        panels.issues_panel(issues, comm_issues, comm_grids, L)

    with t_versions:
        comment = st.text_input(tr("pl_comment"), key="pl_comment")
        if may(Action.WRITE_PLANS):  # only planners and admins save or publish
            panels.save_panel(repo, plan_id, sess, history, author, comment, L)
            panels.publish_panel(repo, plan_id, sess, history, author, comment, L)
        else:
            st.info(not_allowed_text(Action.WRITE_PLANS, L))
        versions = repo.versions(plan_id)
        st.markdown(f"**{tr('pl_versions')}**")
        st.dataframe(panels.versions_table(versions, L), hide_index=True, height=180)
        panels.diff_panel(repo, plan_id, versions["version"].astype(int).tolist(), L,
                          lambda pa, pb, d: st_folium_cached(diff_map(pa, pb, d), key="pl_diff_map", height=360))
        # the files are made only when a button is pressed (deferred data), not on every rerun
        st.download_button(tr("pl_export"), lambda p=plan: export_grids(p).to_json(drop_id=True, ensure_ascii=False),
                           file_name=f"plan{plan_id}_grids.geojson", mime="application/geo+json", key="pl_export",
                           on_click="ignore")
        if plan.atoms.legacy_layers:
            st.download_button(tr("pl_export_cw"),
                               lambda p=plan: export_crosswalk(p).to_csv(index=False).encode("utf-8-sig"),
                               file_name=f"plan{plan_id}_crosswalk.csv", mime="text/csv", key="pl_export_cw",
                               on_click="ignore")
        with st.expander(tr("pl_audit")):
            st.dataframe(panels.audit_table(repo.audit(plan_id), L), hide_index=True, height=200)
