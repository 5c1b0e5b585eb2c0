"""GCJ-02 / BD-09 conversions against published reference pairs, round trips and vector shapes."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from gridgeo.geo.crs import (
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    normalize_crs_name,
    to_wgs84,
    transform_geometries,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# (wgs lon, wgs lat, gcj lon, gcj lat) from published test suites:
# googollee/eviltransform python/test.py (Shanghai, Shenzhen, Beijing; asserted there to 1e-6 degree),
# wandergis/coordtransform test/app.js (116.404, 39.915), and the pair quoted in the project brief.
WGS_TO_GCJ = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
    (116.397, 39.909, 116.40324, 39.91040),
]

# wandergis/coordtransform test/app.js: gcj02tobd09 and bd09togcj02 of (116.404, 39.915), and
# hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 -> BD09 of (123, 45) (to 5 decimals).
GCJ_TO_BD = [
    (116.404, 39.915, 116.41036949371029, 39.92133699351021),
    (123.0, 45.0, 123.00636499, 45.00636899),
]
BD_TO_GCJ = [(116.404, 39.915, 116.39762729119315, 39.90865673957631)]
# hujiulong/gcoord: GCJ02 -> WGS84 of (123, 45), an iterative inverse (asserted there to 5 decimals).
GCJ_TO_WGS = [(123.0, 45.0, 122.99395597, 44.99804071)]


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _china_grid(n: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Points on a regular lon/lat grid over mainland China's box (73.7-135 E, 18-53.5 N)."""
    lon, lat = np.meshgrid(np.linspace(73.7, 134.9, n), np.linspace(18.2, 53.4, n))
    return lon.ravel(), lat.ravel()


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), WGS_TO_GCJ)
def test_wgs84_to_gcj02_matches_published_pairs(lon, lat, glon, glat):
    out_lon, out_lat = wgs84_to_gcj02(lon, lat)
    tol = 1e-5 if len(str(glon)) < 12 else 1e-8  # the brief's pair is quoted to 5 decimals
    assert float(out_lon) == pytest.approx(glon, abs=tol)
    assert float(out_lat) == pytest.approx(glat, abs=tol)


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), WGS_TO_GCJ[:4])  # the full-precision pairs
def test_gcj02_to_wgs84_inverts_published_pairs_within_a_centimetre(lon, lat, glon, glat):
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert _metres(back_lon, back_lat, lon, lat) < 0.01


@pytest.mark.parametrize(("lon", "lat", "blon", "blat"), GCJ_TO_BD)
def test_gcj02_to_bd09_matches_published_pairs(lon, lat, blon, blat):
    out_lon, out_lat = gcj02_to_bd09(lon, lat)
    assert float(out_lon) == pytest.approx(blon, abs=1e-7)
    assert float(out_lat) == pytest.approx(blat, abs=1e-7)


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), BD_TO_GCJ)
def test_bd09_to_gcj02_matches_published_pairs(lon, lat, glon, glat):
    # the published values come from the closed-form approximate inverse, which errs by up to
    # ~0.2 m; ours is refined by iteration, so it agrees with them to a few 1e-6 degree
    out_lon, out_lat = bd09_to_gcj02(lon, lat)
    assert float(out_lon) == pytest.approx(glon, abs=5e-6)
    assert float(out_lat) == pytest.approx(glat, abs=5e-6)


@pytest.mark.parametrize(("lon", "lat", "wlon", "wlat"), GCJ_TO_WGS)
def test_gcj02_to_wgs84_matches_gcoord(lon, lat, wlon, wlat):
    out_lon, out_lat = gcj02_to_wgs84(lon, lat)
    assert float(out_lon) == pytest.approx(wlon, abs=5e-6)
    assert float(out_lat) == pytest.approx(wlat, abs=5e-6)


def test_gcj_offset_is_a_few_hundred_metres_across_china():
    lon, lat = _china_grid()
    inside = in_china(lon, lat)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    offset = _metres(lon, lat, g_lon, g_lat)[inside]
    assert offset.min() > 5 and offset.max() < 1200
    assert 100 < np.median(offset) < 800


def test_wgs_gcj_round_trip_under_a_decimetre_across_china():
    lon, lat = _china_grid()
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    err = _metres(lon, lat, back_lon, back_lat)
    assert err.max() < 0.1
    # and the other way round, from GCJ-02 positions
    again_lon, again_lat = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert _metres(lon, lat, again_lon, again_lat).max() < 0.1


