"""The app's start-up warm-up: the one-off work the first viewer of the wall would wait for.

``app_server.py`` (what ``make run`` serves) runs :func:`warm_up` once when the Streamlit
server starts, before it takes the first viewer. It fills the process-wide caches the pages
share (Streamlit's ``cache_resource``, so every later session finds them):

- the active atlas and its display layers (``gridgeo_app.context.atlas`` and ``display_layers``:
  loading the city's layers and simplifying them, the bulk of a cold start on a city);
- the page modules and the map libraries the wall imports, and the templates folium renders
  with (a wall base map of the active atlas is built and rendered once, in the mode the wall
  will use: vector tiles for a city with GRIDGEO_TILES_URL, else every grid as GeoJSON);
- the store's pages of today's events and the wall's figures of them computed once (KPIs, risk
  by grid, the pushed layers rendered: the code paths of the wall's first refresh);
- in the background (it takes ten seconds and no viewer waits for it), the demo district's atoms
  of today's grids, so the planner's first "new plan from today's grids" does not refine them
  (later ones find them in the store: gridgeo.plan.start).

Nothing here needs a browser session; any failure is reported on stderr and leaves the page to
do the work itself on first use, as without the warm-up.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta


def warm_up() -> dict:
    """Warm the caches above; ``{"seconds", "grids", "tiles"}`` (``tiles``: the wall draws the
    atlas from the service's vector tiles), or ``{"error"}`` when something failed."""
    t0 = time.perf_counter()
    try:
        out = _warm()
    except Exception as exc:  # noqa: BLE001 - the pages then do this work on first use
        print(f"gridgeo app warm-up failed ({type(exc).__name__}: {exc}); the first viewer pays it",
              file=sys.stderr)
        return {"error": f"{type(exc).__name__}: {exc}"}
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


def _warm() -> dict:
    from gridgeo.config import get_settings
    from gridgeo.i18n import DEFAULT_LANG
    from gridgeo_app import context as common
    from gridgeo_app.maps import TileSource, wall_base_map, wall_tile_base_map

    settings = get_settings()
    layers = common.all_display_layers()  # loads the atlas (common.atlas) on the way
    tiles = settings.use_tiles(len(layers["grids"]))
    if tiles:
        from gridgeo_app.wall_content import OPEN_LOOKBACK_WINDOW

        m = wall_tile_base_map(layers, DEFAULT_LANG, TileSource(settings.tiles_url, settings.wall_key),
                               settings.wall_refresh_s, OPEN_LOOKBACK_WINDOW)
    else:
        m = wall_base_map(layers, DEFAULT_LANG)
    m.get_root().render()  # folium's and branca's templates compiled once
    _wall_figures(m, layers, tiles, DEFAULT_LANG)
    _planner_atoms_in_background()
    return {"grids": len(layers["grids"]), "tiles": tiles}


def _planner_atoms_in_background() -> None:
    """The demo's atoms of today's grids, made in a background thread (the planner's first plan)."""
    import threading

    from gridgeo_app import event_source as data

    if not data.is_demo():
        return

    def work() -> None:
        from gridgeo.plan.start import default_start_plan

        try:
            default_start_plan("current", data.store())
        except Exception as exc:  # noqa: BLE001 - the planner then does it on first use
            print(f"gridgeo planner warm-up failed ({type(exc).__name__}: {exc})", file=sys.stderr)

    threading.Thread(target=work, name="gridgeo-planner-atoms", daemon=True).start()


def _wall_figures(m, layers: dict, tiles: bool, lang: str) -> None:
    """What the wall's live fragment computes at each refresh, once over today's events (the
    pushed layers rendered on the throwaway base map ``m``). Not gridgeo_app.map_render: importing
    streamlit-folium before the server runs declares its component where the server does not
    look for it (the map frame then answers 404)."""
    import pandas as pd

    from gridgeo_app import context as common
    from gridgeo_app import event_source as data
    from gridgeo_app.maps import area_frame, wall_live_layers

    at = data.now()
    events = data.load_events(common.atlas(), at - timedelta(hours=24), at)
    today = events[pd.to_datetime(events["reported_at"], utc=True) >= data.today_window(at)[0]] \
        if len(events) else events
    data.kpis(today, at)
    area_frame(layers, "grid", today, None, lang)
    for spec in wall_live_layers(layers, today, lang, tiles=tiles):
        if spec is not None:
            spec[1]().add_to(m)
    m.get_root().render()
