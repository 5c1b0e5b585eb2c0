"""Lifecycle transitions, time limits, overdue, and the dispatch rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from gridgeo.events.dispatch import DispatchRule, dispatch_target, dispatch_tier
from gridgeo.events.lifecycle import (
    STATUSES,
    TIME_LIMITS_H,
    TRANSITIONS,
    TransitionError,
    check_transition,
    due_at,
    overdue_mask,
)
from gridgeo.services.intake import add_events


def test_main_path_and_side_paths_are_allowed():
    path = ["reported", "accepted", "resolved", "confirmed", "feedback"]
    for a, b in zip(path, path[1:], strict=False):
        check_transition(a, b)
    for a, b in [("reported", "escalated"), ("escalated", "accepted"), ("accepted", "rejected"),
                 ("resolved", "accepted")]:
        check_transition(a, b)


@pytest.mark.parametrize("a, b", [("reported", "resolved"), ("reported", "feedback"), ("accepted", "confirmed"),
                                  ("feedback", "accepted"), ("rejected", "accepted"), ("confirmed", "resolved")])
def test_invalid_transitions_are_refused_with_the_allowed_ones(a, b):
    with pytest.raises(TransitionError) as exc:
        check_transition(a, b)
    msg = str(exc.value)
    assert repr(a) in msg and repr(b) in msg and "allowed next" in msg


def test_unknown_status_is_refused():
    with pytest.raises(TransitionError, match="unknown status 'done'"):
        check_transition("reported", "done")


def test_every_status_has_a_transition_entry_and_final_ones_are_final():
    assert set(TRANSITIONS) == set(STATUSES)
    assert TRANSITIONS["feedback"] == () and TRANSITIONS["rejected"] == ()
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(STATUSES)


def test_time_limits_are_shorter_for_severe_levels_and_immediate_list():
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    for list_type, limits in TIME_LIMITS_H.items():
        hours = [limits[level] for level in (1, 2, 3, 4)]
        assert hours == sorted(hours), list_type
        assert due_at(t0, 1, list_type) == t0 + timedelta(hours=limits[1])
    for level in (1, 2, 3, 4):
        assert due_at(t0, level, "immediate") < due_at(t0, level, "staged") < due_at(t0, level, "explained")


def test_overdue_only_when_open_and_past_due():
    now = datetime(2024, 5, 2, tzinfo=UTC)
    status = pd.Series(["reported", "accepted", "escalated", "resolved", "rejected", "accepted"])
    due = pd.Series(pd.to_datetime(["2024-05-01", "2024-05-01", "2024-05-01", "2024-05-01", "2024-05-01",
                                    "2024-05-03"], utc=True))
    assert overdue_mask(status, due, now).tolist() == [True, True, True, False, False, False]


def test_dispatch_by_level_and_category():
    assert dispatch_tier(4, "property") == "community"
    assert dispatch_tier(3, "petition") == "street"  # category floor
    assert dispatch_tier(2, "labour") == "street"
    assert dispatch_tier(1, "labour") == "district"
    assert dispatch_tier(1, "petition") == "district"  # the higher tier wins
    args = ("440311001001", "440311001", "440311")
    assert dispatch_target(4, "property", *args) == "community:440311001001"
    assert dispatch_target(3, "land", *args) == "street:440311001"
    assert dispatch_target(1, "other", *args) == "district:440311"
    assert dispatch_target(4, "other", None, None, "440311") == "district:440311"  # out of area


def test_dispatch_rule_is_configurable():
    rule = DispatchRule(level_tiers={1: "street", 2: "community", 3: "community", 4: "community"},
                        category_min_tier={"work_safety": "district"})
    assert dispatch_tier(1, "labour", rule) == "street"
    assert dispatch_tier(4, "work_safety", rule) == "district"
    assert dispatch_tier(3, "petition", rule) == "community"


def test_a_city_store_dispatches_to_each_events_own_district(tmp_path):
    """In a grid set of several districts, a level-I event goes to its own district's centre and an
    out-of-area one to the city's (4 digits + "00")."""
    import geopandas as gpd
    from shapely.geometry import box

    from gridgeo.services.workspace import open_store

    grids = gpd.GeoDataFrame({
        "code": ["440303001001001", "440304001001001"], "name": ["甲网格", "乙网格"],
        "community_code": ["440303001001", "440304001001"]},
        geometry=[box(114.10, 22.50, 114.11, 22.51), box(114.20, 22.50, 114.21, 22.51)], crs="EPSG:4326")
    store = open_store(f"sqlite:///{tmp_path / 'city.sqlite'}", seed_default=False)
    store.publish_grid_set(grids, author="test")
    base = {"reported_at": "2024-05-01T08:30:00+08:00", "category": "other", "level": 1, "channel": "hotline"}
    res = add_events(store, [{**base, "id": "a", "lon": 114.205, "lat": 22.505},
                            {**base, "id": "b", "lon": 114.105, "lat": 22.505},
                            {**base, "id": "c", "lon": 114.5, "lat": 22.9}])
    assert [r["dispatch_target"] for r in res] == ["district:440304", "district:440303", "district:440300"]
    store.close()
