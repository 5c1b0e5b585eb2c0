"""Vector tiles against today's GeoJSON path on a whole-Shenzhen demo city (15,883 grids), one run.

Printed:
* bytes for a first paint of ALL grids at a city-wide view (1920x1080 fitted to the city):
  the grid tiles of that view (and the district tiles) against the GeoJSON of all grids that
  the map page embeds today (gridgeo_app.layers.polygons.geojson_data with code, name and fill colour),
  raw and gzip-compressed, as ratios;
* tile build time per tile, p50 and p95, cold (empty cache) and warm (cached), on SQLite
  (shapely + mapbox-vector-tile) and, with ``--pg URL``, on PostGIS (ST_AsMVT), against the
  time to serialize the GeoJSON of all grids; and the one-time derivation of the areas;
* with Chromium: first paint in headless Chromium (navigation to every visible grid drawn and
  coloured) of the tile page against a folium page of the same grids as GeoJSON, and the bytes
  each page transferred; the browser-side time of a risk refresh.

The city is generated once into ``--atlas`` (default /tmp/gridgeo-bench-shenzhen) with
``gridgeo demo-data --outline 440300.geojson`` and its grids published into a SQLite store next
to it, with ``--events`` open events for the colours.

With ``--wall DATA_DIR``: the real wall (/wall of the Streamlit app) in tile mode against the
GeoJSON path on the city in that data dir's store, at 1920x1080 and 3840x2160 (benchmarks/wall_paint.py),
each cold (servers just started, with their start-up warm-ups; ``--no-warm-up``: without them,
as before) and warm.

Usage: .venv/bin/python benchmarks/bench_tiles.py [--atlas DIR] [--pg URL] [--events 3000] [--no-browser]
       [--wall DATA_DIR [--city-dir DIR] [--only-wall] [--no-warm-up] [--wall-modes tiles,geojson]]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

warnings.simplefilter("ignore")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from gridgeo.services.intake import add_events  # noqa: E402
from gridgeo.tiles.view import view_tiles  # noqa: E402 - after the path set-up

OUTLINE = Path("/work/shared/data/boundaries/440300.geojson")
VIEW = (1920, 1080)


def ensure_city(atlas_dir: Path, outline: Path) -> None:
    """Generate the whole-Shenzhen demo city into ``atlas_dir`` unless it is there."""
    if (atlas_dir / "grids.geojson").exists():
        return
    from gridgeo.cli import main as cli

    t = time.perf_counter()
    code = cli(["demo-data", "--outline", str(outline), "--crs", "GCJ02", "--code", "440300", "--name", "深圳市",
                "--population", "17800000", "--out", str(atlas_dir)])
    if code:
        raise SystemExit(f"demo-data failed ({code})")
    print(f"generated the demo city in {time.perf_counter() - t:.0f} s")


def open_city_store(url: str, grids, n_events: int, fresh: bool = False):
    """A store whose current grid set is the city's grids, with ``n_events`` open events."""
    from gridgeo.services.workspace import open_store

    if fresh and url.startswith("postgresql"):
        from conftest import drop_store_tables
        drop_store_tables(url)
    store = open_store(url, seed_default=False)
    sets = store.grid_sets()
    if sets.empty or int(sets["n_grids"].iloc[-1]) != len(grids):
        store.publish_grid_set(grids, author="bench", comment="whole-Shenzhen demo city")
    if store.count_events() < n_events:
        import numpy as np

        rng = np.random.default_rng(13)
        pick = rng.choice(len(grids), n_events, replace=True)
        points = grids.geometry.iloc[pick].representative_point().to_crs(4326)
        now = datetime.now(UTC)
        events = [{"id": f"b{i}", "reported_at": (now - timedelta(minutes=int(rng.integers(5, 600)))).isoformat(),
                   "lon": p.x, "lat": p.y, "category": "neighbour_dispute", "level": int(rng.integers(1, 5)),
                   "channel": "grid_worker"} for i, p in enumerate(points)]
        for start in range(0, len(events), 1000):
            add_events(store, events[start:start + 1000])
    return store


def geojson_path(store, grids) -> tuple[bytes, float]:
    """Today's GeoJSON of all grids with their risk colour, and the time to make it."""
    from gridgeo.analysis.risk import risk_table
    from gridgeo_app.layers.polygons import geojson_data

    t = time.perf_counter()
    risk = risk_table(store, "grid", timedelta(hours=24))
    frame = grids.merge(risk[["code", "color"]], on="code", how="left").rename(columns={"color": "_fill"})
    data = json.dumps(geojson_data(frame, ["code", "name", "_fill"]), ensure_ascii=False).encode()
    return data, time.perf_counter() - t


