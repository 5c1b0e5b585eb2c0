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



# the partition page (网格划分): stages, layers, headers, reasons
_PARTITION: dict[str, dict[str, str]] = {
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
