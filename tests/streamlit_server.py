"""Start `streamlit run` on a free loopback port for browser tests, and tear it down."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# request URLs a page may load without leaving this machine
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")


# the fill colour of every grid feature drawn by the vector tile layer, by grid code
TILE_COLOURS_JS = """() => {
  const layer = window.gridgeoTileLayers.grids, colours = {};
  for (const tile of Object.values(layer._vectorTiles)) {
    for (const [code, data] of Object.entries(tile._features || {})) {
      colours[code] = data.feature.options.fillColor;
    }
  }
  return colours;
}"""


def refuse_external(context, external: list[str]) -> None:
    """Route every request of a playwright ``context``: loopback and inline ones go through, any
    other is refused and its URL appended to ``external`` (the tests assert it stays empty)."""

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)


# Chromium's switches for the browser tests: headless on this machine, nothing fetched on its own
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def chromium_browser(chromium_path: str) -> Iterator:
    """Headless Chromium (Debian's, at ``chromium_path``) driven by playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def loopback_profile(chromium_path: str, profile: Path, external: list[str],
                     viewport: dict | None = None) -> Iterator:
    """A persistent Chromium profile (cookies and storage kept across pages, as a user's browser)
    whose requests outside this machine are recorded in ``external`` and refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path, headless=True,
            viewport=viewport or {"width": 1600, "height": 1000}, args=["--headless", *CHROMIUM_ARGS])
        refuse_external(context, external)
        context.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES) else external.append(r.url))
        try:
            yield context
        finally:
            context.close()


def map_frame(page, timeout_s: float = 90):
    """The frame holding a page's Leaflet map, once its polygons are drawn."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.locator(".leaflet-overlay-pane path").count() > 0:
                    return frame
            except Exception:  # noqa: BLE001 - frames detach while the page loads
                continue
        page.wait_for_timeout(250)
    raise AssertionError("the map drew no polygon")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: Path, log_dir: Path, env_extra: dict[str, str],
                     start_timeout_s: float = 60, port: int | None = None,
                     database_url: str | None = None) -> Iterator[str]:
    """Run ``streamlit run script`` headless on loopback (``port``, default a free one); yield its
    base URL once healthy.

    GRIDGEO_DATABASE_URL is dropped so the app uses the SQLite store under GRIDGEO_DATA_DIR,
    unless ``database_url`` gives the store (a benchmark on PostGIS).
    """
    port = port or free_port()
    env = {**os.environ, **env_extra}
    env.pop("GRIDGEO_DATABASE_URL", None)
    if database_url:
        env["GRIDGEO_DATABASE_URL"] = database_url
    log_path = log_dir / "streamlit.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout_s
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.3)
            else:
                pytest.fail("streamlit did not start: " + log_path.read_text(errors="replace"))
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def demo_app_server(tmp_path: Path, refresh_s: int) -> Iterator[tuple[str, Path]]:
    """``streamlit run app.py`` on the demo: a data dir of its own under ``tmp_path`` (seeded with
    one simulated day) and a wall refresh of ``refresh_s`` seconds; yields (url, data dir)."""
    data_dir = tmp_path / "data"
    env = {"GRIDGEO_DATA_DIR": str(data_dir), "GRIDGEO_WALL_REFRESH_S": str(refresh_s), "GRIDGEO_SEED_DAYS": "1"}
    with streamlit_server(ROOT / "app.py", tmp_path, env) as url:
        yield url, data_dir
