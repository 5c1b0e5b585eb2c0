"""Where the partition's pieces run: in this process, in local worker processes, or on a Dask
distributed cluster.

Communities are independent problems (grids never cross a community border), so the refinement
and apportioning chunks (:mod:`gridgeo.partition.chunks`) and the regionalization are
embarrassingly parallel. :class:`Engine` names the place; :func:`open_session` opens it once for
a run and :meth:`Session.map` returns results in the order of the items whatever the engine, so
the output is byte-identical for the same seed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from gridgeo.errors import InputError
from gridgeo.partition.problems import CommunityInput, solve_input
from gridgeo.partition.regionalize import CommunityResult

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Engine:
    """``jobs`` local processes (1 = in this process), or a Dask cluster: ``scheduler``
    (``tcp://host:8786``) or a LocalCluster of ``workers`` processes started for the run."""

    jobs: int = 1
    scheduler: str | None = None
    workers: int | None = None

    @property
    def uses_dask(self) -> bool:
        """True when the problems go to a Dask cluster."""
        return bool(self.scheduler or self.workers)

    def describe(self) -> str:
        """A short label for the metrics report."""
        if self.scheduler:
            return f"dask {self.scheduler}"
        if self.workers:
            return f"dask LocalCluster {self.workers} workers"
        return f"{self.jobs} local process(es)"


class Session:
    """An open engine: a map that runs tasks in this process, a process pool or on Dask.

    One session serves every stage of a run (refinement chunks, apportioning chunks, community
    problems), so a LocalCluster or pool is started once. :meth:`map` returns the results in
    the order of the items whatever the engine.
    """

    def __init__(self, engine: Engine, client=None, pool: ProcessPoolExecutor | None = None) -> None:
        self.engine, self.client, self.pool = engine, client, pool

    def map(self, fn: Callable, items: list, name: str, weights: list[float] | None = None,
            progress: Callable[[int, int, int], None] | None = None) -> list:
        """``[fn(x) for x in items]`` on the engine; ``progress(done, total, index)`` after each.

        ``weights`` (bigger first) orders the submission so no worker is left with a big task
        at the end; the results are still in the order of ``items``.
        """
        n = len(items)
        order = sorted(range(n), key=lambda i: -weights[i]) if weights is not None else list(range(n))
        results: list = [None] * n
        if self.client is not None and n:
            from dask.distributed import as_completed

            token = uuid.uuid4().hex[:8]
            # pure=False: the keys are given, and a pure map would tokenize every input (pickling
            # every geometry) in the client before sending anything
            futures = self.client.map(fn, [items[i] for i in order], pure=False,
                                      key=[f"{name}-{token}-{i}" for i in order])
            for done, fut in enumerate(as_completed(futures), start=1):
                if progress:
                    progress(done, n, int(fut.key.rsplit("-", 1)[1]))
            for i, res in zip(order, self.client.gather(futures), strict=True):
                results[i] = res
            return results
        mapped = self.pool.map(fn, [items[i] for i in order], chunksize=1) if self.pool is not None and n > 1 \
            else map(fn, (items[i] for i in order))
        for done, (i, res) in enumerate(zip(order, mapped, strict=True), start=1):
            results[i] = res
            if progress:
                progress(done, n, i)
        return results


@contextmanager
def open_session(engine: Engine) -> Iterator[Session]:
    """A :class:`Session` on ``engine``: a Dask client, a process pool or this process."""
    if engine.uses_dask:
        with dask_client(engine) as client:
            yield Session(engine, client=client)
    elif engine.jobs > 1:
        with ProcessPoolExecutor(max_workers=engine.jobs) as pool:
            yield Session(engine, pool=pool)
    else:
        yield Session(engine)


def solve_problems(problems: list[CommunityInput], seed: int, engine: Engine,
                   progress: Progress | None = None, session: Session | None = None,
                   batches: int = 200) -> list[CommunityResult]:
    """Solve every community on ``engine`` (or an open ``session`` of it); results in the order
    of ``problems``. Each task builds its communities' adjacency and problems
    (:func:`~gridgeo.partition.problems.solve_input`). Small communities share a task (about
    ``batches`` tasks in all: a task per community cost the client, which schedules them, more
    than the solving of the small ones); the biggest tasks are submitted first."""
    if session is None:
        with open_session(engine) as opened:
            return solve_problems(problems, seed, engine, progress, opened, batches)
    weights = [float(len(p.households)) for p in problems]
    groups = batch_by_weight(weights, sum(weights) / max(batches, 1))

    def tick(done: int, total: int, index: int) -> None:
        if progress:
            progress(f"regionalize {problems[groups[index][0]].community}", done / total)

    solved = session.map(partial(_solve_batch, seed=seed), [[problems[i] for i in g] for g in groups], "community",
                         weights=[sum(weights[i] for i in g) for g in groups], progress=tick)
    results: list = [None] * len(problems)
    for group, batch in zip(groups, solved, strict=True):
        for i, res in zip(group, batch, strict=True):
            results[i] = res
    return results


def batch_by_weight(weights: list[float], target: float) -> list[list[int]]:
    """Indices grouped, heaviest first, into runs whose weight reaches ``target`` (a heavier item alone)."""
    groups: list[list[int]] = []
    current: list[int] = []
    total = 0.0
    for i in sorted(range(len(weights)), key=lambda k: (-weights[k], k)):
        current.append(i)
        total += weights[i]
        if total >= target:
            groups.append(current)
            current, total = [], 0.0
    return groups + ([current] if current else [])


def _solve_batch(batch: list[CommunityInput], seed: int) -> list[CommunityResult]:
    return [solve_input(inp, seed) for inp in batch]


@contextmanager
def dask_client(engine: Engine) -> Iterator:
    """A Client on the engine's scheduler, or on a LocalCluster started (and stopped) for the run.

    The LocalCluster runs no dashboard (offline, no extra port) and one thread per worker
    process (the solver is pure Python: threads would share one GIL).
    """
    from dask.distributed import Client, LocalCluster

    if engine.scheduler:
        try:
            client = Client(engine.scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {engine.scheduler}: cannot reach the Dask scheduler ({exc}); "
                             "start one with `dask scheduler` or use --workers N") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=engine.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40) as cluster, Client(cluster) as client:
        yield client
