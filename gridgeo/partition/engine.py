"""Where the per-community problems are solved: in this process, in local worker processes, or
on a Dask distributed cluster.

Communities are independent problems (grids never cross a community border), so the
regionalization stage is embarrassingly parallel. :class:`Engine` names the place;
:func:`solve_problems` returns the results in the order of the problems whatever the engine, so
the output is byte-identical for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from gridgeo.errors import InputError
from gridgeo.partition.regionalize import CommunityProblem, CommunityResult, solve_community

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


def solve_problems(problems: list[CommunityProblem], seed: int, engine: Engine,
                   progress: Progress | None = None) -> list[CommunityResult]:
    """Solve every community problem on ``engine``; results in the order of ``problems``."""
    if engine.uses_dask and problems:
        return _solve_dask(problems, seed, engine, progress)
    if engine.jobs > 1 and len(problems) > 1:
        return _solve_pool(problems, seed, engine.jobs, progress)
    results = []
    for i, prob in enumerate(problems):
        results.append(solve_community(prob, seed))
        _tick(progress, prob.community, i + 1, len(problems))
    return results


def _tick(progress: Progress | None, community: str, done: int, total: int) -> None:
    if progress:
        progress(f"regionalize {community}", done / total)


def _solve_pool(problems, seed, jobs, progress) -> list[CommunityResult]:
    results = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for i, res in enumerate(pool.map(solve_community, problems, [seed] * len(problems), chunksize=2)):
            results.append(res)
            _tick(progress, res.community, i + 1, len(problems))
    return results


def _solve_dask(problems, seed, engine: Engine, progress) -> list[CommunityResult]:
    from dask.distributed import as_completed

    # biggest communities first, so no worker is left with a large one at the end
    order = sorted(range(len(problems)), key=lambda i: -len(problems[i].households))
    with dask_client(engine) as client:
        futures = client.map(solve_community, [problems[i] for i in order], [seed] * len(order),
                             key=[f"community-{problems[i].community}-{i}" for i in order])
        for done, fut in enumerate(as_completed(futures), start=1):
            _tick(progress, fut.key.split("-")[1], done, len(futures))
        solved = client.gather(futures)
    results: list[CommunityResult | None] = [None] * len(problems)
    for i, res in zip(order, solved, strict=True):
        results[i] = res
    return results  # type: ignore[return-value]


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
