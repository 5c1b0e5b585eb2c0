"""The real wall (/wall of the Streamlit app) on a whole city: tile mode against the GeoJSON path.

Used by ``benchmarks/bench_tiles.py --wall DATA_DIR``. The data dir's SQLite store gets the city
(``gridgeo atlas import`` + ``atlas use`` when it does not hold it yet) and ``n_events`` events
reported today (the wall shows today; added only while the store holds fewer events). The real API
(``gridgeo serve``, its own process) serves tiles and colours on loopback (CORS for the app), and
two Streamlit servers run the app on the same store: one with GRIDGEO_TILES_URL (tile mode), one
without (every grid as GeoJSON, as today). For each and each screen size the servers are started
afresh (``streamlit run app_server.py`` and ``gridgeo serve``, each with its start-up warm-up;
``warm_up=False``: ``app.py`` and ``--no-warm-up``, as before the warm-up existed) and, once they
say they are ready, a newly launched headless Chromium opens /wall twice: cold (the first viewer
after the start, first browser) and warm (a new browser session after that). It reports:

* first paint: navigation until every grid is drawn and coloured and the legend is up (tile mode:
  every visible grid tile loaded and the colours applied; GeoJSON: one SVG path per grid);
* bytes received for it: HTTP bodies as sent (encoded) plus Streamlit's websocket frames;
* bytes received per live refresh (websocket and /tiles/colours), with nothing new and after
  20 new level-I events;
* tile mode: a risk refresh in the browser after new events (fetch of /tiles/colours + restyle).

Screenshots go to /tmp/shots-tilewall/.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gridgeo.services.intake import add_events

SHOTS = Path("/tmp/shots-tilewall")
SIZES = ((1920, 1080), (3840, 2160))
REFRESH_S = 5
ROOT = Path(__file__).resolve().parent.parent
TILE_DONE = ("() => { const all = window.gridgeoTiles || {}, g = all.grids, d = all.districts, s = all.streets; "
             "return !!(g && d && s && g.idle >= 1 && d.idle >= 1 && s.idle >= 1 && g.refreshes >= 1 && "
             "document.querySelector('.gg-legend')); }")


def city_store(data_dir: Path, city_dir: Path, name: str, n_events: int, url: str | None = None):
    """The data dir's store with ``name`` active (imported from ``city_dir`` when missing) and at
    least ``n_events`` events reported since local midnight."""
    from gridgeo.cli import main as cli
    from gridgeo.services.workspace import open_store
    from gridgeo.store.atlases import active_atlas_name

    url = url or f"sqlite:///{data_dir / 'gridgeo.sqlite'}"
    store = open_store(url, seed_default=False)
    if active_atlas_name(store) != name:
        store.close()
        for argv in (["atlas", "import", "--dir", str(city_dir), "--name", name, "--quiet", "--database", url],
                     ["atlas", "use", name, "--database", url]):
            if cli(argv):
                raise SystemExit(f"gridgeo {' '.join(argv[:2])} failed")
        store = open_store(url, seed_default=False)
    grids = store.current_grid_set()[1]
    if store.count_events() < n_events:
        add_today_events(store, grids, n_events - store.count_events(), "w")
    return store, grids


def add_today_events(store, grids, n: int, prefix: str, level: int | None = None) -> list[str]:
    """``n`` events at random grids, reported between local midnight and now; their grid codes."""
    import numpy as np

    from gridgeo.config import get_settings

    rng = np.random.default_rng(time.time_ns())
    now = datetime.now(UTC)
    midnight = now.astimezone(get_settings().tz).replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = max(60, int((now - midnight).total_seconds()) - 30)
    pick = rng.choice(len(grids), n, replace=False)
    points = grids.geometry.iloc[pick].representative_point()
    stamp = time.time_ns()  # unique per call: two batches within one second must not share ids (the
    # store ignores an event whose id it holds, so the second batch would vanish)
    events = [{"id": f"{prefix}{stamp}-{i}", "reported_at": (now - timedelta(seconds=int(rng.integers(30, seconds))))
               .isoformat(), "lon": p.x, "lat": p.y, "category": "neighbour_dispute",
               "level": level or int(rng.integers(1, 5)), "channel": "grid_worker"} for i, p in enumerate(points)]
    for start in range(0, len(events), 1000):
        add_events(store, events[start:start + 1000])
    return list(grids["code"].iloc[pick])


class Received:
    """Bytes a page received: HTTP bodies as sent (CDP encodedDataLength) and websocket frames."""

    def __init__(self, page):
        self.http = self.ws = 0
        self.tiles = 0
        self.urls: dict[str, str] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _finished(self, e) -> None:
        self.http += e["encodedDataLength"]
        if ".pbf" in self.urls.get(e["requestId"], ""):
            self.tiles += e["encodedDataLength"]

    def _frame(self, e) -> None:
        self.ws += len(e["response"]["payloadData"])  # base64 for binary frames: ~4/3 of the bytes

    @property
    def total(self) -> int:
        return self.http + self.ws


def _done_frame(page, tile_mode: bool, n_grids: int, deadline: float):
    """The frame of the wall's map once its first paint is complete."""
    geo_done = (f"() => document.querySelectorAll('.leaflet-overlay-pane path').length >= {n_grids} && "
                "!!document.querySelector('.gg-legend')")
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate(TILE_DONE if tile_mode else geo_done):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                continue
        time.sleep(0.05)
    raise TimeoutError("the wall did not finish its first paint")


