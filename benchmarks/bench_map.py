"""Map page speed on the default dataset with all grids and 10,000 events.

Prints, in one run:
* server time of the map page script (AppTest, same code path as `streamlit run`): the first
  run (cold caches), a rerun that reuses the session's map (a click on a grid), and a rerun
  that rebuilds the map (another layer/window choice);
* the map payload sent to the browser (the component's arguments) against a naive folium
  map of the same data (full-precision polygons, one folium.Marker with popup per event in a
  MarkerCluster, the usual way), as a ratio, and the build+render time of both;
* the wall display's per-refresh payload (only the pushed layers);
* with Chromium present: first paint of the map page (navigation to the first SVG path), and
  the redraw after a control change (风险统计单元 grid -> community -> grid, and the window):
  from the click to the map's final polygons in the browser.

Usage: .venv/bin/python benchmarks/bench_map.py [--events 10000] [--no-browser]
       .venv/bin/python benchmarks/bench_map.py --redraw-url http://127.0.0.1:8501  (a running app)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _map_args(at) -> dict:
    return next(json.loads(n.proto.json_args) for n in _walk(at.main)
                if type(n).__name__ == "UnknownElement" and getattr(n, "type", "") == "component_instance")


def _payload(args: dict) -> int:
    return sum(len(str(args.get(k) or "").encode()) for k in ("script", "html", "header", "feature_group"))


def naive_map_bytes(atlas, events) -> tuple[int, float]:
    """The peer: plain folium, full geometry, one Marker+Popup per event in a MarkerCluster."""
    import folium
    import folium.plugins as plugins

    t0 = time.perf_counter()
    m = folium.Map(location=[22.76, 113.93], zoom_start=12, tiles=None)
    folium.GeoJson(atlas.grids.drop(columns=[]).to_json(), tooltip=folium.GeoJsonTooltip(["name", "code"])).add_to(m)
    folium.GeoJson(atlas.communities.to_json()).add_to(m)
    folium.GeoJson(atlas.streets.to_json()).add_to(m)
    plugins.HeatMap(events[["lat", "lon"]].to_numpy().tolist()).add_to(m)
    cluster = plugins.MarkerCluster().add_to(m)
    for r in events.itertuples():
        folium.Marker([r.lat, r.lon], popup=f"{r.category} {r.level} {r.status}").add_to(cluster)
    html = m.get_root().render()
    return len(html.encode()), time.perf_counter() - t0


def server_times(n_events: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from gridgeo_app import context as common
    from gridgeo_app import event_source as data

    atlas = common.atlas()
    data.ensure_seeded(atlas, events_per_day=n_events, days=1)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["map_window"] = "last_24h"
    at.session_state["map_layers"] = ["risk", "heat", "markers", "streets", "communities", "labels"]
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    args = _map_args(at)
    reruns = []
    for _ in range(5):
        t0 = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t0)
    rebuilds = []  # each a combination not seen before, so the map is really built again
    for by, window in (("community", "last_24h"), ("street", "last_24h"), ("community", "today"),
                       ("street", "today")):
        at.sidebar.radio(key="map_by").set_value(by)
        at.sidebar.radio(key="map_window").set_value(window)
        t0 = time.perf_counter()
        at.run()
        rebuilds.append(time.perf_counter() - t0)
    end = data.now()
    events = common.events(end - data.timedelta(hours=24), end)
    wall = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    wall.run()
    wall.switch_page("gridgeo_app/pages/wall.py")
    wall.run()
    wall_reruns = []
    for _ in range(3):
        t0 = time.perf_counter()
        wall.run()
        wall_reruns.append(time.perf_counter() - t0)
    wall_args = _map_args(wall)
    return {"first": first, "rerun": statistics.median(reruns), "rebuild": statistics.median(rebuilds),
            "payload": _payload(args), "events": events, "atlas": atlas,
            "wall_rerun": statistics.median(wall_reruns),
            "wall_push": len(str(wall_args.get("feature_group") or "").encode()),
            "wall_base": _payload({k: wall_args.get(k) for k in ("script", "html", "header")})}


def first_paint(port: int, data_dir: str, n_events: int) -> tuple[float, dict] | None:
    """Seconds from navigation to the first polygon path in the map (headless Chromium), and the
    redraw times after a control change (:func:`browser_redraw`) on the same server."""
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        return None
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "GRIDGEO_DATA_DIR": data_dir, "GRIDGEO_BENCH_EVENTS": str(n_events)}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/streamlit"), "run", str(ROOT / "app.py"), "--server.port",
                             str(port), "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")  # warm the server caches (first visitor)
            _wait_paths(page)
            times = []
            for _ in range(2):
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/")
                _wait_paths(page)
                times.append(time.perf_counter() - t0)
            browser.close()
        return min(times), browser_redraw(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


_SIGNATURE_JS = """() => {
  const paths = document.querySelectorAll(".leaflet-overlay-pane path");
  let h = 0;
  paths.forEach(p => { const s = (p.getAttribute("fill") || "") + (p.getAttribute("d") || "").length;
                       for (let i = 0; i < s.length; i++) { h = (h * 31 + s.charCodeAt(i)) | 0; } });
  return [paths.length + ":" + h, window.__gg_probe === 1];
}"""


def _path_count(page) -> tuple[str | int, bool]:
    """(signature of the map frame's polygons: count and colours, or 0 without a map; whether
    that frame still carries the probe set before the click)."""
    for frame in page.frames:
        try:
            if frame.locator(".leaflet-overlay-pane path").count():
                sig, probe = frame.evaluate(_SIGNATURE_JS)
                return sig, bool(probe)
        except Exception:  # noqa: BLE001 - frames come and go while the page reruns
            continue
    return 0, False


def _redraw_once(page, group: str, option: str, settle_s: float = 0.6, timeout: float = 60.0) -> tuple[float, bool]:
    """Seconds from a click on radio ``option`` (in the sidebar group labelled ``group``) until the
    map shows its final polygons (the path count stops changing for ``settle_s``), and whether
    the map frame survived (False: the map was re-created)."""
    for frame in page.frames:
        try:
            if frame.locator(".leaflet-overlay-pane path").count():
                frame.evaluate("window.__gg_probe = 1")
        except Exception:  # noqa: BLE001
            continue
    before, _ = _path_count(page)
    radio = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').filter(has_text=group)
    t0 = time.perf_counter()
    radio.get_by_text(option, exact=True).click()
    last_n, last_change, seen_change = before, t0, False
    end = t0 + timeout
    while time.perf_counter() < end:
        n, same_frame = _path_count(page)
        now = time.perf_counter()
        if n != last_n or (not same_frame and not seen_change):
            last_n, last_change, seen_change = n, now, seen_change or n != before or not same_frame
        elif seen_change and n and now - last_change >= settle_s:
            return last_change - t0, same_frame
        time.sleep(0.02)
    raise TimeoutError(f"the map did not redraw after choosing {option}")


def browser_redraw(base_url: str) -> dict[str, float]:
    """Median redraw times (seconds) on the map page for the risk unit and window radios."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{base_url}/map")
        _wait_paths(page)
        page.wait_for_timeout(2000)
        by, window, kept = [], [], []
        for _ in range(3):
            for option in ("社区", "网格"):
                dt, same = _redraw_once(page, "风险统计单元", option)
                by.append(dt)
                kept.append(same)
            for option in ("近24小时", "今日"):
                dt, same = _redraw_once(page, "统计时段", option)
                window.append(dt)
                kept.append(same)
        browser.close()
    return {"by": statistics.median(by), "window": statistics.median(window),
            "frame_kept": sum(kept) / len(kept)}


