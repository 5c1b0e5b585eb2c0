"""UI and message strings of the service network (halls, stations, escalation, ratings)."""

from __future__ import annotations

NETWORK_STRINGS: dict[str, dict[str, str]] = {
    "tier_station": {"zh": "党群服务站", "en": "station"},
    "tier_community": {"zh": "社区党群服务中心", "en": "community hall"},
    "tier_street": {"zh": "街道综治中心", "en": "street centre"},
    "tier_district": {"zh": "区综治中心", "en": "district centre"},
    "sp_bad_tier": {"zh": "服务网点层级“{tier}”无效", "en": "service point tier {tier!r} is not valid"},
    "sp_bad_tier_hint": {"zh": "层级请填 station、community、street 或 district",
                         "en": "use station, community, street or district"},
    "sp_unknown_territory": {"zh": "服务网点所服务的辖区“{territory}”不在图集中",
                             "en": "the territory {territory!r} it serves is not in the atlas"},
    "sp_unknown_territory_hint": {"zh": "请填写图集中的社区/街道/区编码",
                                  "en": "give the code of a community, street or district of the atlas"},
    "sp_hall_outside": {"zh": "社区党群服务中心不在其社区“{territory}”范围内",
                        "en": "the community hall lies outside its community {territory}"},
    "sp_hall_outside_hint": {"zh": "请核对坐标或所属社区编码", "en": "check its coordinates or its community code"},
    "sp_no_hall": {"zh": "社区“{territory}”没有党群服务中心", "en": "community {territory} has no hall"},
    "sp_no_hall_hint": {"zh": "每个社区需要且只需要一个党群服务中心",
                        "en": "every community needs exactly one hall (tier community)"},
    "sp_many_halls": {"zh": "社区“{territory}”有 {n} 个党群服务中心",
                      "en": "community {territory} has {n} halls"},
    "rating_satisfied": {"zh": "满意", "en": "satisfied"},
    "rating_fair": {"zh": "基本满意", "en": "fairly satisfied"},
    "rating_unsatisfied": {"zh": "不满意", "en": "unsatisfied"},
    "deadline_accept": {"zh": "受理", "en": "accepted"},
    "deadline_resolve": {"zh": "化解", "en": "resolved"},
    "escalation_note": {"zh": "逾期未{what}，由{from_tier}上交{to_tier}",
                        "en": "not {what} by its due time: escalated from {from_tier} to {to_tier}"},
}
