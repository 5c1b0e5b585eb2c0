"""The grid editor's side panels (网格调整): figures, checks, pending changes, versions and publish.

Helpers of gridgeo_app/pages/planner.py, kept apart from its map. Every string comes from the one
catalogue (gridgeo.i18n, gridgeo/i18n/catalogue/planner.py, keys ``pl_*``); tables show translated
headers and values, never raw column names, "None" or "nan".
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from gridgeo.errors import GridgeoError
from gridgeo.i18n import name_of, render, t
from gridgeo.plan.diff import diff_plans
from gridgeo.plan.errors import PlanEditError, StaleVersionError
from gridgeo.plan.figures import community_balance, summary
from gridgeo.plan.history import EditHistory
from gridgeo.plan.integrity import rule_label
from gridgeo.plan.rebase import base_changed, plan_on_current

# the grid attributes a diff names (gridgeo.plan.diff.ATTRIBUTES) -> their catalogue keys
FIELD_KEYS: dict[str, str] = {"name": "name", "grid_worker": "grid_worker", "party_branch": "party_branch",
                              "locked": "pl_locked"}


def op_name(op: str, lang: str) -> str:
    """An edit operation (gridgeo.plan.ops, ``move_atoms``) in words (``pl_op_<op>``)."""
    return t(f"pl_op_{op}", lang)


def size_word(status: str, lang: str) -> str:
    """A grid's size status (``ok``, ``under_min``, ``over_max``) in words (``pl_size_<status>``)."""
    return name_of("pl_size_", status, lang)


def _cell(value) -> str:
    """A table cell as text: blanks for missing values, minutes for times, no trailing zeros."""
    if value is None or (not isinstance(value, str | dict | list) and pd.isna(value)):
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.2f}"
    return str(value)


def headed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with its columns named from the catalogue (``pl_col_<column>``) and cells as text."""
    out = frame.map(_cell)
    out.columns = [t(f"pl_col_{c}", lang) for c in frame.columns]
    return out


def op_names(edits, lang: str) -> str:
    """The session's edits as translated operation names, in order."""
    return " → ".join(op_name(e.op, lang) for e in edits)


def diff_table(d, lang: str) -> pd.DataFrame:
    """The grids a diff touches, with translated headers and statuses."""
    grids = d.grids[d.grids["status"] != "unchanged"].reset_index()
    grids["status"] = grids["status"].map(lambda s: t(f"pl_diff_{s}", lang))
    grids["fields"] = grids["fields"].map(lambda f: "、".join(t(FIELD_KEYS[x], lang) for x in f.split(",") if x))
    cols = ["code", "name", "status", "households_before", "households_after", "households_change",
            "atoms_in", "atoms_out", "fields"]
    out = headed(grids[cols[2:]], lang)
    out.insert(0, t("name", lang), grids["name"].map(_cell).to_numpy())
    out.insert(0, t("grid", lang), grids["code"].map(_cell).to_numpy())
    return out


def diff_summary(d, lang: str) -> str:
    """One line: grids added, removed, changed, attributes only; atoms and households moved."""
    return t("pl_diff_summary", lang).format(**d.summary)


