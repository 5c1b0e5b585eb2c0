"""Benchmark: cost of storing events through ``gridgeo.services.intake.add_events`` (validate, assign, write with
the first history entry and the aggregates) on one store, in batches of 1 and of 20.

Times ``--n`` events per batch size on a fresh store (PostGIS by ``--database URL``, else a
temporary SQLite file) and prints events/s and the mean time per call; then 500 single status changes by id. Written for issue 13 to
compare the single-row insert cost before and after the month partitioning of ``events``.

    .venv/bin/python benchmarks/bench_store_insert.py --database postgresql+psycopg://... [--n 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gridgeo.atlas.load import load_default_atlas
from gridgeo.demo.simulate import generate_events
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store


def _fresh(url: str) -> None:
    """Drop every table of a PostGIS test database (like tests/conftest.drop_store_tables)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                      "AND tablename <> 'spatial_ref_sys'").scalars().all()
        if tables:
            conn.exec_driver_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    engine.dispose()


def run(url: str, n: int, repeats: int) -> None:
    atlas = load_default_atlas()
    now = datetime.now(UTC)
    moves: list[float] = []
    n_moves = min(500, n - 20)
    for batch in (1, 20):
        best = None
        for rep in range(repeats):
            if url.startswith("postgresql"):
                _fresh(url)
            st = open_store(url, seed_default=True)
            events = generate_events(atlas, n=n, seed=rep, start=now - timedelta(days=90), duration=89 * 86400)
            for k, e in enumerate(events):
                e["id"] = f"b{batch}-{rep}-{k}"
            add_events(st, events[:20], now=now)  # warm-up: caches, grid index, first partitions
            body = events[20:]
            t0 = time.perf_counter()
            for i in range(0, len(body), batch):
                add_events(st, body[i:i + batch], now=now)
            dt = time.perf_counter() - t0
            if batch == 1:  # single status changes by id (the lifecycle PATCH path)
                t1 = time.perf_counter()
                for e in body[:n_moves]:
                    st.transition(e["id"], "accepted", actor="bench")
                moves.append((time.perf_counter() - t1) / n_moves)
            st.close()
            best = dt if best is None else min(best, dt)
        calls = -(-len(body) // batch)
        print(f"batch {batch:>2}: {len(body)} events in {best:.2f} s = {len(body) / best:,.0f} events/s, "
              f"{1000 * best / calls:.2f} ms per call (best of {repeats})")
    print(f"transition by id: {1000 * min(moves):.2f} ms per call ({n_moves} calls, best of {repeats})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="store URL (default: a temporary SQLite file)")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        run(url, args.n, args.repeats)


if __name__ == "__main__":
    main()
