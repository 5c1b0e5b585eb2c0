"""Reading hotline work orders (gridgeo.events.hotline, issue 22): columns by alias, local times,
category and urgency tables."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from gridgeo.errors import InputError
from gridgeo.events.hotline import (
    Tables,
    category_of,
    is_work_order_header,
    level_of,
    load_tables,
    local_times,
    recognise_columns,
)

TZ = ZoneInfo("Asia/Shanghai")


def test_columns_are_recognised_in_chinese_pinyin_and_english():
    assert recognise_columns(["工单编号", "来电时间", "事发地址", "诉求人"]) == {
        "id": "工单编号", "called_at": "来电时间", "reporter_name": "诉求人", "address": "事发地址"}
    assert is_work_order_header(["GDBH", "LDSJ", "SFDZ"]) and is_work_order_header(["Order_ID", "call time", "Address"])
    assert not is_work_order_header(["id", "reported_at", "lon", "lat"])


def test_local_times_take_the_configured_zone():
    out = local_times(pd.Series(["2026-11-02 08:00:00", "2026/11/2 8:30", "", "昨天", "2026-11-02T08:00:00+00:00"]), TZ)
    assert out.tolist() == ["2026-11-02T08:00:00+08:00", "2026-11-02T08:30:00+08:00", None, None,
                            "2026-11-02T16:00:00+08:00"]
    assert local_times(pd.Series(["2026-07-01 09:00"]), ZoneInfo("Asia/Urumqi")).tolist() == ["2026-07-01T09:00:00+06:00"]


def test_category_and_urgency_words(tmp_path):
    t = Tables()
    assert category_of("噪音扰民", t) == "environment" and category_of("小区物业不作为", t) == "property"
    assert category_of("外星人", t) == "other" and category_of(None, t) == "other"
    assert [level_of(w, t) for w in ("紧急", "较急", "一般", "I", "Ⅳ", "III级", "", None)] == [1, 2, 3, 1, 4, 3, 3, 3]
    assert level_of("十万火急", t) is None
    path = tmp_path / "tables.json"
    path.write_text(json.dumps({"categories": {"外星人": "public_order"}, "urgency": {"十万火急": 1}}), encoding="utf-8")
    custom = load_tables(str(path))
    assert category_of("外星人", custom) == "public_order" and level_of("十万火急", custom) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="bad.json"):
        load_tables(str(bad))
