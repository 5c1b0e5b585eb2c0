"""Partition of a whole city on Dask distributed: 2 LocalCluster workers against 1, one run.

The refinement and apportioning run chunk by chunk (one street a chunk) and the community
problems one by one, all on the run's engine. Each configuration runs in a fresh process, so its
peak memory (``ru_maxrss`` of the client, and of each Dask worker) is its own:

- ``whole, in-process``: one whole refinement and apportioning (``chunk_by=None``), as before
  the chunking: the memory to beat;
- ``chunked, in-process``; ``chunked, dask 1 worker``; ``chunked, dask 2 workers``.

Printed: per configuration the time of every stage (refine: the checks and the first round
of chunks; apportion: the rounds after the cuts between crowded units; regionalize: with each
community's adjacency, built in its task; assemble; total), atoms per second, client and worker
peak memory, the load average (``os.getloadavg``, the machine is shared) before and after, and
the CPU seconds of the client (per stage) and of each worker during the run: load-independent
figures; the client's (which include the LocalCluster's scheduler, running in the client
process) are the serial part. Then the 2-vs-1-worker ratio per stage and for the whole run
(goal ≥ 1.7× on a 2-core machine).

The clusters are started before the clock runs (a long-lived cluster is how a city runs it),
so the ratio is that of the work, not of starting worker processes.

Usage: .venv/bin/python benchmarks/bench_partition_dask.py [--atlas DIR] [--districts N|all]
[--only LABEL ...]  (a city made by ``gridgeo demo-data --outline ... --code 440300``, e.g.
/work/city/shenzhen; ``--districts N`` keeps the first N of its districts, default all)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from itertools import pairwise

warnings.simplefilter("ignore")

from gridgeo.atlas.load import DEFAULT_DATA_DIR, load_atlas  # noqa: E402
from gridgeo.partition import PartitionInputs, PartitionOptions, run_partition  # noqa: E402
from gridgeo.partition.engine import Engine  # noqa: E402

CONFIGS = {"whole, in-process": (None, 0), "chunked, in-process": ("street", 0),
           "chunked, dask 1 worker": ("street", 1), "chunked, dask 2 workers": ("street", 2)}
STAGES = ("refine_s", "apportion_s", "regionalize_s", "assemble_s", "total_s")


def subset(atlas, n: int | None):
    """The first ``n`` districts of a city atlas (all when None)."""
    if not n:
        return atlas
    keep = sorted(atlas.district["code"].astype(str))[:n]
    comms = atlas.communities[atlas.communities["code"].astype(str).str[:6].isin(keep)]
    outline = comms.union_all()
    legacy = atlas.legacy[atlas.legacy.intersects(outline)]
    units = atlas.units[atlas.units["community_code"].astype(str).isin(comms["code"].astype(str))]
    return type(atlas)(meta=atlas.meta, district=atlas.district, streets=atlas.streets, communities=comms,
                       grids=atlas.grids, legacy=legacy, units=units)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


class StageCpu:
    """A progress callback noting the client's CPU seconds at the start of every stage."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    def __call__(self, stage: str, fraction: float) -> None:
        self.marks.setdefault(stage.split()[0], _cpu_s())

    def per_stage(self) -> dict[str, float]:
        """Client CPU seconds of refine, apportion, regionalize and assemble."""
        names = list(self.marks)
        return {f"{a}_cpu_s": round(self.marks[b] - self.marks[a], 1) for a, b in pairwise(names)}


