"""Every page of the Streamlit app through streamlit.testing's AppTest: runs cleanly and shows
the figures of the event source for the same window."""

from __future__ import annotations

import json
import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # app_pages is a folder of page scripts, not an installed package

from gridgeo.analysis.risk import risk_by_area, risk_label  # noqa: E402
from gridgeo.services.intake import add_events  # noqa: E402
from gridgeo_app import event_source as data  # noqa: E402

APP = str(ROOT / "app.py")


@pytest.fixture(scope="module", autouse=True)
def _data_dir(tmp_path_factory):
    """A throw-away data dir (and SQLite store) for the whole module."""
    mp = pytest.MonkeyPatch()
    d = tmp_path_factory.mktemp("gridgeo-data")
    mp.setenv("GRIDGEO_DATA_DIR", str(d))
    mp.setenv("GRIDGEO_SEED_DAYS", "3")  # the app seeds the empty store: keep it quick
    mp.delenv("GRIDGEO_DATABASE_URL", raising=False)
    yield d
    mp.undo()


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _maps(at: AppTest) -> list[dict]:
    return [json.loads(n.proto.json_args) for n in _walk(at.main)
            if type(n).__name__ == "UnknownElement" and getattr(n, "type", "") == "component_instance"]


def _report_now(store, atlas, n: int = 5) -> None:
    """Store ``n`` events reported this instant inside grids, so "today" is never empty."""
    now = datetime.now(UTC).isoformat()
    points = atlas.grids.geometry.representative_point().iloc[:n]
    results = add_events(store, [
        {"id": f"now-{uuid.uuid4().hex[:12]}", "reported_at": now, "lon": p.x, "lat": p.y,
         "category": "public_order", "level": 1 + i % 4, "channel": "hotline", "text": "测试事件"}
        for i, p in enumerate(points)])
    assert all(r["result"] == "accepted" for r in results), results


