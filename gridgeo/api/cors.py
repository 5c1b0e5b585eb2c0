"""CORS for the tile routes and the change stream only: pages of another origin (the Streamlit
app on its own port) may GET ``/tiles/*`` (tiles and ``/tiles/colours``) and ``/api/v1/stream`` when their origin is listed in
``GRIDGEO_CORS_ORIGINS``. Reads still obey the access rules: the browser sends the wall's viewer
key as ``Authorization`` (allowed as a request header), or reads as the read access allows."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

CORS_PREFIX = ("/tiles/", "/api/v1/stream")  # the tiles and the change stream the pages subscribe to


class TileCors:
    """Starlette's CORSMiddleware applied to ``/tiles/*`` only (GET and its preflight)."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]):
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=["GET"],
                                   allow_headers=["Authorization"], expose_headers=["ETag", "X-Grid-Set-Version"],
                                   max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CORS_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