def tile_pass(service, layer: str, z: int, tiles) -> tuple[list[float], int, int]:
    """(seconds per tile, total bytes, non-empty tiles) of one pass over ``tiles``."""
    times, total, nonempty = [], 0, 0
    for x, y in tiles:
        t = time.perf_counter()
        _, data = service.tile(layer, z, x, y)
        times.append(time.perf_counter() - t)
        total += len(data)
        nonempty += bool(data)
    return times, total, nonempty


def p(values, q: float) -> float:
    """The q-quantile of ``values`` in ms."""
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000 if len(values) > 1 else values[0] * 1000


def backend_numbers(label: str, store, z: int, tiles, geojson_s: float) -> dict:
    """Derivation, cold and warm tile times on one backend, printed; returns the tiles' bytes."""
    from gridgeo.tiles import TileService
    from gridgeo.tiles.features import ensure_features

    t = time.perf_counter()
    wrote = ensure_features(store, store.current_version())
    derive = time.perf_counter() - t
    service = TileService(store)
    service.current_version()
    out = {}
    cold_all = []
    for layer in ("grids", "districts"):
        cold, total, nonempty = tile_pass(service, layer, z, tiles)
        warm, _, _ = tile_pass(service, layer, z, tiles)
        cold_all += cold
        out[layer] = (total, nonempty)
        print(f"  {label:8s} {layer:9s} z{z} {len(tiles)} tiles ({nonempty} non-empty): cold p50 {p(cold, .5):6.1f} ms "
              f"p95 {p(cold, .95):6.1f} ms, whole view {sum(cold):5.2f} s; warm p50 {p(warm, .5):5.2f} ms")
    print(f"  {label:8s} areas derived {'now' if wrote else 'before'}: {derive:.1f} s (once per grid set version); "
          f"all grid tiles of the view cold {sum(cold_all):.2f} s vs GeoJSON of all grids {geojson_s:.2f} s "
          f"({geojson_s / max(sum(cold_all), 1e-9):.2f}x)")
    return out


