"""Serve the gridgeo API (plus the vendored static files and a page) on loopback for browser
tests and benchmarks: uvicorn in a thread of this process."""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from streamlit_server import free_port

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def api_server(app, pages: dict[str, str] | None = None, start_timeout_s: float = 120,
               port: int | None = None) -> Iterator[str]:
    """Run ``app`` (from gridgeo.api.app.create_app) on ``port`` (default a free loopback one) with ``static/``
    at /app/static and each ``pages`` entry (path -> HTML) served as a page; yield the base URL."""
    import uvicorn
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/app/static", StaticFiles(directory=ROOT / "static"), name="static")
    for path, html in (pages or {}).items():
        app.add_api_route(path, lambda html=html: HTMLResponse(html), methods=["GET"], include_in_schema=False)
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{base}/app/static/vendor/leaflet/dist/leaflet.js", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline or not thread.is_alive():
                server.should_exit = True
                raise RuntimeError(f"API server on port {port} did not start") from None
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
