"""Event schema: required fields, Open311 aliases, CRS conversion, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from gridgeo.events.schema import (
    DEFAULT_CATEGORIES,
    category_codes,
    category_label,
    to_open311,
    validate_event,
    validate_events,
)
from gridgeo.geo.crs import bd09_to_gcj02, gcj02_to_wgs84, wgs84_to_gcj02

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
GOOD = {"id": "e1", "reported_at": "2024-05-01T18:30:00+08:00", "lon": 113.92, "lat": 22.75,
        "category": "labour", "level": 2, "channel": "hotline", "text": "拖欠工资"}


def check(raw, **kw):
    return validate_event(raw, now=NOW, **kw)


def fields_of(errors):
    return [e.field for e in errors]


def test_good_event_is_normalised_to_utc_and_defaults():
    ev, errors = check(GOOD)
    assert errors == []
    assert ev.reported_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    assert (ev.lon, ev.lat, ev.crs, ev.level, ev.channel) == (113.92, 22.75, "WGS84", 2, "hotline")
    assert ev.list_type == "immediate"


def test_open311_aliases_are_accepted():
    raw = {"service_request_id": "o-1", "requested_datetime": "2024-05-01T02:00:00Z", "long": 113.9,
           "lat": 22.7, "service_code": "property", "description": "电梯故障", "level": 4}
    ev, errors = check(raw)
    assert errors == []
    assert (ev.id, ev.category, ev.lon, ev.text) == ("o-1", "property", 113.9, "电梯故障")


@pytest.mark.parametrize("crs", ["GCJ02", "gcj-02", "BD09", "CGCS2000", "EPSG:4326"])
def test_positions_are_converted_to_wgs84(crs):
    lon, lat = 113.93, 22.76
    if crs.upper().replace("-", "") == "GCJ02":
        sent = wgs84_to_gcj02(lon, lat)
    elif crs == "BD09":
        from gridgeo.geo.crs import gcj02_to_bd09
        sent = gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    else:
        sent = (np.float64(lon), np.float64(lat))
    ev, errors = check({**GOOD, "lon": float(sent[0]), "lat": float(sent[1]), "crs": crs})
    assert errors == []
    assert ev.lon == pytest.approx(lon, abs=2e-6) and ev.lat == pytest.approx(lat, abs=2e-6)
    assert (ev.lon_in, ev.lat_in) == (float(sent[0]), float(sent[1]))
    if crs == "BD09":  # same as the library chain
        expect = gcj02_to_wgs84(*bd09_to_gcj02(float(sent[0]), float(sent[1])))
        assert ev.lon == pytest.approx(float(expect[0]), abs=1e-12)


@pytest.mark.parametrize("change, field", [
    ({"id": None}, "id"),
    ({"reported_at": "2024-05-01T10:00:00"}, "reported_at"),
    ({"reported_at": "yesterday"}, "reported_at"),
    ({"lon": float("nan")}, "lon"),
    ({"lat": float("inf")}, "lat"),
    ({"lon": 181.0}, "lon"),
    ({"lat": -91.0}, "lat"),
    ({"lon": "east"}, "lon"),
    ({"lat": True}, "lat"),
    ({"category": "traffic"}, "category"),
    ({"crs": "EPSG:3857"}, "crs"),
    ({"channel": "fax"}, "channel"),
    ({"level": 0}, "level"),
    ({"level": 5}, "level"),
    ({"level": "high"}, "level"),
    ({"level": 2.5}, "level"),
    ({"level": True}, "level"),
    ({"list_type": "someday"}, "list_type"),
    ({"text": "x" * 5000}, "text"),
])
def test_bad_fields_are_named(change, field):
    raw = {**GOOD, **change}
    if change.get("id", 0) is None:
        del raw["id"]
    ev, errors = check(raw)
    assert ev is None
    assert field in fields_of(errors), errors


@pytest.mark.parametrize("missing", ["id", "reported_at", "lon", "lat", "category", "level"])
def test_missing_required_field(missing):
    raw = {k: v for k, v in GOOD.items() if k != missing}
    ev, errors = check(raw)
    assert ev is None
    assert [(e.field, e.message) for e in errors] == [(missing, "is required")]


def test_future_timestamp_beyond_skew_is_refused_but_small_skew_passes():
    soon = (NOW + timedelta(minutes=4)).isoformat()
    later = (NOW + timedelta(minutes=6)).isoformat()
    assert check({**GOOD, "reported_at": soon})[1] == []
    ev, errors = check({**GOOD, "reported_at": later})
    assert ev is None and fields_of(errors) == ["reported_at"] and "future" in errors[0].message
    assert check({**GOOD, "reported_at": later}, skew=timedelta(minutes=10))[1] == []


def test_numbers_from_csv_strings_are_accepted():
    raw = {k: str(v) for k, v in GOOD.items()}
    ev, errors = check(raw)
    assert errors == [] and ev.level == 2 and ev.lon == 113.92


def test_non_object_is_refused():
    ev, errors = check(["not", "an", "object"])
    assert ev is None and errors and errors[0].field == "event"


def test_batch_validation_reports_every_bad_item_with_index():
    events, errors = validate_events([GOOD, {**GOOD, "id": "e2", "level": 9}, {**GOOD, "id": "e3", "lat": "x"}],
                                     now=NOW)
    assert events[0] is not None and events[1] is None and events[2] is None
    assert [(e.index, e.id, e.field) for e in errors] == [(1, "e2", "level"), (2, "e3", "lat")]
    assert str(errors[0]).startswith("event 1 (id e2): level:")


def test_categories_have_slug_chinese_and_english_labels():
    assert category_codes() == ("neighbour_dispute", "labour", "property", "work_safety", "public_order",
                                "environment", "urban_village", "land", "petition", "other")
    assert all(c.label("zh") != c.code and c.label("en") != c.code for c in DEFAULT_CATEGORIES)  # the catalogue's
    assert category_label("labour") == "劳资纠纷" and category_label("labour", "en") == "Labour and wages"
    assert category_label("no_such_category") == "no_such_category"


def test_categories_are_configurable(tmp_path, monkeypatch):
    path = tmp_path / "cats.json"
    path.write_text(json.dumps([{"code": "flood", "zh": "内涝", "en": "Flooding"}]), encoding="utf-8")
    monkeypatch.setenv("GRIDGEO_CATEGORIES", str(path))
    assert category_codes() == ("flood",)
    assert category_label("flood") == "内涝" and category_label("flood", "en") == "Flooding"  # the file's own names
    assert check({**GOOD, "category": "flood"})[1] == []
    assert fields_of(check(GOOD)[1]) == ["category"]


def test_open311_response_fields():
    rec = {"id": "e1", "category": "labour", "status": "resolved", "status_notes": "已调解",
           "dispatch_target": "street:440311001", "reported_at": NOW, "due_at": NOW + timedelta(hours=8),
           "lon": 113.9, "lat": 22.7}
    out = to_open311(rec)
    assert out["status"] == "closed" and out["status_notes"] == "已调解"
    assert out["agency_responsible"] == "street:440311001"
    assert out["expected_datetime"] == "2024-05-01T20:00:00+00:00"
    assert to_open311({**rec, "status": "escalated"})["status"] == "open"
