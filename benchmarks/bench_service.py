"""Benchmark: the event service as deployed — one ``gridgeo serve`` process over a SQLite store with
1,000,000 events — under a loopback load generator, in one run:

* single-event POSTs with 8 keep-alive connections: events/s and p99 latency (goal ≥ 1,500/s, p99 ≤ 50 ms);
* 20-event batch POSTs with 8 connections: events/s (goal ≥ 5,000/s);
* ``GET /api/v1/risk`` (24 h and 30 d windows), 21 sequential calls: p50 (goal ≤ 50 ms) and max (the
  first call computes; the next ones within ``GRIDGEO_RESULT_CACHE_S`` share its result);
* the server's RSS (psutil) before and at peak while 8 clients call /risk concurrently (goal: flat);
* single-event ingest while two clients poll /risk (back to back, at most once a second each by
  default), as a ratio of ingest without them (goal ≥ 80 %).

``--baseline DIR`` starts a second server from another checkout (e.g. ``git archive main``) and
runs every measurement on both, one after the other, so the shared machine's load hits both.

The store is filled once as in ``bench_risk.py`` (kept with ``--store FILE`` to reuse it) and copied
for the run. The POST load comes from wrk (Debian package ``wrk``: C, a fraction of the CPU per
request that any Python client costs, which matters when it shares 2 cores with the server) when
it is installed, else from an HTTP/1.1 client over asyncio streams (a client library such as httpx
costs more CPU per request than the server and would measure itself). Server and load generator
share the machine; the load average is printed with the results. ``--workers N`` runs the server as
``gridgeo serve --workers N`` (the production setting: one worker per core).

    .venv/bin/python benchmarks/bench_service.py [--events 1000000] [--duration 20] [--store FILE]
        [--workers 2] [--generator wrk|python] [--baseline /path/to/another/checkout]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_risk import fill  # noqa: E402  (the same 1M-event data as the /risk benchmark)

from gridgeo.atlas.load import load_default_atlas  # noqa: E402
from gridgeo.demo.simulate import generate_events  # noqa: E402
from gridgeo.services.workspace import open_store  # noqa: E402

TOKEN = "bench-token"
REPO = Path(__file__).resolve().parents[1]


class Conn:
    """One keep-alive HTTP/1.1 connection: ``request`` sends and reads one answer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = (f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def post_load(port: int, templates: list[dict], duration: float, batch: int, connections: int,
                    tag: str) -> tuple[float, float, int]:
    """(events/s acknowledged, p99 latency ms, failed requests) of closed-loop POSTs."""
    latencies: list[float] = []
    acked, failed, serial = 0, 0, 0
    stop = time.perf_counter() + duration

    async def worker(w: int) -> None:
        nonlocal acked, failed, serial
        conn = await Conn.open(port)
        while time.perf_counter() < stop:
            items = []
            for _ in range(batch):
                serial += 1
                items.append({**templates[serial % len(templates)], "id": f"{tag}{w}-{serial}"})
            body = json.dumps(items if batch > 1 else items[0]).encode()
            t0 = time.perf_counter()
            status, _ = await conn.request("POST", "/api/v1/events", body)
            latencies.append(time.perf_counter() - t0)
            if status in (200, 201):
                acked += batch
            else:
                failed += 1
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(connections)))
    elapsed = time.perf_counter() - t0
    return acked / elapsed, float(np.percentile(np.array(latencies) * 1000, 99)), failed


WRK_SCRIPT = r"""
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args)
  dofile(args[1]); batch = tonumber(args[2]); tag = args[3]; n = 0
  wrk.headers["Authorization"] = "Bearer " .. args[4]
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  local parts = {}
  for i = 1, batch do
    n = n + 1
    parts[i] = '{"id":"' .. tag .. tid .. "-" .. n .. '",' .. bodies[(n % #bodies) + 1] .. "}"
  end
  local body = batch == 1 and parts[1] or "[" .. table.concat(parts, ",") .. "]"
  return wrk.format("POST", "/api/v1/events", nil, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("GRIDGEO %d %d %d %d %.1f\n", summary.requests, e.status,
                         e.connect + e.read + e.write + e.timeout, summary.duration, latency:percentile(99)))
end
"""


def wrk_files(templates: list[dict], folder: Path) -> Path:
    """The Lua script and the event bodies (templates without their ids) wrk posts from."""
    with open(folder / "bodies.lua", "w", encoding="ascii") as f:
        f.write("bodies = {\n")
        for t in templates:
            f.write("[==[" + json.dumps({k: v for k, v in t.items() if k != "id"})[1:-1] + "]==],\n")
        f.write("}\n")
    (folder / "post.lua").write_text(WRK_SCRIPT, encoding="ascii")
    return folder


