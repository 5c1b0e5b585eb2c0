"""Synthetic events: determinism, arrivals with a daily rhythm, hot spots, level/CRS mix, out of area,
lifecycle advancement and the ``gridgeo simulate`` command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from gridgeo.cli import main
from gridgeo.config import get_settings
from gridgeo.demo.simulate import generate_events, plan_lifecycles, seed_store
from gridgeo.events.assign import GridIndex
from gridgeo.events.lifecycle import TRANSITIONS
from gridgeo.events.schema import validate_events
from gridgeo.geo.crs import to_wgs84
from gridgeo.services.workspace import open_store

START = datetime(2024, 5, 1, 0, 0, tzinfo=UTC) - timedelta(hours=8)  # local midnight


@pytest.fixture(scope="module")
def week(default_atlas):
    return generate_events(default_atlas, n=6000, duration=7 * 86400, seed=11, start=START)


def test_deterministic_sorted_and_inside_the_window(default_atlas, week):
    assert generate_events(default_atlas, n=50, duration=7 * 86400, seed=11, start=START) != week[:50]
    again = generate_events(default_atlas, n=6000, duration=7 * 86400, seed=11, start=START)
    assert again == week
    times = pd.to_datetime([e["reported_at"] for e in week], utc=True)
    assert times.is_monotonic_increasing and times.min() >= START
    assert times.max() <= START + timedelta(days=7)
    assert len({e["id"] for e in week}) == 6000


def test_every_event_validates(week):
    events, errors = validate_events(week, now=START + timedelta(days=8))
    assert errors == [] and all(events)


def test_rate_gives_a_poisson_count(default_atlas):
    counts = [len(generate_events(default_atlas, rate=0.05, duration=86400, seed=s, start=START)) for s in range(5)]
    assert all(abs(c - 4320) < 4 * np.sqrt(4320) for c in counts)
    assert len(set(counts)) > 1


def test_daily_rhythm_busier_by_day_than_at_night(week):
    hours = pd.to_datetime([e["reported_at"] for e in week], utc=True).tz_convert("Asia/Shanghai").hour
    day = np.isin(hours, [9, 10, 14, 15]).sum()
    night = np.isin(hours, [1, 2, 3, 4]).sum()
    assert day > 8 * night


def test_levels_skewed_to_3_and_4_and_crs_mix(week):
    levels = pd.Series([e["level"] for e in week]).value_counts(normalize=True)
    assert levels[3] + levels[4] > 0.75 and levels[1] < 0.08
    crs = pd.Series([e["crs"] for e in week]).value_counts()
    assert crs["GCJ02"] > 0.1 * len(week) and "BD09" in crs
    assert set(pd.Series([e["channel"] for e in week])) == {"app", "hotline", "grid_worker", "volunteer", "hall"}
    cats = pd.Series([e["category"] for e in week]).value_counts(normalize=True)
    assert len(cats) == 10 and cats.max() < 0.35


def test_hot_spots_near_units_and_a_few_out_of_area(default_atlas, week):
    crs = np.array([e["crs"] for e in week])
    lon = np.array([e["lon"] for e in week])
    lat = np.array([e["lat"] for e in week])
    for name in ("GCJ02", "BD09"):
        sel = crs == name
        lon[sel], lat[sel] = to_wgs84(lon[sel], lat[sel], name)
    index = GridIndex(default_atlas.grids)
    out = index.lookup(lon, lat) < 0
    assert 0.003 < out.mean() < 0.05
    # hot spots: events cluster — the busiest 10 % of grids get far more than 10 % of events
    counts = pd.Series(index.lookup(lon, lat)[~out]).value_counts()
    top = counts.iloc[: len(default_atlas.grids) // 10].sum() / counts.sum()
    assert top > 0.2
    # industrial parks draw labour / work-safety cases
    cats = pd.Series([e["category"] for e in week])
    texts = pd.Series([e["text"] for e in week])
    parks = set(default_atlas.units.loc[default_atlas.units["kind"] == "industrial_park", "name"])
    at_park = texts.map(lambda t: any(t.startswith(p) for p in parks))
    share = cats[at_park].isin(["labour", "work_safety"]).mean()
    assert share > 2 * cats[~at_park].isin(["labour", "work_safety"]).mean()


def test_planned_moves_follow_the_lifecycle(week):
    frame = pd.DataFrame({"id": [e["id"] for e in week[:500]], "status": "reported",
                          "level": [e["level"] for e in week[:500]],
                          "reported_at": pd.to_datetime([e["reported_at"] for e in week[:500]], utc=True)})
    moves = plan_lifecycles(frame, START + timedelta(days=30), seed=1)
    status = dict.fromkeys(frame["id"], "reported")
    last = dict(zip(frame["id"], frame["reported_at"], strict=True))
    for eid, to, actor, _note, at in moves:
        assert to in TRANSITIONS[status[eid]] and actor
        assert pd.Timestamp(at) >= last[eid]
        status[eid], last[eid] = to, pd.Timestamp(at)
    final = pd.Series(status).value_counts(normalize=True)
    assert final.get("feedback", 0) > 0.7  # a month later nearly everything is closed


def test_seed_store_gives_a_living_history(tmp_path, default_atlas):
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite'}", seed_default=True)
    now = datetime.now(UTC)
    assert seed_store(store, default_atlas, days=2, per_day=300, seed=4, now=now) == 600
    frame = store.events_frame(now=now)
    store.close()
    assert len(frame) == 600
    counts = frame["status"].value_counts()
    closed = sum(counts.get(s, 0) for s in ("resolved", "confirmed", "feedback"))
    assert closed > 200 and counts.get("reported", 0) + counts.get("accepted", 0) > 5
    recent = frame[frame["reported_at"] > now - timedelta(hours=3)]
    assert (recent["status"].isin(["reported", "accepted", "escalated"])).mean() > 0.3


def test_simulate_command_writes_to_the_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    code = main(["simulate", "--rate", "100", "--duration", "2", "--seed", "3", "--pace", "5000",
                 "--advance-every", "0.5"])
    out = capsys.readouterr().out
    assert code == 0 and "events accepted" in out
    store = open_store()
    frame = store.events_frame()
    store.close()
    assert len(frame) >= 3 and frame["id"].str.startswith("sim3-").all()
    assert (frame["status"] != "reported").any()  # lifecycles advanced
    assert main(["simulate", "--rate", "0"]) == 2


def test_simulate_refuses_a_store_opened_for_real_work_unless_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path / "demo"))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    monkeypatch.delenv("GRIDGEO_ATLAS", raising=False)
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    fast = ["--rate", "100", "--duration", "1", "--seed", "5", "--pace", "5000", "--advance-every", "0.5"]
    assert main(["simulate", "--database", url, *fast]) == 2
    assert "--into-real-store" in capsys.readouterr().err
    monkeypatch.setenv("GRIDGEO_DATABASE_URL", url)  # the same store given by the environment
    get_settings.cache_clear()
    assert main(["simulate", *fast]) == 2
    store = open_store(url)
    assert store.count_events() == 0 and store.current_version() is None  # nothing written, no grids
    store.close()
    assert main(["simulate", *fast, "--into-real-store"]) == 0  # explicitly asked
    store = open_store(url)
    assert store.count_events() > 0
    store.close()


def test_the_data_dir_store_stops_being_the_demo_once_another_atlas_is_active(tmp_path, monkeypatch, capsys,
                                                                               default_atlas):
    from gridgeo.services.active_atlas import active_atlas_name, is_demo_store, load_active_atlas
    from gridgeo.store.atlases import save_atlas, use_atlas

    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    monkeypatch.delenv("GRIDGEO_ATLAS", raising=False)
    store = open_store()
    assert is_demo_store(store) and store.current_version() == 1  # the demo: synthetic grids published
    small = type(default_atlas)(meta={}, **{k: v.head(40) if k in ("grids", "units", "legacy") else v
                                            for k, v in default_atlas.layers().items()})
    save_atlas(store, small, "office-copy")
    use_atlas(store, "office-copy")
    assert active_atlas_name(store) == "office-copy" and not is_demo_store(store)
    assert len(load_active_atlas(store).grids) == 40
    store.close()
    fast = ["--rate", "50", "--duration", "1", "--seed", "2", "--pace", "5000", "--advance-every", "0.5"]
    assert main(["simulate", *fast]) == 2  # no invented events into a store doing real work
    assert "office-copy" in capsys.readouterr().err
