"""``streamlit run app_server.py`` (what ``make run`` does): the app of app.py, served by
Streamlit's ASGI server (``st.App``) with a start-up warm-up and the sign-in routes.

Before the server takes its first viewer, the lifespan below runs ``gridgeo_app.warmup.warm_up``
(the active atlas loaded and simplified for display, the wall's map code and templates loaded),
so the first viewer after a start waits no longer than any later one. ``POST /session/signin``
and ``/session/signout`` (``gridgeo_app.auth_routes``) set and end the HttpOnly session cookie,
so a sign-in lasts across reloads, tabs and bookmarks. ``streamlit run app.py`` still works,
without the warm-up, and its sign-in lasts only as long as the browser tab.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

from gridgeo_app import auth_routes

HERE = Path(__file__).resolve().parent


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[dict]:
    """Warm the app's caches, then take viewers (the result is in ``app.state["warm_up"]``)."""
    from gridgeo_app.warmup import warm_up

    result = await asyncio.to_thread(warm_up)
    print(f"gridgeo app warm-up: {result}", file=sys.stderr, flush=True)
    yield {"warm_up": result}


auth_routes.ACTIVE = True
app = st.App(HERE / "app.py", lifespan=lifespan, routes=auth_routes.ROUTES)