def wrk_load(port: int, folder: Path, duration: float, batch: int, connections: int, tag: str) -> tuple[float, float, int]:
    """(events/s acknowledged, p99 latency ms, failed requests) of wrk's closed-loop POSTs."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "-s",
                          str(folder / "post.lua"), f"http://127.0.0.1:{port}", "--",
                          str(folder / "bodies.lua"), str(batch), tag, TOKEN],
                         capture_output=True, text=True, check=True).stdout
    requests, status_errors, socket_errors, micros, p99 = next(
        line.split()[1:] for line in out.splitlines() if line.startswith("GRIDGEO "))
    failed = int(status_errors) + int(socket_errors)
    return (int(requests) - failed) * batch / (int(micros) / 1e6), float(p99) / 1000, failed


async def risk_calls(port: int, n: int, window: str) -> list[float]:
    """Seconds of ``n`` sequential /risk calls."""
    conn, took = await Conn.open(port), []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _ = await conn.request("GET", f"/api/v1/risk?by=grid&window={window}")
        assert status == 200, status
        took.append(time.perf_counter() - t0)
    conn.close()
    return took


async def with_pollers(port: int, load, pollers: int, interval: float) -> tuple[float, float, int]:
    """``load()`` (single-event ingest, in a thread) while ``pollers`` clients call /risk back to
    back, each at most once per ``interval`` seconds (a map or dashboard refreshing);
    (events/s, p99, polls)."""
    stop = asyncio.Event()
    polls = 0

    async def poll() -> None:
        nonlocal polls
        conn = await Conn.open(port)
        while not stop.is_set():
            t0 = time.perf_counter()
            await conn.request("GET", "/api/v1/risk?by=grid&window=24h")
            polls += 1
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - t0)))
        conn.close()

    tasks = [asyncio.create_task(poll()) for _ in range(pollers)]
    result = await asyncio.to_thread(load)
    stop.set()
    await asyncio.gather(*tasks)
    return (*result[:2], polls)


def _rss_mb(proc: psutil.Process) -> float:
    """RSS of the server and its worker processes."""
    procs = [proc, *proc.children(recursive=True)]
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total / 1e6


def peak_rss_under(pid: int, port: int, calls: int, rounds: int) -> tuple[float, float]:
    """(RSS MB before, peak RSS MB) of the server while ``calls`` clients call /risk 30 d ``rounds`` times."""
    proc = psutil.Process(pid)
    before = _rss_mb(proc)
    peak, done = before, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_mb(proc))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()

    async def run() -> None:
        await asyncio.gather(*(risk_calls(port, rounds, "30d") for _ in range(calls)))

    asyncio.run(run())
    done.set()
    sampler.join()
    return before, peak


def start_server(url: str, tmp: str, code: Path | None = None, workers: int = 1) -> tuple[subprocess.Popen, int]:
    """``gridgeo serve`` over the store at ``url`` (from the checkout ``code``, default this one)
    on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GRIDGEO_DATA_DIR": tmp, "GRIDGEO_API_TOKEN": TOKEN}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    env.pop("GRIDGEO_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "serve", "--port", str(port), "--database",
                             url, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=code or REPO)  # ``-m`` imports from the working directory first
    for _ in range(1500):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: b\r\n\r\n")
                if b" 200 " in s.recv(1024):
                    return proc, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def prepare_store(url: str, events: int) -> None:
    """Fill the source store once (the demo grid set, explicitly, and ``events`` events)."""
    store = open_store(url, seed_default=True)
    have = store.count_events()
    if have < events:
        secs = fill(store, events - have, datetime.now(UTC), 30.0, 0)
        print(f"filled the store with {events - have:,} events in {secs:.0f} s")
    store.close()


