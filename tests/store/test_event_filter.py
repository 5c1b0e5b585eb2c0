"""EventFilter: the query model the events API builds and the store consumes (SQLite and PostGIS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from gridgeo.api.errors import ApiError
from gridgeo.api.routers.events import MAX_LIMIT, EventsQuery
from gridgeo.services import intake
from gridgeo.services.workspace import open_store
from gridgeo.store.event_filter import EventFilter

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)


def ev(i, lon=113.905, lat=22.705, **kw):
    base = {"id": f"e{i}", "reported_at": (T0 + timedelta(minutes=i)).isoformat(), "lon": lon, "lat": lat,
            "category": "neighbour_dispute", "level": 3, "channel": "grid_worker"}
    return {**base, **kw}


def test_one_value_or_several_become_tuples_and_unknown_filters_are_named():
    f = EventFilter(grid_code="440311001001002", level=["1", 2], bbox=[1, 2, 3, 4], limit="5")
    assert f.grid_code == ("440311001001002",) and f.level == (1, 2) and f.bbox == (1.0, 2.0, 3.0, 4.0)
    assert f.limit == 5 and f.status is None
    assert dict(f.column_filters()) == {"grid_code": ("440311001001002",), "level": (1, 2)}
    assert f.areas() == {"grid_code": ["440311001001002"], "community_code": None, "street_code": None}
    narrowed = f.narrowed({"grid_code": None, "community_code": ["440311001001"], "street_code": None})
    assert narrowed.grid_code is None and narrowed.community_code == ("440311001001",) and narrowed.level == (1, 2)
    with pytest.raises(ValueError, match="unknown filter 'colour'"):
        EventFilter.of(colour="red")


def test_the_api_query_becomes_the_filter_or_a_422():
    q = EventsQuery(start="2024-05-01T10:00:00+08:00", bbox="113.9,22.7,113.92,22.71", level=[1, 2],
                    status=["accepted"], limit=10 ** 9, order="desc")
    f = q.to_filter()
    assert f.start == T0 and f.end is None and f.bbox == (113.9, 22.7, 113.92, 22.71)
    assert f.level == (1, 2) and f.status == ("accepted",) and f.limit == MAX_LIMIT and f.newest_first
    assert EventsQuery().to_filter() == EventFilter(limit=1000)
    with pytest.raises(ValidationError):  # the OpenAPI constraint (level 1-4): FastAPI answers it with a 422
        EventsQuery(level=[5])
    for bad in ({"bbox": "1,2,3"}, {"status": ["lost"]}, {"start": "yesterday"},
                {"start": "2024-05-02T00:00:00+00:00", "end": "2024-05-01T00:00:00+00:00"}):
        with pytest.raises(ApiError) as err:
            EventsQuery(**bad).to_filter()
        assert err.value.status_code == 422


def test_the_store_answers_a_filter_as_the_keyword_form(store_url, small_grids):
    st = open_store(store_url, seed_default=False)
    try:
        st.publish_grid_set(small_grids, author="tester", comment="hand-made")
        intake.add_events(st, [ev(1), ev(2, lon=113.915, level=1, category="labour"), ev(3, lon=113.925, lat=22.715),
                               ev(4, lon=113.99)], now=T0 + timedelta(hours=1))
        cases = [
            (EventFilter(), ["e1", "e2", "e3", "e4"]),
            (EventFilter(start=T0 + timedelta(minutes=2), end=T0 + timedelta(minutes=4)), ["e2", "e3"]),
            (EventFilter(level=1), ["e2"]),
            (EventFilter(community_code=["440311001001"], newest_first=True), ["e2", "e1"]),
            (EventFilter(bbox=(113.90, 22.70, 113.92, 22.71), limit=1), ["e1"]),
            (EventFilter(grid_code=[]), []),
        ]
        for where, ids in cases:
            assert st.events(where)["id"].tolist() == ids, where
        assert st.events_frame(level=[1])["id"].tolist() == st.events(EventFilter(level=[1]))["id"].tolist()
    finally:
        st.close()
