"""The halls layer (issue 23): a marker per service point sized by open cases, coloured by the
overdue share, with a card; on the Map page's layer list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import folium
import pandas as pd
import pytest

from gridgeo.analysis.halls import hall_workload
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store
from gridgeo_app.layers.halls import IDLE_COLOUR, halls_layer, overdue_colour
from gridgeo_app.maps import planner_map

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def frame(tmp_path_factory, default_atlas):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('hl') / 'e.sqlite'}", seed_default=False)
    store.publish_grid_set(default_atlas.grids, author="tester")
    spots = default_atlas.grids.geometry.iloc[:40].representative_point()
    cases = [{"id": f"h{i}", "reported_at": (NOW - timedelta(hours=30 if i % 3 == 0 else 1)).isoformat(),
              "lon": p.x, "lat": p.y, "category": "labour", "level": 3} for i, p in enumerate(spots)]
    add_events(store, cases, now=NOW)
    out = store.events_frame(now=NOW)
    store.close()
    return out


def test_markers_sized_coloured_and_carded(frame, default_atlas):
    workload = hall_workload(frame, NOW)
    group = halls_layer(default_atlas.service_points, workload, "zh")
    markers = [c for c in group._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(markers) == 229
    busy = workload.iloc[0]
    point = default_atlas.service_points.set_index("code").loc[busy["code"]]
    marker = next(m for m in markers if m.location == [point.geometry.y, point.geometry.x])
    assert marker.options["radius"] > 3.0 and marker.options["fillColor"] == overdue_colour(busy["open"],
                                                                                           busy["overdue_share"])
    html = folium.Map().add_child(group).get_root().render()
    assert "在办" in html and "今日化解" in html and point["name"] in html
    assert workload["open"].sum() == 40 and workload["overdue"].sum() == (frame["overdue"]).sum() > 0


def test_colour_rule():
    assert overdue_colour(0, None) == IDLE_COLOUR
    assert [overdue_colour(5, s) for s in (0.0, 0.2, 0.5)] == ["#2e7d32", "#f9a825", "#c62828"]


def test_the_map_shows_the_layer_when_asked(frame, default_atlas):
    layers = {**default_atlas.layers(), "service_points": default_atlas.service_points}
    with_halls = planner_map(layers, frame, "en", show=frozenset({"halls"})).get_root().render()
    without = planner_map(layers, frame, "en", show=frozenset({"markers"})).get_root().render()
    assert "gridgeo-hall-card" in with_halls and "Median handling (h)" in with_halls
    assert "gridgeo-hall-card" not in without
    assert pd.notna(frame["hall_code"]).all()
