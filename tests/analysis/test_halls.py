"""Per-hall figures (issue 23) equal a recount from the raw cases of a simulated store."""

from __future__ import annotations

import contextlib
import math
import statistics
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import sqlalchemy as sa

from gridgeo.analysis.halls import FIGURES, district_figures, hall_figures
from gridgeo.demo.simulate import seed_store
from gridgeo.services.escalation import escalate
from gridgeo.services.workspace import open_store
from gridgeo.store import schema as S
from gridgeo.store.ratings import rate_case

NOW = datetime(2026, 3, 4, 16, tzinfo=UTC)
RESOLVED = {"resolved", "confirmed", "feedback"}


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, default_atlas):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('halls') / 'e.sqlite'}", seed_default=False)
    store.publish_grid_set(default_atlas.grids, author="tester")
    seed_store(store, default_atlas, days=3, per_day=400, seed=5, now=NOW)
    escalate(store, NOW)
    frame = store.events_frame(extra=True, now=NOW)
    rng = np.random.default_rng(1)
    for eid in frame.loc[frame["status"].isin(["confirmed", "feedback"]), "id"]:
        with contextlib.suppress(ValueError):  # past the rating window
            rate_case(store, eid, str(rng.choice(["satisfied", "fair", "unsatisfied"], p=[0.8, 0.15, 0.05])),
                      "reporter", NOW, 5)
    yield store
    store.close()


def _recount(rows: list[dict], now: datetime) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in rows:
        if r["hall_code"] is None:
            continue
        h = out.setdefault(r["hall_code"], {"cases": 0, "closed": 0, "local": 0, "hours": [], "overdue": 0,
                                            "escalated": 0, "satisfied": 0, "fair": 0, "unsatisfied": 0})
        h["cases"] += 1
        rep = r["reported_at"].replace(tzinfo=UTC)
        if r["status"] in RESOLVED and r["resolved_at"] is not None:
            h["closed"] += 1
            h["local"] += r["handling_tier"] in ("station", "community")
            h["hours"].append((r["resolved_at"].replace(tzinfo=UTC) - rep).total_seconds() / 3600)
        if r["status"] in ("reported", "accepted", "escalated") and r["due_at"].replace(tzinfo=UTC) < now:
            h["overdue"] += 1
        h["escalated"] += (r["escalations"] or 0) > 0
        if r["rating"]:
            h[r["rating"]] += 1
    return out


def test_per_hall_figures_equal_a_recount_from_raw_cases(simulated):
    store = simulated
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(S.events)).mappings()]
    expected = _recount(rows, NOW)
    figures = hall_figures(store.events_frame(extra=True, now=NOW), NOW).set_index("hall_code")
    assert sorted(figures.index) == sorted(expected)
    assert figures["escalated"].sum() > 0 and figures["rated"].sum() > 0 and figures["overdue"].sum() > 0
    for hall, e in expected.items():
        got = figures.loc[hall]
        assert (got["cases"], got["closed"], got["overdue"], got["escalated"]) == \
            (e["cases"], e["closed"], e["overdue"], e["escalated"]), hall
        assert (got["satisfied"], got["fair"], got["unsatisfied"]) == (e["satisfied"], e["fair"], e["unsatisfied"])
        if e["closed"]:
            assert math.isclose(got["closed_local_share"], e["local"] / e["closed"], abs_tol=1e-4)
            assert math.isclose(got["median_h"], statistics.median(e["hours"]), abs_tol=0.01)
            assert math.isclose(got["p90_h"], float(np.percentile(e["hours"], 90)), abs_tol=0.01)
        else:
            assert math.isnan(got["closed_local_share"]) and math.isnan(got["median_h"])
        rated = e["satisfied"] + e["fair"] + e["unsatisfied"]
        if rated:
            assert math.isclose(got["satisfied_share"], (e["satisfied"] + e["fair"]) / rated, abs_tol=1e-4)


def test_station_figures_and_district_totals(simulated):
    frame = simulated.events_frame(extra=True, now=NOW)
    stations = hall_figures(frame, NOW, by="station_code")
    assert stations["cases"].sum() == frame["station_code"].notna().sum()
    totals = district_figures(frame, NOW)
    assert set(totals) == set(FIGURES) and totals["cases"] == frame["hall_code"].notna().sum()
    assert 0 <= totals["closed_local_share"] <= 1
    assert hall_figures(frame.iloc[:0], NOW).empty


def test_review_table_has_names_headers_and_the_previous_period(simulated, default_atlas):
    from gridgeo.analysis.halls import hall_review_table

    frame = simulated.events_frame(now=NOW)  # the review page's frame (no extra columns)
    middle = frame["reported_at"].min() + (frame["reported_at"].max() - frame["reported_at"].min()) / 2
    current, previous = frame[frame["reported_at"] >= middle], frame[frame["reported_at"] < middle]
    table = hall_review_table(current, previous, default_atlas.service_points, NOW, "zh", comparable=True)
    assert list(table.columns[:6]) == ["编码", "名称", "层级", "本期案件", "上期", "变化"]
    row = table[table["编码"] == "FW440311"].iloc[0]
    assert row["名称"] == "光明区综治中心" and row["层级"] == "区综治中心"
    assert row["本期案件"] == (current["hall_code"] == "FW440311").sum()
    assert row["上期"] == (previous["hall_code"] == "FW440311").sum() and row["变化"] == row["本期案件"] - row["上期"]
    english = hall_review_table(current, previous, default_atlas.service_points, NOW, "en", comparable=False)
    assert "Previous period" not in english.columns and "Closed in community %" in english.columns
    assert table["本期案件"].sum() == current["hall_code"].notna().sum()


def test_workload_per_point_handling_cases_now(simulated):
    from gridgeo.analysis.halls import hall_workload

    frame = simulated.events_frame(extra=True, now=NOW)
    load = hall_workload(frame, NOW).set_index("code")
    at_station = frame["handling_tier"].eq("station")
    expected_open: dict[str, int] = {}
    for row in frame.itertuples():
        point = row.station_code if row.handling_tier == "station" else row.hall_code
        if isinstance(point, str) and row.status in ("reported", "accepted", "escalated"):
            expected_open[point] = expected_open.get(point, 0) + 1
    assert {k: int(v) for k, v in load["open"].items() if v} == expected_open
    assert load.index.str.contains("S").any() and at_station.any()  # stations carry their own load
    local_day = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
    resolved_today = frame["resolved_at"].dt.tz_convert("Asia/Shanghai").dt.date.eq(local_day)
    assert load["resolved_today"].sum() == resolved_today.sum()
    assert ((load["overdue_share"].dropna() >= 0) & (load["overdue_share"].dropna() <= 1)).all()