def _run(page: str | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if lang:
        at.sidebar.selectbox(key="lang").set_value(lang)
        at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _wall_kpis(at: AppTest) -> dict[str, str]:
    """The wall's key figures {label: value} from its HTML tiles."""
    import re

    page = "".join(m.value for m in at.markdown)
    return dict(re.findall(r"<div class='gg-kpi-label'>([^<]+)</div><div class='gg-kpi-value'>([^<]+)</div>", page))


def _atlas():
    from gridgeo.atlas.load import load_default_atlas
    return load_default_atlas()


def test_map_page_renders_the_risk_map_offline_and_a_grid_card_by_search():
    at = _run()
    assert at.title[0].value == "地图"
    maps = _maps(at)
    assert len(maps) == 1
    args = maps[0]
    assert args["js_links"] and all(u.startswith("/app/static/vendor/") for u in args["js_links"] + args["css_links"])
    atlas = _atlas()
    # every grid of the district is drawn once in the base map and painted by the pushed risk
    # layer (today's risk by grid is the default), which carries the legend with the rule
    assert sum(args["script"].count(f'"code": "{c}"') > 0 for c in atlas.grids["code"]) == len(atlas.grids)
    assert all(f'"{c}":"#' in args["feature_group"] for c in atlas.grids["code"])
    assert "风险等级" in args["feature_group"] and "gg-risk-legend" in args["feature_group"]

    grid = atlas.grids.iloc[7]
    at.text_input(key="map_search").set_value(grid["code"]).run()
    assert not at.exception
    assert any(grid["name"] in s.value for s in at.subheader)
    # the map flies to the found grid and outlines it, pushed onto the same map (no re-mount)
    found = _maps(at)[0]
    assert found["zoom"] == 16 and found["center"] is not None
    assert f'"code": "{grid["code"]}"' in found["feature_group"]
    assert found["script"] == args["script"]
    card = at.table[0].value
    assert str(grid["grid_worker"]) in card.to_string() and str(int(grid["households"])) in card.to_string()
    # the card's open cases and its risk level come from the same events: the window's (today)
    end = data.now()
    window = data.load_events(atlas, data.today_window(end)[0], end)
    mine = window[window["grid_code"] == grid["code"]]
    open_n = int(mine["status"].isin(("reported", "accepted", "escalated")).sum())
    assert [m.value for m in at.metric if m.label == "在办案件 · 今日"] == [str(open_n)]
    level = int(risk_by_area(window, atlas.grids, "grid").set_index("code").at[grid["code"], "risk_level"])
    assert (open_n == 0) == (level == 0) and risk_label(level) in card.to_string()


def test_map_page_switches_to_english_and_filters_a_street():
    at = _run(lang="en")
    assert at.title[0].value == "Map"
    atlas = _atlas()
    street = atlas.streets.iloc[2]
    at.sidebar.selectbox(key="map_street").set_value(street["code"]).run()
    assert not at.exception
    script = _maps(at)[0]["script"]
    inside = atlas.grids[atlas.grids["street_code"] == street["code"]]["code"]
    outside = atlas.grids[atlas.grids["street_code"] != street["code"]]["code"]
    assert all(f'"code": "{c}"' in script for c in inside)
    assert not any(f'"code": "{c}"' in script for c in outside)


def test_wall_display_kpis_equal_the_store_figures():
    from gridgeo.analysis.stats import summarize
    from gridgeo.services.workspace import open_store

    at = _run("gridgeo_app/pages/wall.py")
    atlas = _atlas()
    store = open_store()  # the same temp SQLite store the app uses (GRIDGEO_DATA_DIR)
    assert len(store.events_frame(data.now() - timedelta(days=31), data.now())) > 0, \
        "the app should have seeded the empty store"
    _report_now(store, atlas)  # today's window holds events even just after midnight
    at.run()
    at_time = data.now()
    start, end = data.today_window(at_time)
    events = store.events_frame(start, end)
    assert len(events) >= 5
    expected = summarize(events, now=at_time).iloc[0]
    by_level = summarize(events, by="level", now=at_time).set_index("level")["received"]
    del by_level  # the level tiles count the open cases (around the clock), not today's
    shown = _wall_kpis(at)
    assert shown["接收"] == str(int(expected["received"]))
    assert shown["受理"] == str(int(expected["accepted"]))
    assert shown["化解"] == str(int(expected["resolved"]))
    assert shown["化解率"] == f"{expected['resolution_rate'] * 100:.1f}%"
    # the open cases whatever day they were reported: figures, levels, map
    open_now = store.events_frame(at_time - timedelta(days=30), at_time, status=["reported", "accepted", "escalated"])
    assert shown["在办案件"] == str(len(open_now))
    assert shown["在办超期"] == str(int(open_now["overdue"].sum()))
    for level, name in ((1, "I级（红）"), (2, "II级（橙）"), (3, "III级（黄）"), (4, "IV级（蓝）")):
        assert shown[f"在办 {name}"] == str(int((open_now["level"] == level).sum()))
    # the pushed layer holds exactly the grids at risk; the base map every grid
    args = _maps(at)[0]
    risk = risk_by_area(open_now, atlas.grids, "grid")
    at_risk = risk.loc[risk["risk_level"] > 0, "code"]
    # the push paints the base map's grids: exactly the grids at risk get a colour, no geometry
    fills = json.loads(re.search(r'"fills":(\{[^}]*\})', args["feature_group"]).group(1))
    assert set(fills) == set(at_risk.astype(str))
    assert all(fills[c] == col for c, col in zip(risk["code"], risk["color"], strict=True) if c in fills)
    assert args["script"].count('"code": "') >= len(atlas.grids)
    assert args["returned_objects"] == []


def test_review_page_tables_trend_hotspots_and_exports():
    at = _run("gridgeo_app/pages/review.py")
    assert at.title[0].value == "风险研判"
    # the hot-spot map first, then street, community, grid, category, level and the halls, then the trend
    assert [tab.label for tab in at.tabs] == ["热点地图", "街道", "社区", "网格", "类别", "等级", "服务网点", "趋势"]
    frames = [d.value for d in at.dataframe]
    ranked = next((f for f in frames if "排名" in f.columns), None)
    groups = [f for f in frames if "本期" in f.columns]
    assert len(groups) == 5
    street_table = groups[0]
    atlas = _atlas()
    assert set(atlas.streets["name"]) <= set(street_table["名称"]) <= {*atlas.streets["name"], "区域外（未落入任何网格）"}
    # this-period totals equal the source's events in the window shown
    received = int(next(m.value for m in at.metric if m.label == "接收"))
    assert int(street_table["本期"].sum()) == received
    # the store was seeded 3 days back: the 7-day window's previous period has no data to compare with
    assert any("不作比较" in i.value for i in at.info), [i.value for i in at.info]
    assert "上期" not in street_table.columns and "变化" not in street_table.columns
    assert "None" not in set(street_table["名称"].astype(str))
    assert all("+" not in str(m.delta or "") for m in at.metric)
    categories = groups[3]["名称"]
    assert not any("_" in str(c) for c in categories)  # Chinese labels, no slugs
    halls = next(f for f in frames if "本期案件" in f.columns)
    # every case has a hall (out of area: the district centre), so the halls' cases add up to the received
    assert list(halls.columns[:4]) == ["编码", "名称", "层级", "本期案件"] and halls["本期案件"].sum() == received
    if ranked is not None:
        assert list(ranked.columns[:2]) == ["排名", "名称"] and ranked["名称"].str.endswith("网格").all()
    else:
        assert any("热点网格" in i.value for i in at.info)
    labels = [b.proto.label for b in _walk(at.main) if getattr(b, "type", "") == "download_button"]
    assert labels == ["导出 Excel", "导出地图 PNG", "导出地图 PDF"]
    assert len(_maps(at)) == 1


def test_partition_slot_is_picked_up_only_when_its_page_exists():
    """app.py lists gridgeo_app/pages/partition.py and adds it to the navigation once the file exists."""
    at = _run()
    if (ROOT / "gridgeo_app" / "pages" / "partition.py").exists():
        at.switch_page("gridgeo_app/pages/partition.py")
        at.run()
        assert not at.exception
    else:
        with pytest.raises(ValueError):
            at.switch_page("gridgeo_app/pages/partition.py")


def test_map_shows_the_grid_set_published_in_the_store():
    """Runs last in this module: it publishes a new current grid set into the module's store."""
    atlas = _atlas()
    grids = atlas.grids.copy()
    grids.loc[grids.index[0], "name"] = "新发布测试网格"
    data.store().publish_grid_set(grids, author="test", comment="renamed one grid")
    at = _run()
    script = _maps(at)[0]["script"]
    assert "新发布测试网格" in script or json.dumps("新发布测试网格")[1:-1] in script
    assert str(atlas.grids["name"].iloc[0]) not in script and \
        json.dumps(str(atlas.grids["name"].iloc[0]))[1:-1] not in script


def test_language_from_the_url_for_the_wall_display():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("gridgeo_app/pages/wall.py")
    at.run()
    assert not at.exception
    assert {"Received", "Accepted", "Resolved", "Resolution rate", "Open cases", "Open, overdue"} <= set(_wall_kpis(at))


def test_gcj02_basemap_shifts_the_polygons_and_loads_amap_tiles():
    at = _run()
    offline = _maps(at)[0]["script"]
    at.sidebar.selectbox(key="map_basemap").set_value("amap").run()
    assert not at.exception
    amap = _maps(at)[0]["script"]
    assert "autonavi.com" in amap and "autonavi.com" not in offline
    # the same grid's first vertex sits a few hundred metres away on the GCJ-02 basemap
    import re

    first = re.compile(r'"coordinates": \[\[\[([0-9.]+), ([0-9.]+)\]')
    (x0, y0), (x1, y1) = (tuple(map(float, first.search(s).groups())) for s in (offline, amap))
    metres = ((x1 - x0) * 102_700) ** 2 + ((y1 - y0) * 110_800) ** 2
    assert 200 ** 2 < metres < 800 ** 2


@pytest.fixture()
def own_postgis_db(pg_url):
    """A fresh database with PostGIS on the test server, dropped afterwards (other tests' data
    in the shared test database stays untouched)."""
    import uuid

    from pg_databases import create_database, drop_database

    name = f"gridgeo_app_{uuid.uuid4().hex[:8]}"
    try:
        yield create_database(pg_url, name)
    finally:
        drop_database(pg_url, name)


@pytest.mark.postgis
def test_wall_display_on_postgis_equals_the_store_figures(own_postgis_db, monkeypatch):
    from gridgeo.analysis.stats import summarize
    from gridgeo.demo.simulate import seed_store
    from gridgeo.services.workspace import open_store

    monkeypatch.setenv("GRIDGEO_DATABASE_URL", own_postgis_db)
    store = open_store(own_postgis_db, seed_default=True)  # a real store is never seeded by the app:
    seed_store(store, _atlas(), days=1, per_day=600)  # the test fills it itself
    _report_now(store, _atlas())  # today's window holds events even just after midnight
    at = _run("gridgeo_app/pages/wall.py")
    at_time = data.now()
    assert store.backend == "postgresql"
    events = store.events_frame(*data.today_window(at_time))
    assert len(events) > 0
    expected = summarize(events, now=at_time).iloc[0]
    shown = _wall_kpis(at)
    assert shown["接收"] == str(int(expected["received"]))
    assert shown["化解"] == str(int(expected["resolved"]))
    open_now = store.events_frame(at_time - timedelta(days=30), at_time, status=["reported", "accepted", "escalated"])
    assert shown["在办案件"] == str(len(open_now)) and len(open_now) > 0
    store.close()
    data._STORES.pop(own_postgis_db).close()  # let the database be dropped


def _review_compares_with_a_covered_previous_period(url: str, monkeypatch) -> None:
    """A store with 15 days of history: the 7-day window is compared with the week before it."""
    from gridgeo.demo.simulate import seed_store
    from gridgeo.services.workspace import open_store

    monkeypatch.setenv("GRIDGEO_DATABASE_URL", url)
    store = open_store(url)
    seed_store(store, _atlas(), days=15, per_day=40, seed=7)
    at = _run("gridgeo_app/pages/review.py")
    assert not any("不作比较" in i.value for i in at.info)
    street_table = at.dataframe[0].value
    assert {"本期", "上期", "变化", "变化 %"} <= set(street_table.columns)
    received = next(m for m in at.metric if m.label == "接收")
    assert int(street_table["本期"].sum()) == int(received.value)
    # the delta shown is this period's count minus the previous period's
    assert int(street_table["本期"].sum()) - int(street_table["上期"].sum()) == int(received.delta)
    assert (street_table["上期"] > 0).all()
    store.close()
    data._STORES.pop(url).close()


def test_review_compares_with_a_previous_period_that_has_data(tmp_path, monkeypatch):
    _review_compares_with_a_covered_previous_period(f"sqlite:///{tmp_path / 'events.db'}", monkeypatch)


@pytest.mark.postgis
def test_review_compares_on_postgis(own_postgis_db, monkeypatch):
    _review_compares_with_a_covered_previous_period(own_postgis_db, monkeypatch)


def test_map_page_offers_the_community_poster_for_the_filtered_community():
    at = _run()
    community = _atlas().communities.sort_values("code").iloc[3]
    at.sidebar.selectbox(key="map_street").set_value(community["street_code"]).run()
    at.sidebar.selectbox(key="map_community").set_value(community["code"]).run()
    assert not at.exception
    buttons = [b for b in _walk(at.sidebar) if getattr(b, "type", "") == "download_button"]
    assert [b.proto.label for b in buttons] == ["下载本社区“一格一图”（A3 PDF）"]
    assert at.sidebar.selectbox(key="poster_community").value == community["code"]  # follows the map filter


def test_time_playback_on_the_map_page_and_as_a_wall_mode():
    at = _run()
    at.sidebar.toggle(key="map_playback").set_value(True).run()
    assert not at.exception
    script = _maps(at)[0]["script"]
    assert "gg-pb-slider" in script and "播放" in script  # slider and play button, in Chinese
    levels = json.loads(script.split('"levels":', 1)[1].split("]", 1)[0] + "]")
    assert len(levels) == 97 and len(set(map(len, levels))) == 1  # a day at 15-minute moments
    assert "/app/static/vendor/" in _maps(at)[0]["js_links"][0]

    wall = AppTest.from_file(APP, default_timeout=120)
    wall.run()
    wall.switch_page("gridgeo_app/pages/wall.py")
    wall.query_params["mode"] = "playback"  # as /wall?mode=playback (switching pages drops the query)
    wall.run()
    assert not wall.exception
    args = _maps(wall)[0]
    assert "gg-pb-slider" in args["script"] and '"autoplay":true' in args["script"]
    assert {"接收", "在办案件", "在办超期"} <= set(_wall_kpis(wall))  # the live figures stay
