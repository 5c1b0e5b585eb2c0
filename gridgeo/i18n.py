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
}



# the import page (数据导入) and atlas names
_IMPORT: dict[str, dict[str, str]] = {
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
