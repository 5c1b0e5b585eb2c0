"""The settings reach the library: the metric CRS is the GK zone of the data (or the configured
one) and local days follow the configured time zone (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from shapely.geometry import box

from gridgeo.config import Settings, get_settings
from gridgeo.geo.metric import area_m2, metric_crs_of, to_metric


def _square(lon: float, lat: float, d: float = 0.01) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(lon, lat, lon + d, lat + d)], crs="EPSG:4326")


@pytest.mark.parametrize(("lon", "epsg"), [(113.93, 4547), (104.07, 4544), (121.47, 4549)])
def test_to_metric_uses_the_gk_zone_of_the_data(lon, epsg):
    frame = _square(lon, 30.6)
    assert metric_crs_of(frame) == f"EPSG:{epsg}"
    assert to_metric(frame).crs.to_epsg() == epsg
    # the area equals the ellipsoidal area to 0.1 % (4547 at 104°E was ~2 % off)
    geod = pyproj.Geod(ellps="GRS80")
    true = abs(geod.geometry_area_perimeter(frame.geometry.iloc[0])[0])
    assert area_m2(frame).iloc[0] == pytest.approx(true, rel=1e-3)


def test_to_metric_takes_the_configured_crs_and_an_explicit_one():
    frame = _square(104.07, 30.6)
    assert metric_crs_of(frame, Settings(metric_crs="EPSG:32648")) == "EPSG:32648"
    assert to_metric(frame, "EPSG:4547").crs.to_epsg() == 4547  # several frames can share one CRS
    projected = frame.to_crs("EPSG:4523")  # a frame in another CRS: its centre decides
    assert metric_crs_of(projected) == "EPSG:4544"


def test_local_days_follow_the_configured_time_zone(monkeypatch):
    from gridgeo.analysis.review import daily_trend
    from gridgeo.analysis.stats import summarize

    # 2024-05-01 20:30 UTC is 05-02 04:30 in Shanghai but 05-01 22:30 in Berlin: the day the
    # event counts on follows GRIDGEO_TIMEZONE
    at = datetime(2024, 5, 1, 20, 30, tzinfo=UTC)
    events = pd.DataFrame({"id": ["e1"], "reported_at": [pd.Timestamp(at)], "level": [2], "status": ["reported"],
                           "category": ["other"], "grid_code": ["g"], "due_at": [pd.NaT], "resolved_at": [pd.NaT],
                           "accepted_at": [pd.NaT]})
    days = {}
    for tz in ("Asia/Shanghai", "Europe/Berlin"):
        monkeypatch.setenv("GRIDGEO_TIMEZONE", tz)
        get_settings.cache_clear()
        trend = daily_trend(events, datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 3, tzinfo=UTC))
        days[tz] = [str(d) for d, row in trend.iterrows() if row.sum()]
        by_day = summarize(events, by="day", now=at)
        assert str(by_day["period"].iloc[0].tz) == tz
    assert days == {"Asia/Shanghai": ["2024-05-02"], "Europe/Berlin": ["2024-05-01"]}


def test_validation_measures_an_overlap_in_the_districts_gk_zone():
    """Two grids near Chengdu drawn in EPSG:4544 overlapping by 20 m x 500 m = 10,000 m²: the
    report says 10,000 m² (EPSG:4547, 9° off its meridian, would say about 2 % more)."""
    from gridgeo.atlas.validation import validate_frame

    x0, y0 = 500_000 - 1_000 * 0.93, 3_385_000  # about 104.07°E 30.6°N in EPSG:4544
    grids = gpd.GeoDataFrame(
        {"code": ["510199001001001", "510199001001002"], "name": ["甲", "乙"],
         "community_code": ["510199001001"] * 2},
        geometry=[box(x0, y0, x0 + 500, y0 + 500), box(x0 + 480, y0, x0 + 980, y0 + 500)],
        crs="EPSG:4544").to_crs("EPSG:4326")
    overlaps = [p for p in validate_frame(grids, "grids", "grids.shp", tolerance_m2=1.0) if p.check == "overlap"]
    assert len(overlaps) == 1
    assert "10,000 m²" in overlaps[0].message or "9,999 m²" in overlaps[0].message