def test_bd09_round_trips_across_china():
    # the closed-form inverse alone errs 0.07 m at 18 N, 0.11 m at 23 N, 0.21 m at 53 N;
    # bd09_to_gcj02 refines it by iteration, so round trips stay far below 0.1 m everywhere
    lon, lat = _china_grid()
    b_lon, b_lat = gcj02_to_bd09(lon, lat)
    assert _metres(lon, lat, *bd09_to_gcj02(b_lon, b_lat)).max() < 0.01
    w_lon, w_lat = to_wgs84(*from_wgs84(lon, lat, "BD09"), "BD09")
    assert _metres(lon, lat, w_lon, w_lat).max() < 0.01


def test_bd09_round_trip_under_a_decimetre_in_shenzhen():
    lon, lat = np.meshgrid(np.linspace(113.7, 114.1, 30), np.linspace(22.6, 22.9, 30))
    w_lon, w_lat = to_wgs84(*from_wgs84(lon.ravel(), lat.ravel(), "BD09"), "BD09")
    assert _metres(lon.ravel(), lat.ravel(), w_lon, w_lat).max() < 0.1


def test_outside_china_gcj_equals_wgs84():
    lon = np.array([2.35, -74.0, 139.69, 100.5, 151.2])  # Paris, New York, Tokyo, Bangkok, Sydney
    lat = np.array([48.85, 40.7, 35.69, 0.2, -33.87])
    assert not in_china(lon, lat).any()
    for func in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
@pytest.mark.parametrize("func", [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02])
def test_vectorized_shapes_are_kept(func, shape):
    rng = np.random.default_rng(7)
    lon = 113.8 + rng.random(shape) * 0.2
    lat = 22.7 + rng.random(shape) * 0.1
    out_lon, out_lat = func(lon, lat)
    assert np.shape(out_lon) == shape and np.shape(out_lat) == shape
    # each element equals the scalar conversion of that element
    flat = [func(float(x), float(y)) for x, y in zip(np.ravel(lon), np.ravel(lat), strict=True)]
    np.testing.assert_allclose(np.ravel(out_lon), [float(f[0]) for f in flat], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.ravel(out_lat), [float(f[1]) for f in flat], rtol=0, atol=1e-12)


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="shape"):
        wgs84_to_gcj02([113.9, 114.0], [22.7])


@pytest.mark.parametrize(("spelling", "name"), [
    ("wgs84", "WGS84"), ("EPSG:4326", "WGS84"), ("epsg:4490", "CGCS2000"), ("gcj-02", "GCJ02"),
    ("GCJ_02", "GCJ02"), ("bd09ll", "BD09"), ("Baidu", "BD09"), ("cgcs2000", "CGCS2000"),
])
def test_crs_names_are_normalised(spelling, name):
    assert normalize_crs_name(spelling) == name


def test_unknown_crs_name_lists_the_accepted_ones():
    with pytest.raises(ValueError, match="GCJ02"):
        normalize_crs_name("mercator")


def test_transform_geometries_moves_every_vertex_like_the_point_functions():
    poly = shapely.Polygon([(113.90, 22.75), (113.92, 22.75), (113.92, 22.77), (113.90, 22.77)])
    out = transform_geometries(np.array([poly, None], dtype=object), "GCJ02")
    assert out[1] is None
    coords = shapely.get_coordinates(out[0])
    expect = np.column_stack(gcj02_to_wgs84(*shapely.get_coordinates(poly).T))
    np.testing.assert_allclose(coords, expect, atol=1e-12)
    # WGS84 <-> CGCS2000 is the identity
    assert transform_geometries(np.array([poly], dtype=object), "CGCS2000")[0].equals(poly)


def test_a_few_points_convert_as_the_vectorized_path():
    """One event's position takes the float path; it agrees with the array path to well under a
    millimetre, inside and outside China."""
    from gridgeo.geo.crs import _FEW, gcj02_to_wgs84

    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(70, 140, 400), rng.uniform(0, 56, 400)
    many = gcj02_to_wgs84(lon, lat)
    few = [gcj02_to_wgs84(lon[i:i + _FEW], lat[i:i + _FEW]) for i in range(0, 400, _FEW)]
    assert np.abs(np.concatenate([f[0] for f in few]) - many[0]).max() < 1e-9
    assert np.abs(np.concatenate([f[1] for f in few]) - many[1]).max() < 1e-9
    assert gcj02_to_wgs84(10.0, 50.0) == (10.0, 50.0)  # outside China: unchanged
