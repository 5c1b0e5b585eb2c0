"""Shared fixtures: the default atlas, a PostGIS URL, the Chromium binary."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from gridgeo.atlas.load import DEFAULT_DATA_DIR, load_atlas
from gridgeo.config import get_settings

# A UI string key missing from the catalogue fails the test (and the app and service servers the tests
# start) instead of showing the key; tests that check the production behaviour unset it.
os.environ.setdefault("GRIDGEO_I18N_STRICT", "1")


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Each test reads the settings from its own environment (tests set GRIDGEO_* variables)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _restore_main_module():
    """Streamlit's AppTest leaves ``sys.modules["__main__"]`` pointing at the page script it ran;
    a process spawned later (the partition's Dask workers) would then run app.py on start. Each
    test gets the runner's own ``__main__`` back."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def default_atlas():
    """The embedded default dataset (loaded once per test session; do not mutate it)."""
    return load_atlas(DEFAULT_DATA_DIR)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the throw-away PostGIS server started by scripts/run_tests.sh.

    Skips when none is running, except under `make test` (GRIDGEO_REQUIRE_PG=1) where a missing
    server is a failure, so CI can never pass without exercising PostGIS.
    """
    url = os.environ.get("GRIDGEO_TEST_PG_URL")
    if not url:
        if os.environ.get("GRIDGEO_REQUIRE_PG"):
            pytest.fail("GRIDGEO_TEST_PG_URL is not set but GRIDGEO_REQUIRE_PG=1")
        pytest.skip("no PostGIS server (run through `make test`)")
    return worker_database(url)


def worker_database(url: str) -> str:
    """The test database of this pytest-xdist worker (``gridgeo_test_gw0``, made with PostGIS on
    first use), so that parallel workers never empty each other's tables; ``url`` itself when
    the tests run in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import sqlalchemy as sa
    from pg_databases import create_database

    return create_database(url, f"{sa.make_url(url).database}_{worker}")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's headless-capable Chromium (installed by scripts/install_sysdeps.sh)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("GRIDGEO_REQUIRE_BROWSER"):
            pytest.fail("chromium not found but GRIDGEO_REQUIRE_BROWSER=1")
        pytest.skip("no chromium (run through `make test`)")
    return path


# --- event store fixtures (issue 3) ------------------------------------------------------------
def drop_store_tables(url: str) -> None:
    """Empty a PostGIS test database: drop every table of the public schema (the store's, the
    plans', alembic_version and any added later) except PostGIS's own spatial_ref_sys."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
        ).scalars().all()
        if tables:
            conn.exec_driver_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    engine.dispose()


@pytest.fixture
def small_grids():
    """Four hand-made grids whose answers are known: three side by side along y 22.70-22.71
    (x 113.90-113.91-113.92-113.93) and one across the top (y 22.71-22.72), two streets."""
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame({
        "code": ["440311001001001", "440311001001002", "440311001002001", "440311002001001"],
        "name": ["A1", "A2", "B1", "C1"],
        "community_code": ["440311001001", "440311001001", "440311001002", "440311002001"],
        "street_code": ["440311001", "440311001", "440311001", "440311002"],
        "households": [400, 300, 500, 1000],
    }, geometry=[box(113.90, 22.70, 113.91, 22.71), box(113.91, 22.70, 113.92, 22.71),
                 box(113.92, 22.70, 113.93, 22.71), box(113.90, 22.71, 113.93, 22.72)], crs="EPSG:4326")


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request, tmp_path) -> str:
    """An empty event store URL on each backend (the PostGIS tables are dropped first)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.sqlite'}"
    url = request.getfixturevalue("pg_url")
    drop_store_tables(url)
    return url
