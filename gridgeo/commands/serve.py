"""``gridgeo serve [--host 127.0.0.1] [--port 8000]``: run the event service (FastAPI + uvicorn).

Writes need ``Authorization: Bearer <GRIDGEO_API_TOKEN>``; when the variable is not set a
random token is generated for this run and printed once. Reads are open to loopback clients
(``--read-access`` / GRIDGEO_READ_ACCESS: open, localhost or token). Once the store is open the
service warms the current grid set's tiles and risk colours in the background
(gridgeo.api.warmup; ``--no-warm-up`` skips it); ``/api/v1/health`` says when it is done
(``warm_up.state``).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

from gridgeo.errors import InputError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the serve options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--database", metavar="URL",
                        help="store URL (default GRIDGEO_DATABASE_URL, else SQLite in the data dir)")
    parser.add_argument("--read-access", choices=("open", "localhost", "token"),
                        help="who may read without the token (default GRIDGEO_READ_ACCESS or localhost)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (default 1; each opens the store, SQLite serializes writes)")
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="do not warm the current grid set's tiles and colours at start-up (gridgeo.api.warmup)")


def _check_listen(host: str, port: int) -> None:
    """Fail with one line, before opening the store, when ``host:port`` cannot be listened on."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            sock.bind(infos[0][4])
    except OSError as exc:
        raise InputError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); "
                         "pick a free --port or a local address") from None


ALL_INTERFACES = {"0.0.0.0", "::", "[::]", ""}


def _warn_if_public(host: str, read_access: str) -> None:
    """Say on stderr when the service listens on every interface (reachable from the network)."""
    if host.strip() in ALL_INTERFACES:
        reads = {"open": "anyone can read every event", "localhost": "reads need the token (except loopback)",
                 "token": "reads need the token"}[read_access]
        print(f"warning: --host {host} listens on every network interface: writes need the token and "
              f"{reads}. Prefer 127.0.0.1 behind a reverse proxy (with --read-access token).", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Open the store and serve until interrupted."""
    import uvicorn

    from gridgeo.api import create_app
    from gridgeo.api.connections import uvicorn_options
    from gridgeo.commands._checks import open_store_checked
    from gridgeo.config import get_settings

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: use 1-65535")
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: use 1 or more")
    settings = get_settings()
    if args.read_access:
        settings = settings.with_(read_access=args.read_access)
    if not settings.api_token:
        settings = settings.with_(api_token=secrets.token_urlsafe(24))
        print(f"GRIDGEO_API_TOKEN is not set; write token for this run: {settings.api_token}", file=sys.stderr)
    _check_listen(args.host, args.port)
    _warn_if_public(args.host, settings.read_access)
    store = open_store_checked(args.database or settings.store_url)
    print(f"gridgeo serve: {store.backend} store, grid set v{store.current_version()}, "
          f"http://{args.host}:{args.port}/docs", file=sys.stderr)
    if args.workers > 1:  # workers re-create the app from the environment
        store.close()
        os.environ["GRIDGEO_API_TOKEN"] = settings.api_token
        os.environ["GRIDGEO_READ_ACCESS"] = settings.read_access
        os.environ["GRIDGEO_DATABASE_URL"] = store.url
        options = {**uvicorn_options(settings), "http": "gridgeo.api.connections:GuardedHttpProtocol"}
        factory = "create_served_app" if args.warm_up else "create_app"
        uvicorn.run(f"gridgeo.api.app:{factory}", factory=True, workers=args.workers, host=args.host,
                    port=args.port, log_level="warning", access_log=args.access_log, **options)
        return 0
    try:
        uvicorn.run(create_app(store, settings, warm_up=args.warm_up), host=args.host, port=args.port, log_level="warning",
                    access_log=args.access_log, **uvicorn_options(settings))
    finally:
        store.close()
    return 0
