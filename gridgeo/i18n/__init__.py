"""User interface strings in Simplified Chinese (the default) and English.

``t(key, lang)`` returns the string for a key; unknown languages fall back to Chinese and an
unknown key is returned as is (so a missing translation shows up on screen instead of failing).
Strings may carry ``str.format`` fields: ``t("seeded", "en").format(n=120)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_LANG = "zh"
LANGS: dict[str, str] = {"zh": "简体中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    # navigation and shell
    "app_title": {"zh": "网格化治理 · 风险地图", "en": "Grid governance · risk map"},
    "page_map": {"zh": "地图", "en": "Map"},
    "page_wall": {"zh": "指挥大屏", "en": "Wall display"},
    "page_review": {"zh": "研判", "en": "Review"},
    "page_partition": {"zh": "网格划分", "en": "Partition planner"},
    "page_planner": {"zh": "网格调整", "en": "Grid editor"},
    "partition_pending": {"zh": "网格划分页面尚未接入（由划分模块提供）。",
                          "en": "The partition planner page is not plugged in yet (comes with the partition module)."},
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "synthetic_note": {"zh": "演示数据：仅区界为真实边界，街道以下边界、网格与数据均为合成。",
                       "en": "Demo data: only the district outline is real; everything inside is synthetic."},
    "seeded": {"zh": "事件库为空，已自动生成 {n} 条模拟事件（演示用，非真实数据）。",
               "en": "The event store was empty: {n} simulated events were generated for the demo (not real data)."},
    "seeding": {"zh": "事件库为空，正在生成模拟事件（约十几秒）…", "en": "The event store is empty: simulating events (some seconds)…"},
    "simulated_source": {"zh": "事件来源：模拟数据（演示）", "en": "Event source: simulated (demo)"},
    "store_source": {"zh": "事件来源：事件库", "en": "Event source: event store"},
    # map page
    "street": {"zh": "街道", "en": "Street"},
    "community": {"zh": "社区", "en": "Community"},
    "grid": {"zh": "网格", "en": "Grid"},
    "all": {"zh": "全部", "en": "All"},
    "layers": {"zh": "图层", "en": "Layers"},
    "layer_streets": {"zh": "街道边界", "en": "Streets"},
    "layer_communities": {"zh": "社区边界", "en": "Communities"},
    "layer_grids": {"zh": "网格", "en": "Grids"},
    "layer_risk": {"zh": "风险等级", "en": "Risk level"},
    "layer_heat": {"zh": "事件热力", "en": "Event heat"},
    "layer_markers": {"zh": "事件点位", "en": "Event markers"},
    "layer_hotspots": {"zh": "热点分析", "en": "Hot spots"},
    "layer_district": {"zh": "区界", "en": "District outline"},
    "labels": {"zh": "标注", "en": "Labels"},
    "risk_by": {"zh": "风险统计单元", "en": "Risk by"},
    "basemap": {"zh": "底图", "en": "Basemap"},
    "basemap_offline": {"zh": "离线（无瓦片）", "en": "Offline (no tiles)"},
    "basemap_osm": {"zh": "OpenStreetMap（在线，WGS84）", "en": "OpenStreetMap (online, WGS84)"},
    "basemap_amap": {"zh": "高德地图（在线，GCJ-02 纠偏）", "en": "AMap (online, GCJ-02 shifted)"},
    "search": {"zh": "按名称或编码搜索网格/社区", "en": "Search a grid or community by name or code"},
    "search_none": {"zh": "未找到匹配项", "en": "No match"},
    "pick_grid": {"zh": "点击地图上的网格，或在上方搜索，查看网格卡片。",
                  "en": "Click a grid on the map, or search above, to see its card."},
    "grid_card": {"zh": "网格卡片", "en": "Grid card"},
    "code": {"zh": "编码", "en": "Code"},
    "name": {"zh": "名称", "en": "Name"},
    "households": {"zh": "户数", "en": "Households"},
    "population": {"zh": "人口", "en": "Population"},
    "enterprises": {"zh": "企业", "en": "Enterprises"},
    "grid_worker": {"zh": "网格员", "en": "Grid worker"},
    "party_branch": {"zh": "党支部", "en": "Party branch"},
    "open_cases": {"zh": "在办案件", "en": "Open cases"},
    "history": {"zh": "历史事件", "en": "History"},
    "risk_level": {"zh": "风险等级", "en": "Risk level"},
    "today_by_level": {"zh": "今日各级事件", "en": "Today by level"},
    "window": {"zh": "统计时段", "en": "Window"},
    "last_24h": {"zh": "近24小时", "en": "Last 24 h"},
    "today": {"zh": "今日", "en": "Today"},
    "last_7d": {"zh": "近7天", "en": "Last 7 days"},
    # wall display
    "wall_title": {"zh": "实时风险预警图", "en": "Real-time risk warning map"},
    "received": {"zh": "今日受理量", "en": "Received today"},
    "kpi_received": {"zh": "接收", "en": "Received"},
    "kpi_accepted": {"zh": "受理", "en": "Accepted"},
    "kpi_resolved": {"zh": "化解", "en": "Resolved"},
    "kpi_rate": {"zh": "化解率", "en": "Resolution rate"},
    "kpi_overdue": {"zh": "超期", "en": "Overdue"},
    "by_level": {"zh": "按等级", "en": "By level"},
    "latest_events": {"zh": "最新事件", "en": "Latest events"},
    "by_street": {"zh": "各街道事件数", "en": "Events by street"},
    "updated_at": {"zh": "更新于", "en": "Updated"},
    "level": {"zh": "等级", "en": "Level"},
    "date": {"zh": "日期", "en": "Date"},
    "events": {"zh": "事件数", "en": "Events"},
    "category": {"zh": "类别", "en": "Category"},
    "status": {"zh": "状态", "en": "Status"},
    "reported_at": {"zh": "上报时间", "en": "Reported"},
    "count": {"zh": "数量", "en": "Count"},
    # review
    "review_title": {"zh": "风险研判", "en": "Risk review"},
    "date_range": {"zh": "日期范围", "en": "Date range"},
    "previous_period": {"zh": "上期", "en": "Previous period"},
    "this_period": {"zh": "本期", "en": "This period"},
    "change": {"zh": "变化", "en": "Change"},
    "group_by": {"zh": "分组", "en": "Group by"},
    "trend": {"zh": "趋势", "en": "Trend"},
    "hotspots": {"zh": "热点分析（Getis-Ord Gi*）", "en": "Hot spots (Getis-Ord Gi*)"},
    "hot": {"zh": "热点", "en": "Hot spot"},
    "cold": {"zh": "冷点", "en": "Cold spot"},
    "not_significant": {"zh": "不显著", "en": "Not significant"},
    "export_excel": {"zh": "导出 Excel", "en": "Export to Excel"},
    "export_png": {"zh": "导出地图 PNG", "en": "Export map as PNG"},
    "export_pdf": {"zh": "导出地图 PDF", "en": "Export map as PDF"},
    "out_of_area": {"zh": "区域外（未落入任何网格）", "en": "Out of area (in no grid)"},
    "no_events": {"zh": "该时段没有事件。", "en": "No events in this period."},
    "legend_title": {"zh": "图例", "en": "Legend"},
    "scale": {"zh": "比例尺", "en": "Scale"},
}

LEVEL_NAMES: dict[str, dict[int, str]] = {
    "zh": {1: "I级（红）", 2: "II级（橙）", 3: "III级（黄）", 4: "IV级（蓝）"},
    "en": {1: "I (red)", 2: "II (orange)", 3: "III (yellow)", 4: "IV (blue)"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "zh": {"reported": "已上报", "accepted": "已受理", "resolved": "已化解", "confirmed": "已确认",
           "feedback": "已反馈", "escalated": "已上交", "rejected": "不予受理"},
    "en": {"reported": "reported", "accepted": "accepted", "resolved": "resolved", "confirmed": "confirmed",
           "feedback": "feedback", "escalated": "escalated", "rejected": "rejected"},
}

# --- Sections by area: each area adds its keys to its own dict (merged into STRINGS below). ---


# the grid editor page (网格调整) and plan rules/messages
_PLANNER: dict[str, dict[str, str]] = {
    # page
    "pl_title": {"zh": "网格调整", "en": "Grid editor"},
    "pl_no_plan": {"zh": "还没有方案。请从现有网格或自动划分方案新建一个。",
                   "en": "No plan yet. Start one from the current grids or from the partition's proposal."},
    "pl_new_plan": {"zh": "新建方案", "en": "New plan"},
    "pl_plan_name": {"zh": "方案名称", "en": "Plan name"},
    "pl_start_from": {"zh": "起点", "en": "Start from"},
    "pl_start_current": {"zh": "现有网格", "en": "Current grids"},
    "pl_start_proposal": {"zh": "自动划分方案", "en": "Partition proposal"},
    "pl_create": {"zh": "创建", "en": "Create"},
    "pl_creating": {"zh": "正在生成单元（首次约半分钟）…", "en": "Building atoms (about half a minute the first time)…"},
    "pl_plan": {"zh": "方案", "en": "Plan"},
    "pl_author": {"zh": "操作人", "en": "Your name"},
    "pl_undo": {"zh": "撤销", "en": "Undo"},
    "pl_redo": {"zh": "重做", "en": "Redo"},
    "pl_edits": {"zh": "本次未保存的编辑：{n} 步（基于第 {v} 版）",
                 "en": "Unsaved edits this session: {n} (based on version {v})"},
    "pl_tab_edit": {"zh": "编辑", "en": "Edit"},
    "pl_tab_figures": {"zh": "指标", "en": "Figures"},
    "pl_tab_issues": {"zh": "检查", "en": "Checks"},
    "pl_tab_versions": {"zh": "版本", "en": "Versions"},
    "pl_atoms": {"zh": "所选单元", "en": "Selected atoms"},
    "pl_atom_id": {"zh": "单元", "en": "Atom"},
    "pl_pick_atoms": {"zh": "在地图上点选或圈选，或在此选择", "en": "Click or lasso on the map, or pick here"},
    "pl_preview": {"zh": "预览：", "en": "Preview: "},
    "pl_new_errors": {"zh": "个新问题", "en": "new problem(s)"},
    "pl_units": {"zh": "基础单元（小区、城中村、园区）", "en": "Basic units (compounds, villages, parks)"},
    "pl_target": {"zh": "目标网格", "en": "Target grid"},
    "pl_move": {"zh": "移入目标网格", "en": "Move to target grid"},
    "pl_brush": {"zh": "整格刷入（按原有网格）", "en": "Coarse brush (a whole legacy grid)"},
    "pl_layer": {"zh": "原有网格图层", "en": "Legacy layer"},
    "pl_legacy_grid": {"zh": "原有网格", "en": "Legacy grid"},
    "pl_paint": {"zh": "刷入目标网格", "en": "Paint into target grid"},
    "pl_focus_grid": {"zh": "当前网格", "en": "Current grid"},
    "pl_merge_with": {"zh": "并入当前网格的相邻网格", "en": "Adjacent grid to merge into the current grid"},
    "pl_merge": {"zh": "合并", "en": "Merge"},
    "pl_split_atoms": {"zh": "用所选单元拆出新网格", "en": "Split off the selected atoms"},
    "pl_split_line": {"zh": "按地图上画的线拆分", "en": "Split along the line drawn on the map"},
    "pl_no_line": {"zh": "请先在地图上画一条穿过网格的线。", "en": "Draw a line across the grid on the map first."},
    "pl_apply_attrs": {"zh": "保存名称与人员", "en": "Apply name and staff"},
    "pl_lock": {"zh": "锁定", "en": "Lock"},
    "pl_unlock": {"zh": "解锁", "en": "Unlock"},
    "pl_locked": {"zh": "已锁定", "en": "Locked"},
    "pl_pending": {"zh": "待保存的变化（相对已保存版本）", "en": "Pending changes (against the saved version)"},
    "pl_no_pending": {"zh": "没有未保存的变化。", "en": "No unsaved changes."},
    "pl_n_atoms": {"zh": "单元数", "en": "Atoms"},
    "pl_bal_grids": {"zh": "网格数", "en": "Grids"},
    "pl_bal_households": {"zh": "户数", "en": "Households"},
    "pl_bal_population": {"zh": "人口", "en": "Population"},
    "pl_bal_mean_households": {"zh": "平均每格户数", "en": "Mean households per grid"},
    "pl_bal_min_households": {"zh": "最少户数", "en": "Fewest households"},
    "pl_bal_max_households": {"zh": "最多户数", "en": "Most households"},
    "pl_bal_cv_households": {"zh": "户数离散系数", "en": "Coefficient of variation"},
    "pl_bal_share_within_band": {"zh": "规模适中占比", "en": "Share within the band"},
    "pl_grid_figures": {"zh": "本社区网格指标", "en": "Grids of this community"},
    "pl_balance": {"zh": "社区均衡", "en": "Community balance"},
    "pl_compactness": {"zh": "紧凑度", "en": "Compactness"},
    "pl_status": {"zh": "规模", "en": "Size"},
    "pl_ok": {"zh": "适中", "en": "ok"},
    "pl_under_min": {"zh": "偏小", "en": "too small"},
    "pl_over_max": {"zh": "偏大", "en": "too big"},
    "pl_empty": {"zh": "空", "en": "empty"},
    "pl_issues_none": {"zh": "全部检查通过。", "en": "Every check passes."},
    "pl_issues_count": {"zh": "{e} 个错误，{w} 个提醒（全区）", "en": "{e} errors, {w} warnings (whole plan)"},
    "pl_locate": {"zh": "在地图上定位", "en": "Show on the map"},
    "pl_comment": {"zh": "说明", "en": "Comment"},
    "pl_save": {"zh": "保存为第 {v} 版", "en": "Save as version {v}"},
    "pl_saved": {"zh": "已保存为第 {v} 版。", "en": "Saved as version {v}."},
    "pl_reload": {"zh": "载入最新版本并重放我的编辑", "en": "Reload the latest version and re-apply my edits"},
    "pl_reloaded": {"zh": "已在第 {v} 版上重放 {n} 步编辑，请检查后再保存。",
                    "en": "Re-applied {n} edits on version {v}; check and save again."},
    "pl_versions": {"zh": "版本列表", "en": "Versions"},
    "pl_diff": {"zh": "版本对比", "en": "Compare versions"},
    "pl_version_a": {"zh": "对比版本 A", "en": "Version A"},
    "pl_version_b": {"zh": "对比版本 B", "en": "Version B"},
    "pl_version_n": {"zh": "第 {v} 版", "en": "version {v}"},
    "pl_publish_section": {"zh": "发布为现行网格", "en": "Publish as the current grids"},
    "pl_publish_button": {"zh": "发布版本 {v}", "en": "Publish version {v}"},
    "pl_publish_check": {"zh": "查看发布第 {v} 版的影响", "en": "See what publishing version {v} changes"},
    "pl_publish_what": {"zh": "将发布本方案已保存的第 {v} 版（即屏幕上的方案）。",
                        "en": "Publishes saved version {v} of this plan (the plan on screen)."},
    "pl_publish_unsaved": {"zh": "屏幕上的方案有 {n} 步未保存的编辑：请先保存，再发布。",
                           "en": "The plan on screen has {n} unsaved edit(s): save it first, then publish."},
    "pl_publish_against": {"zh": "与现行网格集第 {gs} 版相比：", "en": "Against the current grid set, version {gs}:"},
    "pl_publish_against_none": {"zh": "尚无现行网格集：全部网格都将新增。",
                                "en": "No current grid set yet: every grid is new."},
    "pl_publish_changes": {"zh": "新增 {added} 个网格，撤销 {removed} 个，调整 {changed} 个；{households:,.0f} 户改变归属",
                           "en": "{added} grids added, {removed} removed, {changed} changed; {households:,.0f} households move"},
    "pl_publish_failures": {"zh": "本版本未通过以下检查（可在写明理由后接受的规则见下方）：",
                            "en": "This version fails these checks (the rules that may be accepted with a reason are below):"},
    "pl_publish_blocked": {"zh": "以下检查不能被接受，须先修正并保存新版本：{rules}",
                           "en": "These checks cannot be accepted; fix them and save a new version: {rules}"},
    "pl_published": {"zh": "已发布：现行网格集第 {gs} 版。新事件按新网格归属，历史事件保留原网格。",
                     "en": "Published as grid set version {gs}. New events use it; past events keep their grid."},
    "pl_accept": {"zh": "接受以下例外发布（须在“说明”中写明理由）",
                  "en": "Publish accepting these failures (say why in the comment)"},
    "pl_export": {"zh": "导出当前方案网格（GeoJSON）", "en": "Export the plan's grids (GeoJSON)"},
    "pl_export_cw": {"zh": "导出与原有网格的对应表（CSV）", "en": "Export the crosswalk from the legacy grids (CSV)"},
    "pl_audit": {"zh": "操作日志", "en": "Audit log"},
    "pl_summary": {"zh": "全区：{g} 个网格，{h:,.0f} 户，{s:.0%} 在规模范围内",
                   "en": "Whole plan: {g} grids, {h:,.0f} households, {s:.0%} within the size band"},
    "pl_stated_households": {"zh": "登记户数（网格属性）", "en": "Stated households (grid attribute)"},
    "pl_unit_households": {"zh": "户数（基础单元合计）", "en": "Households (sum of units)"},
    "pl_stated_differs": {"zh": "{n} 个网格的登记户数与基础单元合计不一致，两者并列显示。",
                          "en": "{n} grid(s) state other households than their units sum to; both are shown."},
    # the editing map's legend
    "pl_legend_fill": {"zh": "填色：所属网格（每格一色）", "en": "Fill: the atom's grid (one colour per grid)"},
    "pl_legend_ok": {"zh": "网格边界：户数适中", "en": "Grid outline: size within the band"},
    "pl_legend_under_min": {"zh": "网格边界：户数偏小", "en": "Grid outline: too few households"},
    "pl_legend_over_max": {"zh": "网格边界：户数偏大", "en": "Grid outline: too many households"},
    "pl_legend_focus": {"zh": "当前网格（粗实线，颜色同规模）", "en": "Current grid (thick solid line, size colour)"},
    "pl_legend_selected": {"zh": "已选单元", "en": "Selected atoms"},
    "pl_legend_error": {"zh": "检查：错误（红圈）", "en": "Check: error (red circle)"},
    "pl_legend_warning": {"zh": "检查：提醒（橙圈）", "en": "Check: warning (orange circle)"},
    "pl_legend_units": {"zh": "基础单元（小区、城中村、园区）", "en": "Basic units (compounds, villages, parks)"},
    "pl_legend_labels": {"zh": "标注：网格编号 · 户数（放大显示更多）", "en": "Labels: grid serial · households (zoom in for more)"},
    # table headers
    "pl_col_rule": {"zh": "规则", "en": "Rule"},
    "pl_col_severity": {"zh": "级别", "en": "Severity"},
    "pl_col_message": {"zh": "说明", "en": "Message"},
    "pl_col_grid": {"zh": "网格", "en": "Grid"},
    "pl_col_version": {"zh": "版本", "en": "Version"},
    "pl_col_base_version": {"zh": "基于版本", "en": "Based on"},
    "pl_col_author": {"zh": "操作人", "en": "Author"},
    "pl_col_created_at": {"zh": "保存时间", "en": "Saved at"},
    "pl_col_comment": {"zh": "说明", "en": "Comment"},
    "pl_col_published_at": {"zh": "发布时间", "en": "Published at"},
    "pl_col_grid_set_version": {"zh": "网格集版本", "en": "Grid set version"},
    "pl_col_households": {"zh": "户数", "en": "Households"},
    "pl_col_errors": {"zh": "错误数", "en": "Errors"},
    "pl_col_status": {"zh": "变化", "en": "Change"},
    "pl_col_households_before": {"zh": "原户数", "en": "Households before"},
    "pl_col_households_after": {"zh": "新户数", "en": "Households after"},
    "pl_col_households_change": {"zh": "户数变化", "en": "Change in households"},
    "pl_col_atoms_before": {"zh": "原单元数", "en": "Atoms before"},
    "pl_col_atoms_after": {"zh": "新单元数", "en": "Atoms after"},
    "pl_col_atoms_in": {"zh": "移入单元", "en": "Atoms in"},
    "pl_col_atoms_out": {"zh": "移出单元", "en": "Atoms out"},
    "pl_col_fields": {"zh": "改动属性", "en": "Changed fields"},
    "pl_col_at": {"zh": "时间", "en": "At"},
    "pl_col_actor": {"zh": "操作人", "en": "Actor"},
    "pl_col_action": {"zh": "操作", "en": "Action"},
    "pl_col_detail": {"zh": "详情", "en": "Detail"},
    "pl_col_plan_id": {"zh": "方案", "en": "Plan"},
    "pl_sev_error": {"zh": "错误", "en": "error"},
    "pl_sev_warning": {"zh": "提醒", "en": "warning"},
    "pl_diff_added": {"zh": "新增", "en": "added"},
    "pl_diff_removed": {"zh": "撤销", "en": "removed"},
    "pl_diff_changed": {"zh": "范围调整", "en": "changed"},
    "pl_diff_attributes": {"zh": "仅属性变化", "en": "attributes only"},
    "pl_diff_unchanged": {"zh": "未变", "en": "unchanged"},
    "pl_diff_summary": {"zh": "新增 {added} · 撤销 {removed} · 范围调整 {changed} · 仅属性 {attributes} · "
                              "移动单元 {atoms_moved} 个 · {households_moved:,.0f} 户改变归属",
                        "en": "added {added} · removed {removed} · changed {changed} · attributes {attributes} · "
                              "{atoms_moved} atoms moved · {households_moved:,.0f} households move"},
    # audit actions and edit operations
    "pl_action_create": {"zh": "创建", "en": "create"},
    "pl_action_save": {"zh": "保存", "en": "save"},
    "pl_action_save_refused": {"zh": "保存被拒（版本已过期）", "en": "save refused (stale)"},
    "pl_action_publish": {"zh": "发布", "en": "publish"},
    "pl_op_move_atoms": {"zh": "移动单元", "en": "move atoms"},
    "pl_op_merge_grids": {"zh": "合并网格", "en": "merge grids"},
    "pl_op_split_grid": {"zh": "拆分网格", "en": "split a grid"},
    "pl_op_rename_grid": {"zh": "重命名", "en": "rename"},
    "pl_op_assign_staff": {"zh": "配置人员", "en": "assign staff"},
    "pl_op_lock_grid": {"zh": "锁定网格", "en": "lock a grid"},
    "pl_op_unlock_grid": {"zh": "解锁网格", "en": "unlock a grid"},
    "pl_op_paint_legacy_grid": {"zh": "整格刷入", "en": "paint a legacy grid"},
    "pl_op_done": {"zh": "✓ 已{op}", "en": "✓ {op}"},
    # the plan rules (gridgeo.plan.integrity) and their messages
    "rule_unknown_atom": {"zh": "未知单元", "en": "unknown atom"},
    "rule_duplicate": {"zh": "重复分配（重叠）", "en": "assigned twice (overlap)"},
    "rule_unassigned": {"zh": "未分配单元（空隙）", "en": "unassigned atom (gap)"},
    "rule_unknown_grid": {"zh": "未登记网格", "en": "unknown grid"},
    "rule_empty_grid": {"zh": "空网格", "en": "empty grid"},
    "rule_outside_community": {"zh": "跨出社区", "en": "outside its community"},
    "rule_non_contiguous": {"zh": "网格不连通", "en": "in several pieces"},
    "rule_hole": {"zh": "网格有洞", "en": "has a hole"},
    "rule_under_min": {"zh": "户数低于下限", "en": "households below the minimum"},
    "rule_over_max": {"zh": "户数超过上限", "en": "households above the maximum"},
    "rule_population_under_min": {"zh": "人口低于下限", "en": "population below the minimum"},
    "rule_population_over_max": {"zh": "人口超过上限", "en": "population above the maximum"},
    "rule_totals": {"zh": "总量不守恒", "en": "totals do not add up"},
    "rule_atom_overlap": {"zh": "单元重叠", "en": "atoms overlap"},
    "rule_community_gap": {"zh": "社区有空隙", "en": "gap in a community"},
    "what_households": {"zh": "户", "en": "households"},
    "what_population": {"zh": "人", "en": "population"},
    "what_enterprises": {"zh": "家企业", "en": "enterprises"},
    "issue_unknown_atom": {"zh": "单元 {atom} 被分配到网格 {grid}，但不属于本方案的单元；请删除该分配",
                           "en": "atom {atom} is assigned to grid {grid} but is not one of the plan's atoms; remove it"},
    "issue_duplicate": {"zh": "单元 {atom} 被分配了 {n} 次（网格 {grids}）；只保留一个",
                        "en": "atom {atom} is assigned {n} times (grids {grids}); keep one"},
    "issue_unassigned": {"zh": "单元 {atom} 不属于任何网格（空隙）；请把它刷入相邻网格",
                         "en": "atom {atom} belongs to no grid (a gap); paint it into a neighbouring grid"},
    "issue_unknown_grid": {"zh": "{n} 个单元被分配到网格 {grid}，但网格表中没有该网格；请添加它或移走这些单元",
                           "en": "{n} atom(s) are assigned to grid {grid}, which is not in the grid table; "
                                 "add it or move them"},
    "issue_empty_grid": {"zh": "网格 {grid} 没有单元；请删除它或向它刷入单元",
                         "en": "grid {grid} has no atoms; delete it or paint atoms into it"},
    "issue_outside_community": {"zh": "网格 {grid}（社区 {community}）含有社区 {atom_community} 的单元 {atom}；"
                                      "请把该单元移到本社区的网格",
                                "en": "grid {grid} (community {community}) holds atom {atom} of community "
                                      "{atom_community}; move the atom to a grid of its community"},
    "issue_non_contiguous": {"zh": "网格 {grid} 分成 {pieces} 块：此处 {n} 个单元（{households:.0f} 户）与主体不相连；"
                                   "请移入相邻网格或把它们连起来",
                             "en": "grid {grid} is in {pieces} pieces: {n} atom(s) ({households:.0f} households) "
                                   "here are cut off; move them to a neighbouring grid or connect them"},
    "issue_hole": {"zh": "网格 {grid} 内有 {area:,.0f} 平方米的洞（包住了其他网格或空隙）；请填补，或把被包住的单元并入本网格",
                   "en": "grid {grid} has a hole of {area:,.0f} m² (it encloses another grid or a gap); fill it or "
                         "give the enclosed atoms to this grid"},
    "issue_under_min": {"zh": "网格 {grid}：{value:.0f} {what}，低于下限 {limit:.0f}{reason}",
                        "en": "grid {grid}: {value:.0f} {what}, below the minimum {limit:.0f}{reason}"},
    "issue_over_max": {"zh": "网格 {grid}：{value:.0f} {what}，超过上限 {limit:.0f}{reason}",
                       "en": "grid {grid}: {value:.0f} {what}, above the maximum {limit:.0f}{reason}"},
    "issue_reason_small_community": {"zh": "；社区 {community} 总共只有 {total:.0f} 户",
                                     "en": "; community {community} holds only {total:.0f} households in all"},
    "issue_reason_big_atom": {"zh": "；单个单元就有 {value:.0f}", "en": "; one atom alone holds {value:.0f}"},
    "issue_totals": {"zh": "各网格合计 {got:,.0f} {what}，而全部单元为 {want:,.0f}；请处理未分配或重复分配的单元",
                     "en": "the grids hold {got:,.0f} {what} but the atoms hold {want:,.0f}; fix the unassigned or "
                           "duplicated atoms"},
    "issue_reaches_outside": {"zh": "网格 {grid} 有 {area:,.0f} 平方米伸出社区 {community}；请把那里的单元移到所属社区的网格",
                              "en": "grid {grid} reaches {area:,.0f} m² outside community {community}; move the atoms "
                                    "there to the right community's grids"},
    "issue_atom_overlap": {"zh": "单元 {atom} 与 {other} 重叠 {area:,.0f} 平方米；请重建单元",
                           "en": "atoms {atom} and {other} overlap by {area:,.0f} m²; rebuild the atoms"},
    "issue_community_gap": {"zh": "社区 {community} 有 {area:,.0f} 平方米没有单元；请重建单元",
                            "en": "{area:,.0f} m² of community {community} has no atom; rebuild the atoms"},
    # edit refusals (gridgeo.plan.ops)
    "edit_no_grid": {"zh": "本方案没有网格 {grid}；请选择本方案的网格",
        "en": "grid {grid} does not exist in this plan; pick one of its grids"},
    "edit_locked": {"zh": "网格 {grid} 已锁定；请先解锁再编辑",
        "en": "grid {grid} is locked; unlock it before editing it"},
    "edit_no_serial": {"zh": "社区 {community} 已没有空余的网格序号（001–999）",
        "en": "community {community} has no free grid serial left (001-999)"},
    "edit_no_atoms": {"zh": "未选择单元；请先选择要移动的单元",
        "en": "no atoms selected; select atoms to move first"},
    "edit_unknown_atom": {"zh": "单元 {atom} 不属于本方案",
        "en": "atom {atom} is not part of this plan's atoms"},
    "edit_merge_self": {"zh": "不能把网格 {grid} 与自身合并；请选择两个不同的网格",
        "en": "cannot merge grid {grid} with itself; pick two different grids"},
    "edit_merge_communities": {"zh": "网格 {a} 与 {b} 分属不同社区（{ca}、{cb}）；网格不能跨社区",
        "en": "grids {a} and {b} lie in different communities ({ca}, {cb}); grids never cross a community border"},
    "edit_merge_not_adjacent": {"zh": "网格 {a} 与 {b} 不相邻；只能合并相邻网格",
        "en": "grids {a} and {b} do not share a border; only adjacent grids merge"},
    "edit_line_points": {"zh": "拆分线须是一组 [经度, 纬度] 点",
        "en": "the split line must be a list of [lon, lat] points"},
    "edit_line_type": {"zh": "拆分线须是一条线，而不是 {kind}",
        "en": "the split line must be a line, not a {kind}"},
    "edit_split_how": {"zh": "拆分网格请二选一：用所选单元，或用一条线",
        "en": "split a grid either by picked atoms or by a line, not both or neither"},
    "edit_split_outside": {"zh": "单元 {atom} 不在网格 {grid} 中；请选择要拆分的网格内的单元",
        "en": "atom {atom} is not in grid {grid}; pick atoms of the grid to split"},
    "edit_split_some": {"zh": "请选择网格 {grid} 的部分（而非全部）单元来拆分",
        "en": "pick some but not all atoms of grid {grid} to split it"},
    "edit_code_used": {"zh": "网格编码 {code} 已被使用；留空即用下一个空余编码",
        "en": "grid code {code} is already used; leave the code empty for the next free one"},
    "edit_line_misses": {"zh": "这条线没有把网格 {grid} 分成两部分；请横穿整个网格画线",
        "en": "the line does not cut grid {grid} in two; draw it right across the grid"},
    "edit_line_one_side": {"zh": "网格 {grid} 的所有单元都在线的同一侧；请穿过单元画线",
        "en": "the line leaves every atom of grid {grid} on one side; draw it across atoms"},
    "edit_empty_name": {"zh": "网格 {grid} 的新名称为空；请输入名称",
        "en": "the new name of grid {grid} is empty; type a name"},
    "edit_no_staff": {"zh": "请填写网格员或党支部",
        "en": "give a grid worker or a party branch to assign"},
    "edit_no_layer": {"zh": "单元没有原有网格图层“{layer}”；已有：{known}",
        "en": "the atoms carry no legacy layer '{layer}'; known: {known}"},
    "edit_no_legacy": {"zh": "没有单元位于原有网格 {code}；请检查编码和图层",
        "en": "no atom lies in legacy grid {code}; check the code and layer"},
    "edit_legacy_ambiguous": {"zh": "原有网格编码 {code} 出现在多个图层（{layers}）；请选择图层",
        "en": "legacy grid code {code} occurs in layers {layers}; choose the layer"},
    "edit_paint_nothing": {"zh": "原有网格 {code} 没有可刷入 {grid} 的单元（都已在其中、已锁定或属于其他社区）",
        "en": "legacy grid {code} has no atom left to paint into {grid} (all are in it already, locked, or in another community)"},
    "edit_bad_edit": {"zh": "编辑须是带 op 和 params 的对象",
        "en": "an edit must be an object with an 'op' and its 'params'"},
    "edit_unknown_op": {"zh": "未知的编辑 {op}；可用：{ops}",
        "en": "unknown edit '{op}'; use one of {ops}"},
    "edit_bad_params": {"zh": "编辑 {op}：参数有误（{error}）",
        "en": "edit {op}: bad parameters ({error})"},
    "edit_rebase_failed": {"zh": "第 {k}/{n} 步编辑（{op}）已无法应用：{reason}",
                           "en": "edit {k} of {n} ({op}) no longer applies: {reason}"},
    # refusals (gridgeo.plan.repository)
    "refuse_accept_rules": {"zh": "规则 {rules} 不能在发布时被接受；只有 {allowed} 可以",
                            "en": "rule(s) {rules} cannot be accepted at publishing; only {allowed} can"},
    "refuse_accept_comment": {"zh": "接受例外须在“说明”中写明理由；请填写后再发布",
                              "en": "accepting integrity failures needs a comment saying why; add one and publish again"},
    "refuse_publish_failures": {"zh": "方案 {plan} 第 {version} 版有 {n} 项检查未通过，第一项：{first}；"
                                      "请修正并保存新版本后再发布",
                                "en": "plan {plan} version {version} fails {n} integrity check(s), first: {first}; "
                                      "fix them and save a new version before publishing"},
    "refuse_stale": {"zh": "方案 {plan}：你的编辑基于第 {base} 版，但此后已保存了第 {head} 版；"
                           "请载入第 {head} 版并重放你的编辑，再保存",
                     "en": "plan {plan}: your edits are based on version {base}, but version {head} has been saved "
                           "since; reload version {head} and re-apply your edits, then save again"},
}

# the in-browser map editor of the grid editor page (gridgeo_app/plan_editor), keys pe_<key>
_PLANNER.update({
    "pe_tool_brush": {"zh": "画笔", "en": "Brush"},
    "pe_tool_legacy": {"zh": "整格刷", "en": "Legacy-grid brush"},
    "pe_tool_erase": {"zh": "橡皮擦", "en": "Erase"},
    "pe_tool_select": {"zh": "选择", "en": "Select"},
    "pe_tool_line": {"zh": "画线拆分", "en": "Split line"},
    "pe_tool_pan": {"zh": "平移", "en": "Pan"},
    "pe_tip_brush": {"zh": "按住拖动，把经过的单元刷入当前网格（B；[ ] 调大小）",
                     "en": "Drag to paint atoms into the active grid (B; [ ] size)"},
    "pe_tip_legacy": {"zh": "点击或拖动，把整个原有网格的单元刷入当前网格（G）",
                      "en": "Click or drag to paint whole legacy grids into the active grid (G)"},
    "pe_tip_erase": {"zh": "拖动，把单元移出网格（成为空隙）（E）", "en": "Drag to take atoms out of their grid (E)"},
    "pe_tip_select": {"zh": "点击选中/取消单元，拖框多选（S）", "en": "Click to (de)select atoms, drag a box (S)"},
    "pe_tip_line": {"zh": "依次点击画线，双击或回车结束；再按“按地图上画的线拆分”（L）",
                    "en": "Click points, double-click or Enter to finish; then use “Split along the line” (L)"},
    "pe_tip_pan": {"zh": "拖动地图（任何工具下按住空格也可平移）（H）", "en": "Drag the map (or hold Space with any tool) (H)"},
    "pe_size": {"zh": "笔刷大小", "en": "Brush size"},
    "pe_legacy_layer": {"zh": "原有网格图层", "en": "Legacy layer"},
    "pe_active": {"zh": "当前网格（画笔颜色）", "en": "Active grid (brush)"},
    "pe_color_by": {"zh": "着色", "en": "Colour by"},
    "pe_color_grid": {"zh": "按网格", "en": "Grid"},
    "pe_color_status": {"zh": "按规模", "en": "Size status"},
    "pe_undo": {"zh": "撤销", "en": "Undo"},
    "pe_redo": {"zh": "重做", "en": "Redo"},
    "pe_clear_selection": {"zh": "清除选择", "en": "Clear selection"},
    "pe_latency": {"zh": "响应", "en": "Response"},
    "pe_syncing": {"zh": "正在校验…", "en": "Checking…"},
    "pe_synced": {"zh": "已校验（服务器 {ms} 毫秒）", "en": "Checked (server {ms} ms)"},
    "pe_pick_active": {"zh": "在右侧列表或下拉框中选择要刷入的网格", "en": "Pick the grid to paint in the list or the drop-down"},
    "pe_community_balance": {"zh": "社区均衡", "en": "Community balance"},
    "pe_households": {"zh": "户数", "en": "Households"},
    "pe_grids": {"zh": "网格数", "en": "Grids"},
    "pe_in_band": {"zh": "规模适中", "en": "Within band"},
    "pe_range": {"zh": "最少–最多", "en": "Fewest–most"},
    "pe_unassigned": {"zh": "未分配单元", "en": "Unassigned atoms"},
    "pe_band": {"zh": "规模范围", "en": "Size band"},
    "pe_hh_unit": {"zh": "户", "en": "households"},
    "pe_touched": {"zh": "本次改动的网格（保存版本 → 现在）", "en": "Grids changed (saved version → now)"},
    "pe_touched_none": {"zh": "还没有改动。选择画笔，在地图上拖动。", "en": "No change yet. Pick the brush and drag on the map."},
    "pe_all_grids": {"zh": "本社区全部网格（点击设为当前网格）", "en": "All grids of the community (click to make active)"},
    "pe_st_under_min": {"zh": "偏小", "en": "too small"},
    "pe_st_ok": {"zh": "适中", "en": "ok"},
    "pe_st_over_max": {"zh": "偏大", "en": "too big"},
    "pe_st_empty": {"zh": "空", "en": "empty"},
    "pe_legend": {"zh": "图例", "en": "Legend"},
    "pe_lg_fill_grid": {"zh": "填色：所属网格（相邻网格颜色不同）", "en": "Fill: the atom's grid (neighbours differ)"},
    "pe_lg_fill_under_min": {"zh": "填色：户数低于下限", "en": "Fill: grid below the band"},
    "pe_lg_fill_ok": {"zh": "填色：户数在范围内", "en": "Fill: grid within the band"},
    "pe_lg_fill_over_max": {"zh": "填色：户数超过上限", "en": "Fill: grid above the band"},
    "pe_lg_unassigned": {"zh": "未分配单元（空隙）", "en": "Unassigned atom (gap)"},
    "pe_lg_outline": {"zh": "网格边界（已校验）", "en": "Grid outline (checked)"},
    "pe_lg_outline_pending": {"zh": "网格边界（校验中）", "en": "Grid outline (being checked)"},
    "pe_lg_selected": {"zh": "所选单元", "en": "Selected atom"},
    "pe_lg_issue_error": {"zh": "检查错误位置", "en": "Check error"},
    "pe_lg_issue_warning": {"zh": "检查提醒位置", "en": "Check warning"},
    "pe_lg_bar": {"zh": "户数条：绿色区间为规模范围，颜色为规模状态", "en": "Households bar: green span is the band, colour the status"},
    "pe_lg_brush": {"zh": "笔刷范围", "en": "Brush reach"},
    "pe_line_sent": {"zh": "拆分线已记录，请在右侧按“按地图上画的线拆分”。", "en": "Line kept: press “Split along the line”."},
    "pe_refused": {"zh": "未执行：", "en": "Not applied: "},
    "pe_atom": {"zh": "单元", "en": "Atom"},
    "edit_nothing_to_erase": {"zh": "这些单元都不属于任何网格；没有可擦除的",
                              "en": "none of these atoms belongs to a grid; nothing to erase"},
    "edit_nothing_to_undo": {"zh": "没有可撤销的编辑", "en": "nothing to undo"},
    "edit_nothing_to_redo": {"zh": "没有可重做的编辑", "en": "nothing to redo"},
    "pe_err_no_atoms": {"zh": "{op}：这一笔没有经过任何单元", "en": "{op}: the stroke names no atoms"},
    "pe_err_line": {"zh": "拆分线至少要有两个点", "en": "line: draw at least two points"},
    "pe_err_unknown_op": {"zh": "未知的地图操作 {op}；可用：{ops}", "en": "unknown editor op {op}; use one of {ops}"},
})


# the partition page (网格划分): stages, layers, headers, reasons
_PARTITION: dict[str, dict[str, str]] = {
    "pp_intro": {"zh": "按社区边界，把多套交叠的旧网格（党建、综治、城管……）合并为一套全要素网格：社区内连续、紧凑、"
                       "户数在区间内，能保留的旧网格尽量整体保留。",
                 "en": "Merge overlapping legacy grids into one set of all-element grids: inside community borders, "
                       "contiguous, compact, within the household band, keeping legacy grids whole where they fit."},
    "pp_scope": {"zh": "范围", "en": "Scope"},
    "pp_district": {"zh": "全区", "en": "Whole district"},
    "pp_covers": {"zh": "本次运行范围：{scope}（{communities} 个社区，{units} 个基础单元，{households:,.0f} 户）",
                  "en": "This run covers {scope} ({communities} communities, {units} basic units, "
                        "{households:,.0f} households)"},
    "pp_scope_changed": {"zh": "左侧所选范围（{now}）与下方结果的范围（{ran}）不同：点击“运行”重新计算。",
                         "en": "The scope chosen on the left ({now}) differs from the result below ({ran}): "
                               "press Run to recompute."},
    "pp_band": {"zh": "每格户数区间", "en": "Households per grid"},
    "pp_layers": {"zh": "参与合并的旧网格图层", "en": "Legacy layers to merge"},
    "pp_primary": {"zh": "主图层（尽量整体保留）", "en": "Primary layer (kept whole where it fits)"},
    "pp_auto": {"zh": "自动", "en": "auto"},
    "pp_seed": {"zh": "随机种子", "en": "Seed"},
    "pp_sliver": {"zh": "碎片面积阈值 (m²)", "en": "Sliver tolerance (m²)"},
    "pp_run": {"zh": "运行", "en": "Run"},
    "pp_press_run": {"zh": "设置参数后点击“运行”。", "en": "Set the parameters and press Run."},
    "pp_grids": {"zh": "网格数", "en": "Grids"},
    "pp_within": {"zh": "户数达标", "en": "Within band"},
    "pp_pp": {"zh": "紧凑度中位数", "en": "Compactness (median)"},
    "pp_time": {"zh": "用时", "en": "Run time"},
    "pp_color_by": {"zh": "着色依据", "en": "Colour by"},
    "pp_color_households": {"zh": "户数", "en": "Households"},
    "pp_color_status": {"zh": "户数状态", "en": "Size status"},
    "pp_color_change": {"zh": "相对主图层的变化", "en": "Change vs primary layer"},
    "pp_households_legend": {"zh": "每格户数（框内为达标区间 {lo:.0f}–{hi:.0f}）",
                             "en": "Households per grid (the band {lo:.0f}–{hi:.0f} is framed)"},
    "pp_band_mark": {"zh": "达标区间", "en": "within band"},
    "pp_proposal": {"zh": "方案", "en": "Proposal"},
    "pp_legacy": {"zh": "旧网格", "en": "Legacy grids"},
    "pp_legacy_layer": {"zh": "对照图层", "en": "Legacy layer shown"},
    "pp_synced": {"zh": "两幅地图同步平移缩放。", "en": "The two maps pan and zoom together."},
    "pp_inspect": {"zh": "查看网格", "en": "Inspect a grid"},
    "pp_went_into": {"zh": "由哪些旧网格构成", "en": "Legacy grids in this grid"},
    "pp_infeasible": {"zh": "未达标网格及原因", "en": "Grids outside the band, with reasons"},
    "pp_none": {"zh": "无", "en": "none"},
    "pp_downloads": {"zh": "下载", "en": "Downloads"},
    "pp_preservation": {"zh": "旧网格保留情况", "en": "Legacy preservation"},
    "pp_summary_md": {"zh": "运行摘要（summary.md）", "en": "Run summary (summary.md)"},
    "pp_ok": {"zh": "达标", "en": "within band"},
    "pp_under_min": {"zh": "户数不足", "en": "below min"},
    "pp_over_max": {"zh": "户数超限", "en": "above max"},
    "pp_encloses": {"zh": "包围其他网格", "en": "encloses a grid"},
    "pp_kept": {"zh": "整体保留", "en": "kept whole"},
    "pp_merged": {"zh": "整体合并", "en": "merged whole"},
    "pp_split": {"zh": "拆分", "en": "split"},
    "pp_reshaped": {"zh": "重组", "en": "reshaped"},
    "pp_yes": {"zh": "是", "en": "yes"},
    "pp_no": {"zh": "否", "en": "no"},
    "pp_already_in_band_cell": {"zh": "{n}（整体保留 {kept}，整体合并 {merged}，拆分 {split}）",
                                "en": "{n} ({kept} kept whole, {merged} merged whole, {split} split)"},
    # stages of a run (progress bar)
    "pp_stage_refine": {"zh": "叠加求最小单元", "en": "refine"},
    "pp_stage_apportion": {"zh": "分摊户数人口", "en": "apportion"},
    "pp_stage_regionalize": {"zh": "社区内分区", "en": "regionalize"},
    "pp_stage_assemble": {"zh": "汇总成网格", "en": "assemble"},
    "pp_stage_done": {"zh": "完成", "en": "done"},
    # legacy layers of the default atlas
    "pp_layer_party": {"zh": "党建网格", "en": "party building"},
    "pp_layer_comprehensive": {"zh": "综治网格", "en": "comprehensive management"},
    "pp_layer_urban": {"zh": "城管责任网格", "en": "urban management"},
    "pp_layer_epidemic": {"zh": "防疫网格", "en": "epidemic control"},
    "pp_layer_enclosure": {"zh": "封控单元", "en": "enclosure units"},
    # table headers
    "pp_col_code": {"zh": "编码", "en": "Code"},
    "pp_col_name": {"zh": "名称", "en": "Name"},
    "pp_col_layer": {"zh": "图层", "en": "Layer"},
    "pp_col_community": {"zh": "社区", "en": "Community"},
    "pp_col_households": {"zh": "户数", "en": "Households"},
    "pp_col_population": {"zh": "人口", "en": "Population"},
    "pp_col_enterprises": {"zh": "企业", "en": "Enterprises"},
    "pp_col_area_m2": {"zh": "面积 (m²)", "en": "Area (m²)"},
    "pp_col_polsby_popper": {"zh": "紧凑度", "en": "Compactness"},
    "pp_col_size_status": {"zh": "户数状态", "en": "Size status"},
    "pp_col_status": {"zh": "状态", "en": "Status"},
    "pp_col_population_status": {"zh": "人口状态", "en": "Population status"},
    "pp_col_within_bounds": {"zh": "是否达标", "en": "Within band"},
    "pp_col_reason_code": {"zh": "原因类别", "en": "Reason code"},
    "pp_col_reason": {"zh": "原因", "en": "Reason"},
    "pp_col_change": {"zh": "相对主图层", "en": "Change"},
    "pp_col_atoms": {"zh": "单元数", "en": "Atoms"},
    "pp_col_parts": {"zh": "块数", "en": "Parts"},
    "pp_col_share": {"zh": "{layer}最大占比", "en": "Largest share, {layer}"},
    "pp_col_legacy_code": {"zh": "旧网格编码", "en": "Legacy grid"},
    "pp_col_grid_code": {"zh": "新网格编码", "en": "New grid"},
    "pp_col_area_share": {"zh": "面积占比", "en": "Area share"},
    "pp_col_household_share": {"zh": "户数占比", "en": "Household share"},
    "pp_col_outcome": {"zh": "去向", "en": "Outcome"},
    "pp_col_ari_households": {"zh": "一致性指数（按户加权 ARI）", "en": "Agreement (household-weighted ARI)"},
    "pp_col_mean_largest_share": {"zh": "平均最大占比", "en": "Mean largest share"},
    "pp_col_legacy_grids": {"zh": "旧网格数", "en": "Legacy grids"},
    "pp_col_kept_whole": {"zh": "整体保留", "en": "Kept whole"},
    "pp_col_merged": {"zh": "整体合并", "en": "Merged whole"},
    "pp_col_split": {"zh": "被拆分", "en": "Split"},
    "pp_col_kept_or_merged_share": {"zh": "保留或合并占比", "en": "Kept or merged share"},
    "pp_col_already_in_band": {"zh": "原已达标的旧网格", "en": "Legacy grids already in the band"},
    # reasons a grid stays outside the band (gridgeo.partition.regionalize reason codes)
    "pp_reason_atom_over_max": {"zh": "单个最小单元就超过上限 {hi:.0f} 户，无法沿旧网格边界再拆",
                                "en": "one atom alone holds more than the maximum {hi:.0f}; it cannot be split "
                                      "along legacy borders"},
    "pp_reason_no_feasible_split": {"zh": "{households:.0f} 户：这些单元没有连续的拆法能落在 {lo:.0f}–{hi:.0f} 户",
                                    "en": "{households:.0f} households: no contiguous split of these atoms fits "
                                          "{lo:.0f}-{hi:.0f}"},
    "pp_reason_no_feasible_merge": {"zh": "{households:.0f} 户：与任一相邻网格合并都会超过上限 {hi:.0f}，重新拆分也达不到区间",
                                    "en": "{households:.0f} households: every contiguous merge with a neighbour "
                                          "exceeds max {hi:.0f} and no re-split fits the band"},
    "pp_reason_population_out_of_band": {"zh": "户数达标但人口不在区间内，找不到同时满足两者的连续划分",
                                         "en": "population outside its band while households fit; no contiguous "
                                               "rearrangement fits both bands"},
    "pp_reason_community_under_min": {"zh": "整个社区（或其不相连的一块）只有 {households:.0f} 户，低于下限 {lo:.0f}，保留为一个网格",
                                      "en": "the community (or a detached part of it) holds only {households:.0f} "
                                            "households (< min {lo:.0f}); kept as one grid"},
    "pp_reason_out_of_band": {"zh": "局部优化后仍不在区间内，找不到连续的修正",
                              "en": "outside the band after the local search; no contiguous fix found"},
    "pp_reason_encloses_grid": {"zh": "包围了其他网格（{encloses}）；没有通道能让每个网格都连续且达标",
                                "en": "encloses another grid ({encloses}); no corridor kept every grid contiguous "
                                      "and within the band"},
}


# the wall display (指挥大屏) and the map page (地图)
_WALL_MAP: dict[str, dict[str, str]] = {
    "wall_out_of_area": {"zh": "区域外", "en": "Out of area"},
    "wall_just_now": {"zh": "刚刚", "en": "just now"},
    "wall_minutes_ago": {"zh": "{n} 分钟前", "en": "{n} min ago"},
    "wall_hours_ago": {"zh": "{n} 小时前", "en": "{n} h ago"},
    "wall_latest": {"zh": "最新事件 {time} · {ago}", "en": "Latest event {time} · {ago}"},
    "wall_no_events": {"zh": "24 小时内无新事件", "en": "No event in the last 24 hours"},
    "wall_store_down": {"zh": "事件库无响应（自 {since}），显示的是最后一次数据",
                        "en": "Event store not answering (since {since}); showing the last data"},
    "wall_highlights": {"zh": "新增预警", "en": "New alerts"},
    "wall_new_level1": {"zh": "新 I 级事件", "en": "new level-I event"},
    "wall_new_red": {"zh": "转为红色", "en": "turned red"},
    "wall_highlight_legend": {"zh": "新增预警（闪烁）", "en": "New alert (flashing)"},
    "wall_today_received": {"zh": "今日", "en": "Today"},
    "wall_no_open": {"zh": "无在办案件", "en": "no open cases"},
    "heat_legend_title": {"zh": "事件热力（按等级加权）", "en": "Event heat (weighted by level)"},
    "heat_low": {"zh": "少", "en": "few"},
    "heat_high": {"zh": "多", "en": "many"},
    "playback": {"zh": "时间回放", "en": "Time playback"},
    "playback_on": {"zh": "回放模式", "en": "Playback mode"},
    "playback_last24": {"zh": "最近 24 小时", "en": "Last 24 hours"},
    "playback_day": {"zh": "选定日期", "en": "Chosen day"},
    "playback_date": {"zh": "回放日期", "en": "Day to replay"},
    "playback_play": {"zh": "播放", "en": "Play"},
    "playback_pause": {"zh": "暂停", "en": "Pause"},
    "playback_note": {"zh": "回放：每一时刻的风险等级（当时在办案件）与此前一小时上报的事件",
                      "en": "Playback: risk level at each moment (cases open then) and events reported in the hour before"},
    "playback_events": {"zh": "圆点：此前一小时上报的事件（颜色同等级）",
                        "en": "Dots: events reported in the hour before (coloured by level)"},
    "card_outside_filter": {"zh": "该网格不在当前筛选（{sel}）内；以下为其全部数据。",
                            "en": "This area is outside the current filter ({sel}); all its data is shown."},
    "card_open_now": {"zh": "当前在办案件（近30天上报）", "en": "Open cases now (reported in the last 30 days)"},
    "card_in_window": {"zh": "统计时段内事件", "en": "Events in the window"},
    "risk_in_window": {"zh": "风险等级（统计时段）", "en": "Risk level (window)"},
}



# the review page (研判), its exports and the 一格一图 poster
_REVIEW: dict[str, dict[str, str]] = {
    # period comparison
    "no_comparison_empty": {"zh": "上期（{start} – {end}）事件库中没有数据，本期不作比较。",
                            "en": "The previous period ({start} – {end}) has no data in the event store: no comparison."},
    "no_comparison_partial": {"zh": "上期（{start} – {end}）仅部分时段有数据（最早一条 {first}），本期不作比较。",
                              "en": "The previous period ({start} – {end}) has data for part of it only (first event "
                                    "{first}): no comparison."},
    "no_comparison": {"zh": "无可比上期", "en": "no comparison"},
    "compared_with": {"zh": "对比上期", "en": "compared with the previous period"},
    "period": {"zh": "时段", "en": "Period"},
    "change_pct": {"zh": "变化 %", "en": "Change %"},
    # Gi* hot spots: ArcGIS Gi_Bin classes
    "gi_bin_3": {"zh": "热点 99% 置信度", "en": "Hot spot, 99% confidence"},
    "gi_bin_2": {"zh": "热点 95% 置信度", "en": "Hot spot, 95% confidence"},
    "gi_bin_1": {"zh": "热点 90% 置信度", "en": "Hot spot, 90% confidence"},
    "gi_bin_0": {"zh": "不显著", "en": "Not significant"},
    "gi_bin_-1": {"zh": "冷点 90% 置信度", "en": "Cold spot, 90% confidence"},
    "gi_bin_-2": {"zh": "冷点 95% 置信度", "en": "Cold spot, 95% confidence"},
    "gi_bin_-3": {"zh": "冷点 99% 置信度", "en": "Cold spot, 99% confidence"},
    "fdr": {"zh": "FDR 校正（控制错误发现率）", "en": "FDR correction (false discovery rate)"},
    "fdr_help": {"zh": "按检验次数收紧各置信度的 p 值阈值（Benjamini-Hochberg，esda.fdr），与 ArcGIS 的 "
                       "“应用错误发现率校正”相同。",
                 "en": "Tightens each confidence level's p-value threshold for the number of tests "
                       "(Benjamini-Hochberg, esda.fdr), like ArcGIS's \"Apply False Discovery Rate Correction\"."},
    "hotspot_method": {"zh": "Getis-Ord Gi*（esda.G_Local，star=True），二元邻接权重（含角点相邻），z 值双侧检验{fdr}；"
                             "分级同 ArcGIS 热点分析（Gi_Bin）。",
                       "en": "Getis-Ord Gi* (esda.G_Local, star=True), binary contiguity weights (corners "
                             "included), two-sided z test{fdr}; classes as ArcGIS Hot Spot Analysis (Gi_Bin)."},
    "fdr_applied": {"zh": "，FDR 校正", "en": ", FDR corrected"},
    "hot_ranking": {"zh": "热点网格排名", "en": "Hot-spot grids, ranked"},
    "no_hotspots": {"zh": "本期没有达到 90% 置信度的热点网格。", "en": "No hot-spot grid at 90% confidence or more."},
    "rank": {"zh": "排名", "en": "Rank"},
    "z_score": {"zh": "Gi* z 值", "en": "Gi* z-score"},
    "p_value": {"zh": "p 值", "en": "p-value"},
    "confidence": {"zh": "置信度", "en": "Confidence"},
    "hotspot_class": {"zh": "热点分级", "en": "Hot-spot class"},
    # exports
    "page_size": {"zh": "导出纸张（横向）", "en": "Export page (landscape)"},
    "cover": {"zh": "封面", "en": "Cover"},
    "report_title": {"zh": "风险研判报告", "en": "Risk review report"},
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "内容", "en": "Value"},
    "atlas": {"zh": "数据集", "en": "Atlas"},
    "risk_rule": {"zh": "风险规则", "en": "Risk rule"},
    "generated_at": {"zh": "生成时间", "en": "Generated"},
    "source": {"zh": "来源", "en": "Source"},
    "events_total": {"zh": "本期事件总数", "en": "Events this period"},
    "hotspot_summary": {"zh": "热点分级统计", "en": "Hot-spot classes"},
    "scale_ratio": {"zh": "比例尺 1:{n}", "en": "Scale 1:{n}"},
    "north": {"zh": "北", "en": "N"},
    "map_crs": {"zh": "坐标系 {crs}", "en": "CRS {crs}"},
    "top_hotspots": {"zh": "热点网格前 {n} 名", "en": "Top {n} hot-spot grids"},
    "street_boundary": {"zh": "街道界线", "en": "Street boundary"},
    # 一格一图 poster
    "poster_title": {"zh": "{community} 一格一图", "en": "{community}: one grid, one map"},
    "poster_subtitle": {"zh": "{street} · {n} 个网格 · {households} 户 · 网格员 {workers} 人",
                        "en": "{street} · {n} grids · {households} households · {workers} grid workers"},
    "poster_button": {"zh": "下载本社区“一格一图”（A3 PDF）", "en": "Download this community's grid poster (A3 PDF)"},
    "poster_pick": {"zh": "一格一图：选择社区", "en": "Grid poster: community"},
    "poster_table": {"zh": "网格一览", "en": "Grids"},
    "serial": {"zh": "序号", "en": "No."},
    "grid_boundary": {"zh": "网格界线（标注：序号 / 网格员 / 户数）",
                      "en": "Grid boundary (label: No. / worker / households)"},
    "community_boundary": {"zh": "社区界线", "en": "Community boundary"},
    "neighbour_area": {"zh": "相邻社区", "en": "Neighbouring communities"},
    "households_unit": {"zh": "{n} 户", "en": "{n} hh"},
    "total": {"zh": "合计", "en": "Total"},
    "printed_at": {"zh": "制图日期 {date}", "en": "Printed {date}"},
}



# the import page (数据导入) and atlas names
_IMPORT: dict[str, dict[str, str]] = {
    "imp_reason_blank": {"zh": "{field} 为空", "en": "{field} is blank"},
    "imp_reason_not_number": {"zh": "{field} {value} 不是数字", "en": "{field} {value} is not a number"},
    "imp_reason_not_whole": {"zh": "{field} {value} 不是非负整数", "en": "{field} {value} is not a whole number >= 0"},
    "imp_reason_repeat": {"zh": "{field} {value} 与第 {row} 行重复", "en": "{field} {value} already on row {row}"},
    "imp_reason_outside": {"zh": "位置（{lon}, {lat}）不在中国境内（经纬度互换，或与所声明的坐标系不符？）",
                           "en": "position ({lon}, {lat}) is outside China (swapped, or not in the declared CRS?)"},
    "page_import": {"zh": "数据导入", "en": "Import"},
    "atlas_caption": {"zh": "当前图集：{name}", "en": "Atlas: {name}"},
    "atlas_demo_label": {"zh": "光明区演示图集（合成数据，仅区界为真实边界）",
                         "en": "Guangming demo atlas (synthetic; only the district outline is real)"},
    "no_events_yet": {"zh": "暂无事件", "en": "No events yet"},
    "no_events_yet_long": {"zh": "暂无事件：事件库中还没有任何事件。事件经接口或 gridgeo ingest 进入后即显示在地图上。",
                           "en": "No events yet: the event store holds none. Events sent to the service or "
                                 "loaded with gridgeo ingest appear on the map."},
    "atlas_fix": {"zh": "请在“数据导入”页导入或切换图集，或改正 GRIDGEO_ATLAS。",
                  "en": "import or switch to an atlas on the Import page, or correct GRIDGEO_ATLAS."},
    "atlas_error": {"zh": "无法载入当前图集：{error}", "en": "The active atlas cannot be loaded: {error}"},
    "imp_title": {"zh": "数据导入：导入本辖区的图层", "en": "Import your district's layers"},
    "imp_intro": {"zh": "上传社区、街道、网格、原有部门网格和楼栋（小区）文件，或一个包含它们的 zip 压缩包。"
                        "支持 Shapefile（.shp/.dbf/.shx/.prj，可为 GBK 编码）、GeoJSON、GeoPackage、Excel 和 CSV。",
                  "en": "Upload the communities, streets, grids, legacy department grids and buildings "
                        "(compounds), or one zip holding them. Shapefile (.shp/.dbf/.shx/.prj, GBK is fine), "
                        "GeoJSON, GeoPackage, Excel and CSV are read."},
    "imp_name": {"zh": "图集名称（如 chengdu-jinjiang；可用中文、字母、数字和连字符）", "en": "Atlas name (e.g. chengdu-jinjiang; letters, Chinese, digits, hyphens)"},
    "imp_upload": {"zh": "选择文件或 zip 压缩包", "en": "Choose files or a zip"},
    "imp_files": {"zh": "① 文件与图层", "en": "① Files and layers"},
    "imp_files_help": {"zh": "请确认每个文件对应的图层；坐标系留空则自动识别（.prj 或坐标数值）。",
                       "en": "Check the layer of each file; leave the CRS empty to detect it (.prj or the "
                             "coordinate values)."},
    "imp_col_file": {"zh": "文件", "en": "File"},
    "imp_col_layer": {"zh": "图层", "en": "Layer"},
    "imp_col_crs": {"zh": "坐标系（可选）", "en": "CRS (optional)"},
    "imp_col_rows": {"zh": "要素数", "en": "Features"},
    "imp_fields": {"zh": "② 字段对应", "en": "② Field mapping"},
    "imp_fields_help": {"zh": "系统按别名表识别了各字段；如有错误，请在“对应字段”一列中改正（留空表示不使用）。",
                        "en": "Fields were recognised through the alias table; correct the \"target field\" "
                              "column where it is wrong (empty = not used)."},
    "imp_col_source": {"zh": "原字段", "en": "Source field"},
    "imp_col_target": {"zh": "对应字段", "en": "Target field"},
    "imp_col_sample": {"zh": "示例值", "en": "Sample value"},
    "imp_check": {"zh": "③ 检查", "en": "③ Check"},
    "imp_report": {"zh": "检查报告", "en": "Validation report"},
    "imp_summary": {"zh": "导入摘要", "en": "Import summary"},
    "imp_col_where": {"zh": "图层/文件", "en": "Layer / file"},
    "imp_col_feature": {"zh": "要素", "en": "Feature"},
    "imp_col_problem": {"zh": "问题", "en": "Problem"},
    "imp_col_hint": {"zh": "处理建议", "en": "What to do"},
    "imp_no_problems": {"zh": "检查通过：未发现问题。", "en": "Check passed: no problems found."},
    "imp_problems": {"zh": "发现 {n} 个问题，地图上以红色标出有问题的要素。",
                     "en": "{n} problems found; the features concerned are drawn in red on the map."},
    "imp_rejects": {"zh": "楼栋表中有 {n} 行无法使用，已跳过（行号、字段和原因见下表）。",
                    "en": "{n} rows of the building table cannot be used and were skipped (row, field and reason below)."},
    "imp_accept_warnings": {"zh": "我已了解以上提示，仍然导入", "en": "I have read the warnings above; import anyway"},
    "imp_do_import": {"zh": "④ 导入并启用此图集", "en": "④ Import and switch to this atlas"},
    "imp_done": {"zh": "已导入图集“{name}”（第 {version} 版）并设为当前图集，各页面已切换。",
                 "en": "Atlas \"{name}\" (version {version}) was imported and is now active on every page."},
    "imp_blocked": {"zh": "存在必须改正的问题，暂不能导入。请改正文件或字段对应后重新检查。",
                    "en": "There are problems that must be fixed first: correct the files or the mapping and check again."},
    "imp_need_name": {"zh": "请填写图集名称。", "en": "Give the atlas a name."},
    "imp_need_communities": {"zh": "至少需要一个社区图层。", "en": "A communities layer is needed at least."},
    "imp_progress": {"zh": "正在读取和检查文件…（{pct}%）", "en": "Reading and checking the files… ({pct}%)"},
    "imp_col_row": {"zh": "行号", "en": "Row"},
    "imp_demo_store": {"zh": "当前运行的是演示库（含模拟事件）。正式使用请另设数据库（GRIDGEO_DATABASE_URL）或数据目录"
                             "（GRIDGEO_DATA_DIR）后再导入，以免真实图集与模拟事件同存一库。",
                       "en": "This is the demo store (with simulated events). For real work set a database "
                             "(GRIDGEO_DATABASE_URL) or a data dir (GRIDGEO_DATA_DIR) of your own before importing, "
                             "so your atlas does not share a store with invented events."},
    "imp_details": {"zh": "导入过程明细（字段、编码、坐标系的识别经过）", "en": "Import details (how fields, encodings and CRS were found)"},
    "imp_count": {"zh": "{layer} {n} 个", "en": "{layer}: {n}"},
    "imp_area": {"zh": "辖区面积 {km2:,.2f} km²（按 {crs} 计算）", "en": "district area {km2:,.2f} km² (in {crs})"},
    "imp_units_crs": {"zh": "楼栋表（经度/纬度）坐标系", "en": "CRS of the building register's lon/lat"},
    "imp_crs_auto": {"zh": "WGS84 / CGCS2000（GPS、天地图）", "en": "WGS84 / CGCS2000 (GPS, Tianditu)"},
    "imp_crs_gcj02": {"zh": "GCJ-02（高德、腾讯地图拾取）", "en": "GCJ-02 (picked on AMap or Tencent maps)"},
    "imp_crs_bd09": {"zh": "BD-09（百度地图拾取）", "en": "BD-09 (picked on Baidu maps)"},
    "imp_crs_cgcs2000": {"zh": "CGCS2000 经纬度", "en": "CGCS2000 lon/lat"},
    "imp_col_value": {"zh": "原值", "en": "Value"},
    "imp_col_reason": {"zh": "原因", "en": "Reason"},
    "imp_unreadable": {"zh": "无法读取 {file}：{error}", "en": "{file} cannot be read: {error}"},
    "imp_stored": {"zh": "库中的图集", "en": "Atlases in the store"},
    "imp_use": {"zh": "切换为当前图集", "en": "Switch to this atlas"},
    "imp_switched": {"zh": "当前图集已切换为“{name}”。", "en": "The active atlas is now \"{name}\"."},
    "imp_problem_layer": {"zh": "有问题的要素", "en": "Features with problems"},
    "imp_map_ok": {"zh": "导入的要素", "en": "Imported features"},
    "imp_col_name": {"zh": "名称", "en": "Name"},
    "imp_col_version": {"zh": "版本", "en": "Version"},
    "imp_col_saved": {"zh": "保存时间", "en": "Saved"},
    "imp_col_active": {"zh": "当前", "en": "Active"},
    "imp_col_streets": {"zh": "街道数", "en": "Streets"},
    "imp_col_communities": {"zh": "社区数", "en": "Communities"},
    "imp_col_grids": {"zh": "网格数", "en": "Grids"},
    "imp_col_units": {"zh": "楼栋/小区数", "en": "Units"},
    "imp_col_demo": {"zh": "演示", "en": "Demo"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "layer_kind_communities": {"zh": "社区", "en": "Communities"},
    "layer_kind_streets": {"zh": "街道", "en": "Streets"},
    "layer_kind_grids": {"zh": "网格", "en": "Grids"},
    "layer_kind_units": {"zh": "楼栋/小区", "en": "Buildings / compounds"},
    "layer_kind_legacy": {"zh": "原有部门网格", "en": "Legacy department grids"},
    "layer_kind_ignore": {"zh": "（不导入）", "en": "(not imported)"},
    "imp_legacy_name": {"zh": "部门网格名称（如 党建、综治）", "en": "Legacy layer name (e.g. party, order)"},
}



# validation problems (gridgeo.atlas.validation) and the import summary (gridgeo.atlas.importing): the English
# of each entry is what the CLI prints, word for word
_VALIDATION: dict[str, dict[str, str]] = {
    # layer kinds: one feature (kind1_), several (kinds_), a layer at the head of a summary line (lyr_)
    "kind1_district": {"zh": "区", "en": "district"},
    "kind1_streets": {"zh": "街道", "en": "street"},
    "kind1_communities": {"zh": "社区", "en": "community"},
    "kind1_grids": {"zh": "网格", "en": "grid"},
    "kind1_legacy": {"zh": "部门网格", "en": "legacy grid"},
    "kind1_units": {"zh": "楼栋/小区", "en": "unit"},
    "kind1_events": {"zh": "事件", "en": "event"},
    "kind1_feature": {"zh": "要素", "en": "feature"},
    "kind1_parent": {"zh": "上级", "en": "parent"},
    "kinds_district": {"zh": "区", "en": "districts"},
    "kinds_streets": {"zh": "街道", "en": "streets"},
    "kinds_communities": {"zh": "社区", "en": "communities"},
    "kinds_grids": {"zh": "网格", "en": "grids"},
    "kinds_legacy": {"zh": "部门网格", "en": "legacy grids"},
    "kinds_units": {"zh": "楼栋/小区", "en": "units"},
    "kinds_events": {"zh": "事件", "en": "events"},
    "lyr_district": {"zh": "区", "en": "district"},
    "lyr_streets": {"zh": "街道", "en": "streets"},
    "lyr_communities": {"zh": "社区", "en": "communities"},
    "lyr_grids": {"zh": "网格", "en": "grids"},
    "lyr_units": {"zh": "楼栋/小区", "en": "units"},
    "lyr_legacy": {"zh": "原有部门网格", "en": "legacy"},
    "lyr_legacy_named": {"zh": "原有部门网格 {words}", "en": "legacy {slugs}"},  # words: the slugs in the language
    # canonical fields (gridgeo.atlas.model), as the alias table names them in Chinese
    "fld_code": {"zh": "编码", "en": "code"},
    "fld_name": {"zh": "名称", "en": "name"},
    "fld_id": {"zh": "事件编号", "en": "id"},
    "fld_district_code": {"zh": "区县编码", "en": "district_code"},
    "fld_street_code": {"zh": "街道编码", "en": "street_code"},
    "fld_community_code": {"zh": "社区编码", "en": "community_code"},
    "fld_district_name": {"zh": "区县名称", "en": "district_name"},
    "fld_street_name": {"zh": "街道名称", "en": "street_name"},
    "fld_community_name": {"zh": "社区名称", "en": "community_name"},
    "fld_households": {"zh": "户数", "en": "households"},
    "fld_population": {"zh": "人口", "en": "population"},
    "fld_enterprises": {"zh": "企业数", "en": "enterprises"},
    "fld_kind": {"zh": "单元类型", "en": "kind"},
    "fld_layer": {"zh": "图层", "en": "layer"},
    "fld_lon": {"zh": "经度", "en": "lon"},
    "fld_lat": {"zh": "纬度", "en": "lat"},
    "fld_address": {"zh": "地址", "en": "address"},
    "fld_grid_worker": {"zh": "网格员", "en": "grid_worker"},
    "fld_party_branch": {"zh": "党支部", "en": "party_branch"},
    "fld_reported_at": {"zh": "上报时间", "en": "reported_at"},
    "fld_category": {"zh": "类别", "en": "category"},
    "fld_level": {"zh": "等级", "en": "level"},
    "fldw_district_name": {"zh": "区县名称", "en": "district name"},
    "fldw_street_name": {"zh": "街道名称", "en": "street name"},
    "fldw_community_name": {"zh": "社区名称", "en": "community name"},
    # geometry types and GEOS's reasons for an invalid geometry
    "geom_Point": {"zh": "点", "en": "Point"},
    "geom_LineString": {"zh": "线", "en": "LineString"},
    "geom_LinearRing": {"zh": "线环", "en": "LinearRing"},
    "geom_Polygon": {"zh": "面", "en": "Polygon"},
    "geom_MultiPoint": {"zh": "多点", "en": "MultiPoint"},
    "geom_MultiLineString": {"zh": "多线", "en": "MultiLineString"},
    "geom_MultiPolygon": {"zh": "多面", "en": "MultiPolygon"},
    "geom_GeometryCollection": {"zh": "几何集合", "en": "GeometryCollection"},
    "sep_or": {"zh": "或", "en": " or "},
    "sep_list": {"zh": "、", "en": ", "},
    "sep_semi": {"zh": "；", "en": "; "},
    "gvr_self-intersection": {"zh": "边界自相交", "en": "self-intersection"},
    "gvr_ring self-intersection": {"zh": "环自相交", "en": "ring self-intersection"},
    "gvr_too few points in geometry component": {"zh": "图形的点数过少", "en": "too few points in geometry component"},
    "gvr_hole lies outside shell": {"zh": "内环位于外环之外", "en": "hole lies outside shell"},
    "gvr_nested holes": {"zh": "内环相互嵌套", "en": "nested holes"},
    "gvr_interior is disconnected": {"zh": "内部不连通", "en": "interior is disconnected"},
    "gvr_nested shells": {"zh": "外环相互嵌套", "en": "nested shells"},
    "gvr_duplicate rings": {"zh": "环重复", "en": "duplicate rings"},
    "gvr_invalid coordinate": {"zh": "坐标无效", "en": "invalid coordinate"},
    "gvr_ring is not closed": {"zh": "环未闭合", "en": "ring is not closed"},
    "gvr_invalid geometry": {"zh": "图形无效", "en": "invalid geometry"},
    # the kinds of problem (Problem.check), as the import page's category column names them
    "chk_overlap": {"zh": "重叠", "en": "overlap"},
    "chk_gap": {"zh": "缝隙", "en": "gap"},
    "chk_outside_parent": {"zh": "超出上级范围", "en": "outside parent"},
    "chk_invalid_geometry": {"zh": "图形无效", "en": "invalid geometry"},
    "chk_null_geometry": {"zh": "缺少图形", "en": "no geometry"},
    "chk_empty_geometry": {"zh": "空图形", "en": "empty geometry"},
    "chk_geometry_type": {"zh": "图形类型不符", "en": "wrong geometry type"},
    "chk_missing_field": {"zh": "缺少字段", "en": "missing field"},
    "chk_empty_field": {"zh": "字段为空", "en": "empty field"},
    "chk_duplicate_code": {"zh": "编码重复", "en": "duplicate code"},
    "chk_code_length": {"zh": "编码位数不符", "en": "code length"},
    "chk_code_prefix": {"zh": "编码与上级不符", "en": "code prefix"},
    "chk_unknown_parent": {"zh": "上级不存在", "en": "unknown parent"},
    "chk_bad_count": {"zh": "数量无效", "en": "bad count"},
    "chk_outside_china": {"zh": "不在中国境内", "en": "outside China"},
    "chk_lonlat_swapped": {"zh": "经纬度颠倒", "en": "lon/lat swapped"},
    "chk_empty_layer": {"zh": "图层为空", "en": "empty layer"},
    "chk_missing_layer": {"zh": "缺少图层", "en": "missing layer"},
    "chk_unreadable": {"zh": "无法读取", "en": "unreadable"},
    "chk_crs_mismatch": {"zh": "坐标系不一致", "en": "CRS mismatch"},
    "chk_event_field": {"zh": "事件字段无效", "en": "event field"},
    # the problems
    "val_missing_field": {"zh": "缺少必填字段“{col}”", "en": "missing required field {col!r}"},
    "val_missing_field_hint": {"zh": "请添加“{col}”字段（{kinds}需要：{required}）",
                               "en": "add a {col} column ({kinds} need: {required})"},
    "val_empty_field": {"zh": "必填字段“{col}”为空", "en": "required field {col!r} is empty"},
    "val_empty_field_hint": {"zh": "请填写{col}", "en": "fill in {col}"},
    "val_bad_count": {"zh": "{col}为 {value}，不是非负整数", "en": "{col} is {value}, not a whole number >= 0"},
    "val_bad_count_hint": {"zh": "{col}应填写为整数个数", "en": "write {col} as a count"},
    "val_duplicate": {"zh": "{n} 个要素使用同一{col}（第 {rows} 行）", "en": "{col} used by {n} features (rows {rows})"},
    "val_duplicate_hint": {"zh": "请为每个要素设置各自的{col}", "en": "give each feature its own {col}"},
    "val_code_length": {"zh": "编码 {code} 不是 {n} 位数字", "en": "code {code} is not {n} digits"},
    "val_code_length_hint": {"zh": "{kind}编码为 {n} 位数字", "en": "{kind} codes have {n} digits"},
    "val_code_prefix": {"zh": "编码 {code} 不以其{col} {parent} 开头", "en": "code {code} does not start with its {col} {parent}"},
    "val_code_prefix_hint": {"zh": "{kind}编码应以其所属{parent}的编码开头", "en": "a {kind} code extends its {parent}'s code"},
    "val_parent_length": {"zh": "{col} {value} 不是 {n} 位数字", "en": "{col} {value} is not {n} digits"},
    "val_null_geometry": {"zh": "缺少图形", "en": "geometry is null"},
    "val_empty_geometry": {"zh": "图形为空", "en": "geometry is empty"},
    "val_draw_or_delete": {"zh": "请补画该要素，或删除该行", "en": "draw the feature or delete the row"},
    "val_geometry_type": {"zh": "图形类型为{type}", "en": "geometry is a {type}"},
    "val_geometry_type_hint": {"zh": "{kinds}应为{types}", "en": "{kinds} need {types}"},
    "val_reason_at": {"zh": "{what}（经度 {lon}，纬度 {lat}）", "en": "{what} at lon {lon}, lat {lat}"},
    "val_invalid": {"zh": "图形无效：{reason}（WGS84）", "en": "invalid geometry: {reason} (WGS84)"},
    "val_invalid_hint": {"zh": "请在原数据中修正该图形（导入时无效多边形会自动修复，修复结果请核对）",
                         "en": "fix it there, or rerun with --repair OUT to fix it with make_valid"},
    "val_box": {"zh": "经度 {x0}..{x1}，纬度 {y0}..{y1}", "en": "lon {x0}..{x1}, lat {y0}..{y1}"},
    "val_lonlat": {"zh": "经度 {lon}，纬度 {lat}", "en": "lon {lon}, lat {lat}"},
    "val_swapped_all": {"zh": "经纬度似乎颠倒（坐标范围 {box}）", "en": "lon/lat look swapped (coordinates span {box})"},
    "val_swapped_all_hint": {"zh": "请交换 x、y 两列（坐标轴），使经度在前",
                             "en": "swap the x and y columns / axes so longitude comes first"},
    "val_swapped": {"zh": "经纬度似乎颠倒（{box}）", "en": "lon/lat look swapped ({box})"},
    "val_swapped_hint": {"zh": "请交换其 x、y，使经度在前", "en": "swap its x and y so longitude comes first"},
    "val_metres_hint": {"zh": "坐标数值是米而不是度：请声明其投影坐标系，如 EPSG:4547",
                        "en": "the numbers look like metres, not degrees: declare the projected CRS, e.g. --crs EPSG:4547"},
    "val_check_crs_hint": {"zh": "请检查坐标和所声明的坐标系", "en": "check the coordinates and the declared CRS (--crs)"},
    "val_outside_all": {"zh": "全部 {n} 个要素都不在中国境内（{box}）", "en": "all {n} features lie outside China ({box})"},
    "val_outside": {"zh": "不在中国境内（{box}）", "en": "lies outside China ({box})"},
    "val_overlap": {"zh": "与{kind} {other} 重叠 {area}", "en": "overlaps {kind} {other} by {area}"},
    "val_overlap_hint": {"zh": "请调整共有边界，使每处只属于一个{kind}（容差 {tol} m²）",
                         "en": "move the shared border so each place belongs to one {kind} (tolerance {tol} m²)"},
    "val_parent_label": {"zh": "{kind} {code}", "en": "{kind} {code}"},
    "val_inside": {"zh": "（{parent} 内）", "en": " inside {parent}"},
    "val_borders": {"zh": "；相邻 {names}{more}", "en": "; borders {names}{more}"},
    "val_gap": {"zh": "有 {area} 的缝隙{where}未被任何{kind}覆盖（位置：{at}{near}）",
                "en": "gap of {area}{where} not covered by any {kind} (at {at}{near})"},
    "val_gap_hint": {"zh": "请扩展相邻的{kind}以覆盖该处（容差 {tol} m²）",
                     "en": "extend a neighbouring {kind} to cover it (tolerance {tol} m²)"},
    "val_unknown_parent": {"zh": "{col} {code} 不是已有的{parent}", "en": "{col} {code} is not a known {parent}"},
    "val_unknown_parent_hint": {"zh": "请使用已有{parent}的编码，或补充该{parent}",
                                "en": "use the code of an existing {parent} or add that {parent}"},
    "val_outside_parent": {"zh": "有 {area} 超出其所属{parent} {code}", "en": "lies {area} outside its {parent} {code}"},
    "val_outside_parent_at": {"zh": "位于其所属{parent} {code} 之外（{at}）",
                              "en": "lies outside its {parent} {code} (at {at})"},
    "val_outside_parent_hint": {"zh": "请将其重画在该{parent}内，或改正{col}（容差 {tol} m²）",
                                "en": "redraw it inside the {parent} or fix {col} (tolerance {tol} m²)"},
    "val_empty_layer": {"zh": "图层中没有要素", "en": "the layer has no features"},
    "val_empty_layer_hint": {"zh": "请重新导出包含要素的图层", "en": "export it again with its features"},
    "val_crs_mismatch": {"zh": "{n} 个要素中有 {outside} 个部分超出其所属{parent}：两个文件的坐标系可能不同"
                               "（GCJ-02、BD-09 与 WGS84 相差数百米）",
                         "en": "{outside} of {n} features lie partly outside their {parent}: the two files may be "
                               "in different CRSs (GCJ-02 and BD-09 are shifted by a few hundred metres from WGS84)"},
    "val_crs_mismatch_hint": {"zh": "请分别声明两个文件的坐标系", "en": "declare each file's CRS with --crs and --parent-crs"},
    "val_missing_layer": {"zh": "缺少图集图层“{layer}”", "en": "missing atlas layer {layer!r}"},
    "val_missing_layer_hint": {"zh": "请补充该图层，或用生成演示数据的命令在 {folder} 生成图集",
                               "en": "add it, or generate an atlas with `gridgeo demo-data --out {folder}`"},
    # how parents were found (gridgeo.atlas.importing.parents)
    "par_by_field": {"zh": "按编码字段", "en": "the code field"},
    "par_by_prefix": {"zh": "按编码前缀", "en": "code prefix"},
    "par_by_name": {"zh": "按名称（{field}）", "en": "name ({field})"},
    "par_by_location": {"zh": "按位置", "en": "location"},
    "par_how": {"zh": "{by} {n} 个", "en": "by {by} for {n}"},
    "par_none": {"zh": "均未找到", "en": "none found"},
    "par_plain": {"zh": "{how}", "en": "{how}"},
    "par_unmatched": {"zh": "{how}（以下名称无匹配的上级，已按位置归属：{names}）",
                      "en": "{how} (name(s) matching no parent, placed by location: {names})"},
    "par_name_none": {"zh": "其{field} {name} 无一匹配", "en": "its {field} {name} matches none"},
    "par_place_none": {"zh": "其位置不在任何一个之内", "en": "it lies in none"},
    "par_no_parent": {"zh": "未找到上级（共 {n} 个上级）：{what}", "en": "no parent found: {what} of the {n} parents"},
    "par_no_parent_hint": {"zh": "请填写其{col}，或改正名称", "en": "give its {col} or fix the name"},
    # how a file was read (gridgeo.atlas.importing.sources, detect, units)
    "src_crs_given": {"zh": "{crs}（导入时指定）", "en": "{crs} as given with --crs {layer}={crs}"},
    "src_crs_prj": {"zh": "{crs}，取自 .prj 文件", "en": "{crs} ({name}) from the .prj"},
    "src_crs_file": {"zh": "{crs}，取自文件", "en": "{crs} ({name}) from the file"},
    "src_gk_zone": {"zh": "CGCS2000 {width} 度高斯-克吕格投影第 {zone} 带（中央经线 {cm}°E）",
                    "en": "CGCS2000 {width}-degree GK zone {zone} (CM {cm}°E)"},
    "src_crs_detected": {"zh": "{zone}，{epsg}，按坐标数值判断（{why}）",
                         "en": "{zone}, {epsg}, from the coordinate magnitude ({why})"},
    "src_no_prj": {"zh": "无 .prj 文件", "en": "no .prj"},
    "src_file_says": {"zh": "文件声明为 {crs}，但坐标数值是米", "en": "the file says {crs}, but the numbers are metres"},
    "src_text": {"zh": "文字编码 {enc}", "en": "text {enc}"},
    "src_text_detected": {"zh": "文字编码 {enc}（自动识别：无 .cpg 文件）", "en": "text {enc} (detected: no .cpg)"},
    "src_text_dbf": {"zh": "文字编码按 .dbf 文件头", "en": "text as the .dbf header says"},
    "src_file_note": {"zh": "{file}：{note}", "en": "{file}: {note}"},
    "src_points": {"zh": "{crs} 坐标点", "en": "{crs} points"},
    "src_points_converted": {"zh": "{crs} 坐标点，已转换为 WGS84", "en": "{crs} points converted to WGS84"},
    "src_no_code": {"zh": "无编码字段：按文件顺序编号", "en": "no code field: numbered in file order"},
    # files the import cannot use (errors: the English is the CLI's line)
    "err_gk_no_zone": {"zh": "{file}：没有 .prj 文件，{what}的坐标是不带带号的高斯-克吕格米制坐标，无法确定投影带；"
                             "请在“坐标系”一列填写 EPSG:4534–4554 之一（如中央经线 105°E 为 EPSG:4544）",
                       "en": "{path}: no .prj and the {what} coordinates are Gauss–Krüger metres without the zone "
                             "number, so the zone cannot be known; give {flag}=EPSG:45xx (4534-4554, e.g. EPSG:4544 "
                             "for central meridian 105°E)"},
    "err_degrees_unknown": {"zh": "{file}：没有 .prj 文件，{what}的坐标是经纬度；请在“坐标系”一列注明是哪种：CGCS2000（或 WGS84、GCJ02、BD09）",
                            "en": "{path}: no .prj and the {what} coordinates are degrees; say which with "
                                  "{flag}=CGCS2000 (or WGS84, GCJ02, BD09)"},
    "err_no_crs": {"zh": "{file}：没有 .prj 文件，{what}的坐标（{x}, {y}）不符合国内常用的任何坐标系；请在“坐标系”一列填写其 EPSG 编号",
                   "en": "{path}: no .prj and the {what} coordinates ({x}, {y}) match no CRS used in China; "
                         "give {flag}=EPSG:xxxx"},
    "err_no_field": {"zh": "{file}：{layer}文件中未识别出{col}字段；请按别名表命名该字段",
                     "en": "{path}: no {col} field recognised in the {layer} file; name it as in the alias table "
                           "(docs/import.md) or map it with --fields MAP.toml"},
    "err_no_column": {"zh": "{file}：没有{col}列；请将其命名为 {alias}",
                      "en": "{path}: no {col} column; name it {alias} (or map it in a --fields file)"},
    "colw_lon": {"zh": "经度", "en": "longitude"},
    "colw_lat": {"zh": "纬度", "en": "latitude"},
    "colw_code": {"zh": "编码", "en": "code"},
    # the import summary lines (gridgeo.atlas.importing.assemble)
    "sum_map": {"zh": "{src}→{dst}", "en": "{src}→{dst}"},
    "sum_none": {"zh": "无", "en": "none"},
    "sum_read": {"zh": "{layer}：{n} 个，来自 {file}；{notes}；字段 {fields}",
                 "en": "{layer}: {n} from {file}; {notes}; fields {fields}"},
    "sum_repaired": {"zh": "{layer}：{n} 个无效多边形已自动修复", "en": "{layer}: {n} invalid polygon(s) repaired with make_valid"},
    "sum_parent": {"zh": "{layer}：所属{parent} — {how}", "en": "{layer}: parent {parent} {how}"},
    "sum_streets_derived": {"zh": "街道：由社区编码（前 9 位）推出 {n} 个，边界为其所辖社区的合并",
                            "en": "streets: {n} derived from the community codes (first 9 digits), "
                                  "geometry = dissolve of their communities"},
    "sum_district_derived": {"zh": "区：由街道编码（前 6 位）推出 {n} 个",
                             "en": "district: {n} derived from the street codes (first 6 digits)"},
    "sum_no_grids": {"zh": "网格：未提供（导入网格之前，图集中没有网格）",
                     "en": "grids: none given (the atlas has no grids until they are imported)"},
    "sum_completed": {"zh": "{line}；{n} 个网格序号已加上社区编码补全",
                      "en": "{line}; {n} serial codes completed with the community code"},
    "sum_units_table": {"zh": "楼栋/小区：{n} 个，来自 {file}；{note}；字段 {fields}；{bad} 行被拒绝",
                        "en": "units: {n} from {file}; {note}; fields {fields}; {bad} row(s) rejected"},
    "sum_no_kind": {"zh": "楼栋/小区：无单元类型字段，全部按物业小区处理",
                    "en": "units: no kind field: every unit taken as compound (物业小区)"},
    "sum_no_count": {"zh": "楼栋/小区：无{col}字段，按 0 计", "en": "units: no {col} field: taken as 0"},
    "sum_rejects": {"zh": "拒绝：跳过楼栋/小区表 {rows} 行（{cells} 个无效单元格）",
                    "en": "rejects: {rows} unit row(s) skipped ({cells} bad cell(s))"},
    "sum_area_part": {"zh": "{layer} {n} 个（{km2} km²）", "en": "{layer} {n} ({km2} km²)"},
    "sum_areas": {"zh": "面积按 {crs}（距本区最近的 CGCS2000 高斯-克吕格 3 度带）计算：{parts}",
                  "en": "areas in {crs} (the CGCS2000 GK zone nearest the district): {parts}"},
}


# login, roles and access messages
_ACCESS: dict[str, dict[str, str]] = {
    "login_title": {"zh": "登录", "en": "Log in"},
    "login_intro": {"zh": "本系统已启用账号：请用网格办分配的账号登录。",
                    "en": "Accounts are enabled: log in with the account your grid office gave you."},
    "login_user": {"zh": "用户名", "en": "User name"},
    "login_password": {"zh": "密码", "en": "Password"},
    "login_submit": {"zh": "登录", "en": "Log in"},
    "login_wrong": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "login_locked": {"zh": "连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员。",
                     "en": "Too many failed logins: the account is locked; try again in {minutes} min or ask an admin."},
    "logged_in_as": {"zh": "当前用户：{name}（{role}）", "en": "Logged in: {name} ({role})"},
    "logout": {"zh": "退出登录", "en": "Log out"},
    "open_mode": {"zh": "未启用账号（本机演示模式）：添加用户后将要求登录。",
                  "en": "No accounts yet (local demo mode): adding a user turns login on."},
    "bad_wall_key": {"zh": "大屏密钥无效或已吊销，请联系管理员。", "en": "The wall key is unknown or revoked; ask an admin."},
    "not_allowed": {"zh": "当前角色（{role}）无权执行此操作：需要 {roles} 之一。",
                    "en": "Your role ({role}) may not do this: it needs one of {roles}."},
    "role_admin": {"zh": "管理员", "en": "admin"},
    "role_planner": {"zh": "规划员", "en": "planner"},
    "role_district": {"zh": "区级", "en": "district"},
    "role_street": {"zh": "街道", "en": "street"},
    "role_community": {"zh": "社区", "en": "community"},
    "role_grid_worker": {"zh": "网格员", "en": "grid worker"},
    "role_intake": {"zh": "采集接口", "en": "intake"},
    "role_viewer": {"zh": "只读", "en": "viewer"},
}


for _section in (_PLANNER, _PARTITION, _WALL_MAP, _REVIEW, _IMPORT, _VALIDATION, _ACCESS):
    STRINGS.update(_section)


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    """The UI string for ``key`` in ``lang`` ("zh" or "en"); Chinese when ``lang`` is unknown."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANG]


