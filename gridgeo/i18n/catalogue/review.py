"""The review page (研判): period comparison, Gi* hot spots, exports and the 一格一图 poster."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # period comparison
    "no_comparison_empty": {"zh": "上期（{start} – {end}）事件库中没有数据，本期不作比较。",
                            "en": "The previous period ({start} – {end}) has no data in the event store: no comparison."},
    "no_comparison_partial": {"zh": "上期（{start} – {end}）仅部分时段有数据（最早一条 {first}），本期不作比较。",
                              "en": "The previous period ({start} – {end}) has data for part of it only (first event "
                                    "{first}): no comparison."},
    "no_comparison": {"zh": "无可比上期", "en": "no comparison"},
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
    "review_partial_today": {"zh": "今日（{start} 起，尚未结束，仅供参考）：接收 {n} 件", "en": "Today (since {start}, not over yet, indicative only): {n} received"},
    "review_default_period": {"zh": "默认显示最近 {days} 个完整日；今日单独列出", "en": "Default: the last {days} complete days; today is shown apart"},
    "review_tab_map": {"zh": "热点地图", "en": "Hot-spot map"},
    "review_date_hint": {"zh": "输入日期后按回车或 Tab 生效（格式 YYYY/MM/DD）", "en": "Typed dates apply on Enter or Tab (format YYYY/MM/DD)"},
}
