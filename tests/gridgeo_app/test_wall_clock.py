"""The wall around the clock: at 00:05 Asia/Shanghai, with cases reported the evening before and
still open, the wall's map colours, alerts, bars and open-case figures show them; only the
day's figures (received, accepted, resolved) start again at midnight, and say so; a rolling
24-hour view is one query parameter (one click) away."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gridgeo.analysis.risk import risk_by_area  # noqa: E402
from gridgeo_app import event_source as data  # noqa: E402
from gridgeo_app import wall_content as wallview  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _five_past_midnight() -> datetime:
    """The latest 00:05 in Shanghai that is at least a minute in the past (real events can be
    stored before it)."""
    now = datetime.now(SHANGHAI) - timedelta(minutes=1)
    at = now.replace(hour=0, minute=5, second=0, microsecond=0)
    return at if at <= now else at - timedelta(days=1)


def _frame(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Events (reported_at ISO, level, status) in grid g<i>, street s<i % 2>."""
    return pd.DataFrame({
        "id": [f"e{i}" for i in range(len(rows))],
        "reported_at": pd.to_datetime([r[0] for r in rows], utc=True),
        "level": [r[1] for r in rows], "status": [r[2] for r in rows],
        "grid_code": [f"g{i}" for i in range(len(rows))], "street_code": [f"s{i % 2}" for i in range(len(rows))],
        "overdue": [i == 0 for i in range(len(rows))],
    })


def test_figures_start_at_local_midnight_or_24_hours_back():
    at = datetime(2026, 12, 7, 0, 5, tzinfo=SHANGHAI)
    assert wallview.figures_start(at, "today", SHANGHAI) == datetime(2026, 12, 7, 0, 0, tzinfo=SHANGHAI)
    assert wallview.figures_start(at, "24h", SHANGHAI) == at - timedelta(hours=24)
    # at 00:05 Shanghai it is 16:05 UTC the day before: midnight is local, not UTC's
    assert wallview.figures_start(at.astimezone(UTC), "today", SHANGHAI).astimezone(SHANGHAI).hour == 0
    with pytest.raises(ValueError, match="figures window 'week'"):
        wallview.figures_start(at, "week", SHANGHAI)
    assert wallview.window_label("today", wallview.figures_start(at, "today", SHANGHAI), "zh", SHANGHAI) \
        == "今日（00:00 起）"
    assert "12-06 00:05" in wallview.window_label("24h", at - timedelta(hours=24), "zh", SHANGHAI)


def test_wall_data_keeps_the_open_cases_of_yesterday_and_rolls_only_the_figures():
    at = datetime(2026, 12, 7, 0, 5, tzinfo=SHANGHAI)
    recent = _frame([("2026-12-06T22:00:00+08:00", 1, "reported"), ("2026-12-06T23:30:00+08:00", 3, "accepted"),
                     ("2026-12-06T23:50:00+08:00", 2, "resolved"), ("2026-12-07T00:01:00+08:00", 4, "resolved")])
    open_cases = recent[recent["status"].isin(("reported", "accepted", "escalated"))]
    today = wallview.wall_data(recent, open_cases, at, "today", SHANGHAI)
    assert list(today.period["id"]) == ["e3"]  # only what came in after midnight
    assert len(today.open_cases) == 2 and len(today.recent) == 4
    rolling = wallview.wall_data(recent, open_cases, at, "24h", SHANGHAI)
    assert list(rolling.period["id"]) == ["e0", "e1", "e2", "e3"]
    figures = wallview.open_figures(today.open_cases)
    assert figures == {"open": 2, "overdue": 1, "by_level": {1: 1, 2: 0, 3: 1, 4: 0}}
    assert wallview.open_figures(open_cases.iloc[0:0]) == {"open": 0, "overdue": 0, "by_level": {1: 0, 2: 0, 3: 0,
                                                                                                  4: 0}}


# ---- the page itself at a frozen 00:05, on a store holding the previous evening's cases


