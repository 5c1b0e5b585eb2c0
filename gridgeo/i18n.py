"""User interface strings in Simplified Chinese (the default) and English.

``t(key, lang)`` returns the string for a key; unknown languages fall back to Chinese and an
unknown key is returned as is (so a missing translation shows up on screen instead of failing).
Strings may carry ``str.format`` fields: ``t("seeded", "en").format(n=120)``.
"""

from __future__ import annotations

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
}

# the in-browser map editor of the grid editor page (app_pages/plan_editor), keys pe_<key>
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
    "pe_lg_fill_under_min": {"zh": "填色：网格户数低于下限", "en": "Fill: grid below the band"},
    "pe_lg_fill_ok": {"zh": "填色：网格户数在范围内", "en": "Fill: grid within the band"},
    "pe_lg_fill_over_max": {"zh": "填色：网格户数超过上限", "en": "Fill: grid above the band"},
    "pe_lg_unassigned": {"zh": "未分配单元（空隙）", "en": "Unassigned atom (gap)"},
    "pe_lg_outline": {"zh": "网格边界（已校验）", "en": "Grid outline (checked)"},
    "pe_lg_outline_pending": {"zh": "网格边界（校验中，稍后更新）", "en": "Grid outline (being checked)"},
    "pe_lg_selected": {"zh": "所选单元", "en": "Selected atom"},
    "pe_lg_issue_error": {"zh": "检查错误位置", "en": "Check error"},
    "pe_lg_issue_warning": {"zh": "检查提醒位置", "en": "Check warning"},
    "pe_lg_bar": {"zh": "户数条：绿色区间为规模范围，颜色为规模状态", "en": "Households bar: green span is the band, colour the status"},
    "pe_lg_brush": {"zh": "笔刷范围", "en": "Brush reach"},
    "pe_line_sent": {"zh": "拆分线已记录，请在右侧按“按地图上画的线拆分”。", "en": "Line kept: press “Split along the line”."},
    "pe_refused": {"zh": "未执行：", "en": "Not applied: "},
})



# the partition page (网格划分): stages, layers, headers, reasons
_PARTITION: dict[str, dict[str, str]] = {
}



# the wall display (指挥大屏) and the map page (地图)
_WALL_MAP: dict[str, dict[str, str]] = {
}



# the review page (研判), its exports and the 一格一图 poster
_REVIEW: dict[str, dict[str, str]] = {
}



# the import page (数据导入) and atlas names
_IMPORT: dict[str, dict[str, str]] = {
}



# login, roles and access messages
_ACCESS: dict[str, dict[str, str]] = {
}


for _section in (_PLANNER, _PARTITION, _WALL_MAP, _REVIEW, _IMPORT, _ACCESS):
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


def category_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of an event category slug: the configured categories of gridgeo.events."""
    from gridgeo.events import category_label

    return category_label(code, lang)