def first_paint(store, bounds, chromium: str, label: str, with_geojson: bool = True) -> None:
    """Headless Chromium: the tile page against the GeoJSON page, to every grid drawn."""
    from api_server import api_server
    from playwright.sync_api import sync_playwright

    from gridgeo.api.app import create_app
    from gridgeo.config import Settings
    from gridgeo_app.layers.vector_tiles import tiles_demo_page

    pages = {"/tiles-city": tiles_demo_page(bounds, grid_min_zoom=0, refresh_s=0)}
    if with_geojson:
        pages["/geojson-city"] = geojson_page(store, bounds)
    waits = {"/tiles-city": "() => { const s = window.gridgeoTiles && window.gridgeoTiles.grids; "
                            "return s && s.idle >= 1 && s.refreshes >= 1; }",
             "/geojson-city": "() => document.querySelectorAll('path.leaflet-interactive').length >= "
                              f"{len(store.current_grid_set()[1])}"}
    paint = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
    with api_server(create_app(store, Settings(read_access="localhost")), pages) as base, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for path in pages:
            for run in ("first", "second"):
                ctx = browser.new_context(viewport={"width": VIEW[0], "height": VIEW[1]})
                page = ctx.new_page()
                sizes: dict[str, int] = {}
                page.on("requestfinished", lambda r, sizes=sizes: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
                page.goto(base + path, timeout=120_000)
                page.wait_for_function(waits[path], timeout=180_000, polling=100)
                ms = page.evaluate(paint)
                tiles = sum(v for k, v in sizes.items() if ".pbf" in k)
                print(f"  {label:7s} {path:13s} {run} load (server cache {'cold' if run == 'first' else 'warm'}): first paint "
                      f"{ms / 1000:5.2f} s, {sum(sizes.values()) / 1e6:6.2f} MB in {len(sizes)} responses "
                      f"(tiles {tiles / 1e6:.2f} MB, page {sizes.get(base + path, 0) / 1e6:.2f} MB)")
                if run == "second" and path == "/tiles-city":
                    shots = Path("/tmp/shots-f2")
                    shots.mkdir(exist_ok=True)
                    page.screenshot(path=str(shots / "bench_tiles_shenzhen_1920.png"))
                    first = page.evaluate("() => window.gridgeoTiles.grids")
                    page.evaluate("() => window.gridgeoTileLayers.grids.gridgeoRefresh()")
                    s = page.evaluate("() => window.gridgeoTiles.grids")
                    print(f"  risk colouring on load: {first['apply_ms']:.1f} ms for {first['restyled']} grids; "
                          f"a refresh: {s['refresh_ms']:.0f} ms with the /risk fetch, restyle {s['apply_ms']:.1f} ms "
                          f"({s['restyled']} changed of {s['coloured']} coloured)")
                ctx.close()
        browser.close()


def geojson_page(store, bounds) -> str:
    """Today's path: a folium page with every grid as GeoJSON, filled by risk colour."""
    from gridgeo.analysis.risk import risk_table
    from gridgeo_app.layers.assets import use_local_assets
    from gridgeo_app.layers.base import base_map
    from gridgeo_app.layers.risk import risk_layer

    use_local_assets()
    grids = store.current_grid_set()[1]
    m = base_map(bounds, min_zoom=8)
    risk = risk_table(store, "grid", timedelta(hours=24))
    risk_layer(grids, risk[["code", "risk_level", "color"]], "grids", "grids", ["name"], ["name"]).add_to(m)
    return m.get_root().render()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", default="/tmp/gridgeo-bench-shenzhen")
    parser.add_argument("--outline", default=str(OUTLINE))
    parser.add_argument("--pg", default=None, help="PostGIS URL (its tables are dropped and refilled)")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--wall", metavar="DATA_DIR", default=None,
                        help="also measure the real wall (/wall, Streamlit) in tile mode against GeoJSON, on the "
                             "city in this data dir's store (imported from --city-dir when missing)")
    parser.add_argument("--city-dir", default="/work/city/shenzhen")
    parser.add_argument("--only-wall", action="store_true", help="with --wall: only the wall numbers")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="with --wall: servers without their start-up warm-up (app.py, serve --no-warm-up)")
    parser.add_argument("--wall-modes", default="tiles,geojson", help="with --wall: which walls (tiles, geojson)")
    args = parser.parse_args()
    if args.wall and args.only_wall:
        return wall(args)
    from gridgeo.atlas.load import load_atlas

    atlas_dir = Path(args.atlas)
    ensure_city(atlas_dir, Path(args.outline))
    grids = load_atlas(atlas_dir).grids.to_crs(4326)
    store = open_city_store(f"sqlite:///{atlas_dir / 'bench-tiles.sqlite'}", grids, args.events)
    bounds = tuple(float(v) for v in grids.total_bounds)
    z, tiles = view_tiles(bounds)
    geo, geojson_s = geojson_path(store, grids)
    print(f"city: {len(grids):,} grids; 1920x1080 view fitted to it: 512 px tiles at z{z}, {len(tiles)} per layer")
    backend_numbers("sqlite", store, z, tiles, geojson_s)
    pg = None
    if args.pg:
        pg = open_city_store(args.pg, grids, args.events, fresh=True)
        backend_numbers("postgis", pg, z, tiles, geojson_s)
    from gridgeo.tiles import TileService

    service = TileService(store)
    for px in (512, 256):
        tz, view = view_tiles(bounds, tile_px=px)
        blobs = [service.tile(layer, tz, x, y)[1] for layer in ("grids", "districts") for x, y in view]
        tiles_raw = sum(len(b) for b in blobs)
        tiles_gz = sum(len(gzip.compress(b)) for b in blobs if b)
        geo_gz = len(gzip.compress(geo))
        print(f"bytes, all grids city-wide, {px} px tiles (z{tz}, {len(view)} per layer): tiles "
              f"{tiles_raw / 1e6:.2f} MB raw / {tiles_gz / 1e6:.2f} MB gzip vs GeoJSON {len(geo) / 1e6:.2f} MB raw / "
              f"{geo_gz / 1e6:.2f} MB gzip: {len(geo) / tiles_raw:.1f}x smaller raw, {geo_gz / tiles_gz:.1f}x gzip")
    chromium = shutil.which("chromium")
    if not args.no_browser and chromium:
        print("first paint, 1920x1080, all grids city-wide (each page loaded twice: server tile cache cold, warm)")
        first_paint(store, bounds, chromium, "sqlite")
        if pg is not None:
            first_paint(pg, bounds, chromium, "postgis", with_geojson=False)
    store.close()
    if pg is not None:
        pg.close()
    if args.wall:
        wall(args)


def wall(args: argparse.Namespace) -> None:
    """The real wall in tile mode against the GeoJSON path (benchmarks/wall_paint.py)."""
    from wall_paint import wall_numbers

    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("--wall needs chromium")
    Path(args.wall).mkdir(parents=True, exist_ok=True)
    modes = tuple(m.strip() for m in args.wall_modes.split(","))
    wall_numbers(Path(args.wall), Path(args.city_dir), "深圳市", args.events, chromium, warm_up=args.warm_up,
                 modes=modes)
    if args.pg:
        wall_numbers(Path(args.wall), Path(args.city_dir), "深圳市", args.events, chromium, pg_url=args.pg,
                     warm_up=args.warm_up)


if __name__ == "__main__":
    main()
