"""Each case to its hall and its nearest station (issue 23), on the demo atlas: ``hall_code``
follows the dispatch tier rule, ``station_code`` equals a brute-force nearest station computed
with geopandas in the metric CRS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gridgeo.events.dispatch import dispatch_tier
from gridgeo.geo.metric import to_metric
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
CATEGORIES = ("labour", "petition", "land", "neighbour_dispute", "property")


def random_cases(atlas, n: int, seed: int) -> list[dict]:
    """``n`` cases at random places in the district (some just outside), random levels/categories."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = atlas.district.total_bounds
    pts = rng.uniform([x0, y0], [x1, y1], size=(n, 2))
    return [{"id": f"c{i}", "reported_at": (NOW - timedelta(minutes=5 + i)).isoformat(), "lon": float(x),
             "lat": float(y), "category": str(rng.choice(CATEGORIES)), "level": int(rng.integers(1, 5))}
            for i, (x, y) in enumerate(pts)]


@pytest.fixture(scope="module")
def routed(tmp_path_factory, default_atlas):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('net') / 'e.sqlite'}", seed_default=False)
    store.publish_grid_set(default_atlas.grids, author="tester")
    cases = random_cases(default_atlas, 600, seed=23)
    results = add_events(store, cases, now=NOW)
    assert all(r["result"] == "accepted" for r in results)
    frame = store.events_frame(now=NOW, extra=True)
    yield frame, cases
    store.close()


def test_hall_code_follows_the_tier_rule(routed, default_atlas):
    frame, _ = routed
    points = default_atlas.service_points
    hall = {(t, c): code for t, c, code in zip(points["tier"], points["territory_code"], points["code"], strict=True)
            if t != "station"}
    for row in frame.itertuples():
        tier = dispatch_tier(row.level, row.category)
        if row.out_of_area:
            expected = hall[("district", "440311")]
        else:
            territory = {"community": row.community_code, "street": row.street_code, "district": "440311"}[tier]
            expected = hall[(tier, territory)]
        assert row.hall_code == expected, row
    assert frame["out_of_area"].any() and (~frame["out_of_area"]).sum() > 300  # both kinds were generated
    assert set(frame["hall_code"].map(lambda c: points.set_index("code").at[c, "tier"])) == {"community", "street",
                                                                                             "district"}


def test_station_code_is_the_brute_force_nearest_station(routed, default_atlas):
    frame, _ = routed
    stations = to_metric(default_atlas.service_points[default_atlas.service_points["tier"] == "station"])
    cases = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    cases = cases.to_crs(stations.crs)
    for row, geom in zip(cases.itertuples(), cases.geometry, strict=True):
        if row.out_of_area:
            assert pd.isna(row.station_code)
            continue
        pool = stations[stations["territory_code"] == row.community_code]
        if not len(pool):
            pool = stations[stations["territory_code"].str[:9] == row.street_code]
        assert row.station_code == pool.loc[pool.distance(geom).idxmin(), "code"]


def test_a_case_starts_at_its_station_or_its_hall(routed):
    frame, _ = routed
    community_tier = frame["dispatch_target"].str.startswith("community:")
    assert (frame.loc[community_tier, "handling_tier"] == "station").all()
    assert (frame.loc[~community_tier, "handling_tier"] == frame.loc[~community_tier, "dispatch_target"]
            .str.split(":").str[0]).all()
    assert (frame["escalations"] == 0).all()


def test_api_answers_carry_hall_and_station(tmp_path, default_atlas):
    from fastapi.testclient import TestClient

    from gridgeo.api import create_app
    from gridgeo.config import Settings

    store = open_store(f"sqlite:///{tmp_path / 'e.sqlite'}", seed_default=False)
    store.publish_grid_set(default_atlas.grids, author="tester")
    inside = default_atlas.communities.geometry.iloc[0].representative_point()
    case = {"id": "a1", "reported_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(), "lon": inside.x,
            "lat": inside.y, "category": "labour", "level": 3}
    auth = {"Authorization": "Bearer t"}
    with TestClient(create_app(store, Settings(api_token="t")), client=("127.0.0.1", 5000)) as client:
        posted = client.post("/api/v1/events", json=case, headers=auth).json()
        code = default_atlas.communities["code"].iloc[0]
        assert posted["hall_code"] == f"FW{code}" and posted["station_code"].startswith(f"FW{code}S")
        listed = client.get("/api/v1/events", headers=auth).json()["events"][0]
        assert (listed["hall_code"], listed["station_code"]) == (posted["hall_code"], posted["station_code"])
        one = client.get("/api/v1/events/a1", headers=auth).json()
        assert one["handling_tier"] == "station" and one["escalations"] == 0
    assert shapely.Point(inside.x, inside.y).within(default_atlas.communities.geometry.iloc[0])
    store.close()


def test_an_atlas_without_service_points_routes_to_no_hall(tmp_path, default_atlas):
    from gridgeo.atlas.model import Atlas
    from gridgeo.store.atlases import save_atlas, use_atlas

    store = open_store(f"sqlite:///{tmp_path / 'e.sqlite'}", seed_default=False)
    bare = Atlas(**default_atlas.layers(), meta={})
    save_atlas(store, bare, "no-network")
    use_atlas(store, "no-network")
    results = add_events(store, random_cases(default_atlas, 20, seed=1), now=NOW)
    assert all(r["result"] == "accepted" for r in results)
    frame = store.events_frame(now=NOW)
    assert frame["hall_code"].isna().all() and frame["station_code"].isna().all()
    assert frame["grid_code"].notna().any()  # assigned and dispatched as before
    store.close()
