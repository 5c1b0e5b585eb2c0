"""The reporter's rating at the feedback step (issue 23), by API, within N working days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.events.rating import rating_deadline
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store

AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def world(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    now = datetime.now(UTC)
    cases = [{"id": eid, "reported_at": (now - timedelta(days=20)).isoformat(), "lon": 113.905, "lat": 22.705,
              "category": "labour", "level": 3} for eid in ("r1", "r2", "old", "open")]
    add_events(store, cases, now=now - timedelta(days=20))
    for eid, resolved in (("r1", now - timedelta(hours=1)), ("r2", now - timedelta(hours=1)),
                          ("old", now - timedelta(days=15))):
        store.transition(eid, "accepted", "tester", at=resolved - timedelta(hours=2))
        store.transition(eid, "resolved", "tester", at=resolved)
        store.transition(eid, "confirmed", "tester", at=resolved + timedelta(minutes=1))
    with TestClient(create_app(store, Settings(api_token="t")), client=("127.0.0.1", 5000)) as client:
        yield client, store
    store.close()


def test_rating_moves_a_confirmed_case_to_feedback_once(world):
    client, store = world
    r = client.put("/api/v1/events/r1/rating", json={"rating": "满意"}, headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["rating"]) == ("feedback", "satisfied") and body["rated_at"]
    assert body["history"][-1]["to_status"] == "feedback" and body["history"][-1]["note"] == "rating: satisfied"
    again = client.put("/api/v1/events/r1/rating", json={"rating": "unsatisfied"}, headers=AUTH)
    assert again.status_code == 409 and "already rated" in again.json()["message"]
    assert client.put("/api/v1/events/r2/rating", json={"rating": "fair"}, headers=AUTH).json()["rating"] == "fair"
    frame = store.events_frame(extra=True)
    assert frame.set_index("id").loc[["r1", "r2"], "rating"].tolist() == ["satisfied", "fair"]


def test_rating_refused_out_of_step_out_of_time_or_unknown(world):
    client, _store = world
    late = client.put("/api/v1/events/old/rating", json={"rating": "满意"}, headers=AUTH)
    assert late.status_code == 409 and "working days" in late.json()["message"]
    early = client.put("/api/v1/events/open/rating", json={"rating": "满意"}, headers=AUTH)
    assert early.status_code == 409 and "feedback step" in early.json()["message"]
    bad = client.put("/api/v1/events/r1/rating", json={"rating": "great"}, headers=AUTH)
    assert bad.status_code == 422 and "satisfied" in bad.json()["message"]
    assert client.put("/api/v1/events/nope/rating", json={"rating": "fair"}, headers=AUTH).status_code == 404
    assert client.put("/api/v1/events/r1/rating", json={"rating": "fair"}).status_code == 401


def test_rating_deadline_counts_working_days():
    friday = datetime(2026, 3, 6, 10, tzinfo=UTC)  # 18:00 on Friday in Shanghai
    assert rating_deadline(friday, 5).date().isoformat() == "2026-03-14"  # end of Friday 13th, local
    assert rating_deadline(friday, 1).date().isoformat() == "2026-03-10"  # end of Monday 9th
