"""``gridgeo simulate [--rate N] [--duration S] [--to-api URL] [--seed N]``: a live synthetic stream.

Events arrive as a Poisson process (``--rate`` is the mean events per second over the day; the
actual rate follows the daily rhythm of :mod:`gridgeo.demo.simulate`) and each is sent when its time
comes. Every ``--advance-every`` seconds open events move along their lifecycle, ``--pace``
times faster than real handling (default 60: an hour of handling per minute), so the demo map
moves. Without ``--to-api`` events go straight into the store; with it they are POSTed (and
moves PATCHed) with the bearer token ``--token`` / GRIDGEO_API_TOKEN. ``--history-days`` first
fills the store with that many days of past events.

Events fall on the active atlas (``GRIDGEO_ATLAS``, else the store's active atlas, else the
Guangming demo): clustered at its basic units (its grids when it has none). Simulated events
go only into the demo store (the embedded SQLite file of the data dir, demo atlas; see
:mod:`gridgeo.services.active_atlas`): a store opened for real work (``GRIDGEO_DATABASE_URL``, ``--database``,
or a non-demo atlas) is refused with exit 2 unless ``--into-real-store`` is given.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime, timedelta

from gridgeo.config import DEMO_ATLAS, get_settings
from gridgeo.errors import InputError, UsageError
from gridgeo.services import intake


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the simulate options."""
    parser.add_argument("--rate", type=float, default=1.0, help="mean events per second (default 1)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds to run (default 60)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    parser.add_argument("--to-api", metavar="URL", help="send to a running service, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", help="bearer token for --to-api (default GRIDGEO_API_TOKEN)")
    parser.add_argument("--database", metavar="URL", help="store URL when writing directly")
    parser.add_argument("--pace", type=float, default=60.0, help="lifecycle speed-up factor (default 60)")
    parser.add_argument("--advance-every", type=float, default=5.0, help="seconds between lifecycle steps")
    parser.add_argument("--history-days", type=float, default=0.0,
                        help="first fill the store with this many days of past events (direct mode)")
    parser.add_argument("--history-per-day", type=int, default=1200, help="events per day of history")
    parser.add_argument("--into-real-store", action="store_true",
                        help="write simulated events even into a store opened for real work (not the demo)")


class _Sink:
    """Where events and moves go: the store directly, or the HTTP API."""

    def __init__(self, args: argparse.Namespace):
        self.client = None
        self.store = None
        if args.to_api:
            import httpx

            token = args.token or get_settings().api_token
            if not token:
                raise UsageError("--to-api needs a token: --token or GRIDGEO_API_TOKEN (printed by gridgeo serve)")
            self.client = httpx.Client(base_url=args.to_api.rstrip("/"), timeout=30.0,
                                       headers={"Authorization": f"Bearer {token}"})
            try:
                self.client.get("/api/v1/health").raise_for_status()
            except httpx.HTTPError as exc:
                raise InputError(f"--to-api {args.to_api}: service not reachable ({exc})") from None
        else:
            from gridgeo.commands._checks import open_store_checked

            self.store = open_store_checked(args.database)

    def send(self, events: list[dict]) -> dict[str, int]:
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        if not events:
            return counts
        if self.store is not None:
            results = intake.add_events(self.store, events, actor="simulator")
        else:
            resp = self.client.post("/api/v1/events", json=events)
            if resp.status_code == 422:
                counts["rejected"] += len(events)
                return counts
            resp.raise_for_status()
            results = resp.json()["results"]
        for r in results:
            counts[r["result"]] += 1
        return counts

    def open_frame(self, statuses: list[str]):
        import pandas as pd

        from gridgeo.store.sql import finish_frame

        if self.store is not None:
            return self.store.events_frame(status=statuses, extra=True)
        resp = self.client.get("/api/v1/events", params={"status": statuses, "limit": 50000})
        resp.raise_for_status()
        frame = pd.DataFrame(resp.json()["events"])
        if frame.empty:
            return frame
        frame["updated_at"] = frame["reported_at"]
        return finish_frame(frame)

    def move(self, moves: list[tuple]) -> int:
        if self.store is not None:
            return self.store.transition_many(moves)
        done = 0
        for event_id, status, actor, note, _at in moves:
            r = self.client.patch(f"/api/v1/events/{event_id}", json={"status": status, "actor": actor, "note": note})
            done += r.status_code == 200
        return done

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
        if self.client is not None:
            self.client.close()


def _checked_atlas(sink: _Sink, args: argparse.Namespace):
    """The active atlas to simulate on; UsageError when the target is a store opened for real
    work and --into-real-store was not given."""
    from gridgeo.services.active_atlas import active_atlas_name, is_demo_store, load_active_atlas

    settings = get_settings()
    if sink.store is not None:
        real = not is_demo_store(sink.store, settings)
        name = active_atlas_name(sink.store, settings)
        where = args.database or settings.store_url
    else:  # a service: the local settings say whether this is real work
        real = not settings.demo_allowed
        name = active_atlas_name(None, settings)
        where = args.to_api
    if real and not args.into_real_store:
        raise UsageError(f"{where}: not the demo store (atlas {name!r}); simulate writes invented events only "
                         "into the demo store. Add --into-real-store to write them there anyway")
    if sink.store is not None or name == DEMO_ATLAS:
        return load_active_atlas(sink.store, settings)
    from gridgeo.commands._checks import open_store_checked

    store = open_store_checked(settings.store_url)
    try:
        return load_active_atlas(store, settings)
    finally:
        store.close()


def run(args: argparse.Namespace) -> int:
    """Stream events for --duration seconds; print a summary line."""
    from gridgeo.demo.simulate import NEXT, generate_events, plan_lifecycles, seed_store

    if not args.rate > 0 or not args.duration > 0 or not args.pace > 0 or not args.advance_every > 0:
        raise UsageError("--rate, --duration, --pace and --advance-every must be positive")
    if not all(math.isfinite(v) for v in (args.rate, args.duration, args.pace, args.advance_every)):
        raise UsageError("--rate, --duration, --pace and --advance-every must be finite numbers")
    if not 0 <= args.history_days <= 3660 or args.history_per_day < 0:
        raise UsageError(f"--history-days {args.history_days:g} / --history-per-day {args.history_per_day}: "
                         "use 0-3660 days and 0 or more events per day")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed {args.seed}: use a number of 0 or more")
    seed = args.seed if args.seed is not None else int(time.time())
    sink = _Sink(args)
    try:
        atlas = _checked_atlas(sink, args)
    except Exception:
        sink.close()
        raise
    totals = {"accepted": 0, "duplicate": 0, "rejected": 0, "moves": 0}
    try:
        if args.history_days > 0:
            if sink.store is None:
                raise UsageError("--history-days writes to the store directly; drop --to-api")
            n = seed_store(sink.store, atlas, days=args.history_days, per_day=args.history_per_day, seed=seed)
            print(f"simulate: {n:,} events of history stored", file=sys.stderr)
        t0 = datetime.now(UTC)
        events = generate_events(atlas, rate=args.rate, duration=args.duration, seed=seed, start=t0,
                                 id_prefix=f"sim{seed}-{t0:%Y%m%d%H%M%S}")
        times = [datetime.fromisoformat(e["reported_at"]) for e in events]
        pos = 0
        last_advance = t0
        end = t0 + timedelta(seconds=args.duration)
        tick = 0
        while True:
            now = datetime.now(UTC)
            due = pos
            while due < len(events) and times[due] <= now:
                due += 1
            for k, v in sink.send(events[pos:due]).items():
                totals[k] += v
            pos = due
            if (now - last_advance).total_seconds() >= args.advance_every or now >= end:
                frame = sink.open_frame(list(NEXT))
                moves = plan_lifecycles(frame, now, seed=seed + tick, pace=args.pace, since=last_advance)
                totals["moves"] += sink.move(moves)
                last_advance = now
                tick += 1
            if now >= end and pos >= len(events):
                break
            time.sleep(0.2)
    finally:
        sink.close()
    where = args.to_api or "the store"
    print(f"simulate: {totals['accepted']:,} events accepted, {totals['duplicate']:,} duplicate, "
          f"{totals['rejected']:,} rejected, {totals['moves']:,} lifecycle moves -> {where}")
    return 0
