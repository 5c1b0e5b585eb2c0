"""stats.summarize on hand-made frames whose figures are known."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
import pytest

from gridgeo.analysis.stats import STAT_COLUMNS, summarize

NOW = datetime(2024, 5, 3, 12, tzinfo=UTC)


def frame():
    t = pd.to_datetime
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e"],
        "reported_at": t(["2024-05-01T01:00Z", "2024-05-01T02:00Z", "2024-05-01T17:00Z", "2024-05-02T03:00Z",
                          "2024-05-03T11:00Z"], utc=True),
        "status": ["feedback", "resolved", "accepted", "rejected", "reported"],
        "level": [3, 4, 1, 3, 2],
        "category": ["labour", "labour", "land", "other", "labour"],
        "grid_code": ["g1", "g1", "g2", None, "g2"],
        "due_at": t(["2024-05-02T01:00Z", "2024-05-04T02:00Z", "2024-05-01T19:00Z", "2024-05-03T03:00Z",
                     "2024-05-03T19:00Z"], utc=True),
        "resolved_at": t(["2024-05-01T05:00Z", "2024-05-01T12:00Z", None, None, None], utc=True),
    })


def test_overall_figures():
    row = summarize(frame(), now=NOW).iloc[0]
    assert list(row.index) == list(STAT_COLUMNS)
    assert (row["received"], row["accepted"], row["resolved"], row["overdue"]) == (5, 3, 2, 1)
    assert row["resolution_rate"] == pytest.approx(0.4)
    assert row["median_handling_hours"] == pytest.approx(7.0)  # 4 h and 10 h


def test_by_category_level_grid_and_day():
    by_cat = summarize(frame(), "category", now=NOW).set_index("category")
    assert by_cat.loc["labour", ["received", "resolved"]].tolist() == [3, 2]
    assert math.isnan(by_cat.loc["land", "median_handling_hours"]) and by_cat.loc["land", "overdue"] == 1
    assert summarize(frame(), "level", now=NOW).set_index("level")["received"].to_dict() == {1: 1, 2: 1, 3: 2, 4: 1}
    by_grid = summarize(frame(), "grid", now=NOW)
    assert by_grid["received"].sum() == 5 and by_grid["grid_code"].isna().sum() == 1  # out of area kept
    by_day = summarize(frame(), "day", now=NOW)  # China Standard Time days
    assert by_day["received"].tolist() == [2, 2, 1]
    assert str(by_day["period"].iloc[1]) == "2024-05-02 00:00:00+08:00"


def test_overdue_follows_now_and_empty_frame():
    assert summarize(frame(), now=datetime(2024, 5, 1, tzinfo=UTC)).iloc[0]["overdue"] == 0
    assert summarize(frame(), now=datetime(2024, 5, 3, 20, tzinfo=UTC)).iloc[0]["overdue"] == 2
    empty = summarize(frame().iloc[:0], now=NOW).iloc[0]
    assert (empty["received"], empty["resolution_rate"]) == (0, 0.0)
    assert summarize(frame().iloc[:0], "grid", now=NOW).empty
    with pytest.raises(ValueError, match="by must be"):
        summarize(frame(), "colour")


@pytest.mark.parametrize("by", ["reporter_phone", "reporter_name", "text", "id", "lon"])
def test_personal_fields_ids_and_positions_are_never_a_grouping(by):
    from gridgeo.analysis.stats import check_grouping

    with pytest.raises(ValueError, match="personal data"):
        summarize(frame(), by, now=NOW)
    with pytest.raises(ValueError, match="personal data"):
        check_grouping(by)