def run_one(atlas_dir: str, districts: int | None, label: str) -> dict:
    """One configuration, in this process: stage timings, atoms, peak memory, load."""
    chunk_by, workers = CONFIGS[label]
    atlas = subset(load_atlas(atlas_dir), districts)
    row = {"label": label, "communities": len(atlas.communities), "load_before": os.getloadavg(),
           "rss_loaded_mb": _max_rss_mb()}
    marks = StageCpu()
    if workers:
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster) as client:
            cpu0, wcpu0 = _cpu_s(), client.run(_cpu_s)
            res = run_partition(PartitionInputs(atlas.communities, atlas.legacy, atlas.units),
                                PartitionOptions(300, 500, seed=0, chunk_by=chunk_by),
                                engine=Engine(scheduler=cluster.scheduler_address),
                                progress=marks)
            row["client_cpu_s"] = _cpu_s() - cpu0
            row["worker_cpu_s"] = [round(v - wcpu0[k], 1) for k, v in client.run(_cpu_s).items()]
            row["worker_peak_mb"] = [round(v) for v in client.run(_max_rss_mb).values()]
    else:
        cpu0 = _cpu_s()
        res = run_partition(PartitionInputs(atlas.communities, atlas.legacy, atlas.units),
                            PartitionOptions(300, 500, seed=0, chunk_by=chunk_by),
                            progress=marks)
        row["client_cpu_s"] = _cpu_s() - cpu0
    row.update(res.metrics["timings"], client_stage_cpu_s=marks.per_stage(), atoms=len(res.atoms), grids=len(res.grids),
               client_peak_mb=round(_max_rss_mb()), load_after=os.getloadavg(), chunks=res.metrics["chunks"])
    return row


def _print(row: dict) -> None:
    stages = "  ".join(f"{row[s]:7.1f}" for s in STAGES)
    workers = f"  workers {row['worker_peak_mb']} MB" if "worker_peak_mb" in row else ""
    cpu = f"  CPU s: client {row['client_cpu_s']:.1f} {row['client_stage_cpu_s']}" + (f", workers {row['worker_cpu_s']}" if "worker_cpu_s" in row
                                                          else "")
    load = f"load {row['load_before'][0]:.2f}->{row['load_after'][0]:.2f}"
    print(f"{row['label']:24s} {stages}  {row['atoms'] / row['total_s']:7.0f}  client {row['client_peak_mb']:5d} MB"
          f"{workers}{cpu}  {load}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--districts", default="all", help="keep the first N districts of a city (default all)")
    parser.add_argument("--only", nargs="*", choices=list(CONFIGS), help="run only these configurations")
    parser.add_argument("--one", choices=list(CONFIGS), help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args()
    districts = None if args.districts == "all" else int(args.districts)
    if args.one:
        print(json.dumps(run_one(args.atlas, districts, args.one)))
        return
    print(f"atlas {args.atlas}, districts {args.districts}; seconds per stage, atoms/s of the whole run")
    print(f"{'configuration':24s} " + "  ".join(f"{s[:-2]:>7s}"[:7] for s in STAGES) + "  atoms/s")
    rows = {}
    for label in args.only or CONFIGS:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--atlas", args.atlas, "--districts", args.districts,
                               "--one", label], capture_output=True, text=True, check=False)
        if proc.returncode:
            print(f"{label}: failed after {time.perf_counter() - t:.0f} s\n{proc.stderr[-2000:]}", flush=True)
            continue
        rows[label] = json.loads(proc.stdout.strip().splitlines()[-1])
        _print(rows[label])
    first = next(iter(rows.values()), None)
    if first:
        print(f"{first['atoms']} atoms, {first['grids']} grids, {first['communities']} communities, "
              f"{first['chunks']['count']} chunks (refined per round: {first['chunks'].get('refined_per_round')})")
    one, two = rows.get("chunked, dask 1 worker"), rows.get("chunked, dask 2 workers")
    if one and two:
        print("2 workers vs 1: " + ", ".join(f"{s[:-2]} {one[s] / two[s]:.2f}x" for s in STAGES))
    whole, chunked = rows.get("whole, in-process"), rows.get("chunked, in-process")
    if whole and chunked:
        print(f"client peak memory, chunked vs whole (in-process): {chunked['client_peak_mb']} MB vs "
              f"{whole['client_peak_mb']} MB")


if __name__ == "__main__":
    main()
