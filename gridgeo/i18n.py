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
