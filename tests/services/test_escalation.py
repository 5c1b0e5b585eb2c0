"""Escalation (issue 23): an overdue case climbs one tier per missed deadline, recorded in its
history with actor "escalation"; the rule is configurable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gridgeo.config import Settings
from gridgeo.events.escalation import EscalationRule, missed_deadline
from gridgeo.services.escalation import escalate
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
RESOLVE = EscalationRule(deadlines=("resolve",), max_steps=3)


@pytest.fixture
def store(store_url, default_atlas):
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(default_atlas.grids, author="tester")
    yield st
    st.close()


def _case(atlas, eid: str, level: int = 3, at: datetime = T0) -> dict:
    inside = atlas.grids.geometry.iloc[10].representative_point()
    return {"id": eid, "reported_at": at.isoformat(), "lon": inside.x, "lat": inside.y, "category": "labour",
            "level": level}


def _escalations(store, eid: str) -> list[dict]:
    return [h for h in store.get_event(eid)["history"] if h["actor"] == "escalation"]


def test_an_overdue_case_climbs_once_per_deadline(store, default_atlas):
    add_events(store, [_case(default_atlas, "x")], now=T0)
    rec = store.get_event("x")
    community, street = rec["community_code"], rec["street_code"]
    assert (rec["handling_tier"], rec["hall_code"]) == ("station", f"FW{community}")
    due = rec["due_at"]  # level 3, immediate: 24 h
    assert escalate(store, due - timedelta(minutes=1), RESOLVE) == []
    moved = escalate(store, due + timedelta(minutes=1), RESOLVE)
    assert [m.event_id for m in moved] == ["x"]
    rec = store.get_event("x")
    assert (rec["status"], rec["handling_tier"], rec["hall_code"], rec["escalations"]) == \
        ("escalated", "community", f"FW{community}", 1)
    history = _escalations(store, "x")
    assert len(history) == 1 and history[0]["from_status"] == "reported" and history[0]["to_status"] == "escalated"
    assert "党群服务站" in history[0]["note"] and "社区党群服务中心" in history[0]["note"]
    for later in (due + timedelta(minutes=2), due + timedelta(hours=23)):  # same deadline: no second step
        assert escalate(store, later, RESOLVE) == []
    assert len(_escalations(store, "x")) == 1
    second = due + timedelta(minutes=1) + timedelta(hours=24, minutes=1)  # its time limit again, at the hall
    assert len(escalate(store, second, RESOLVE)) == 1
    rec = store.get_event("x")
    assert (rec["hall_code"], rec["dispatch_target"], rec["escalations"]) == (f"FW{street}", f"street:{street}", 2)
    third = second + timedelta(hours=24, minutes=1)
    assert len(escalate(store, third, RESOLVE)) == 1
    assert store.get_event("x")["hall_code"] == "FW440311"
    assert escalate(store, third + timedelta(days=30), RESOLVE) == []  # at the top (and at max_steps)
    assert len(_escalations(store, "x")) == 3


def test_accept_deadline_spares_accepted_and_resolved_cases(store, default_atlas):
    add_events(store, [_case(default_atlas, eid, level=4) for eid in ("a", "b", "c")], now=T0)
    store.transition("b", "accepted", actor="tester", at=T0 + timedelta(hours=1))
    store.transition("c", "accepted", actor="tester", at=T0 + timedelta(hours=1))
    store.transition("c", "resolved", actor="tester", at=T0 + timedelta(hours=2))
    rule = EscalationRule(deadlines=("accept",), accept_within_h=6, max_steps=3)
    assert escalate(store, T0 + timedelta(hours=5), rule) == []
    assert [m.event_id for m in escalate(store, T0 + timedelta(hours=6, minutes=1), rule)] == ["a"]
    none = EscalationRule(deadlines=(), max_steps=3)
    assert escalate(store, T0 + timedelta(days=40), none) == []
    one_step = EscalationRule(deadlines=("resolve",), max_steps=1)
    assert [m.event_id for m in escalate(store, T0 + timedelta(days=40), one_step)] == ["b"]  # a: at max already
    assert store.get_event("b")["status"] == "escalated" and store.get_event("c")["status"] == "resolved"
    with store.engine.connect() as conn:  # the aggregates followed the status changes
        counted = dict(conn.execute(sa.text("SELECT status, sum(n) FROM event_counts GROUP BY status")).all())
        raw = dict(conn.execute(sa.text("SELECT status, count(*) FROM events GROUP BY status")).all())
    assert {k: int(v) for k, v in counted.items() if v} == {k: int(v) for k, v in raw.items()}


def test_missed_deadline_is_a_plain_function_of_the_frame(store, default_atlas):
    add_events(store, [_case(default_atlas, "p", level=1)], now=T0)  # level 1 goes to the district centre
    frame = store.events_frame(extra=True, now=T0)
    assert missed_deadline(frame, T0 + timedelta(hours=1), RESOLVE).tolist() == [None]
    assert missed_deadline(frame, T0 + timedelta(hours=2, seconds=1), RESOLVE).tolist() == ["resolve"]
    assert frame["hall_code"].iloc[0] == "FW440311"
    assert escalate(store, T0 + timedelta(hours=3), RESOLVE) == []  # nothing above the district centre


def test_settings_configure_the_rule():
    s = Settings.from_env({"GRIDGEO_ESCALATION_DEADLINES": "resolve", "GRIDGEO_ESCALATION_ACCEPT_H": "2",
                           "GRIDGEO_ESCALATION_MAX_STEPS": "1"})
    assert EscalationRule.from_settings(s) == EscalationRule(("resolve",), 2.0, 1)
    assert Settings.from_env({"GRIDGEO_ESCALATION_DEADLINES": "none"}).escalation_deadlines == ()
    from gridgeo.config import SettingsError

    with pytest.raises(SettingsError, match="GRIDGEO_ESCALATION_DEADLINES"):
        Settings.from_env({"GRIDGEO_ESCALATION_DEADLINES": "soon"})


def test_escalate_command(tmp_path, default_atlas, capsys):
    from gridgeo.cli import main

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    st = open_store(url, seed_default=False)
    st.publish_grid_set(default_atlas.grids, author="tester")
    now = datetime.now(UTC)
    add_events(st, [_case(default_atlas, "old", at=now - timedelta(days=3))], now=now - timedelta(days=3))
    st.close()
    assert main(["escalate", "--database", url, "--dry-run"]) == 0
    assert "would escalate 1 case(s)" in capsys.readouterr().out
    assert main(["escalate", "--database", url]) == 0
    assert "escalated 1 case(s)" in capsys.readouterr().out
    assert main(["escalate", "--database", url]) == 0
    assert "escalated 0 case(s)" in capsys.readouterr().out
    assert main(["escalate", "--database", url, "--every", "0"]) == 2


def test_the_service_escalates_in_the_background(tmp_path, default_atlas):
    import time

    from fastapi.testclient import TestClient

    from gridgeo.api import create_app

    st = open_store(f"sqlite:///{tmp_path / 'bg.sqlite'}", seed_default=False)
    st.publish_grid_set(default_atlas.grids, author="tester")
    now = datetime.now(UTC)
    add_events(st, [_case(default_atlas, "late", at=now - timedelta(days=3))], now=now - timedelta(days=3))
    settings = Settings(api_token="t", escalation_every_s=0.05)
    with TestClient(create_app(st, settings), client=("127.0.0.1", 5000)):
        deadline = time.monotonic() + 30
        while not _escalations(st, "late") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # more runs: the same deadline does not escalate it again
    assert len(_escalations(st, "late")) == 1 and st.get_event("late")["escalations"] == 1
    st.close()
