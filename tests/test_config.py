"""The one settings object: environment parsing and defaults."""

from __future__ import annotations

import pytest

from gridgeo.config import Settings, SettingsError


def test_defaults_from_an_empty_environment():
    s = Settings.from_env({})
    assert s.database_url is None and not s.is_real_store
    assert s.store_url.startswith("sqlite:///") and s.store_url.endswith("gridgeo.sqlite")
    assert s.timezone == "Asia/Shanghai" and s.read_access == "localhost"


def test_a_database_url_marks_a_real_store():
    s = Settings.from_env({"GRIDGEO_DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert s.is_real_store and s.store_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(("env", "names"), [
    ({"GRIDGEO_READ_ACCESS": "everyone"}, "GRIDGEO_READ_ACCESS"),
    ({"GRIDGEO_TIMEZONE": "Mars/Olympus"}, "GRIDGEO_TIMEZONE"),
    ({"GRIDGEO_MAX_BODY_BYTES": "lots"}, "GRIDGEO_MAX_BODY_BYTES"),
    ({"GRIDGEO_SEED_DAYS": "-1"}, "GRIDGEO_SEED_DAYS"),
    ({"GRIDGEO_HEADER_TIMEOUT_S": "0"}, "GRIDGEO_HEADER_TIMEOUT_S"),
    ({"GRIDGEO_MAX_CONNECTIONS": "many"}, "GRIDGEO_MAX_CONNECTIONS"),
])
def test_bad_values_name_the_variable(env, names):
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_tile_mode_needs_a_tiles_url_and_a_big_atlas():
    off = Settings.from_env({})
    assert off.tiles_url is None and not off.use_tiles(1_000_000)  # no URL: GeoJSON whatever the size
    on = Settings.from_env({"GRIDGEO_TILES_URL": "http://api:8000", "GRIDGEO_CORS_ORIGINS": " http://app:8501/, ,x "})
    assert on.tiles_min_grids == 5_000 and on.cors_origins == ("http://app:8501", "x")
    assert not on.use_tiles(1_251) and not on.use_tiles(5_000) and on.use_tiles(15_883)
    low = Settings.from_env({"GRIDGEO_TILES_URL": "http://api:8000", "GRIDGEO_TILES_MIN_GRIDS": "100"})
    assert low.use_tiles(374)
    with pytest.raises(SettingsError, match="GRIDGEO_TILES_MIN_GRIDS"):
        Settings.from_env({"GRIDGEO_TILES_MIN_GRIDS": "many"})
