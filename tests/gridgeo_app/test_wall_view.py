"""The wall display's content as plain functions (ticker, bars, freshness, highlights), the
risk timeline behind the time playback, and the map layers they use (no browser, no server)."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import folium
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # app_pages is a folder of page scripts, not an installed package

from gridgeo.analysis.risk import RISK_COLORS, open_at, risk_by_area, risk_timeline  # noqa: E402
from gridgeo.config import Settings, SettingsError  # noqa: E402
from gridgeo_app import wall_content as wallview  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def _events(rows: list[dict]) -> pd.DataFrame:
    base = {"category": "public_order", "status": "reported", "level": 3, "community_code": None,
            "street_code": None, "grid_code": None, "resolved_at": None, "lon": 113.93, "lat": 22.75}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["reported_at"] = pd.to_datetime(frame["reported_at"], utc=True)
    frame["resolved_at"] = pd.to_datetime(frame["resolved_at"], utc=True)
    return frame


GRIDS = {"440311001001001": "新坡头社区001网格", "440311001001002": "甲子塘网格B"}
COMMS = {"440311001001": "新坡头社区", "440311001002": "甲子塘社区"}


def test_ticker_names_places_and_says_out_of_area_never_nan():
    ev = _events([
        {"id": "a", "reported_at": NOW - timedelta(minutes=1), "grid_code": "440311001001001",
         "community_code": "440311001001"},
        {"id": "b", "reported_at": NOW - timedelta(minutes=2), "grid_code": float("nan"),
         "community_code": float("nan"), "category": "petition"},
        {"id": "c", "reported_at": NOW - timedelta(minutes=3), "grid_code": "440311001001002",
         "community_code": "440311001002"},
    ])
    out = wallview.ticker_html(ev, GRIDS, COMMS, "zh", TZ, now_s=1000.0)
    text = re.sub(r"<[^>]+>", " ", out)
    assert "新坡头社区001网格" in text and "新坡头社区 · 新坡头社区001网格" not in text  # no name twice
    assert "甲子塘社区 · 甲子塘网格B" in text
    assert "区域外" in text
    assert "nan" not in text.lower() and "None" not in text
    assert not re.search(r"\d{15}", text)  # names, not 15-digit codes
    assert "Out of area" in wallview.ticker_html(ev, GRIDS, COMMS, "en", TZ, now_s=1000.0)


def test_ticker_continues_across_refreshes_instead_of_restarting():
    ev = _events([{"id": str(i), "reported_at": NOW - timedelta(minutes=i), "grid_code": "440311001001001",
                   "community_code": "440311001001"} for i in range(30)])

    def timing(html: str) -> tuple[float, float]:
        m = re.search(r"animation-duration:([\d.]+)s;animation-delay:(-?[\d.]+)s", html)
        return float(m.group(1)), float(m.group(2))

    first = wallview.ticker_html(ev, GRIDS, COMMS, "zh", TZ, now_s=10_000.0)
    # 30 s later one more event arrived: same number of items, so the same cycle ...
    later = _events([{"id": "new", "reported_at": NOW, "grid_code": "440311001001002",
                      "community_code": "440311001002"}])
    second = wallview.ticker_html(pd.concat([ev, later]), GRIDS, COMMS, "zh", TZ, now_s=10_030.0)
    (cycle1, delay1), (cycle2, delay2) = timing(first), timing(second)
    assert cycle1 == cycle2 == wallview.TICKER_ITEMS * wallview.TICKER_S_PER_ITEM
    # ... and the phase moved on by the 30 s that passed (it does not start again at 0)
    assert (-delay2) % cycle2 == pytest.approx(((-delay1) + 30) % cycle1, abs=0.01)
    # the track holds the items twice, so the line is always full while it moves by one copy
    assert second.count("class='gg-item") == 2 * wallview.TICKER_ITEMS


def test_street_bars_are_sorted_and_to_scale():
    streets = pd.DataFrame({"code": ["1", "2", "3"], "name": ["光明街道", "公明街道", "马田街道"]})
    ev = pd.DataFrame({"street_code": ["1"] * 222 + ["2"] * 236 + ["3"] * 40})
    counts = wallview.street_counts(ev, streets)
    assert list(counts.index) == ["公明街道", "光明街道", "马田街道"] and list(counts) == [236, 222, 40]
    widths = [float(w) for w in re.findall(r"width:([\d.]+)%", wallview.bars_html(counts))]
    assert widths[0] == 100.0
    assert widths[1] == pytest.approx(100 * 222 / 236, abs=0.01)  # 222 and 236 differ on screen
    assert widths[2] == pytest.approx(100 * 40 / 236, abs=0.01)
    empty = wallview.street_counts(ev.iloc[0:0], streets)
    assert list(empty) == [0, 0, 0] and "nan" not in wallview.bars_html(empty)


def test_side_bars_one_level_below_the_territory():
    """A community's wall: bars by grid (short labels, the largest 10, the rest on one line); a
    street's: by community; the district's or an unscoped one: by street (gridgeo_app.scope)."""
    import geopandas as gpd
    import streamlit as st

    from gridgeo.access import Identity
    from gridgeo_app.scope import WHO_KEY, areas_below

    codes = [f"440311001001{k:03d}" for k in range(1, 13)] + ["440311002001001"]
    grids = gpd.GeoDataFrame({"code": codes, "name": [f"新坡头社区{c[-3:]}网格" for c in codes[:12]] + ["上村社区001网格"],
                              "community_name": ["新坡头社区"] * 12 + ["上村社区"]}, geometry=[None] * 13)
    comms = gpd.GeoDataFrame({"code": ["440311001001", "440311001002", "440311002001"],
                              "name": ["新坡头社区", "白花社区", "上村社区"]}, geometry=[None] * 3)
    streets = gpd.GeoDataFrame({"code": ["440311001", "440311002"], "name": ["光明街道", "公明街道"]}, geometry=[None] * 2)
    layers = {"grids": grids, "communities": comms, "streets": streets}
    levels = {}
    for scopes in [(), ("440311",), ("440311001",), ("440311001001",)]:
        st.session_state[WHO_KEY] = Identity("x", "viewer", scopes=scopes)
        level, areas, column = areas_below(layers)
        levels[scopes] = (level, list(areas["code"]), column)
    del st.session_state[WHO_KEY]
    assert levels[()][0] == levels[("440311",)][0] == "street" and levels[()][1] == ["440311001", "440311002"]
    assert levels[("440311001",)] == ("community", ["440311001001", "440311001002"], "community_code")
    level, mine, column = levels[("440311001001",)]
    assert (level, column, len(mine)) == ("grid", "grid_code", 12)
    ev = pd.DataFrame({"grid_code": ["440311001001003"] * 5 + ["440311001001007"] * 2 + ["440311001001012"]})
    counts = wallview.area_counts(ev, grids[grids["code"].isin(mine)], "grid_code")
    assert list(counts.index[:3]) == ["003网格", "007网格", "012网格"] and list(counts[:3]) == [5, 2, 1]
    bars = wallview.bars_rest_html(counts, "zh")
    assert bars.count("class='gg-bar'") == wallview.WALL_BARS and "其余 2 个 · 共 0 件" in bars
    assert wallview.bars_rest_html(counts.iloc[:3], "zh").count("gg-bar-rest") == 0
    assert [wallview.BAR_HEADINGS[lv] for lv in ("street", "community", "grid")] == [
        "by_street", "wall_by_community", "wall_by_grid"]


def test_freshness_turns_red_when_stale_or_when_the_store_fails():
    ok = wallview.freshness(NOW - timedelta(minutes=3), NOW, 900, "zh", TZ)
    assert ok.ok and "3 分钟前" in ok.text and "13:57:00" in ok.text
    stale = wallview.freshness(NOW - timedelta(minutes=16), NOW, 900, "zh", TZ)
    assert not stale.ok and "16 分钟前" in stale.text
    assert not wallview.freshness(None, NOW, 900, "zh", TZ).ok
    down = wallview.freshness(NOW - timedelta(seconds=5), NOW, 900, "zh", TZ, store_error="OperationalError",
                              failing_since=NOW - timedelta(minutes=1))
    assert not down.ok and "无响应" in down.text and "13:59:00" in down.text
    assert wallview.freshness(NOW - timedelta(seconds=5), NOW, 900, "en", TZ).text.endswith("just now")


def test_wall_settings_come_from_the_environment_and_bad_values_are_refused():
    s = Settings.from_env({"GRIDGEO_WALL_STALE_S": "120", "GRIDGEO_WALL_HIGHLIGHT_S": "45"})
    assert s.wall_stale_s == 120 and s.wall_highlight_s == 45
    assert Settings.from_env({}).wall_stale_s == 900
    with pytest.raises(SettingsError, match="GRIDGEO_WALL_STALE_S"):
        Settings.from_env({"GRIDGEO_WALL_STALE_S": "soon"})


def test_highlights_new_level1_events_and_red_grids_for_the_hold_time():
    h = wallview.Highlights(hold_s=300)
    old = _events([{"id": "old", "reported_at": NOW, "level": 1, "grid_code": "g1"}])
    h.update(old, {"g9"}, now_s=0)  # what is there at start-up does not flash
    assert h.since == {} and h.grids(0) == ([], [])
    new = pd.concat([old, _events([{"id": "new", "reported_at": NOW, "level": 1, "grid_code": "g2"},
                                   {"id": "minor", "reported_at": NOW, "level": 3, "grid_code": "g3"}])])
    h.update(new, {"g9", "g4"}, now_s=30)
    assert set(h.since) == {"g2", "g4"} and set(h.flashing_events) == {"new"}
    assert sorted(h.grids(40)[0]) == ["g2", "g4"]  # flashing at first ...
    h.update(new, {"g9", "g4"}, now_s=30 + wallview.FLASH_S + 1)
    assert h.grids(30 + wallview.FLASH_S + 1) == ([], sorted(h.since)) or \
        sorted(h.grids(30 + wallview.FLASH_S + 1)[1]) == ["g2", "g4"]  # ... then outlined steadily
    h.update(new, {"g9", "g4"}, now_s=331)  # and gone after the hold time
    assert h.since == {} and h.flashing_events == {}


def test_risk_timeline_replays_the_rule_on_the_cases_open_at_each_moment():
    areas = pd.DataFrame({"code": ["g1", "g2"], "households": [400, 400]})
    t0 = pd.Timestamp("2026-11-30T00:00Z")
    ev = _events([
        {"id": "a", "reported_at": t0 + timedelta(hours=1), "level": 2, "grid_code": "g1", "status": "resolved",
         "resolved_at": t0 + timedelta(hours=3)},
        {"id": "b", "reported_at": t0 + timedelta(hours=2), "level": 4, "grid_code": "g2"},
        {"id": "c", "reported_at": t0 + timedelta(hours=2), "level": 1, "grid_code": "g2", "status": "rejected"},
    ])
    assert list(open_at(ev, t0 + timedelta(hours=2))) == [True, True, False]
    times = [t0, t0 + timedelta(hours=1), t0 + timedelta(hours=2, minutes=30), t0 + timedelta(hours=4)]
    tl = risk_timeline(ev, areas, "grid", times)
    assert tl.loc["g1"].tolist() == [0, 2, 2, 0]  # open from its report until resolved
    assert tl.loc["g2"].tolist() == [0, 0, 4, 4]  # the rejected level-I case never counts
    # the last moment equals the live rule on the events still open now
    assert tl.iloc[:, -1].tolist() == risk_by_area(ev, areas, "grid")["risk_level"].tolist()


def test_playback_layer_ships_levels_per_moment_and_plays_offline():
    import geopandas as gpd
    from shapely.geometry import box

    from gridgeo_app.layers.playback import Playback, PlaybackControls, playback_data

    areas = gpd.GeoDataFrame({"code": ["g1", "g2", "g3"]},
                             geometry=[box(113.9, 22.7, 113.91, 22.71), box(113.91, 22.7, 113.92, 22.71),
                                       box(113.92, 22.7, 113.93, 22.71)], crs=4326)
    tl = pd.DataFrame([[0, 2, 1], [0, 0, 0], [4, 4, 0]], index=["g1", "g2", "g3"])
    ev = pd.DataFrame({"lon": [113.905], "lat": [22.705], "level": [2], "step": [1]})
    data = playback_data(areas, tl, ev, ["00:00", "00:15", "00:30"], PlaybackControls(play="播放", pause="暂停"))
    assert data["levels"] == ["04", "24", "10"]  # g2 is never at risk: not shipped
    assert len(data["geo"]["features"]) == 2 and data["ev"] == [[22.705, 113.905, 2, 1]]
    assert data["colors"]["1"] == RISK_COLORS[1]
    m = folium.Map(tiles=None)
    Playback(data).add_to(m)
    html = m.get_root().render()
    assert "gg-pb-slider" in html and "播放" in html and "https://" not in html.split("<body>")[1]


def test_legends_match_the_map_colours_and_follow_their_layer():
    from gridgeo_app.layers import HEAT_GRADIENT, heat_layer, heat_legend, risk_legend
    from gridgeo_app.maps import WALL_NONE_COLOR, wall_legend

    m = folium.Map(tiles=None)
    wall_legend("zh").add_to(m)
    swatches = re.findall(r"background:(#[0-9a-f]{6})", json.loads(re.search(
        r"div.innerHTML = (\".*?\");", m.get_root().render()).group(1)))
    # the wall's "no open cases" swatch is the navy its grids are drawn in, not the map page's grey
    assert WALL_NONE_COLOR in swatches and RISK_COLORS[0] not in swatches
    assert all(RISK_COLORS[lv] in swatches for lv in (1, 2, 3, 4))
    legend = risk_legend("图例")
    assert RISK_COLORS[0] in legend.html_json
    # the heat palette shares no colour with the risk scale, and has its own legend
    assert not set(HEAT_GRADIENT.values()) & set(RISK_COLORS.values())
    ev = pd.DataFrame({"lon": [113.93], "lat": [22.75], "level": [1]})
    from shapely.geometry import box
    heat = heat_layer(ev, "热力", clip=box(113.9, 22.7, 114.0, 22.8),
                      legend=heat_legend("事件热力", "少", "多"))
    m2 = folium.Map(tiles=None)
    heat.add_to(m2)
    out = m2.get_root().render()
    assert "destination-in" in out  # clipped to the polygon
    assert "gg-heat-legend" in out and 'parent.on("remove"' in out  # the legend leaves with the layer


def test_risk_timeline_equals_the_rule_applied_moment_by_moment():
    import numpy as np

    rng = np.random.default_rng(7)
    areas = pd.DataFrame({"code": [f"g{i}" for i in range(12)], "households": rng.integers(0, 600, 12)})
    t0 = pd.Timestamp("2026-11-30T00:00Z")
    n = 400
    reported = t0 + pd.to_timedelta(rng.integers(-600, 1440, n), unit="min")
    resolved = reported + pd.to_timedelta(rng.integers(5, 900, n), unit="min")
    status = rng.choice(["reported", "accepted", "resolved", "rejected", "escalated"], n)
    ev = pd.DataFrame({
        "grid_code": rng.choice([*areas["code"], "elsewhere"], n), "level": rng.integers(1, 5, n), "status": status,
        "reported_at": reported,
        "resolved_at": pd.Series(resolved).where(status == "resolved").to_numpy(),
    })
    times = pd.date_range(t0, t0 + pd.Timedelta(hours=24), freq="15min")
    tl = risk_timeline(ev, areas, "grid", times)
    for k in (0, 17, 48, 96):
        now_open = ev[open_at(ev, times[k])].assign(status="reported")
        assert tl.iloc[:, k].tolist() == risk_by_area(now_open, areas, "grid")["risk_level"].tolist()


def test_a_map_is_rendered_once_even_when_shown_at_another_height():
    """Rendering a folium map twice through streamlit-folium leaves stale element names in its
    script (a blank map): another height is derived from the first rendering instead."""
    from gridgeo_app.map_render import _prepared

    m = folium.Map(location=[22.75, 113.93], zoom_start=12, tiles=None)
    folium.GeoJson({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "a"},
                    "geometry": {"type": "Point", "coordinates": [113.93, 22.75]}}]}).add_to(m)
    first = _prepared(m, "k", 640, True, [])
    second = _prepared(m, "k", 720, True, [])
    assert second["height"] == 720 and first["height"] == 640
    assert second["script"] == first["script"] and second["key"] == first["key"]  # as st_folium: same key
    assert _prepared(m, "other", 720, True, [])["key"] != first["key"]
    assert not re.findall(r"geo_json_[0-9a-f]{32}", second["script"])  # only the renamed, stable names
    with pytest.raises(ValueError, match="returned objects"):
        _prepared(m, "k", 720, True, ["last_clicked"])


def test_a_pushed_change_asks_the_tile_layers_for_colours_at_once(default_atlas):
    import folium

    from gridgeo_app.maps import wall_live_layers

    def rendered(groups) -> str:
        m = folium.Map()
        groups[0][1]().add_to(m)  # a (key, build) spec
        return m.get_root().render()

    layers = {"grids": default_atlas.grids, "streets": default_atlas.streets}
    pushed = rendered(wall_live_layers(layers, pd.DataFrame(), "zh", tiles=True, pushed_changes=7))
    assert "gridgeoRefresh" in pushed and "push 7" in pushed
    assert "gridgeoRefresh" not in rendered(wall_live_layers(layers, pd.DataFrame(), "zh", tiles=True))