def one_load(browser, url: str, size, tile_mode: bool, n_grids: int, shot: str | None) -> dict:
    """Open the wall once: first paint seconds, bytes, bytes per refresh (and the frame's stats)."""
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    got = Received(page)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    frame = _done_frame(page, tile_mode, n_grids, time.monotonic() + 240)
    out = {"paint_s": time.perf_counter() - t0, "bytes": got.total, "tiles": got.tiles, "ws": got.ws,
           "map_s": frame.evaluate("() => performance.now()") / 1000}  # since the map frame started
    page.wait_for_timeout(500)
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    out["scroll"] = page.evaluate("() => Math.max(...[document.scrollingElement, ...document.querySelectorAll("
                                  "'[data-testid=\"stMain\"]')].map(e => e.scrollHeight - e.clientHeight))")
    out.update(page=page, frame=frame, ctx=ctx, received=got)
    return out


def refresh_bytes(r: dict, store, grids) -> tuple[float, float]:
    """Bytes received per live refresh: with nothing new (two periods), then over the period
    after 20 new level-I events."""
    got = r["received"]
    before = got.total
    r["page"].wait_for_timeout(2 * REFRESH_S * 1000)
    idle = (got.total - before) / 2
    add_today_events(store, grids, 20, "c", level=1)
    before = got.total
    r["page"].wait_for_timeout(REFRESH_S * 1000 + 1000)
    return idle, got.total - before


REFRESH_JS = ("() => window.gridgeoTileLayers.grids.gridgeoRefresh()"
              ".then(() => Object.assign({}, window.gridgeoTiles.grids))")


def risk_refresh(store, grids, frame) -> tuple[list[dict], list[dict]]:
    """Five browser refreshes, each after new level-I events in 20 grids, and five with nothing new.
    ``new_restyled``: grids restyled since the events were written (by this refresh, or by the
    wall's own timer if it came first)."""
    changed = []
    for _ in range(5):
        before = frame.evaluate("() => window.gridgeoTiles.grids.restyled_total")
        add_today_events(store, grids, 20, "r", level=1)
        s = frame.evaluate(REFRESH_JS)
        changed.append({**s, "new_restyled": s["restyled_total"] - before})
    return changed, [frame.evaluate(REFRESH_JS) for _ in range(5)]


@contextlib.contextmanager
def api_process(data_dir: Path, port: int, origin: str, pg_url: str | None = None,
                warm_up: bool = True) -> Iterator[str]:
    """``gridgeo serve`` on the data dir's store (or ``pg_url``) in its own process, CORS for
    ``origin``; yields once it answers (and, with ``warm_up``, once its warm-up finished)."""
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(data_dir), "GRIDGEO_CORS_ORIGINS": origin}
    env.pop("GRIDGEO_DATABASE_URL", None)
    if pg_url:
        env["GRIDGEO_DATABASE_URL"] = pg_url
    log = open(data_dir / "api.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--port", str(port),
                             "--read-access", "localhost", *([] if warm_up else ["--no-warm-up"])],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        state = _wait_api(base, warm_up)
        print(f"    api ready in {time.perf_counter() - t0:.1f} s after its start; warm-up {state}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _wait_api(base: str, warm_up: bool) -> str:
    """Wait until the API answers (with ``warm_up``: until its warm-up finished); the warm-up line."""
    import json

    for _ in range(3000):
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as resp:  # noqa: S310 - loopback
                state = json.load(resp).get("warm_up")
            if not warm_up or (state and state["state"] != "running"):
                return "off" if not warm_up else f"{state['state']} ({state['tiles']} tiles, {state['seconds']} s)"
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the API did not get ready")


def _app_warm_up_line(log_dir: Path) -> str:
    """What app_server.py's warm-up printed in the Streamlit log ("off" without it)."""
    lines = [line for line in (log_dir / "streamlit.log").read_text(errors="replace").splitlines()
             if line.startswith("gridgeo app warm-up:")]
    return lines[-1].split(":", 1)[1].strip() if lines else "off"


def launch(pw, chromium: str):
    """A newly launched headless Chromium."""
    return pw.chromium.launch(executable_path=chromium, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])