def _wait_paths(page, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for frame in page.frames:
            try:
                if frame.locator(".leaflet-overlay-pane path").count() > 0:
                    return
            except Exception:  # noqa: BLE001 - frames come and go while the page loads
                pass
        time.sleep(0.05)
    raise TimeoutError("no map path appeared")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--redraw-url", help="only measure the redraw against an app already running there")
    args = parser.parse_args()
    if args.redraw_url:
        r = browser_redraw(args.redraw_url.rstrip("/"))
        print(f"map page redraw after a control change (click -> final polygons, browser): risk unit "
              f"{r['by'] * 1000:.0f} ms, window {r['window'] * 1000:.0f} ms; map frame kept in "
              f"{r['frame_kept'] * 100:.0f} % of changes")
        return 0
    tmp = tempfile.mkdtemp(prefix="gridgeo-bench-")
    os.environ["GRIDGEO_DATA_DIR"] = tmp
    os.environ.pop("GRIDGEO_DATABASE_URL", None)
    r = server_times(args.events)
    naive_bytes, naive_s = naive_map_bytes(r["atlas"], r["events"])
    n = len(r["events"])
    print(f"default dataset: {len(r['atlas'].grids)} grids, {n} events in the map window")
    print(f"map page server time: first run {r['first']:.2f} s, rerun (click) {r['rerun'] * 1000:.0f} ms, "
          f"rerun rebuilding the map (new layer/window choice) {r['rebuild'] * 1000:.0f} ms")
    print(f"map payload: {r['payload'] / 1e6:.2f} MB vs naive folium {naive_bytes / 1e6:.2f} MB "
          f"(ratio {naive_bytes / r['payload']:.1f}x smaller); naive build+render {naive_s:.2f} s "
          f"vs our rebuild {r['rebuild']:.2f} s (ratio {naive_s / r['rebuild']:.1f}x)")
    print(f"wall display: rerun {r['wall_rerun'] * 1000:.0f} ms, base map {r['wall_base'] / 1e6:.2f} MB once, "
          f"pushed per refresh {r['wall_push'] / 1e3:.0f} kB")
    if not args.no_browser:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        measured = first_paint(port, tmp, args.events)
        if measured is not None:
            fp, redraw = measured
            print(f"first paint (navigation -> first polygon, warm server): {fp:.2f} s")
            print(f"map page redraw after a control change (click -> final polygons, browser): risk unit "
                  f"{redraw['by'] * 1000:.0f} ms, window {redraw['window'] * 1000:.0f} ms; map frame kept in "
                  f"{redraw['frame_kept'] * 100:.0f} % of changes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