def figures_panel(plan, figs_all: pd.DataFrame, comm_grids: list[str], focus: str | None, community: str,
                  comm_names: dict, lang: str) -> None:
    """Plan-wide summary, the focused grid, this community's grids and its balance."""
    s = summary(plan, figs_all)
    st.caption(t("pl_summary", lang).format(g=s["grids"], h=s["households"], s=s["share_within_band"]))
    differs = figs_all.loc[comm_grids, "stated_differs"] if comm_grids else pd.Series(dtype=bool)
    if focus in figs_all.index:
        fr = figs_all.loc[focus]
        m1, m2, m3 = st.columns(3)
        m1.metric(t("pl_unit_households", lang) if fr["stated_differs"] else t("households", lang),
                  f"{fr['households']:.0f}")
        if fr["stated_differs"]:
            m1.metric(t("pl_stated_households", lang), f"{fr['stated_households']:.0f}")
        m2.metric(t("population", lang), f"{fr['population']:.0f}")
        m3.metric(t("pl_compactness", lang), f"{fr['polsby_popper']:.2f}")
    cols = ["name", "atoms", "households", *(["stated_households"] if differs.any() else []),
            "population", "polsby_popper", "size_status"]
    table = figs_all.loc[comm_grids, cols].copy()
    table["households"] = table["households"].round(0).astype(int)
    if differs.any():
        table["stated_households"] = [f"{v:.0f}" if d else "" for v, d in
                                      zip(table["stated_households"], differs, strict=True)]
        st.caption(t("pl_stated_differs", lang).format(n=int(differs.sum())))
    table["population"] = table["population"].round(0).astype(int)
    table["polsby_popper"] = table["polsby_popper"].round(2)
    table["size_status"] = table["size_status"].map(lambda k: size_word(k, lang))
    table.index = [c[-3:] for c in table.index]
    names = {"name": t("name", lang), "atoms": t("pl_n_atoms", lang),
             "households": t("pl_unit_households", lang) if differs.any() else t("households", lang),
             "stated_households": t("pl_stated_households", lang), "population": t("population", lang),
             "polsby_popper": t("pl_compactness", lang), "size_status": t("pl_status", lang)}
    st.markdown(f"**{t('pl_grid_figures', lang)}**")
    st.table(table.rename(columns=names))
    bal = community_balance(plan, figs_all)
    if community in bal.index:
        st.markdown(f"**{t('pl_balance', lang)}**")
        shown = bal.loc[[community]].T.rename(columns={community: comm_names.get(community, community)})
        shown.index = [t(f"pl_bal_{k}", lang) for k in shown.index]
        st.table(shown.map(lambda v: f"{v:,.2f}".rstrip("0").rstrip(".")))


def issues_table(issues: list, lang: str) -> pd.DataFrame:
    """The issues with translated rule, severity and message."""
    rows = [{"#": k, t("pl_col_rule", lang): rule_label(i.rule, lang), t("pl_col_severity", lang):
             t(f"pl_sev_{i.severity}", lang), t("pl_col_grid", lang): i.grid or "",
             t("pl_col_message", lang): i.text(lang)} for k, i in enumerate(issues)]
    return pd.DataFrame(rows)


def issues_panel(issues: list, comm_issues: list, comm_grids: list[str], lang: str) -> None:
    """Counts for the whole plan, this community's issues, and locating one on the map."""
    n_err = sum(i.severity == "error" for i in issues)
    st.caption(t("pl_issues_count", lang).format(e=n_err, w=len(issues) - n_err))
    if not comm_issues:
        st.success(t("pl_issues_none", lang))
        return
    st.dataframe(issues_table(comm_issues, lang), hide_index=True, height=220)
    k = st.selectbox(t("pl_locate", lang), list(range(len(comm_issues))), key="pl_issue",
                     format_func=lambda k: f"{k} · {comm_issues[k].text(lang)[:60]}")
    if st.button(t("pl_locate", lang), key="pl_locate"):
        i = comm_issues[k]
        if i.lat is not None:
            st.session_state["pl_view"] = (i.lat, i.lon, 17)
            if i.grid in comm_grids:
                st.session_state["pl_grid_next"] = i.grid
        st.rerun()


def pending_panel(history: EditHistory, lang: str) -> None:
    """What the session's unsaved edits do against the saved version."""
    with st.expander(t("pl_pending", lang), expanded=False):
        if not history.edits:
            st.caption(t("pl_no_pending", lang))
            return
        d = diff_plans(history.base, history.current)
        st.caption(diff_summary(d, lang))
        st.dataframe(diff_table(d, lang), hide_index=True, height=200)
        st.caption(op_names(history.edits, lang))