def copy_store(postgis: str | None, source: Path, tmp: Path, label: str) -> str:
    """A copy of the filled source store for one server: a file copy, or a PostgreSQL database
    created from the source database as its template."""
    if not postgis:
        shutil.copy(source, tmp / f"{label}.sqlite")
        return f"sqlite:///{tmp / f'{label}.sqlite'}"
    import sqlalchemy as sa

    url = sa.make_url(postgis)
    name = f"{url.database}_{label}_{os.getpid()}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store (default 1,000,000)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of each ingest run (default 20)")
    parser.add_argument("--store", default=None, help="SQLite file to fill once and reuse (copied for the run)")
    parser.add_argument("--baseline", default=None, type=Path,
                        help="another checkout (e.g. main) to measure in the same run, phase by phase")
    parser.add_argument("--postgis", default=None, metavar="URL",
                        help="a PostGIS database to fill once (instead of SQLite); each server gets a copy")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--generator", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
                        help="POST load generator (default wrk when installed)")
    parser.add_argument("--poll-interval", type=float, default=1.0,
                        help="a /risk poller calls at most once per this many seconds (default 1; 0 = back to back)")
    args = parser.parse_args()

    atlas = load_default_atlas()
    templates = generate_events(atlas, n=5000, seed=1, start=datetime.now(UTC) - timedelta(hours=20),
                                duration=70000)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(args.store) if args.store else Path(tmp) / "source.sqlite"
        prepare_store(args.postgis or f"sqlite:///{source}", args.events)
        args.wrk_dir = wrk_files(templates, Path(tmp))
        servers = {}
        for label, code in [("baseline", args.baseline), ("this", None)][0 if args.baseline else 1:]:
            servers[label] = start_server(copy_store(args.postgis, source, Path(tmp), label), tmp, code,
                                          args.workers)
        try:
            report(servers, templates, args)
        finally:
            for proc, _port in servers.values():
                proc.terminate()
                proc.wait(timeout=30)


def report(servers: dict, templates: list[dict], args: argparse.Namespace) -> None:
    """Each measurement on each server in turn (so a change in the machine's load hits both)."""
    d = args.duration
    print(f"gridgeo serve ({args.workers} worker{'s' if args.workers > 1 else ''}) over {'PostGIS' if args.postgis else 'SQLite'} with "
          f"{args.events:,} events; load generator {args.generator} on the same machine "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start)")

    def post(port: int, duration: float, batch: int, tag: str) -> tuple[float, float, int]:
        if args.generator == "wrk":
            return wrk_load(port, args.wrk_dir, duration, batch, 8, tag)
        return asyncio.run(post_load(port, templates, duration, batch, 8, tag))

    for label, (_pid, port) in servers.items():
        post(port, 3, 1, f"w{label}")  # warm-up

    def each(title: str, fn, rounds: int = 1) -> dict:
        """``fn`` on every server, ``rounds`` times in turn (A B A B ...); the median round each."""
        runs: dict[str, list] = {label: [] for label in servers}
        for r in range(rounds):
            for label, (proc, port) in servers.items():
                runs[label].append(fn(proc.pid, port, f"{label}{r}"))
        out = {}
        for label, values in runs.items():
            mid = sorted(values, key=lambda v: v[0])[len(values) // 2]
            print(f"[{label[:8]:8}] {title}: {mid[1]}" + (f"  (median of {rounds} rounds)" if rounds > 1 else ""))
            out[label] = mid[0]
        if len(out) == 2 and out["baseline"]:
            print(f"           this / baseline = {out['this'] / out['baseline']:.2f}")
        return out

    def single(_pid, port, label):
        rate, p99, failed = post(port, d / 3, 1, f"s{label}")
        return rate, f"{rate:8,.0f} events/s, p99 {p99:.1f} ms ({failed} failed)   goal >= 1,500/s, p99 <= 50 ms"

    def batch(_pid, port, label):
        rate, p99, failed = post(port, d / 3, 20, f"b{label}")
        return rate, f"{rate:8,.0f} events/s, p99 {p99:.1f} ms ({failed} failed)   goal >= 5,000/s"

    def risk(window):
        def run(_pid, port, _label):
            took = asyncio.run(risk_calls(port, 21, window))
            return statistics.median(took), (f"p50 {statistics.median(took) * 1000:.1f} ms, "
                                             f"max {max(took) * 1000:.1f} ms   goal p50 <= 50 ms")
        return run

    def rss(pid, port, _label):
        before, peak = peak_rss_under(pid, port, 8, 5)
        return peak - before, f"{before:.0f} MB before, {peak:.0f} MB peak (+{peak - before:.0f} MB)   goal: flat"

    singles = each("single-event POSTs, 8 connections", single, 3)
    each("20-event batches, 8 connections", batch, 3)
    each("/risk window 24h, sequential", risk("24h"))
    each("/risk window 30d, sequential", risk("30d"))
    each("server RSS under 8 concurrent /risk (30 d) calls x 5", rss)

    def polled(_pid, port, label):
        rate, p99, polls = asyncio.run(with_pollers(port, lambda: post(port, d / 3, 1, f"p{label}"), 2,
                                                    args.poll_interval))
        base = singles[label[:-1]]
        return rate, (f"{rate:,.0f} events/s, p99 {p99:.1f} ms ({polls} polls) = {rate / base:.0%} of "
                      f"{base:,.0f}/s without   goal >= 80 %")

    each(f"single-event ingest with 2 /risk pollers (each at most 1 call per {args.poll_interval:g} s)", polled, 3)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