def level_name(level: int, lang: str = DEFAULT_LANG) -> str:
    """Display name of an event level 1-4."""
    return LEVEL_NAMES.get(lang, LEVEL_NAMES[DEFAULT_LANG]).get(int(level), str(level))


def status_name(status: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a lifecycle status."""
    return STATUS_NAMES.get(lang, STATUS_NAMES[DEFAULT_LANG]).get(status, status)


def layer_name(layer: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a legacy grid layer (``pp_layer_<layer>``; else the layer as named)."""
    key = f"pp_layer_{layer}"
    return t(key, lang) if key in STRINGS else str(layer)


def stage_name(stage: str, lang: str = DEFAULT_LANG, names: dict | None = None) -> str:
    """A partition progress stage ("regionalize 440311001001") in words ("社区内分区 新坡头社区");
    ``names`` maps the codes that follow the stage to display names."""
    head, _, rest = str(stage).partition(" ")
    key = f"pp_stage_{head}"
    word = t(key, lang) if key in STRINGS else head
    return f"{word} {(names or {}).get(rest, rest)}".strip()


def category_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of an event category slug: the configured categories of gridgeo.events.schema."""
    from gridgeo.events.schema import category_label

    return category_label(code, lang)


@dataclass(frozen=True)
class Msg:
    """A message to show in any language: a catalogue key and its ``str.format`` parameters.

    A parameter that is itself a ``Msg`` (a reason, a unit word) is rendered in the same
    language first. ``render`` never raises: a template whose fields do not match the
    parameters is shown as the bare template.
    """

    key: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang``."""
        values = {k: v.render(lang) if isinstance(v, Msg | Seq) else v for k, v in self.params.items()}
        text = t(self.key, lang)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text


@dataclass(frozen=True)
class Seq:
    """A list of parts (``Msg`` or plain text) joined with ``sep`` (text, or a ``Msg`` such as
    " or " / "或"; by default ", " / "、"), as one ``Msg`` parameter."""

    items: tuple = ()
    sep: object = None

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The parts in ``lang``, joined."""
        sep = Msg("sep_list") if self.sep is None else self.sep
        return render(sep, lang).join(render(item, lang) for item in self.items)


def word(prefix: str, name: object) -> Msg | str:
    """``Msg(prefix + name)`` when the catalogue has that key, else ``name`` as text: a canonical
    field (``word("fld_", "street_code")``) translates, a file's own field name stays as it is."""
    return Msg(f"{prefix}{name}") if f"{prefix}{name}" in STRINGS else str(name)


def render(message, lang: str = DEFAULT_LANG) -> str:
    """A ``Msg``, an object carrying one in ``.msg`` (an error), or any other object as text."""
    msg = message if isinstance(message, Msg | Seq) else getattr(message, "msg", None)
    return msg.render(lang) if isinstance(msg, Msg | Seq) else str(message)


def _add_network_strings() -> None:
    from gridgeo.i18n.network import NETWORK_STRINGS

    STRINGS.update(NETWORK_STRINGS)


_add_network_strings()