def versions_table(versions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The saved versions with translated headers (households and errors from their summaries)."""
    shown = versions.drop(columns=["summary"]).assign(
        households=[(s or {}).get("households") for s in versions["summary"]],
        errors=[(s or {}).get("errors") for s in versions["summary"]])
    cols = ["version", "base_version", "author", "created_at", "comment", "households", "errors",
            "published_at", "grid_set_version"]
    return headed(shown[cols], lang)


def audit_table(audit: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit log with translated headers and actions."""
    frame = audit[["at", "actor", "action", "version", "detail"]].copy()
    frame["action"] = frame["action"].map(lambda a: t(f"pl_action_{a}", lang))
    frame["detail"] = frame["detail"].map(lambda d: "; ".join(f"{k}={v}" for k, v in (d or {}).items()
                                                              if v not in (None, "", [], {})))
    return headed(frame, lang)


def save_panel(repo, plan_id: int, sess: dict, history: EditHistory, author: str, comment: str,
               lang: str) -> None:
    """Save the plan on screen as the next version (the button names it); reload when stale."""
    nxt = int(sess["base_version"]) + 1
    if st.button(t("pl_save", lang).format(v=nxt), key="pl_save", type="primary", disabled=not history.edits):
        try:
            v = repo.save_version(plan_id, history.current, author=author, base_version=sess["base_version"],
                                  comment=comment, edits=history.edits)
            st.session_state["pl_session"] = {"plan_id": plan_id, "base_version": v,
                                              "history": EditHistory(history.current)}
            st.session_state["pl_notice"] = ("success", t("pl_saved", lang).format(v=v))
            st.session_state.pop("pl_stale", None)
        except StaleVersionError as exc:
            st.session_state["pl_stale"] = render(exc, lang)
        st.rerun()
    if st.session_state.get("pl_stale"):
        st.error(st.session_state["pl_stale"])
        if st.button(t("pl_reload", lang), key="pl_reload"):
            latest, info = repo.load(plan_id)
            try:
                history.rebase(latest)
                sess["base_version"] = info.version
                st.session_state["pl_notice"] = ("success", t("pl_reloaded", lang).format(v=info.version,
                                                                                         n=len(history.edits)))
                st.session_state.pop("pl_stale", None)
            except PlanEditError as exc:
                st.session_state["pl_notice"] = ("error", render(exc, lang))
            st.rerun()


def publish_panel(repo, plan_id: int, sess: dict, history: EditHistory, author: str, comment: str,
                  lang: str) -> None:
    """Publish exactly the version on screen: first what it changes and which failures would have
    to be accepted (with a reason), then the button that publishes it."""
    v = int(sess["base_version"])
    st.markdown(f"**{t('pl_publish_section', lang)}**")
    if history.edits:
        st.info(t("pl_publish_unsaved", lang).format(n=len(history.edits)))
        return
    st.caption(t("pl_publish_what", lang).format(v=v))
    key = (plan_id, v, repo.store.current_version())
    cached = st.session_state.get("pl_pub_preview")
    if cached is None or cached[0] != key:
        if not st.button(t("pl_publish_check", lang).format(v=v), key="pl_pub_check"):
            return
        st.session_state["pl_pub_preview"] = cached = (key, repo.preview_publish(plan_id, v))
    pv = cached[1]
    gs = pv.grid_set_version
    st.caption(t("pl_publish_against", lang).format(gs=gs) if gs is not None else t("pl_publish_against_none", lang))
    d = pv.diff
    st.write(t("pl_publish_changes", lang).format(added=d.summary["added"], removed=d.summary["removed"],
                                                changed=d.summary["changed"],
                                                households=d.summary["households_moved"]))
    if d.summary["added"] + d.summary["removed"] + d.summary["changed"]:
        st.dataframe(diff_table(d, lang), hide_index=True, height=200)
    accept: list[str] = []
    if pv.failures:
        st.caption(t("pl_publish_failures", lang))
        st.dataframe(issues_table(pv.failures, lang), hide_index=True, height=160)
    if pv.blocking:
        st.error(t("pl_publish_blocked", lang).format(rules="、".join(rule_label(r, lang) for r in pv.blocking)))
        return
    if pv.acceptable:
        accept = st.multiselect(t("pl_accept", lang), pv.acceptable, key=f"pl_accept_{v}",
                                format_func=lambda r: rule_label(r, lang))
    if st.button(t("pl_publish_button", lang).format(v=v), key="pl_publish", type="primary"):
        try:
            new_gs = repo.publish(plan_id, v, author=author, comment=comment, accept_rules=accept)
            st.session_state["pl_notice"] = ("success", t("pl_published", lang).format(gs=new_gs))
            st.session_state.pop("pl_pub_preview", None)
        except GridgeoError as exc:
            st.session_state["pl_notice"] = ("error", render(exc, lang))
        st.rerun()


def diff_panel(repo, plan_id: int, vlist: list[int], lang: str, draw_map) -> None:
    """Compare two saved versions (B defaults to the latest, also after a new save)."""
    with st.expander(t("pl_diff", lang)):
        ca, cb = st.columns(2)
        label = t("pl_version_n", lang)
        va = ca.selectbox(t("pl_version_a", lang), vlist, index=max(0, len(vlist) - 2), key=f"pl_diff_a_{len(vlist)}",
                          format_func=lambda v: label.format(v=v))
        vb = cb.selectbox(t("pl_version_b", lang), vlist, index=len(vlist) - 1, key=f"pl_diff_b_{len(vlist)}",
                          format_func=lambda v: label.format(v=v))
        if va != vb:
            pa, pb = repo.load(plan_id, va)[0], repo.load(plan_id, vb)[0]
            d = diff_plans(pa, pb)
            st.caption(diff_summary(d, lang))
            st.dataframe(diff_table(d, lang), hide_index=True, height=200)
            draw_map(pa, pb, d)


def base_changed_panel(repo, plan_id: int, plan_name: str, sess: dict, history: EditHistory, author: str,
                       can_write: bool, lang: str) -> None:
    """The warning that a grid set was published after this plan's base (publishing it would be
    refused), with the two ways on: rebase (a new plan from the current grids, the saved and the
    unsaved edits re-applied) or start again (a new plan from the current grids)."""
    changed = base_changed(repo, plan_id, repo.store.current_version())
    if changed is None:
        return
    base, current = changed
    st.warning(t("pl_base_changed", lang).format(base=base, current=current))
    if not can_write:
        return
    c1, c2 = st.columns(2)
    replay = None
    if c1.button(t("pl_base_rebase", lang), key="pl_base_rebase", type="primary"):
        replay = True
    if c2.button(t("pl_base_restart", lang), key="pl_base_restart"):
        replay = False
    if replay is None:
        return
    try:
        with st.spinner(t("pl_creating", lang)):
            plan = plan_on_current(repo, plan_id, int(sess["base_version"]), replay)
            if replay and history.edits:
                history.rebase(plan)  # the unsaved edits on top (left as they were when one fails)
            name = t("pl_base_new_name", lang).format(name=plan_name, gs=current)
            pid, _ = repo.create_plan(name, plan, author=author, source="current", base_grid_set=current,
                                      comment=t("pl_base_new_comment", lang).format(plan=plan_id, base=base, gs=current))
    except GridgeoError as exc:
        st.session_state["pl_notice"] = ("error", render(exc, lang))
        st.rerun()
    st.session_state["pl_session"] = {"plan_id": pid, "base_version": 1,
                                      "history": history if replay else EditHistory(plan)}
    st.session_state["pl_plan_next"] = pid
    st.session_state["pl_notice"] = ("success", t("pl_base_done_rebase" if replay else "pl_base_done_restart",
                                                  lang).format(plan=pid, gs=current))
    st.rerun()
