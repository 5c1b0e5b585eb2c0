"""Shared fixtures: the default atlas, a PostGIS URL, the Chromium binary."""

from __future__ import annotations

import os
import shutil

import pytest

from gridgeo.atlas import DEFAULT_DATA_DIR, load_atlas


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
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's headless-capable Chromium (installed by scripts/install_sysdeps.sh)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("GRIDGEO_REQUIRE_BROWSER"):
            pytest.fail("chromium not found but GRIDGEO_REQUIRE_BROWSER=1")
        pytest.skip("no chromium (run through `make test`)")
    return path