@pytest.fixture()
def evening_store(tmp_path, monkeypatch, default_atlas):
    """A SQLite store with 12 cases reported 1-5 hours before 00:05 Shanghai (8 still open, 4
    resolved), the app's clock frozen at that 00:05."""
    from gridgeo.services.intake import add_events
    from gridgeo.services.workspace import open_store

    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIDGEO_TIMEZONE", "Asia/Shanghai")
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    at = _five_past_midnight()
    store = open_store()
    grids = default_atlas.grids.iloc[::37].head(12)
    points = grids.geometry.representative_point()
    events = [{"id": f"eve-{i}", "reported_at": (at - timedelta(minutes=60 + 20 * i)).isoformat(),
               "lon": p.x, "lat": p.y, "category": "public_order", "level": 1 + i % 4, "channel": "hotline",
               "text": "昨晚的案件"} for i, p in enumerate(points)]
    assert all(r["result"] == "accepted" for r in add_events(store, events))
    for i in range(8, 12):  # the last four were resolved before midnight
        store.transition(f"eve-{i}", "accepted", "test", at=at - timedelta(minutes=30))
        store.transition(f"eve-{i}", "resolved", "test", at=at - timedelta(minutes=20))
    monkeypatch.setattr(data, "now", lambda: at)
    data._STORES.clear()
    yield store, at, grids
    store.close()
    for s in data._STORES.values():
        s.close()
    data._STORES.clear()


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _wall(query: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("gridgeo_app/pages/wall.py")
    at.run()
    if query:  # (a page switch drops the query parameters: set them on the wall)
        at.query_params["figures"] = query
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _kpis(at: AppTest) -> dict[str, str]:
    page = "".join(m.value for m in at.markdown)
    return dict(re.findall(r"<div class='gg-kpi-label'>([^<]+)</div><div class='gg-kpi-value'>([^<]+)</div>", page))


def test_wall_at_five_past_midnight_shows_the_cases_still_open_from_yesterday(evening_store, default_atlas):
    store, at, grids = evening_store
    wall = _wall()
    shown = _kpis(wall)
    page = "".join(m.value for m in wall.markdown)
    # the day's figures rolled at midnight and say so
    assert shown["接收"] == "0" and shown["化解"] == "0"
    assert "今日（00:00 起）" in page
    # the open cases of yesterday evening: figures, by level, by street
    open_now = store.events_frame(at - timedelta(days=1), at, status=["reported", "accepted", "escalated"])
    assert len(open_now) == 8
    assert shown["在办案件"] == "8"
    for level in (1, 2, 3, 4):
        expected = int((open_now["level"] == level).sum())
        assert [v for k, v in shown.items() if k.startswith("在办 ") and k.endswith(
            ("I级（红）", "II级（橙）", "III级（黄）", "IV级（蓝）")[level - 1])] == [str(expected)]
    bars = [int(n) for n in re.findall(r"<b class='gg-bar-n'>(\d+)</b>", page)]
    assert sum(bars) == 8
    # the map paints exactly the grids of the open cases (the rule on the open cases), none blank
    args = [json.loads(n.proto.json_args) for n in _walk(wall.main)
            if type(n).__name__ == "UnknownElement" and getattr(n, "type", "") == "component_instance"][0]
    pushed = set(json.loads(re.search(r'"fills":(\{[^}]*\})', args["feature_group"]).group(1)))
    risk = risk_by_area(open_now, default_atlas.grids, "grid")
    at_risk = set(risk.loc[risk["risk_level"] > 0, "code"].astype(str))
    assert at_risk and pushed == at_risk
    assert at_risk == set(open_now["grid_code"].astype(str))
    resolved = set(grids["code"].iloc[8:].astype(str)) - at_risk
    assert not (pushed & resolved)


def test_rolling_24_hours_is_one_parameter_away(evening_store):
    store, at, _ = evening_store
    wall = _wall("24h")
    shown = _kpis(wall)
    page = "".join(m.value for m in wall.markdown)
    day = store.events_frame(at - timedelta(hours=24), at)
    assert shown["接收"] == str(len(day)) == "12"
    assert shown["化解"] == "4"
    assert "近 24 小时（" in page and "figures=today" in page  # and the way back, one click
