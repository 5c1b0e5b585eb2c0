"""Benchmark: sustained ingest through the HTTP API into SQLite, with a local load generator.

Starts ``gridgeo serve`` (uvicorn, one process) on loopback over a fresh SQLite store, then
runs ``--concurrency`` client tasks (httpx, asyncio) posting synthetic events for ``--duration``
seconds, each request carrying ``--batch`` events. Prints events/s, requests/s and the
p50/p99 request latency, then checks that every acknowledged event is in the store. Both the
server and the load generator share this machine's cores.

    .venv/bin/python benchmarks/bench_ingest.py [--duration 60] [--batch 20] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

from gridgeo.atlas.load import load_default_atlas
from gridgeo.demo.simulate import generate_events
from gridgeo.services.workspace import open_store

TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(base: str, templates: list[dict], duration: float, batch: int, concurrency: int,
               target_rate: float = 0.0):
    latencies: list[float] = []
    acked: list[str] = []
    errors = 0
    serial = 0
    start = time.perf_counter()
    stop = start + duration
    # paced (open-loop) mode: each worker sends one request every `period` seconds
    period = concurrency * batch / target_rate if target_rate > 0 else 0.0

    async def worker(w: int, client: httpx.AsyncClient) -> None:
        nonlocal serial, errors
        next_at = start + (w * period / concurrency if period else 0.0)
        while time.perf_counter() < stop:
            if period:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += period
            body = []
            for _ in range(batch):
                serial += 1
                body.append({**templates[serial % len(templates)], "id": f"b{w}-{serial}"})
            t = time.perf_counter()
            r = await client.post("/api/v1/events", json=body if batch > 1 else body[0])
            latencies.append(time.perf_counter() - t)
            if r.status_code in (200, 201):
                acked.extend(e["id"] for e in body)
            else:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, limits=limits,
                                 timeout=30.0) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(w, client) for w in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return latencies, acked, errors, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--batch", type=int, default=20, help="events per request (default 20; 1 = single)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent client connections (default 8)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--target-rate", type=float, default=0.0,
                        help="events/s to offer (paced); default 0 = as fast as the server answers")
    args = parser.parse_args()

    templates = generate_events(load_default_atlas(), n=5000, seed=1,
                                start=datetime.now(UTC) - timedelta(days=1), duration=86000)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "GRIDGEO_DATA_DIR": tmp, "GRIDGEO_API_TOKEN": TOKEN}
        env.pop("GRIDGEO_DATABASE_URL", None)
        server = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--port", str(port),
                                   "--workers", str(args.workers)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise SystemExit("server did not start")
            latencies, acked, errors, elapsed = asyncio.run(
                load(base, templates, args.duration, args.batch, args.concurrency, args.target_rate))
        finally:
            server.terminate()
            server.wait(timeout=30)
        store = open_store(f"sqlite:///{Path(tmp) / 'gridgeo.sqlite'}", seed_default=False)
        stored = set(store.events_frame()["id"])
        store.close()

    lat_ms = np.array(latencies) * 1000
    print(f"API ingest into SQLite, {elapsed:.0f} s, batch {args.batch}, {args.concurrency} connections, "
          f"{args.workers} server worker(s), "
          + (f"offered {args.target_rate:,.0f} events/s" if args.target_rate else "closed loop (max rate)")
          + "; server + load generator on the same 2 cores")
    print(f"events/s:   {len(acked) / elapsed:10,.0f}   ({len(acked):,} acknowledged, {errors} failed requests)")
    print(f"requests/s: {len(latencies) / elapsed:10,.0f}")
    print(f"latency per request: p50 {np.percentile(lat_ms, 50):.1f} ms, p99 {np.percentile(lat_ms, 99):.1f} ms, "
          f"max {lat_ms.max():.1f} ms")
    missing = len(set(acked) - stored)
    print(f"every acknowledged event stored: {missing == 0} ({missing} missing)")
    if missing:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
