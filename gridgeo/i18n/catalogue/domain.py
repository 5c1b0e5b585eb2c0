"""Names of the domain's codes: event levels, areas' risk levels and the risk rule, lifecycle statuses,
event categories, report channels and list types.

The domain modules keep the codes (gridgeo.events.lifecycle.STATUSES, gridgeo.events.schema
DEFAULT_CATEGORIES, CHANNELS, LIST_TYPES; levels 1-4); their display names live only here, one
family of keys per kind (``level_<n>``, ``risk_label_<n>``, ``status_<code>``, ``cat_<code>``, ``channel_<code>``,
``list_type_<code>``; see gridgeo.i18n.catalogue.families).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # event levels: 1 is the most severe (red warning) .. 4 (blue)
    "level_1": {"zh": "I级（红）", "en": "I (red)"},
    "level_2": {"zh": "II级（橙）", "en": "II (orange)"},
    "level_3": {"zh": "III级（黄）", "en": "III (yellow)"},
    "level_4": {"zh": "IV级（蓝）", "en": "IV (blue)"},
    # an area's risk level on the map (gridgeo.analysis.risk): the warning colour of its most severe open case
    "risk_label_0": {"zh": "无在办案件", "en": "no open cases"},
    "risk_label_1": {"zh": "红色 I 级", "en": "red, level I"},
    "risk_label_2": {"zh": "橙色 II 级", "en": "orange, level II"},
    "risk_label_3": {"zh": "黄色 III 级", "en": "yellow, level III"},
    "risk_label_4": {"zh": "蓝色 IV 级", "en": "blue, level IV"},
    "risk_rule_text": {"zh": "风险等级 = 在办案件（{statuses}）中最高等级；每千户在办案件数每超过一个阈值（{thresholds}）升一级"
                             "（须至少 {min_open} 件在办）。灰色：无在办案件。",
                       "en": "Risk = level of the most severe open case ({statuses}); raised one step for each threshold "
                             "exceeded of open cases per 1,000 households ({thresholds}), when an area has at least "
                             "{min_open} open cases. Grey: no open cases."},
    # lifecycle statuses (gridgeo.events.lifecycle)
    "status_reported": {"zh": "已上报", "en": "reported"},
    "status_accepted": {"zh": "已受理", "en": "accepted"},
    "status_resolved": {"zh": "已化解", "en": "resolved"},
    "status_confirmed": {"zh": "已确认", "en": "confirmed"},
    "status_feedback": {"zh": "已反馈", "en": "feedback"},
    "status_escalated": {"zh": "已上交", "en": "escalated"},
    "status_rejected": {"zh": "不予受理", "en": "rejected"},
    # the default event categories (gridgeo.events.schema.DEFAULT_CATEGORIES)
    "cat_neighbour_dispute": {"zh": "邻里纠纷", "en": "Disputes between neighbours"},
    "cat_labour": {"zh": "劳资纠纷", "en": "Labour and wages"},
    "cat_property": {"zh": "物业纠纷", "en": "Property management"},
    "cat_work_safety": {"zh": "安全生产", "en": "Work safety"},
    "cat_public_order": {"zh": "治安秩序", "en": "Public order"},
    "cat_environment": {"zh": "环境噪音", "en": "Environment and noise"},
    "cat_urban_village": {"zh": "城中村问题", "en": "Urban village"},
    "cat_land": {"zh": "土地整备", "en": "Land consolidation"},
    "cat_petition": {"zh": "越级信访", "en": "Petition to higher levels"},
    "cat_other": {"zh": "其他", "en": "Other"},
    # how an event was reported (gridgeo.events.schema.CHANNELS)
    "channel_app": {"zh": "手机应用", "en": "Mobile app"},
    "channel_hotline": {"zh": "热线", "en": "Hotline"},
    "channel_grid_worker": {"zh": "网格员", "en": "Grid worker"},
    "channel_volunteer": {"zh": "平安员", "en": "Safety volunteer"},
    "channel_hall": {"zh": "服务大厅", "en": "Service hall"},
    # list types and their time limits (gridgeo.events.schema.LIST_TYPES)
    "list_type_immediate": {"zh": "即办", "en": "Immediate"},
    "list_type_staged": {"zh": "阶段性", "en": "Staged"},
    "list_type_explained": {"zh": "谅解", "en": "Explained"},
}