def print_load(label: str, size, run: str, r: dict) -> None:
    """One load's first paint and bytes."""
    print(f"  wall {label:7s} {size[0]}x{size[1]} {run}: first paint {r['paint_s']:5.2f} s (map frame "
          f"{r['map_s']:5.2f} s of it), received {r['bytes'] / 1e6:6.2f} MB (websocket {r['ws'] / 1e6:.2f} MB, "
          f"tiles {r['tiles'] / 1e6:.2f} MB); page scroll {r['scroll']} px; {load_average()}")


def load_average() -> str:
    """The machine's load average now (the numbers are inflated by other jobs)."""
    return "load " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def run_mode(pw, chromium: str, servers, label: str, store, grids) -> None:
    """For each screen size: the servers started afresh (``servers()``: a context yielding the
    app's URL once both are ready), a new browser, /wall cold then warm; printed."""
    tile_mode = label.startswith("tiles")
    for size in SIZES:
        with servers() as base:
            browser = launch(pw, chromium)
            for run in ("cold", "warm"):
                r = one_load(browser, f"{base}/wall", size, tile_mode, len(grids),
                             f"wall_{label}_{size[0]}_{run}.png")
                print_load(label, size, run, r)
                _after_warm_load(r, run, tile_mode, store, grids)
                r["ctx"].close()
            browser.close()


def _after_warm_load(r: dict, run: str, tile_mode: bool, store, grids) -> None:
    """After the warm load: bytes per refresh and (tile mode) the browser's risk refresh; printed."""
    if run != "warm":
        return
    idle, changed = refresh_bytes(r, store, grids)
    print(f"    received per refresh: {idle / 1e3:.1f} KB with nothing new, {changed / 1e3:.1f} KB after "
          f"20 new level-I events")
    if not tile_mode:
        return
    changed, same = risk_refresh(store, grids, r["frame"])
    ms = statistics.median(s["refresh_ms"] for s in changed)
    each = ", ".join(f"{s['refresh_ms']:.0f}" for s in changed)
    print(f"    risk refresh in the browser after 20 new events: median {ms:.0f} ms of 5 "
          f"({each}) with the /tiles/colours fetch, "
          f"restyle {statistics.median(s['apply_ms'] for s in changed):.1f} ms, "
          f"{statistics.median(s['new_restyled'] for s in changed):.0f} grids restyled; nothing new: median "
          f"{statistics.median(s['refresh_ms'] for s in same):.0f} ms; "
          f"tile requests {same[-1]['requested']} (no more than at first paint); "
          f"failed colour fetches {same[-1]['failed']}")


@contextlib.contextmanager
def servers(data_dir: Path, tile_mode: bool, pg_url: str | None, warm_up: bool) -> Iterator[str]:
    """The API (tile mode) and a Streamlit server started afresh on the data dir's store; yields
    the app's URL once both are ready (with ``warm_up``: once both warm-ups finished)."""
    from streamlit_server import free_port, streamlit_server

    api_port, app_port = free_port(), free_port()
    env = {"GRIDGEO_DATA_DIR": str(data_dir), "GRIDGEO_WALL_REFRESH_S": str(REFRESH_S)}
    script = ROOT / ("app_server.py" if warm_up else "app.py")
    with contextlib.ExitStack() as stack:
        if tile_mode:
            api = stack.enter_context(api_process(data_dir, api_port, f"http://127.0.0.1:{app_port}", pg_url, warm_up))
            env["GRIDGEO_TILES_URL"] = api
        t0 = time.perf_counter()
        base = stack.enter_context(streamlit_server(script, data_dir, env, port=app_port, start_timeout_s=300,
                                                    database_url=pg_url))
        print(f"    app ({script.name}) ready in {time.perf_counter() - t0:.1f} s after its start; warm-up "
              f"{_app_warm_up_line(data_dir)}; {load_average()}")
        yield base


def wall_numbers(data_dir: Path, city_dir: Path, name: str, n_events: int, chromium: str,
                 pg_url: str | None = None, warm_up: bool = True, modes=("tiles", "geojson")) -> None:
    """The whole comparison (see the module docstring), printed; with ``pg_url`` the tile mode on
    PostGIS instead (API and app on that store); ``warm_up=False``: servers without their
    start-up warm-up (app.py, ``gridgeo serve --no-warm-up``); ``modes``: which walls ("tiles",
    "geojson"; on PostGIS tiles only)."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    store, grids = city_store(data_dir, city_dir, name, n_events, pg_url)
    print(f"wall{' on PostGIS' if pg_url else ''}: {len(grids):,} grids, {store.count_events():,} events in the "
          f"store; refresh every {REFRESH_S} s; servers {'with' if warm_up else 'without'} their start-up warm-up")
    with sync_playwright() as pw:
        walls = ([("tiles-pg" if pg_url else "tiles", True)] if "tiles" in modes or pg_url else []) + \
            ([("geojson", False)] if "geojson" in modes and not pg_url else [])
        for label, tile_mode in walls:
            run_mode(pw, chromium, lambda tile_mode=tile_mode: servers(data_dir, tile_mode, pg_url, warm_up),
                     label, store, grids)
    store.close()
