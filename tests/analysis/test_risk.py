"""The risk rule on small hand-made frames whose answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gridgeo.analysis.risk import RISK_COLORS, RiskRule, describe_rule, risk_by_area, risk_label


def _events(rows):
    return pd.DataFrame(rows, columns=["grid_code", "community_code", "street_code", "level", "status"])


AREAS = pd.DataFrame({"code": ["G1", "G2", "G3", "G4"], "households": [1000, 400, 0, 500]})


def test_most_severe_open_case_sets_the_level_and_closed_cases_do_not_count():
    events = _events([
        ("G1", "C1", "S1", 3, "reported"),
        ("G1", "C1", "S1", 1, "resolved"),   # closed: ignored
        ("G2", "C1", "S1", 4, "accepted"),
        ("G2", "C1", "S1", 2, "confirmed"),  # closed: ignored
    ])
    out = risk_by_area(events, AREAS, "grid", RiskRule(raise_thresholds=(100.0,)))
    assert list(out["code"]) == ["G1", "G2", "G3", "G4"]
    assert list(out["open_cases"]) == [1, 1, 0, 0]
    assert list(out["max_severity"]) == [3, 4, 0, 0]
    assert list(out["risk_level"]) == [3, 4, 0, 0]
    assert list(out["color"]) == [RISK_COLORS[3], RISK_COLORS[4], RISK_COLORS[0], RISK_COLORS[0]]


def test_density_raises_the_level_one_step_per_threshold_but_not_above_red():
    rule = RiskRule(raise_thresholds=(2.0, 5.0), min_open_cases=2)
    rows = [("G2", "C1", "S1", 4, "reported")] * 3          # 3 / 400 hh = 7.5 per 1000 -> 2 steps
    rows += [("G1", "C1", "S1", 4, "reported")] * 3         # 3 / 1000 = 3 per 1000 -> 1 step
    rows += [("G4", "C1", "S1", 2, "escalated")] * 3        # 6 per 1000 -> 2 steps, capped at 1
    out = risk_by_area(_events(rows), AREAS, "grid", rule).set_index("code")
    assert out.loc["G2", "cases_per_1000_households"] == pytest.approx(7.5)
    assert out.loc["G2", "risk_level"] == 2
    assert out.loc["G1", "risk_level"] == 3
    assert out.loc["G4", "risk_level"] == 1


def test_no_raise_below_min_open_cases_or_without_households():
    rule = RiskRule(raise_thresholds=(0.5,), min_open_cases=2)
    events = _events([("G2", "C1", "S1", 4, "reported"), ("G3", "C1", "S1", 3, "reported"),
                      ("G3", "C1", "S1", 3, "reported")])
    out = risk_by_area(events, AREAS, "grid", rule).set_index("code")
    assert out.loc["G2", "risk_level"] == 4           # one case only: not raised
    assert out.loc["G3", "risk_level"] == 3           # no households: not raised
    assert math.isnan(out.loc["G3", "cases_per_1000_households"])


def test_by_community_and_street_use_their_code_columns():
    events = _events([("G1", "C1", "S1", 2, "reported"), ("G9", "C2", "S1", 4, "reported")])
    comm = risk_by_area(events, pd.DataFrame({"code": ["C1", "C2"], "households": [10_000, 10_000]}),
                        "community")
    assert list(comm["risk_level"]) == [2, 4]
    street = risk_by_area(events, pd.DataFrame({"code": ["S1"], "households": [20_000]}), "street_code")
    assert street.loc[0, "open_cases"] == 2 and street.loc[0, "risk_level"] == 2


def test_empty_events_and_bad_arguments():
    empty = risk_by_area(_events([]), AREAS, "grid")
    assert (empty["risk_level"] == 0).all() and (empty["open_cases"] == 0).all()
    with pytest.raises(ValueError, match="by must be"):
        risk_by_area(_events([]), AREAS, "province")
    with pytest.raises(ValueError, match="status"):
        risk_by_area(pd.DataFrame({"grid_code": ["G1"], "level": [1]}), AREAS, "grid")
    with pytest.raises(ValueError, match="ascending"):
        RiskRule(raise_thresholds=(5.0, 2.0))


def test_description_states_the_configured_numbers_in_both_languages():
    rule = RiskRule(raise_thresholds=(3.0, 8.0), min_open_cases=4)
    zh, en = describe_rule(rule, "zh"), describe_rule(rule, "en")
    assert "3、8" in zh and "4" in zh and "千户" in zh
    assert "3, 8" in en and "at least 4" in en
    assert risk_label(1, "zh").startswith("红色") and risk_label(4, "en").startswith("blue")
